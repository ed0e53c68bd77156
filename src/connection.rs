//! One WebSocket to the server: a writer task fed by a channel, and a reader task that hands
//! every text frame to the client. Dropping the `Connection` closes the socket.

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::Message;
use std::rc::Weak;
use tim_core::SdkError;
use tim_proto::ErrorCode;
use wasm_bindgen_futures::spawn_local;

use crate::client::Inner;

pub struct Connection {
    tx: mpsc::UnboundedSender<String>,
}

impl Connection {
    /// Opens the socket; `generation` tags its frames so that a stale socket's news is ignored.
    pub fn open(url: &str, inner: Weak<Inner>, generation: u64) -> Result<Connection, SdkError> {
        let ws = WebSocket::open(url).map_err(|e| {
            SdkError::new(
                ErrorCode::NetworkError,
                format!("cannot open a WebSocket to {url}: {e}"),
            )
        })?;
        let (mut sink, mut stream) = ws.split();
        let (tx, mut rx) = mpsc::unbounded::<String>();
        spawn_local(async move {
            // Sends wait for the socket to open; ends when the Connection is dropped.
            while let Some(text) = rx.next().await {
                if sink.send(Message::Text(text)).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        spawn_local(async move {
            while let Some(frame) = stream.next().await {
                let Some(inner) = inner.upgrade() else { return };
                match frame {
                    Ok(Message::Text(text)) => inner.on_frame(generation, &text),
                    Ok(Message::Bytes(_)) => {}
                    Err(_) => break,
                }
            }
            if let Some(inner) = inner.upgrade() {
                inner.on_closed(generation);
            }
        });
        Ok(Connection { tx })
    }

    pub fn send(&self, text: String) -> Result<(), SdkError> {
        self.tx
            .unbounded_send(text)
            .map_err(|_| SdkError::new(ErrorCode::NoNetwork, "the connection is closed"))
    }
}
