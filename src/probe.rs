//! The probe behind a failed login's message: one plain HTTP request to the WebSocket's address
//! (`no-cors`, so any server answers it), telling "nothing there" from "something answers HTTP
//! there but not the upgrade". What the answer means is decided in `tim_core::net_failure`.

use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use tim_core::net_failure::{probe_url, Probe};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// An unreachable host can take long to refuse; the login's answer should not.
const PROBE_TIMEOUT_MS: u32 = 3_000;

pub async fn probe(ws_url: &str) -> Probe {
    let (Some(url), Some(window)) = (probe_url(ws_url), web_sys::window()) else {
        return Probe::Unreachable;
    };
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::NoCors);
    let fetch = JsFuture::from(window.fetch_with_str_and_init(&url, &init));
    match select(fetch, TimeoutFuture::new(PROBE_TIMEOUT_MS)).await {
        Either::Left((Ok(answer), _)) => Probe::Answers(
            answer
                .dyn_into::<web_sys::Response>()
                .ok()
                .map(|r| r.status())
                // A cross-origin answer is opaque: status 0, but it did answer.
                .filter(|&status| status != 0),
        ),
        _ => Probe::Unreachable,
    }
}
