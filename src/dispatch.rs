//! Event handlers registered with `on`/`off`, and their calling. Handlers are only ever called from
//! a fresh microtask, after every Rust borrow is released, so a handler may call back into the SDK.

use crate::js::Object;
use js_sys::Function;
use std::cell::RefCell;
use tim_core::events::Event;
use wasm_bindgen::JsValue;

#[derive(Default)]
pub struct Handlers {
    list: RefCell<Vec<(String, Function)>>,
}

impl Handlers {
    pub fn on(&self, name: String, handler: Function) {
        let mut list = self.list.borrow_mut();
        // Registering the same handler twice for one event calls it once, as with addEventListener.
        if !list.iter().any(|(n, h)| *n == name && h == &handler) {
            list.push((name, handler));
        }
    }

    /// Without a handler, removes every handler of the event.
    pub fn off(&self, name: &str, handler: Option<&Function>) {
        self.list
            .borrow_mut()
            .retain(|(n, h)| !(n == name && handler.is_none_or(|f| f == h)));
    }

    pub fn clear(&self) {
        self.list.borrow_mut().clear();
    }

    /// Calls every handler of each event with `{ name, data }`; a throwing handler is reported to
    /// the console and does not stop the others.
    pub fn emit(&self, events: Vec<Event>) {
        for event in events {
            let name = event.name();
            let targets: Vec<Function> = self
                .list
                .borrow()
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, h)| h.clone())
                .collect();
            if targets.is_empty() {
                continue;
            }
            let payload = Object::new()
                .field("data", &event.data())
                .field("name", name)
                .end();
            for handler in targets {
                if let Err(e) = handler.call1(&JsValue::NULL, &payload) {
                    crate::js::console_error(&format!("tim-wasm: a {name} handler threw"), &e);
                }
            }
        }
    }
}
