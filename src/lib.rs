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
    use serde::ser::{SerializeMap, Serializer};
    use tim_core::constants::{EVENTS, TYPES, VERSION};
    /// A table of (unique) names and values as one JSON object, names in sorted order.
    struct Table(&'static [(&'static str, &'static str)]);
    impl serde::Serialize for Table {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut entries: Vec<&(&str, &str)> = self.0.iter().collect();
            tim_core::sort::sort_by(&mut entries, |a, b| a.0.cmp(b.0));
            let mut map = s.serialize_map(Some(entries.len()))?;
            for (k, v) in entries {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "UPPERCASE")]
    struct Constants {
        event: Table,
        types: Table,
        version: &'static str,
    }
    js::to_js(&Constants {
        event: Table(EVENTS),
        types: Table(TYPES),
        version: VERSION,
    })
}
