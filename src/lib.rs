//! tim-wasm: the documented TIM web API, in Rust compiled to WebAssembly.
//!
//! This crate is only the wasm-bindgen layer: the `Tim` class JS sees, JS value conversion, event
//! dispatch and the WebSocket. The logic lives in `tim-core`; the wire format in `tim-proto`.
//! `js/index.js` wraps the exports below into the documented default export `TIM`.

mod cache;
mod client;
mod connection;
mod dispatch;
mod js;
mod log;
mod probe;
mod tabs;
mod tim;

use wasm_bindgen::prelude::*;

/// Talc instead of std's dlmalloc: a few KB less wasm (the SDK is single-threaded).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use tim::Tim;

/// `TIM.create(options)`: an instance, or `undefined` (null in the entry) when the options are not
/// usable. `on_destroy` lets the entry forget the instance when it is destroyed; `upload` is the
/// entry's browser side of uploads (js/index.js: one XMLHttpRequest).
#[wasm_bindgen(js_name = createInstance)]
pub fn create_instance(
    options: JsValue,
    on_destroy: js_sys::Function,
    upload: js_sys::Function,
) -> Option<Tim> {
    let options = tim_core::args::create_options(&js::arg(&options))?;
    Some(Tim::new(options, on_destroy, upload))
}
