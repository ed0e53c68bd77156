//! The state behind one `Tim` instance and the operations on it. Borrows of the RefCell are
//! always short and never held across an await; events go out through `schedule_dispatch`.
//!
//! - `calls.rs`: the one async function behind every call of `tim_core::calls`;
//! - `login.rs`: login, logout, destroy, reconnect with resume from the user's event log;
//! - `conversations.rs`: the conversation list, profile, read marks and deletion;
//! - `messages.rs`: creating, sending and paging messages;
//! - `groups.rs`: the group list the SDK keeps (GROUP_LIST_UPDATED);
//! - `info.rs`: the synchronous getters (isReady, getLoginUser, getServerTime, unread total);
//! - `offline.rs`: the local cache, the outbox of deletions, and the other tabs.

mod calls;
mod conversations;
mod groups;
mod info;
mod login;
mod messages;
mod offline;
mod outgoing;

use crate::cache::Cache;
use crate::connection::Connection;
use crate::dispatch::Handlers;
use crate::js::Json;
use crate::log::log;
use crate::tabs::Tabs;
use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
pub(crate) use outgoing::Outgoing;
use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::Rc;
use tim_core::args::{self, CreateOptions};
use tim_core::constants::types;
use tim_core::events::{Event, EventQueue};
use tim_core::log_level::Kind;
use tim_core::net_failure::{self, Closed};
use tim_core::pending::{Pending, Routed};
use tim_core::readiness::Readiness;
use tim_core::server_clock::ServerClock;
use tim_core::state::ConversationState;
use tim_core::SdkError;
use tim_core::{coalesce, push, reconnect, retry};
use tim_proto::frame::LoggedEvent;
use tim_proto::{ErrorCode, Push, Reply, Request, ServerFrame, WireMessage};

pub struct Inner {
    options: CreateOptions,
    url: String,
    /// js/index.js's `upload(url, userSig, file)`: one XMLHttpRequest, resolving
    /// `{ status, answer }`.
    upload: js_sys::Function,
    session: RefCell<Session>,
    pub handlers: Handlers,
    dispatch_scheduled: Cell<bool>,
    push_dispatch_scheduled: Cell<bool>,
    /// When the last push arrived (ms), for gathering bursts.
    last_push_ms: Cell<f64>,
    clear_handlers_after_dispatch: Cell<bool>,
}

struct Session {
    readiness: Readiness,
    /// Bumped whenever the connection is replaced or dropped; stale sockets' news is ignored.
    generation: u64,
    conn: Option<Connection>,
    pending: Pending,
    state: Option<ConversationState>,
    events: EventQueue,
    /// userID and userSig of the current login, for reconnecting.
    credentials: Option<(String, String)>,
    /// The newest entry of the user's event log applied here; a reconnect resumes after it.
    last_event: u64,
    /// A reconnect loop is running.
    reconnecting: bool,
    /// The IndexedDB cache of this user (None when disabled or unavailable).
    cache: Option<Rc<Cache>>,
    tabs: Option<Tabs>,
    /// The server accepted this user's login on this browser (allows an offline start later).
    verified: bool,
    /// The last event written to the cache.
    persisted_event: u64,
    /// Messages to add to the cache's recent messages at the next write.
    new_messages: Vec<WireMessage>,
    /// The login answer's `fileQuery` to keep in the cache at the next write ('' forgets it).
    file_query: Option<String>,
    /// The user's groups, as last fetched.
    groups: Vec<tim_proto::model::WireGroup>,
    /// The server said the groups changed: fetch them and emit GROUP_LIST_UPDATED.
    groups_stale: bool,
    /// Conversations to fetch from the server: one a pushed deletion kept (a newer message is
    /// held here: its unread count and last message), or a group one a pushed message brought
    /// whose group the SDK's group list does not have yet (its name and type).
    to_refresh: Vec<String>,
    /// The list has caught up with the server since this login (loaded, or resumed from the log).
    list_synced: bool,
    /// While a catch-up comes in pages: the pushes that came meanwhile, applied after it.
    held: Option<Vec<LoggedEvent>>,
    /// While the list comes in pages: the conversations pushes changed meanwhile.
    touched: Option<Vec<String>>,
    /// Bumped by each login(), so a failed attempt ends only itself.
    login_attempt: u64,
    /// The server's clock, from the last login answer (getServerTime).
    clock: ServerClock,
    /// How the last socket ended, to explain a failed login.
    last_close: Option<Closed>,
}

type Outcome = Result<Json, SdkError>;

fn unexpected(reply: &Reply) -> SdkError {
    SdkError::new(
        ErrorCode::Internal,
        format!("unexpected reply from the server: {}", reply.kind()),
    )
}

impl Inner {
    pub fn new(options: CreateOptions, upload: js_sys::Function) -> Inner {
        let (protocol, host) = web_sys::window()
            .map(|w| w.location())
            .map(|l| {
                (
                    l.protocol().unwrap_or_default(),
                    l.host().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let url = args::server_url(options.server.as_deref(), &protocol, &host);
        Inner {
            options,
            url,
            upload,
            session: RefCell::new(Session {
                readiness: Readiness::New,
                generation: 0,
                conn: None,
                pending: Pending::default(),
                state: None,
                events: EventQueue::default(),
                credentials: None,
                last_event: 0,
                reconnecting: false,
                cache: None,
                tabs: None,
                verified: false,
                persisted_event: 0,
                new_messages: Vec::new(),
                file_query: None,
                groups: Vec::new(),
                groups_stale: false,
                to_refresh: Vec::new(),
                list_synced: false,
                held: None,
                touched: None,
                login_attempt: 0,
                clock: ServerClock::default(),
                last_close: None,
            }),
            handlers: Handlers::default(),
            dispatch_scheduled: Cell::new(false),
            push_dispatch_scheduled: Cell::new(false),
            last_push_ms: Cell::new(0.0),
            clear_handlers_after_dispatch: Cell::new(false),
        }
    }

    /// The session, borrowed. One out-of-line function for every borrow: the borrow check and
    /// its panic path are written once, not at each of the many call sites.
    #[inline(never)]
    fn session(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }

    #[inline(never)]
    fn session_mut(&self) -> RefMut<'_, Session> {
        self.session.borrow_mut()
    }

    pub fn sdk_app_id(&self) -> u64 {
        self.options.sdk_app_id
    }

    // ---- events -------------------------------------------------------------------------

    fn queue(&self, e: Event) {
        self.session_mut().events.push(e);
    }

    /// Emits queued events from a fresh microtask (never from inside a call's own borrows).
    pub fn schedule_dispatch(self: &Rc<Self>) {
        if self.dispatch_scheduled.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            me.dispatch_scheduled.set(false);
            me.dispatch();
        });
    }

    /// For server pushes: emits when `tim_core::coalesce` says the burst is over, checking every
    /// `coalesce::QUIET_MS`.
    fn schedule_push_dispatch(self: &Rc<Self>) {
        self.last_push_ms.set(crate::js::now_ms());
        if self.push_dispatch_scheduled.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let start = crate::js::now_ms();
            loop {
                TimeoutFuture::new(coalesce::QUIET_MS).await;
                if coalesce::burst_over(crate::js::now_ms(), start, me.last_push_ms.get()) {
                    break;
                }
            }
            me.push_dispatch_scheduled.set(false);
            me.dispatch();
        });
    }

    fn dispatch(self: &Rc<Self>) {
        let events = {
            let mut s = self.session_mut();
            let Session { events, state, .. } = &mut *s;
            events.drain(state.as_ref())
        };
        self.persist();
        self.handlers.emit(events);
        if self.clear_handlers_after_dispatch.replace(false) {
            self.handlers.clear();
        }
    }

    /// The readiness check every call but login/logout/destroy/on/off starts with; a refusal also
    /// emits the documented ERROR event.
    pub fn check_ready(self: &Rc<Self>) -> Result<(), SdkError> {
        let r = self.session().readiness.check_ready();
        if let Err(e) = &r {
            self.queue(Event::Error(e.clone()));
            self.schedule_dispatch();
        }
        r
    }

    pub fn me(&self) -> Option<String> {
        self.session
            .borrow()
            .state
            .as_ref()
            .map(|s| s.me().to_owned())
    }

    /// Runs `f` on the user's state (if logged in) and emits what it changed.
    fn with_state(self: &Rc<Self>, f: impl FnOnce(&mut ConversationState, &mut EventQueue)) {
        {
            let mut s = self.session_mut();
            let Session { state, events, .. } = &mut *s;
            if let Some(state) = state.as_mut() {
                f(state, events);
            }
        }
        self.schedule_dispatch();
    }

    // ---- requests -----------------------------------------------------------------------

    async fn request(self: &Rc<Self>, request: Request) -> Result<Reply, SdkError> {
        self.send(Outgoing::typed(&request)?, false).await
    }

    /// For requests the server can safely see twice: see [`Inner::send`].
    async fn request_idempotent(self: &Rc<Self>, request: Request) -> Result<Reply, SdkError> {
        self.send(Outgoing::typed(&request)?, true).await
    }

    /// Sends a request and waits for its answer within the call timeout. With `resend` (the
    /// request is safe to repeat), a lost answer is sent again once the reconnect is done, as
    /// `tim_core::retry` decides.
    async fn send(self: &Rc<Self>, request: Outgoing, resend: bool) -> Result<Reply, SdkError> {
        let started = crate::js::now_ms();
        let timeout_ms = self.options.timeout_ms;
        let first = self.request_within(request.clone(), timeout_ms).await;
        if !retry::may_resend(resend, &first) {
            return first;
        }
        let deadline = started + f64::from(self.options.timeout_ms);
        loop {
            let (connected, reconnecting) = {
                let s = self.session();
                (s.conn.is_some() && !s.reconnecting, s.reconnecting)
            };
            match retry::wait_step(connected, reconnecting, crate::js::now_ms(), deadline) {
                retry::Wait::SendAgain => return self.request_within(request, timeout_ms).await,
                retry::Wait::GiveUp => return first,
                retry::Wait::Poll(ms) => TimeoutFuture::new(ms).await,
            }
        }
    }

    async fn request_within(
        self: &Rc<Self>,
        request: Outgoing,
        timeout_ms: u32,
    ) -> Result<Reply, SdkError> {
        let (id, rx) = {
            let mut s = self.session_mut();
            let Session { conn, pending, .. } = &mut *s;
            let conn = conn.as_ref().ok_or_else(|| {
                SdkError::new(ErrorCode::NoNetwork, "not connected to the server")
            })?;
            let (id, rx) = pending.register();
            let sent = conn.send(request.frame_text(id));
            if let Err(e) = sent {
                pending.forget(id);
                return Err(e);
            }
            (id, rx)
        };
        log!(Kind::Debug, "request {id} {op}", op = request.op);
        let started = crate::js::now_ms();
        let answer = match select(rx, TimeoutFuture::new(timeout_ms)).await {
            Either::Left((Ok(result), _)) => result,
            Either::Left((Err(_), _)) => Err(SdkError::new(
                ErrorCode::NetworkError,
                "the connection closed before the server answered",
            )),
            Either::Right(_) => {
                self.session_mut().pending.forget(id);
                Err(SdkError::new(
                    ErrorCode::Timeout,
                    format!("no answer from the server within {timeout_ms} ms"),
                ))
            }
        };
        // Whole milliseconds: an integer keeps float formatting out of the wasm.
        let ms = (crate::js::now_ms() - started) as u64;
        match &answer {
            Ok(reply) => log!(Kind::Debug, "answer {id} {} in {ms} ms", reply.kind()),
            Err(e) => log!(
                Kind::Debug,
                "answer {id} error {} in {ms} ms: {}",
                e.code.as_u32(),
                e.message
            ),
        }
        answer
    }

    // ---- what the socket tells us -------------------------------------------------------

    /// Opens the socket; `generation` tags its news so that a stale socket's is ignored. The
    /// connection holds only weak callbacks: it never keeps the client alive.
    fn connect(self: &Rc<Self>, generation: u64) -> Result<Connection, SdkError> {
        log!(Kind::Info, "connecting to {}", self.url);
        let (on_frame, on_closed) = (Rc::downgrade(self), Rc::downgrade(self));
        Connection::open(
            &self.url,
            move |text| {
                if let Some(inner) = on_frame.upgrade() {
                    inner.on_frame(generation, &text);
                }
            },
            move |closed| {
                if let Some(inner) = on_closed.upgrade() {
                    inner.on_closed(generation, closed);
                }
            },
        )
    }

    pub fn on_frame(self: &Rc<Self>, generation: u64, text: &str) {
        let Some(frame) = crate::js::from_json_text::<ServerFrame>(text) else {
            crate::js::console_error("tim-wasm: unreadable frame from the server", &text.into());
            return;
        };
        {
            let mut s = self.session_mut();
            if s.generation != generation {
                return;
            }
            match s.pending.route(frame) {
                Routed::Answered => return,
                Routed::Unsolicited(e) => s.events.push(Event::Error(e)),
                Routed::Push(ev, push) => {
                    if let Some(touched) = s.touched.as_mut() {
                        tim_core::paging::note_touched(&push, touched);
                    }
                    match s.held.as_mut() {
                        // Numbered from 1: 0 marks a push that is not logged.
                        Some(held) => held.push(LoggedEvent {
                            ev: ev.unwrap_or(0),
                            push,
                        }),
                        None => Self::apply_logged(&mut s, ev, push),
                    }
                }
            }
        }
        self.schedule_push_dispatch();
        self.refresh_groups_if_stale();
        let kept = std::mem::take(&mut self.session_mut().to_refresh);
        for id in kept {
            let me = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move { me.refresh(&id, true).await });
        }
    }

    /// Applies a push once: logged pushes at or below the last applied event are repeats.
    fn apply_logged(s: &mut Session, ev: Option<u64>, push: Push) {
        if !push::is_new(ev, &mut s.last_event) {
            log!(
                Kind::Debug,
                "push {} (event {}) already applied",
                push.kind(),
                ev.unwrap_or(0)
            );
            return;
        }
        log!(
            Kind::Debug,
            "push {} (event {}) applied",
            push.kind(),
            ev.unwrap_or(0)
        );
        let Session {
            state,
            events,
            new_messages,
            groups,
            to_refresh,
            groups_stale,
            ..
        } = s;
        let target = push::Target {
            state: state.as_mut(),
            events,
            new_messages,
            groups,
            to_refresh,
            groups_stale,
        };
        if let push::Applied::EndSession(ended) = push::apply(target, push) {
            Self::end_session(s, ended);
        }
    }

    /// Logged out by the server (a kick, a final refusal of a reconnect): the session ends, then
    /// its events are queued.
    fn end_session(s: &mut Session, ended: push::Ended) {
        Self::teardown(s, Readiness::LoggedOut);
        ended.queue(&mut s.events);
    }

    pub fn on_closed(self: &Rc<Self>, generation: u64, closed: Closed) {
        let start_reconnect = {
            let mut s = self.session_mut();
            if s.generation != generation {
                return;
            }
            s.generation += 1;
            s.conn = None;
            let message = net_failure::closed_message(&self.url, &closed);
            log!(Kind::Info, "{message}");
            s.pending.fail_all(ErrorCode::NetworkError, &message);
            s.last_close = Some(closed);
            let start = reconnect::starts_on_close(s.readiness, s.reconnecting);
            if start {
                s.reconnecting = true;
                s.events.net_state(types::NET_STATE_DISCONNECTED);
            }
            start
        };
        self.schedule_dispatch();
        if start_reconnect {
            wasm_bindgen_futures::spawn_local(Rc::clone(self).reconnect());
        }
    }

    /// Drops the connection and the user's state.
    fn teardown(s: &mut Session, readiness: Readiness) {
        s.conn = None;
        s.generation += 1;
        s.pending.fail_all(
            ErrorCode::NetworkError,
            "the session ended before the server answered",
        );
        s.state = None;
        s.credentials = None;
        s.last_event = 0;
        s.cache = None;
        s.tabs = None;
        s.verified = false;
        s.persisted_event = 0;
        s.new_messages.clear();
        s.file_query = None;
        s.groups.clear();
        s.groups_stale = false;
        s.to_refresh.clear();
        s.list_synced = false;
        s.held = None;
        s.touched = None;
        s.events.reset_total();
        s.readiness = readiness;
        s.events.net_ended();
    }
}
