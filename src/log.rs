//! The SDK's console log at the level `setLogLevel` chose (the rules are in
//! `tim_core::log_level`). One level for the page, as the documented SDK has: the module is
//! shared by every instance. Lines start with "tim-wasm:" so that an app can filter them.

use std::cell::Cell;
use tim_core::log_level::{Kind, LogLevel};
use wasm_bindgen::JsValue;

thread_local! {
    static LEVEL: Cell<LogLevel> = Cell::new(LogLevel::default());
}

pub fn set_level(level: LogLevel) {
    LEVEL.with(|l| l.set(level));
}

pub fn shows(kind: Kind) -> bool {
    LEVEL.with(|l| l.get().shows(kind))
}

/// Writes one line; callers check [`shows`] first (the `log!` macro does) so that a hidden
/// line costs no formatting.
pub fn write(kind: Kind, line: &str) {
    // Pushed, not `[..].concat()`: that generic joiner was 1.2 KB of wasm for this one use.
    let mut text = String::with_capacity(line.len() + 10);
    text.push_str("tim-wasm: ");
    text.push_str(line);
    let line = JsValue::from_str(&text);
    match kind {
        Kind::Debug | Kind::Info => web_sys::console::log_1(&line),
        Kind::Warn => web_sys::console::warn_1(&line),
        Kind::Error => web_sys::console::error_1(&line),
    }
}

/// `log!(Kind::Debug, "format", args…)`: formats and writes only when the level shows it.
macro_rules! log {
    ($kind:expr, $($arg:tt)*) => {
        if $crate::log::shows($kind) {
            $crate::log::write($kind, &format!($($arg)*));
        }
    };
}
pub(crate) use log;
