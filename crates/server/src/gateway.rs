//! One WebSocket connection: the session state machine and its event loop.
//!
//! Requests are answered strictly in order (one at a time), which keeps replies in request
//! order and needs no locking. Pushes, the UserSig expiry and server shutdown are waited for
//! alongside the next request.
//!
//! Login registers the session with the hub first and reads the user's event log second, so
//! no event falls between the two; pushes already covered by the login answer are not sent
//! again, so a session sees each event number at most once, in increasing order.

use crate::clock::unix_now;
use crate::error::ApiError;
use crate::hub::{Delivery, SessionId, UserKey, SESSION_QUEUE};
use crate::service::{Identity, LoginGrant, Service};
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tim_proto::frame::KickReason;
use tim_proto::limits::MAX_FRAME_BYTES;
use tim_proto::{ClientFrame, ErrorCode, Push, Reply, Request, ServerFrame, PROTOCOL_VERSION};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// Where a connection is in its life.
enum SessionState {
    /// Nothing but Login is accepted yet.
    Anonymous,
    LoggedIn(LiveSession),
    /// After Logout: like Anonymous, the connection stays open for another Login.
    LoggedOut,
}

struct LiveSession {
    identity: Identity,
    pushes: mpsc::Receiver<Delivery>,
    expires_at: i64,
    /// The newest event this session has been given (in the login answer or a push).
    last_ev: u64,
}

/// What woke the loop up.
enum Event {
    Incoming(Option<Result<Message, axum::Error>>),
    /// `None`: the hub dropped this session (it fell too far behind).
    Push(Option<Delivery>),
    SigMaybeExpired,
    Shutdown,
}

/// Serves one connection until the client leaves, the session is kicked, or the server stops.
pub async fn run_session(
    mut socket: WebSocket,
    service: Arc<Service>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut session = Session {
        service,
        state: SessionState::Anonymous,
    };
    loop {
        let deadline = session.expiry_deadline();
        // Biased: a push queued before a request is read goes out before that request's reply,
        // so a client sees events in the order the server made them.
        let event = tokio::select! {
            biased;
            _ = shutdown.changed() => Event::Shutdown,
            push = next_push(&mut session.state) => Event::Push(push),
            () = sleep_until(deadline) => Event::SigMaybeExpired,
            incoming = socket.recv() => Event::Incoming(incoming),
        };
        let keep_going = match event {
            Event::Incoming(Some(Ok(message))) => match session.on_message(message).await {
                Some(frame) => send(&mut socket, &frame).await,
                None => true,
            },
            // The client went away (closed, or the connection broke).
            Event::Incoming(None) | Event::Incoming(Some(Err(_))) => false,
            Event::Push(Some(delivery)) => match session.outgoing(delivery) {
                Some(frame) => send(&mut socket, &frame).await,
                None => true,
            },
            Event::Push(None) => {
                close(&mut socket, close_code::AGAIN, "too far behind; reconnect").await;
                false
            }
            Event::SigMaybeExpired => match &session.state {
                SessionState::LoggedIn(live) if unix_now() > live.expires_at => {
                    let kicked = ServerFrame::Push {
                        ev: None,
                        push: Push::Kicked {
                            reason: KickReason::UserSigExpired,
                        },
                    };
                    send(&mut socket, &kicked).await;
                    close(&mut socket, close_code::POLICY, "userSig expired").await;
                    false
                }
                _ => true,
            },
            Event::Shutdown => {
                close(&mut socket, close_code::AWAY, "server shutting down").await;
                false
            }
        };
        if !keep_going {
            break;
        }
    }
    session.end();
}

/// The next push for a logged-in session; never resolves otherwise.
async fn next_push(state: &mut SessionState) -> Option<Delivery> {
    match state {
        SessionState::LoggedIn(live) => live.pushes.recv().await,
        _ => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Sends one frame; false when the client is gone.
async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> bool {
    socket
        .send(Message::Text(frame.to_json().into()))
        .await
        .is_ok()
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    // The client may already be gone; nothing more to do then.
    let _ = socket.send(Message::Close(Some(frame))).await;
}

struct Session {
    service: Arc<Service>,
    state: SessionState,
}

impl Session {
    /// When the loop should wake up to check the UserSig: just after its last valid second.
    /// Long waits are capped and re-checked, so far-future expiries cannot overflow.
    fn expiry_deadline(&self) -> Option<Instant> {
        let SessionState::LoggedIn(live) = &self.state else {
            return None;
        };
        let first_invalid = u64::try_from(live.expires_at.saturating_add(1)).unwrap_or(0);
        let wait = (UNIX_EPOCH + Duration::from_secs(first_invalid))
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(24 * 3600));
        Some(Instant::now() + wait)
    }

    /// Answers one incoming WebSocket message, if it needs an answer.
    async fn on_message(&mut self, message: Message) -> Option<ServerFrame> {
        match message {
            Message::Text(text) => Some(self.on_text(text.as_str()).await),
            Message::Binary(_) => Some(error_frame(
                None,
                ErrorCode::MalformedFrame,
                "binary frames are not supported; send JSON text frames".to_owned(),
            )),
            // Pings are answered by the WebSocket layer; Close ends the stream next.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => None,
        }
    }

    async fn on_text(&mut self, text: &str) -> ServerFrame {
        if text.len() > MAX_FRAME_BYTES {
            return error_frame(
                None,
                ErrorCode::FrameTooLarge,
                format!(
                    "frame is {} bytes; the limit is {MAX_FRAME_BYTES}",
                    text.len()
                ),
            );
        }
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let (id, old) = peek(text);
                if old {
                    return error_frame(
                        id,
                        ErrorCode::UnsupportedProtocol,
                        format!(
                            "protocol 1 is not supported; this server speaks {PROTOCOL_VERSION}"
                        ),
                    );
                }
                return error_frame(
                    id,
                    ErrorCode::MalformedFrame,
                    format!("not a valid request: {e}"),
                );
            }
        };
        let id = frame.id;
        tracing::debug!(id, op = frame.request.op(), "request");
        match self.on_request(frame.request).await {
            Ok(reply) => ServerFrame::Reply { id, reply },
            Err(e) => error_frame(Some(id), e.code, e.message),
        }
    }

    async fn on_request(&mut self, request: Request) -> Result<Reply, ApiError> {
        match (&self.state, request) {
            (
                SessionState::Anonymous | SessionState::LoggedOut,
                Request::Login {
                    sdk_app_id,
                    user_id,
                    user_sig,
                    protocol,
                    resume_after,
                },
            ) => {
                let grant = self
                    .service
                    .login(sdk_app_id, &user_id, &user_sig, protocol)
                    .await?;
                self.start(grant, resume_after).await
            }
            (SessionState::Anonymous | SessionState::LoggedOut, _) => Err(ApiError::new(
                ErrorCode::NotLoggedIn,
                "log in first: the first request must be login",
            )),
            (SessionState::LoggedIn(_), Request::Logout) => {
                self.end();
                self.state = SessionState::LoggedOut;
                Ok(Reply::Done)
            }
            (SessionState::LoggedIn(live), request) => {
                let identity = live.identity.clone();
                self.service.handle(&identity, request).await
            }
        }
    }

    /// Registers the session with the hub, then reads what it missed, and answers the login.
    /// In that order: an event committed meanwhile is in the log read or in the session's queue
    /// (or both; [`Session::outgoing`] drops the copy).
    async fn start(
        &mut self,
        grant: LoginGrant,
        resume_after: Option<u64>,
    ) -> Result<Reply, ApiError> {
        let LoginGrant { user, expires_at } = grant;
        let session = SessionId::next();
        let (tx, rx) = mpsc::channel(SESSION_QUEUE);
        self.service.hub().register(&user, session, tx);
        let catchup = match self.service.catch_up(&user, resume_after).await {
            Ok(c) => c,
            Err(e) => {
                self.service.hub().unregister(&user, session);
                return Err(e);
            }
        };
        tracing::info!(
            app = user.sdk_app_id,
            user = %user.user_id,
            session = session.0,
            resume_after,
            latest = catchup.latest,
            missed = catchup.missed.len(),
            resync = catchup.resync_required,
            "logged in"
        );
        let reply = Reply::LoggedIn {
            user_id: user.user_id.clone(),
            server_time: unix_now(),
            sig_expires_at: expires_at,
            latest_event: catchup.latest,
            missed: catchup.missed,
            resync_required: catchup.resync_required,
        };
        self.state = SessionState::LoggedIn(LiveSession {
            identity: Identity { user, session },
            pushes: rx,
            expires_at,
            last_ev: catchup.latest,
        });
        Ok(reply)
    }

    /// The frame for a push from the hub, or `None` when the session already has that event
    /// (it was in the login answer, or is covered by the list the client loads after login).
    fn outgoing(&mut self, delivery: Delivery) -> Option<ServerFrame> {
        let Delivery { ev, push } = delivery;
        if let (Some(ev), SessionState::LoggedIn(live)) = (ev, &mut self.state) {
            if ev <= live.last_ev {
                return None;
            }
            live.last_ev = ev;
        }
        Some(ServerFrame::Push { ev, push })
    }

    /// Leaves the hub, if logged in.
    fn end(&mut self) {
        if let SessionState::LoggedIn(live) = &self.state {
            let Identity { user, session } = &live.identity;
            self.service.hub().unregister(user, *session);
            log_end(user, *session);
        }
        self.state = SessionState::Anonymous;
    }
}

fn log_end(user: &UserKey, session: SessionId) {
    tracing::info!(app = user.sdk_app_id, user = %user.user_id, session = session.0, "session ended");
}

fn error_frame(id: Option<u64>, code: ErrorCode, message: String) -> ServerFrame {
    ServerFrame::Error { id, code, message }
}

/// The request id of a frame that is JSON but not a valid request, so the error can name it,
/// and whether it is shaped as protocol 1 (`op`/`args`, no `req`), so an old client learns why.
fn peek(text: &str) -> (Option<u64>, bool) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return (None, false);
    };
    let id = map.get("id").and_then(serde_json::Value::as_u64);
    (id, map.contains_key("op") && !map.contains_key("req"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_finds_ids_only_in_objects_and_knows_protocol_1() {
        assert_eq!(peek(r#"{"id":5,"req":"explode"}"#), (Some(5), false));
        assert_eq!(peek(r#"{"id":"5"}"#), (None, false));
        assert_eq!(peek("[1]"), (None, false));
        assert_eq!(peek("not json"), (None, false));
        assert_eq!(peek(r#"{"id":1,"op":"login","args":{}}"#), (Some(1), true));
    }
}
