//! One WebSocket to the server: gloo-net's `WebSocket` (a Stream + Sink of messages), driven by
//! one task per connection. Every text frame goes to `on_frame` as it arrives; frames sent before
//! the socket opens wait for it, in order (the sink is not ready until then); `on_closed` runs once
//! when the socket closes or fails, with its close code and reason and whether the server ever
//! answered on it. Dropping the `Connection` ends the task and closes the socket without calling
//! `on_closed`.

use futures::channel::mpsc::{self, UnboundedSender};
use futures::future::{abortable, select, AbortHandle};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use std::cell::RefCell;
use std::rc::Rc;
use tim_core::net_failure::Closed;
use tim_core::SdkError;
use tim_proto::ErrorCode;

pub struct Connection {
    outgoing: UnboundedSender<String>,
    task: AbortHandle,
}

impl Connection {
    pub fn open(
        url: &str,
        on_frame: impl Fn(String) + 'static,
        on_closed: impl FnOnce(Closed) + 'static,
    ) -> Result<Connection, SdkError> {
        let ws = WebSocket::open(url).map_err(|e| {
            let mut message = String::from("cannot open a WebSocket to ");
            message.push_str(url);
            message.push_str(": ");
            message.push_str(&e.to_string());
            SdkError::new(ErrorCode::NetworkError, message)
        })?;
        let (mut sink, mut stream) = ws.split();
        let (outgoing, mut queue) = mpsc::unbounded::<String>();
        let write = async move {
            while let Some(text) = queue.next().await {
                // A frame sent on a socket that is closing is lost; its request is failed when
                // the close is reported.
                if sink.send(Message::Text(text)).await.is_err() {
                    break;
                }
            }
        };
        let closed = Rc::new(RefCell::new(Closed {
            code: 1006,
            ..Closed::default()
        }));
        let seen = Rc::clone(&closed);
        let read = async move {
            while let Some(item) = stream.next().await {
                match item {
                    Ok(Message::Text(text)) => {
                        seen.borrow_mut().answered = true;
                        on_frame(text);
                    }
                    Ok(Message::Bytes(_)) => {}
                    Err(WebSocketError::ConnectionClose(e)) => {
                        let mut c = seen.borrow_mut();
                        c.code = e.code;
                        c.reason = e.reason;
                        break;
                    }
                    // An error event: the close event with its code follows.
                    Err(_) => {}
                }
            }
        };
        let (run, task) = abortable(async move {
            select(Box::pin(read), Box::pin(write)).await;
            let how = closed.borrow().clone();
            on_closed(how);
        });
        wasm_bindgen_futures::spawn_local(async move {
            let _ = run.await;
        });
        Ok(Connection { outgoing, task })
    }

    /// Sends now, or once the socket is open.
    pub fn send(&self, text: String) -> Result<(), SdkError> {
        // The task only stops when the socket is gone, which `on_closed` reports.
        let _ = self.outgoing.unbounded_send(text);
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}
