//! One WebSocket to the server, on the browser's own callbacks: every text frame goes to the
//! client as it arrives; frames sent before the socket opens wait for it, in order. Dropping the
//! `Connection` closes the socket.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use tim_core::SdkError;
use tim_proto::ErrorCode;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

use crate::client::Inner;

pub struct Connection {
    ws: WebSocket,
    /// Frames sent while the socket is still connecting.
    waiting: Rc<RefCell<Vec<String>>>,
    // Kept alive as long as the socket: its onopen, onmessage and onclose/onerror handlers.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_closed: Closure<dyn FnMut()>,
}

impl Connection {
    /// Opens the socket; `generation` tags its frames so that a stale socket's news is ignored.
    pub fn open(url: &str, inner: Weak<Inner>, generation: u64) -> Result<Connection, SdkError> {
        let ws = WebSocket::new(url).map_err(|e| {
            let mut message = String::from("cannot open a WebSocket to ");
            message.push_str(url);
            message.push_str(": ");
            message.push_str(&String::from(
                e.unchecked_ref::<js_sys::Error>().to_string(),
            ));
            SdkError::new(ErrorCode::NetworkError, message)
        })?;
        let waiting: Rc<RefCell<Vec<String>>> = Rc::default();
        let on_open = {
            let (ws, waiting) = (ws.clone(), Rc::clone(&waiting));
            Closure::<dyn FnMut()>::new(move || {
                for text in waiting.borrow_mut().drain(..) {
                    let _ = ws.send_with_str(&text);
                }
            })
        };
        let on_message = {
            let inner = inner.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let (Some(text), Some(inner)) = (e.data().as_string(), inner.upgrade()) {
                    inner.on_frame(generation, &text);
                }
            })
        };
        // An error closes the socket too; the second report is ignored (stale generation).
        let on_closed = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = inner.upgrade() {
                inner.on_closed(generation);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_closed.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_closed.as_ref().unchecked_ref()));
        Ok(Connection {
            ws,
            waiting,
            _on_open: on_open,
            _on_message: on_message,
            _on_closed: on_closed,
        })
    }

    /// Sends now, or once the socket is open. A frame sent on a socket that is closing is lost;
    /// its request is failed when the close is reported.
    pub fn send(&self, text: String) -> Result<(), SdkError> {
        if self.ws.ready_state() == WebSocket::CONNECTING {
            self.waiting.borrow_mut().push(text);
        } else {
            let _ = self.ws.send_with_str(&text);
        }
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}
