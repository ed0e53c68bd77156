//! One WebSocket connection: the session state machine and its event loop.
//!
//! Sends are pipelined: up to [`MAX_IN_FLIGHT`] of one session's `sendMessage` requests run at
//! once (the group commit takes them in arrival order, so each conversation keeps its order),
//! each answered when it is durable, matched by id. Every other request waits until the sends
//! before it are answered and is then answered alone, in order, so it sees them. Pushes, the
//! UserSig expiry, the login deadline, pings and server shutdown are waited for alongside.
//!
//! Login registers the session with the hub first and reads the user's event log second, so
//! no event falls between the two; pushes already covered by the login answer are not sent
//! again, and pushes lost on the way (between nodes) are read from the log, so a session sees
//! each event number exactly once, in increasing order.
//!
//! Every close the server starts carries a reason that begins with the error code (for
//! example `60008 no login within 10 s`).

use crate::anonymous::AnonymousSlot;
use crate::clock::unix_now;
use crate::config::Limits;
use crate::error::ApiError;
use crate::gap_fill::{self, Plan};
use crate::hub::{Delivery, Inbox, Kind, Outbox, SessionId, UserKey};
use crate::listen::Peer;
use crate::rate::{KeyedRate, SessionRate, Verdict};
use crate::service::{Identity, LoginGrant, Service};
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tim_proto::frame::undecodable_code;
use tim_proto::frame::{KickReason, LoggedEvent};
use tim_proto::{ClientFrame, ErrorCode, Push, Reply, Request, ServerFrame, PROTOCOL_VERSION};
use tokio::sync::watch;
use tokio::time::Instant;

/// Most sends of one session waiting for their commit; more are not read until one is answered.
pub const MAX_IN_FLIGHT: usize = 64;

/// A pipelined request's answer, on its way.
type Pending = futures::future::BoxFuture<'static, Box<ServerFrame>>;

/// How long a close frame may take to go out to a client that may not be reading.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// What a session needs from the server around it.
#[derive(Clone)]
pub struct SessionEnv {
    pub service: Arc<Service>,
    /// Flips to true when the server stops.
    pub shutdown: watch::Receiver<bool>,
    pub limits: Arc<Limits>,
    /// Every user's request rate, all their sessions together.
    pub user_rates: Arc<KeyedRate<UserKey>>,
}

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
    pushes: Inbox,
    expires_at: i64,
    /// The newest event this session has been given (in the login answer or a push).
    last_ev: u64,
}

/// What woke the loop up.
enum Event {
    Incoming(Option<Result<Message, axum::Error>>),
    Push(Option<Delivery>),
    /// A pipelined send was answered.
    Done(Box<ServerFrame>),
    /// The hub dropped this session: its queue overflowed.
    FellBehind,
    SigMaybeExpired,
    LoginDeadline,
    PingDue,
    Shutdown,
}

/// A close the server starts: WebSocket code and the error code its reason begins with.
struct Closing {
    code: u16,
    error: ErrorCode,
    why: String,
}

impl Closing {
    fn new(code: u16, error: ErrorCode, why: impl Into<String>) -> Closing {
        Closing {
            code,
            error,
            why: why.into(),
        }
    }
}

/// Refuses a connection at once with a coded close (over a connection cap).
pub async fn refuse(mut socket: WebSocket, error: ErrorCode, why: &str) {
    let closing = Closing::new(close_code::AGAIN, error, why);
    close(&mut socket, &closing, CLOSE_GRACE).await;
}

/// Serves one connection until the client leaves, the session is closed, or the server stops.
pub async fn run_session(
    mut socket: WebSocket,
    env: SessionEnv,
    peer: Peer,
    anonymous: AnonymousSlot,
) {
    let limits = Arc::clone(&env.limits);
    let mut shutdown = env.shutdown.clone();
    let mut session = Session {
        service: Arc::clone(&env.service),
        env,
        state: SessionState::Anonymous,
        rate: SessionRate::new(limits.session_rate),
        anonymous: Some(anonymous),
        login_by: Some(Instant::now() + limits.login_timeout),
    };
    let ping_every = limits.ping_interval.max(Duration::from_millis(100));
    let mut ping = tokio::time::interval_at(Instant::now() + ping_every, ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let writer = Writer {
        timeout: ping_every * 2,
    };
    let mut inflight: FuturesUnordered<Pending> = FuturesUnordered::new();
    let closing = loop {
        let deadline = session.expiry_deadline();
        let outbox = session.outbox();
        // Biased: a push queued before a request is read goes out before that request's reply,
        // so a client sees events in the order the server made them.
        let event = tokio::select! {
            biased;
            _ = shutdown.changed() => Event::Shutdown,
            () = fell_behind(outbox.as_deref()) => Event::FellBehind,
            push = next_push(&mut session.state) => Event::Push(push),
            Some(done) = inflight.next(), if !inflight.is_empty() => Event::Done(done),
            () = sleep_until(deadline) => Event::SigMaybeExpired,
            () = sleep_until(session.login_by) => Event::LoginDeadline,
            _ = ping.tick() => Event::PingDue,
            incoming = socket.recv(), if inflight.len() < MAX_IN_FLIGHT => Event::Incoming(incoming),
        };
        let step = match event {
            Event::Incoming(Some(Ok(message))) => {
                last_heard = Instant::now();
                match session.on_message(message) {
                    Answer::Frame(frame) => {
                        writer.frame(&mut socket, &frame, outbox.as_deref()).await
                    }
                    Answer::Request(id, request) => match session.pipelined(id, request) {
                        Ok(pending) => {
                            inflight.push(pending);
                            Step::Go
                        }
                        Err((id, request)) => {
                            // Not a send: it sees every send before it, answered first.
                            let mut step = Step::Go;
                            while let Some(done) = inflight.next().await {
                                step = writer.frame(&mut socket, &done, outbox.as_deref()).await;
                                if !matches!(step, Step::Go) {
                                    break;
                                }
                            }
                            match step {
                                Step::Go => {
                                    let frame = session.answer(id, request).await;
                                    let outbox = session.outbox();
                                    // The change's own pushes, queued in line by its commit, go
                                    // out before its answer: the asking session sees its state
                                    // change by the time the call resolves.
                                    let step = session
                                        .deliver_queued(&mut socket, &writer, outbox.as_deref())
                                        .await;
                                    match step {
                                        Step::Go => {
                                            writer
                                                .frame(&mut socket, &frame, outbox.as_deref())
                                                .await
                                        }
                                        other => other,
                                    }
                                }
                                other => other,
                            }
                        }
                    },
                    Answer::Nothing => Step::Go,
                    Answer::Close(closing) => Step::Close(closing),
                }
            }
            Event::Done(frame) => writer.frame(&mut socket, &frame, outbox.as_deref()).await,
            Event::Incoming(Some(Err(e))) => match too_large(&e, limits.max_frame_bytes) {
                Some(frame) => {
                    let _ = writer.frame(&mut socket, &frame, None).await;
                    Step::Close(Closing::new(
                        close_code::SIZE,
                        ErrorCode::FrameTooLarge,
                        "frame too large to read",
                    ))
                }
                // The connection broke.
                None => Step::Gone,
            },
            // The client went away.
            Event::Incoming(None) => Step::Gone,
            Event::Push(Some(delivery)) => {
                session
                    .deliver(&mut socket, &writer, &delivery, outbox.as_deref())
                    .await
            }
            Event::Push(None) | Event::FellBehind => Step::Close(fell_behind_close()),
            Event::SigMaybeExpired => match &session.state {
                SessionState::LoggedIn(live) if unix_now() > live.expires_at => {
                    let kicked = ServerFrame::Push {
                        ev: None,
                        push: Push::Kicked {
                            reason: KickReason::UserSigExpired,
                        },
                    };
                    match writer.frame(&mut socket, &kicked, outbox.as_deref()).await {
                        Step::Go => Step::Close(Closing::new(
                            close_code::POLICY,
                            ErrorCode::UserSigExpired,
                            "userSig expired",
                        )),
                        other => other,
                    }
                }
                _ => Step::Go,
            },
            Event::LoginDeadline => Step::Close(Closing::new(
                close_code::POLICY,
                ErrorCode::LoginTimeout,
                format!("no login within {} s", limits.login_timeout.as_secs_f32()),
            )),
            Event::PingDue => {
                let quiet = last_heard.elapsed();
                if quiet >= ping_every * 2 {
                    Step::Close(Closing::new(
                        close_code::AWAY,
                        ErrorCode::IdleTimeout,
                        "no answer to pings",
                    ))
                } else if quiet >= ping_every {
                    writer
                        .message(
                            &mut socket,
                            Message::Ping(Default::default()),
                            outbox.as_deref(),
                        )
                        .await
                } else {
                    Step::Go
                }
            }
            Event::Shutdown => Step::Close(Closing::new(
                close_code::AWAY,
                ErrorCode::NetworkError,
                "server shutting down",
            )),
        };
        match step {
            Step::Go => {}
            Step::Gone => break None,
            Step::Close(closing) => break Some(closing),
        }
    };
    if let Some(closing) = closing {
        log_close(&session, &peer, &closing);
        // Let go of the session first (its queued pushes, its place in the hub, its sends in
        // flight): what the connection holds while the close goes out is its socket's buffers.
        session.end();
        drop(inflight);
        // A session that fell behind has a client that is not reading: the close frame goes
        // out behind what its socket already holds, so it gets as long as any write does to
        // get in (two ping intervals), unless the server stops meanwhile.
        let grace = match closing.error {
            ErrorCode::FellBehind => writer.timeout.max(CLOSE_GRACE),
            _ => CLOSE_GRACE,
        };
        let closed = close(&mut socket, &closing, grace);
        if grace > CLOSE_GRACE {
            tokio::select! {
                () = closed => {}
                _ = shutdown.wait_for(|stopping| *stopping) => {}
            }
        } else {
            closed.await;
        }
    }
    session.end();
}

/// What to do after a step of the loop.
enum Step {
    Go,
    /// The client is gone: nothing more to write.
    Gone,
    Close(Closing),
}

/// What the session answers to one incoming message.
enum Answer {
    Frame(Box<ServerFrame>),
    /// A valid request, to be answered (see [`Session::pipelined`], [`Session::answer`]).
    Request(u64, Box<Request>),
    Nothing,
    Close(Closing),
}

fn reply_frame(id: u64, outcome: Result<Reply, ApiError>) -> ServerFrame {
    match outcome {
        Ok(reply) => ServerFrame::Reply { id, reply },
        Err(e) => error_frame(Some(id), e.code, e.message),
    }
}

fn answer(frame: ServerFrame) -> Answer {
    Answer::Frame(Box::new(frame))
}

fn fell_behind_close() -> Closing {
    Closing::new(
        close_code::AGAIN,
        ErrorCode::FellBehind,
        "too far behind on pushes; reconnect",
    )
}

/// Writes frames, giving up on a client that stops reading: when the session has fallen
/// behind meanwhile, or when one write takes longer than `timeout`.
struct Writer {
    timeout: Duration,
}

impl Writer {
    async fn frame(
        &self,
        socket: &mut WebSocket,
        frame: &ServerFrame,
        outbox: Option<&Outbox>,
    ) -> Step {
        self.message(socket, Message::Text(frame.to_json().into()), outbox)
            .await
    }

    async fn text(&self, socket: &mut WebSocket, text: &Arc<str>, outbox: Option<&Outbox>) -> Step {
        // The queue shares one serialized frame; the socket needs its own bytes to write.
        let text = Utf8Bytes::from(text.as_ref());
        self.message(socket, Message::Text(text), outbox).await
    }

    async fn message(
        &self,
        socket: &mut WebSocket,
        message: Message,
        outbox: Option<&Outbox>,
    ) -> Step {
        tokio::select! {
            biased;
            () = fell_behind(outbox) => Step::Close(fell_behind_close()),
            sent = tokio::time::timeout(self.timeout, socket.send(message)) => match sent {
                Ok(Ok(())) => Step::Go,
                Ok(Err(_)) => Step::Gone,
                Err(_) => Step::Close(fell_behind_close()),
            },
        }
    }
}

/// Resolves when the session has fallen behind; never without a session.
async fn fell_behind(outbox: Option<&Outbox>) {
    match outbox {
        Some(outbox) => outbox.wait_fell_behind().await,
        None => std::future::pending().await,
    }
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

/// The 60005 answer to a frame the transport refused to read (over its size limit).
fn too_large(e: &axum::Error, limit: usize) -> Option<ServerFrame> {
    let source = std::error::Error::source(e)?;
    match source.downcast_ref::<tungstenite::Error>()? {
        tungstenite::Error::Capacity(c) => Some(error_frame(
            None,
            ErrorCode::FrameTooLarge,
            format!("{c}; frames are at most {limit} bytes; closing"),
        )),
        _ => None,
    }
}

/// Sends a coded close and waits for the client's answer to it, all within `grace`.
///
/// The frame is written after anything the socket still holds (a frame cut short by the
/// session falling behind), so a client that was not reading gets it once it reads again.
/// Waiting for the client's own close (reading and dropping what it still sends) before the
/// connection ends matters too: a TCP socket closed with unread input is reset, and a reset
/// can take what the client has not read yet with it, the close frame included.
async fn close(socket: &mut WebSocket, closing: &Closing, grace: Duration) {
    let mut reason = format!("{} {}", closing.error.as_u32(), closing.why);
    // A close reason is at most 123 bytes.
    while reason.len() > 123 {
        reason.pop();
    }
    let frame = CloseFrame {
        code: closing.code,
        reason: reason.into(),
    };
    let deadline = Instant::now() + grace;
    // The client may already be gone; nothing more to do then.
    let sent = tokio::time::timeout_at(deadline, socket.send(Message::Close(Some(frame)))).await;
    if !matches!(sent, Ok(Ok(()))) {
        return;
    }
    let answered = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = tokio::time::timeout_at(deadline, answered).await;
}

fn log_close(session: &Session, peer: &Peer, closing: &Closing) {
    let user = match &session.state {
        SessionState::LoggedIn(live) => live.identity.user.user_id.as_str(),
        _ => "",
    };
    tracing::info!(
        peer = %peer.addr,
        user,
        code = closing.error.as_u32(),
        "closing: {}",
        closing.why
    );
}

struct Session {
    service: Arc<Service>,
    env: SessionEnv,
    state: SessionState,
    rate: SessionRate,
    /// Held while not logged in: this connection's place under its IP's anonymous cap.
    anonymous: Option<AnonymousSlot>,
    /// When a connection that has not logged in is closed.
    login_by: Option<Instant>,
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

    /// The queue of a logged-in session.
    fn outbox(&self) -> Option<Arc<Outbox>> {
        match &self.state {
            SessionState::LoggedIn(live) => Some(Arc::clone(live.pushes.outbox())),
            _ => None,
        }
    }

    /// Answers one incoming WebSocket message, if it needs an answer.
    fn on_message(&mut self, message: Message) -> Answer {
        match message {
            Message::Text(text) => self.on_text(text.as_str()),
            Message::Binary(_) => answer(error_frame(
                None,
                ErrorCode::MalformedFrame,
                "binary frames are not supported; send JSON text frames".to_owned(),
            )),
            // Pings are answered by the WebSocket layer; Close ends the stream next.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Answer::Nothing,
        }
    }

    fn on_text(&mut self, text: &str) -> Answer {
        let limit = self.env.limits.max_frame_bytes;
        if text.len() > limit {
            return answer(error_frame(
                None,
                ErrorCode::FrameTooLarge,
                format!("frame is {} bytes; the limit is {limit}", text.len()),
            ));
        }
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let Peeked { id, old, op } = peek(text);
                if old {
                    return answer(error_frame(
                        id,
                        ErrorCode::UnsupportedProtocol,
                        format!(
                            "protocol 1 is not supported; this server speaks {PROTOCOL_VERSION}"
                        ),
                    ));
                }
                let code = op
                    .as_deref()
                    .map_or(ErrorCode::MalformedFrame, undecodable_code);
                return answer(error_frame(id, code, format!("not a valid request: {e}")));
            }
        };
        let id = frame.id;
        match self.judge_rate() {
            Verdict::Allow => {}
            Verdict::Refuse => {
                return answer(error_frame(
                    Some(id),
                    ErrorCode::RateLimited,
                    "too many requests; slow down".to_owned(),
                ))
            }
            Verdict::Close => {
                return Answer::Close(Closing::new(
                    close_code::POLICY,
                    ErrorCode::RateLimited,
                    "too many requests",
                ))
            }
        }
        tracing::debug!(id, op = frame.request.op(), "request");
        Answer::Request(id, Box::new(frame.request))
    }

    /// A send of a logged-in session, started now (its place in the commit order is taken on
    /// the first poll, which comes before the next request is read); anything else back.
    #[allow(clippy::result_large_err)] // handed straight back to the caller
    fn pipelined(&self, id: u64, request: Box<Request>) -> Result<Pending, (u64, Box<Request>)> {
        let SessionState::LoggedIn(live) = &self.state else {
            return Err((id, request));
        };
        if !matches!(*request, Request::SendMessage { .. }) || !self.service.sends_keep_order() {
            return Err((id, request));
        }
        let (service, identity) = (Arc::clone(&self.service), live.identity.clone());
        Ok(Box::pin(async move {
            Box::new(reply_frame(id, service.handle(&identity, *request).await))
        }))
    }

    /// Answers a request alone.
    async fn answer(&mut self, id: u64, request: Box<Request>) -> ServerFrame {
        reply_frame(id, self.on_request(*request).await)
    }

    /// The session's own rate, and the user's once logged in.
    fn judge_rate(&mut self) -> Verdict {
        let user_allows = match &self.state {
            SessionState::LoggedIn(live) => self.env.user_rates.check(&live.identity.user),
            _ => true,
        };
        self.rate.judge(user_allows)
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
                // Anonymous again: the login deadline starts over.
                self.login_by = Some(Instant::now() + self.env.limits.login_timeout);
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
    /// (or both; [`Session::deliver`] drops the copy).
    async fn start(
        &mut self,
        grant: LoginGrant,
        resume_after: Option<u64>,
    ) -> Result<Reply, ApiError> {
        let LoginGrant {
            user,
            expires_at,
            file_query,
        } = grant;
        let session = SessionId::next();
        let limits = &self.env.limits;
        let (outbox, inbox) = Outbox::new(limits.max_queue_bytes);
        let hub = self.service.hub();
        if let Err(full) = hub.register(&user, session, outbox, limits.max_sessions_per_user) {
            return Err(ApiError::new(
                ErrorCode::TooManySessions,
                format!(
                    "{} already has {} live sessions, the most this server allows",
                    user.user_id, full.max
                ),
            ));
        }
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
            more_missed: catchup.more,
            file_query,
        };
        self.state = SessionState::LoggedIn(LiveSession {
            identity: Identity { user, session },
            pushes: inbox,
            expires_at,
            last_ev: catchup.latest,
        });
        self.anonymous = None;
        self.login_by = None;
        Ok(reply)
    }

    /// Writes the pushes queued right now, in order (see [`Self::deliver`]).
    async fn deliver_queued(
        &mut self,
        socket: &mut WebSocket,
        writer: &Writer,
        outbox: Option<&Outbox>,
    ) -> Step {
        loop {
            let queued = match &mut self.state {
                SessionState::LoggedIn(live) => live.pushes.try_recv(),
                _ => None,
            };
            let Some(delivery) = queued else {
                return Step::Go;
            };
            let step = self.deliver(socket, writer, &delivery, outbox).await;
            if !matches!(step, Step::Go) {
                return step;
            }
        }
    }

    /// Writes a push from the hub, once and in order: a copy of an event the session already
    /// has (from the login answer or the log) is dropped, and events lost before it are read
    /// from the log and written first (see [`crate::gap_fill`]).
    async fn deliver(
        &mut self,
        socket: &mut WebSocket,
        writer: &Writer,
        delivery: &Delivery,
        outbox: Option<&Outbox>,
    ) -> Step {
        let SessionState::LoggedIn(live) = &self.state else {
            return Step::Go;
        };
        match gap_fill::plan(live.last_ev, delivery) {
            Plan::Skip => {
                // A mark moves the session on; a copy is at or below where it is anyway.
                self.advance(delivery.ev);
                Step::Go
            }
            Plan::Write => {
                self.advance(delivery.ev);
                writer.text(socket, &delivery.frame, outbox).await
            }
            Plan::Fill { after, before } => {
                let user = live.identity.user.clone();
                let Ok(events) = gap_fill::missing(&self.service, &user, after, before).await
                else {
                    return Step::Close(fell_behind_close());
                };
                for LoggedEvent { ev, push } in events {
                    self.advance(Some(ev));
                    let frame = ServerFrame::Push { ev: Some(ev), push };
                    let step = writer.frame(socket, &frame, outbox).await;
                    if !matches!(step, Step::Go) {
                        return step;
                    }
                }
                self.advance(delivery.ev);
                match delivery.kind {
                    Kind::Frame => writer.text(socket, &delivery.frame, outbox).await,
                    Kind::Mark | Kind::Check => Step::Go,
                }
            }
        }
    }

    /// The session now has event `ev` (if logged).
    fn advance(&mut self, ev: Option<u64>) {
        if let (Some(ev), SessionState::LoggedIn(live)) = (ev, &mut self.state) {
            live.last_ev = live.last_ev.max(ev);
        }
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
/// What a frame that does not decode still says: its ID, whether it is protocol 1 (`op` and no
/// `req`), and the op its `req` names.
#[derive(Debug, PartialEq)]
struct Peeked {
    id: Option<u64>,
    old: bool,
    op: Option<String>,
}

fn peek(text: &str) -> Peeked {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Peeked {
            id: None,
            old: false,
            op: None,
        };
    };
    let op = match map.get("req") {
        Some(serde_json::Value::Object(req)) if req.len() == 1 => req.keys().next().cloned(),
        Some(serde_json::Value::String(unit)) => Some(unit.clone()),
        _ => None,
    };
    Peeked {
        id: map.get("id").and_then(serde_json::Value::as_u64),
        old: map.contains_key("op") && !map.contains_key("req"),
        op,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_finds_ids_only_in_objects_and_knows_protocol_1() {
        let p = |id, old, op: Option<&str>| Peeked {
            id,
            old,
            op: op.map(str::to_owned),
        };
        assert_eq!(
            peek(r#"{"id":5,"req":"explode"}"#),
            p(Some(5), false, Some("explode"))
        );
        assert_eq!(peek(r#"{"id":"5"}"#), p(None, false, None));
        assert_eq!(peek("[1]"), p(None, false, None));
        assert_eq!(peek("not json"), p(None, false, None));
        assert_eq!(
            peek(r#"{"id":1,"op":"login","args":{}}"#),
            p(Some(1), true, None)
        );
        assert_eq!(
            peek(r#"{"id":2,"req":{"addToBlacklist":{"userIDList":[1]}}}"#),
            p(Some(2), false, Some("addToBlacklist"))
        );
    }

    #[test]
    fn a_passed_through_calls_bad_options_get_its_code() {
        assert_eq!(
            undecodable_code("addToBlacklist"),
            ErrorCode::AddBlacklistInvalidParam
        );
        assert_eq!(
            undecodable_code("getUserProfile"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(undecodable_code("sendMessage"), ErrorCode::MalformedFrame);
    }
}
