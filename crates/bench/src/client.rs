//! A protocol client: one WebSocket, requests matched to answers by `id`, pushes queued with the
//! instant they arrived. A reader task timestamps every frame as it is decoded, so a latency is
//! "request written -> answer read", not "-> the awaiting task got around to it".

use anyhow::{anyhow, bail, Context, Result};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tim_proto::{ClientFrame, Push, Reply, Request, ServerFrame, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Answer>>>>;

const CLIENT_READ_BUFFER: usize = 4 * 1024;

/// No workload waits longer than this for one answer; a hang is an error, not a data point.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// An `error` frame: the request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u32,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error {}: {}", self.code, self.message)
    }
}

/// The answer to one request, and when it was read off the socket.
#[derive(Debug)]
pub struct Answer {
    pub at: Instant,
    pub result: Result<Reply, Refusal>,
}

/// An answer with the time from writing the request to reading the answer.
#[derive(Debug)]
pub struct Timed {
    pub latency: Duration,
    pub result: Result<Reply, Refusal>,
}

impl Timed {
    /// The reply, or the refusal as an error naming `what`.
    pub fn reply(self, what: &str) -> Result<Reply> {
        self.result.map_err(|r| anyhow!("{what}: {r}"))
    }
}

/// A push and when it was read off the socket.
#[derive(Debug)]
pub struct Pushed {
    pub at: Instant,
    pub push: Push,
}

pub struct Client {
    sink: SplitSink<Ws, Message>,
    pending: Pending,
    pushes: mpsc::UnboundedReceiver<Pushed>,
    next_id: u64,
    reader: JoinHandle<()>,
}

impl Client {
    /// Opens a WebSocket to `url` (`ws://127.0.0.1:PORT/ws`) with Nagle off, like a browser.
    /// The read buffer is 4 KiB instead of tungstenite's 128 KiB (which it zero-fills on the
    /// first read), so 10,000 idle clients fit in this process next to the server.
    pub async fn connect(url: &str) -> Result<Client> {
        let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        let (sink, stream) = ws.split();
        let pending: Pending = Arc::default();
        let (push_tx, pushes) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_loop(stream, Arc::clone(&pending), push_tx));
        Ok(Client {
            sink,
            pending,
            pushes,
            next_id: 1,
            reader,
        })
    }

    /// Connects and logs in; fails unless the server answers `loggedIn`.
    pub async fn login(
        url: &str,
        sdk_app_id: u64,
        user_id: &str,
        user_sig: &str,
    ) -> Result<Client> {
        let mut client = Client::connect(url).await?;
        let reply = client
            .call(Request::Login {
                sdk_app_id,
                user_id: user_id.to_owned(),
                user_sig: user_sig.to_owned(),
                protocol: PROTOCOL_VERSION,
                resume_after: None,
            })
            .await?
            .reply(&format!("login of {user_id}"))?;
        match reply {
            Reply::LoggedIn { .. } => Ok(client),
            other => bail!("login of {user_id} answered with {other:?}"),
        }
    }

    /// Writes a request; returns when it was written and where its answer will arrive.
    pub async fn start(
        &mut self,
        request: Request,
    ) -> Result<(Instant, oneshot::Receiver<Answer>)> {
        let id = self.next_id;
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        let text = ClientFrame { id, request }.to_json();
        let sent = Instant::now();
        self.sink
            .send(Message::text(text))
            .await
            .context("writing a request")?;
        Ok((sent, rx))
    }

    /// Sends a request and waits for its answer.
    pub async fn call(&mut self, request: Request) -> Result<Timed> {
        let op = request.op();
        let (sent, rx) = self.start(request).await?;
        finish(op, sent, rx).await
    }

    /// The next push, waiting up to `within`.
    pub async fn next_push(&mut self, within: Duration) -> Result<Pushed> {
        tokio::time::timeout(within, self.pushes.recv())
            .await
            .map_err(|_| anyhow!("no push within {within:?}"))?
            .ok_or_else(|| anyhow!("the connection closed"))
    }

    pub async fn close(mut self) {
        let _ = self.sink.send(Message::Close(None)).await;
        self.reader.abort();
    }
}

/// Waits for the answer to a request written at `sent`.
pub async fn finish(op: &str, sent: Instant, rx: oneshot::Receiver<Answer>) -> Result<Timed> {
    let answer = tokio::time::timeout(ANSWER_TIMEOUT, rx)
        .await
        .map_err(|_| anyhow!("{op}: no answer within {ANSWER_TIMEOUT:?}"))?
        .map_err(|_| anyhow!("{op}: the connection closed before the answer"))?;
    Ok(Timed {
        latency: answer.at.saturating_duration_since(sent),
        result: answer.result,
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn read_loop(
    mut stream: SplitStream<Ws>,
    pending: Pending,
    pushes: mpsc::UnboundedSender<Pushed>,
) {
    while let Some(Ok(message)) = stream.next().await {
        let at = Instant::now();
        let Message::Text(text) = message else {
            continue;
        };
        let frame: ServerFrame = match serde_json::from_str(text.as_str()) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("tim-bench: unreadable frame ({e}): {:.200}", text.as_str());
                continue;
            }
        };
        let (id, result) = match frame {
            ServerFrame::Reply { id, reply } => (Some(id), Ok(reply)),
            ServerFrame::Error { id, code, message } => (
                id,
                Err(Refusal {
                    code: code.as_u32(),
                    message,
                }),
            ),
            ServerFrame::Push { push, .. } => {
                let _ = pushes.send(Pushed { at, push });
                continue;
            }
        };
        let waiter = id.and_then(|id| lock(&pending).remove(&id));
        match waiter {
            Some(tx) => {
                let _ = tx.send(Answer { at, result });
            }
            None => eprintln!("tim-bench: answer for no request: {id:?} {result:?}"),
        }
    }
    // Waiters learn that the connection is gone when their senders drop.
    lock(&pending).clear();
}
