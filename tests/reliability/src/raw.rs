//! A bare WebSocket client for what tim-bench's client never does: stop reading its socket.

use anyhow::{anyhow, bail, Context, Result};
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tim_proto::{ClientFrame, Reply, Request, ServerFrame, PROTOCOL_VERSION};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub struct RawClient {
    ws: Ws,
}

/// `ws://127.0.0.1:PORT/ws` -> its address.
pub fn addr_of(ws_url: &str) -> Result<SocketAddr> {
    let host = ws_url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .ok_or_else(|| anyhow!("no host in {ws_url}"))?;
    host.parse().with_context(|| format!("address {host}"))
}

impl RawClient {
    /// Logs in over a socket with a small receive buffer (it fills after a few frames).
    pub async fn login(ws_url: &str, sdk_app_id: u64, user: &str, sig: &str) -> Result<RawClient> {
        let socket = TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(4096)?;
        let tcp = socket.connect(addr_of(ws_url)?).await?;
        let (ws, _) = tokio_tungstenite::client_async(ws_url, MaybeTlsStream::Plain(tcp)).await?;
        let mut raw = RawClient { ws };
        let login = ClientFrame {
            id: 1,
            request: Request::Login {
                sdk_app_id,
                user_id: user.into(),
                user_sig: sig.into(),
                protocol: PROTOCOL_VERSION,
                resume_after: None,
            },
        };
        raw.ws.send(Message::text(login.to_json())).await?;
        loop {
            let frame = raw.next_frame(Duration::from_secs(30)).await?;
            match frame {
                ServerFrame::Reply {
                    reply: Reply::LoggedIn { .. },
                    ..
                } => return Ok(raw),
                ServerFrame::Push { .. } => {}
                other => bail!("login of {user} answered {other:?}"),
            }
        }
    }

    async fn next_frame(&mut self, within: Duration) -> Result<ServerFrame> {
        loop {
            let message = tokio::time::timeout(within, self.ws.next())
                .await
                .map_err(|_| anyhow!("no frame within {within:?}"))?
                .ok_or_else(|| anyhow!("closed"))??;
            if let Message::Text(text) = message {
                return Ok(serde_json::from_str(text.as_str())?);
            }
        }
    }

    /// Reads (finally) until the server closes: the close reason, or "" when the connection
    /// ended without a close frame.
    pub async fn close_reason(mut self, within: Duration) -> Result<String> {
        let end = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(end, self.ws.next())
                .await
                .map_err(|_| anyhow!("still open after {within:?}"))?;
            match next {
                Some(Ok(Message::Close(frame))) => {
                    return Ok(frame
                        .map(|f| f.reason.as_str().to_owned())
                        .unwrap_or_default())
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Ok(String::new()),
            }
        }
    }
}
