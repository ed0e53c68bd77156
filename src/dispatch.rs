//! Event handlers registered with `on`/`off`, and their calling. Handlers are only ever called from
//! a fresh microtask, after every Rust borrow is released, so a handler may call back into the SDK.

use crate::js::Object;
use js_sys::Function;
use std::cell::RefCell;
use tim_core::events::{Event, EventData};
use wasm_bindgen::JsValue;

struct Entry {
    name: String,
    handler: Function,
    /// Registered with `once`: removed before its first call.
    once: bool,
}

#[derive(Default)]
pub struct Handlers {
    list: RefCell<Vec<Entry>>,
}

impl Handlers {
    pub fn on(&self, name: String, handler: Function) {
        self.add(name, handler, false);
    }

    /// Called for the next event of that name only.
    pub fn once(&self, name: String, handler: Function) {
        self.add(name, handler, true);
    }

    fn add(&self, name: String, handler: Function, once: bool) {
        let mut list = self.list.borrow_mut();
        // Registering the same handler twice for one event calls it once, as with addEventListener.
        if !list.iter().any(|e| e.name == name && e.handler == handler) {
            list.push(Entry {
                name,
                handler,
                once,
            });
        }
    }

    /// Without a handler, removes every handler of the event (`once` ones too).
    pub fn off(&self, name: &str, handler: Option<&Function>) {
        self.list
            .borrow_mut()
            .retain(|e| !(e.name == name && handler.is_none_or(|f| *f == e.handler)));
    }

    pub fn clear(&self) {
        self.list.borrow_mut().clear();
    }

    /// Calls every handler of each event with `{ name, data }`; a throwing handler is reported to
    /// the console and does not stop the others.
    pub fn emit(&self, events: Vec<Event>) {
        for event in events {
            let name = event.name();
            let targets: Vec<Function> = {
                let mut list = self.list.borrow_mut();
                let targets = list
                    .iter()
                    .filter(|e| e.name == name)
                    .map(|e| e.handler.clone())
                    .collect();
                list.retain(|e| !(e.once && e.name == name));
                targets
            };
            if targets.is_empty() {
                continue;
            }
            // A payload that came as JSON text (a profile) is parsed here, not by serde.
            let data = match event.data() {
                EventData::JsonList(text) => {
                    js_sys::JSON::parse(&format!("[{text}]")).unwrap_or(JsValue::NULL)
                }
                other => crate::js::to_js(&other),
            };
            let payload = Object::new().raw("data", &data).field("name", name).end();
            for handler in targets {
                if let Err(e) = handler.call1(&JsValue::NULL, &payload) {
                    crate::js::console_error(&format!("tim-wasm: a {name} handler threw"), &e);
                }
            }
        }
    }
}
