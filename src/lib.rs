//! tim-wasm: the documented TIM web API, in Rust compiled to WebAssembly.
//!
//! This crate is only the wasm-bindgen layer: the `Tim` class JS sees, JS value conversion, event
//! dispatch and the WebSocket. The logic lives in `tim-core`; the wire format in `tim-proto`.
//! `pkg/index.js` wraps the exports below into the documented default export `TIM`.

mod cache;
mod client;
mod connection;
mod dispatch;
mod js;
mod tabs;
mod tim;

use wasm_bindgen::prelude::*;

/// Talc instead of std's dlmalloc: a few KB less wasm (the SDK is single-threaded).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use tim::Tim;

/// `TIM.create(options)`: an instance, or `undefined` (null in the entry) when the options are not
/// usable. `on_destroy` lets the entry forget the instance when it is destroyed.
#[wasm_bindgen(js_name = createInstance)]
pub fn create_instance(options: JsValue, on_destroy: js_sys::Function) -> Option<Tim> {
    let options = tim_core::args::create_options(&js::to_json(&options))?;
    Some(Tim::new(options, on_destroy))
}

/// `{ EVENT, TYPES, VERSION }` with the documented values, from the one table in tim-core.
#[wasm_bindgen]
pub fn constants() -> JsValue {
    use tim_core::constants::{EVENTS, TYPES, VERSION};
    use tim_core::json::{write_object, Fields, ToJson};
    /// A table of (unique) names and values as one JSON object, names in sorted order.
    struct Table(&'static [(&'static str, &'static str)]);
    impl ToJson for Table {
        fn write_json(&self, out: &mut String) {
            let mut entries: Vec<&(&str, &str)> = self.0.iter().collect();
            tim_core::sort::sort_by(&mut entries, |a, b| a.0.cmp(b.0));
            write_object(out, |o: &mut Fields| {
                for (k, v) in entries {
                    o.f(k, v);
                }
            });
        }
    }
    let mut out = String::new();
    write_object(&mut out, |o| {
        o.f("EVENT", &Table(EVENTS))
            .f("TYPES", &Table(TYPES))
            .f("VERSION", VERSION);
    });
    js::parse(&tim_core::json::Json(out))
}
