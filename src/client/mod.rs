//! The state behind one `Tim` instance and the operations on it. Borrows of the RefCells are
//! always short and never held across an await; events go out through `schedule_dispatch`.

use crate::connection::Connection;
use crate::dispatch::Handlers;
use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tim_core::args::{self, CreateOptions};
use tim_core::events::{Event, EventQueue};
use tim_core::pending::{Pending, Routed};
use tim_core::readiness::Readiness;
use tim_core::shapes::{Conversation, Message};
use tim_core::state::ConversationState;
use tim_core::SdkError;
use tim_proto::model::WireBody;
use tim_proto::{ClientFrame, ErrorCode, Push, Reply, Request, ServerFrame};

/// How long logout waits for the server's goodbye before closing anyway.
const LOGOUT_TIMEOUT_MS: u32 = 3_000;

pub struct Inner {
    options: CreateOptions,
    url: String,
    session: RefCell<Session>,
    pub handlers: Handlers,
    dispatch_scheduled: Cell<bool>,
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
}

type Outcome = Result<Value, SdkError>;

fn unexpected(reply: &Reply) -> SdkError {
    SdkError::new(
        ErrorCode::Internal,
        format!("unexpected reply from the server: {reply:?}"),
    )
}

impl Inner {
    pub fn new(options: CreateOptions) -> Inner {
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
            session: RefCell::new(Session {
                readiness: Readiness::New,
                generation: 0,
                conn: None,
                pending: Pending::default(),
                state: None,
                events: EventQueue::default(),
            }),
            handlers: Handlers::default(),
            dispatch_scheduled: Cell::new(false),
            clear_handlers_after_dispatch: Cell::new(false),
        }
    }

    pub fn sdk_app_id(&self) -> u64 {
        self.options.sdk_app_id
    }

    // ---- events -------------------------------------------------------------------------

    fn queue(&self, e: Event) {
        self.session.borrow_mut().events.push(e);
    }

    /// Emits queued events from a fresh microtask (never from inside a call's own borrows).
    pub fn schedule_dispatch(self: &Rc<Self>) {
        if self.dispatch_scheduled.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            me.dispatch_scheduled.set(false);
            let events = {
                let mut s = me.session.borrow_mut();
                let Session { events, state, .. } = &mut *s;
                events.drain(state.as_ref())
            };
            me.handlers.emit(events);
            if me.clear_handlers_after_dispatch.replace(false) {
                me.handlers.clear();
            }
        });
    }

    /// The readiness check every call but login/logout/destroy/on/off starts with; a refusal also
    /// emits the documented ERROR event.
    pub fn check_ready(self: &Rc<Self>) -> Result<(), SdkError> {
        let r = self.session.borrow().readiness.check_ready();
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

    // ---- requests -----------------------------------------------------------------------

    async fn request(self: &Rc<Self>, request: Request) -> Result<Reply, SdkError> {
        self.request_within(request, self.options.timeout_ms).await
    }

    async fn request_within(
        self: &Rc<Self>,
        request: Request,
        timeout_ms: u32,
    ) -> Result<Reply, SdkError> {
        let (id, rx) = {
            let mut s = self.session.borrow_mut();
            let Session { conn, pending, .. } = &mut *s;
            let conn = conn.as_ref().ok_or_else(|| {
                SdkError::new(ErrorCode::NoNetwork, "not connected to the server")
            })?;
            let (id, rx) = pending.register();
            if let Err(e) = conn.send(ClientFrame { id, request }.to_json()) {
                pending.forget(id);
                return Err(e);
            }
            (id, rx)
        };
        match select(rx, TimeoutFuture::new(timeout_ms)).await {
            Either::Left((Ok(result), _)) => result,
            Either::Left((Err(_), _)) => Err(SdkError::new(
                ErrorCode::NetworkError,
                "the connection closed before the server answered",
            )),
            Either::Right(_) => {
                self.session.borrow_mut().pending.forget(id);
                Err(SdkError::new(
                    ErrorCode::Timeout,
                    format!("no answer from the server within {timeout_ms} ms"),
                ))
            }
        }
    }

    // ---- what the socket tells us -------------------------------------------------------

    pub fn on_frame(self: &Rc<Self>, generation: u64, text: &str) {
        let frame: ServerFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                crate::js::console_error(
                    "tim-wasm: unreadable frame from the server",
                    &e.to_string().into(),
                );
                return;
            }
        };
        {
            let mut s = self.session.borrow_mut();
            if s.generation != generation {
                return;
            }
            match s.pending.route(frame) {
                Routed::Answered => return,
                Routed::Unsolicited(e) => s.events.push(Event::Error(e)),
                Routed::Push(_ev, push) => self.apply_push(&mut s, push),
            }
        }
        self.schedule_dispatch();
    }

    fn apply_push(&self, s: &mut Session, push: Push) {
        match push {
            Push::Message { message } => {
                let Session { state, events, .. } = s;
                let Some(state) = state.as_mut() else { return };
                let change = state.apply_message(&message, true);
                if change.list {
                    events.received(Message::from_wire(&message, state.me()));
                }
                events.note(change);
            }
            Push::ConversationDeleted {
                conversation_id, ..
            } => {
                let Session { state, events, .. } = s;
                if let Some(state) = state.as_mut() {
                    events.note(state.remove(&conversation_id));
                }
            }
            Push::Kicked { reason } => {
                let kind = match reason {
                    tim_proto::frame::KickReason::UserSigExpired => {
                        tim_core::constants::types::KICKED_OUT_USERSIG_EXPIRED
                    }
                };
                Self::teardown(s, Readiness::LoggedOut);
                s.events.push(Event::KickedOut(kind));
                s.events.push(Event::SdkNotReady);
            }
        }
    }

    pub fn on_closed(self: &Rc<Self>, generation: u64) {
        {
            let mut s = self.session.borrow_mut();
            if s.generation != generation {
                return;
            }
            s.generation += 1;
            s.conn = None;
            s.pending.fail_all(
                ErrorCode::NetworkError,
                "the connection to the server closed",
            );
            s.events.push(Event::NetStateChange(
                tim_core::constants::types::NET_STATE_DISCONNECTED,
            ));
        }
        self.schedule_dispatch();
    }

    /// Drops the connection and the user's state.
    fn teardown(s: &mut Session, readiness: Readiness) {
        let was_connected = s.conn.take().is_some();
        s.generation += 1;
        s.pending.fail_all(
            ErrorCode::NetworkError,
            "the session ended before the server answered",
        );
        s.state = None;
        s.events.reset_total();
        s.readiness = readiness;
        if was_connected {
            s.events.push(Event::NetStateChange(
                tim_core::constants::types::NET_STATE_DISCONNECTED,
            ));
        }
    }

    // ---- operations ---------------------------------------------------------------------

    pub async fn login(self: Rc<Self>, options: Value) -> Outcome {
        self.session.borrow().readiness.check_can_login()?;
        let (user_id, user_sig) = args::login_args(&options)?;
        let generation = {
            let mut s = self.session.borrow_mut();
            s.readiness = Readiness::LoggingIn;
            s.generation += 1;
            s.events.push(Event::NetStateChange(
                tim_core::constants::types::NET_STATE_CONNECTING,
            ));
            s.generation
        };
        self.schedule_dispatch();
        let result = self.login_steps(generation, user_id, user_sig).await;
        if let Err(e) = &result {
            let mut s = self.session.borrow_mut();
            // Only undo our own attempt: a logout() meanwhile has already moved on.
            if s.generation == generation {
                Self::teardown(&mut s, Readiness::LoginFailed);
            }
            drop(s);
            self.schedule_dispatch();
            return Err(e.clone());
        }
        result
    }

    async fn login_steps(
        self: &Rc<Self>,
        generation: u64,
        user_id: String,
        user_sig: String,
    ) -> Outcome {
        let conn = Connection::open(&self.url, Rc::downgrade(self), generation)?;
        self.session.borrow_mut().conn = Some(conn);
        let reply = self
            .request(Request::Login {
                sdk_app_id: self.options.sdk_app_id,
                user_id: user_id.clone(),
                user_sig,
                protocol: tim_proto::PROTOCOL_VERSION,
                resume_after: None,
            })
            .await?;
        if !matches!(reply, Reply::LoggedIn { .. }) {
            return Err(unexpected(&reply));
        }
        self.still_current(generation)?;
        {
            let mut s = self.session.borrow_mut();
            s.state = Some(ConversationState::new(&user_id));
            s.events.push(Event::NetStateChange(
                tim_core::constants::types::NET_STATE_CONNECTED,
            ));
        }
        let list = match self.request(Request::GetConversationList).await? {
            Reply::ConversationList { conversations } => conversations,
            other => return Err(unexpected(&other)),
        };
        self.still_current(generation)?;
        {
            let mut s = self.session.borrow_mut();
            let Session {
                state,
                events,
                readiness,
                ..
            } = &mut *s;
            if let Some(state) = state.as_mut() {
                events.note(state.replace_all(list));
            }
            *readiness = Readiness::Ready;
            events.push(Event::SdkReady);
        }
        self.schedule_dispatch();
        Ok(json!({ "repeatLogin": false }))
    }

    fn still_current(&self, generation: u64) -> Result<(), SdkError> {
        if self.session.borrow().generation == generation {
            Ok(())
        } else {
            Err(SdkError::new(
                ErrorCode::NetworkError,
                "login was interrupted (logout, destroy or a closed connection)",
            ))
        }
    }

    pub async fn logout(self: Rc<Self>) -> Outcome {
        let readiness = self.session.borrow().readiness;
        match readiness {
            Readiness::Destroyed => return readiness.check_ready().map(|_| json!({})),
            Readiness::New | Readiness::LoggedOut | Readiness::LoginFailed => return Ok(json!({})),
            Readiness::Ready | Readiness::LoggingIn => {}
        }
        // Best effort: the server forgets the session either way when the socket closes.
        let _ = self
            .request_within(Request::Logout, LOGOUT_TIMEOUT_MS)
            .await;
        {
            let mut s = self.session.borrow_mut();
            Self::teardown(&mut s, Readiness::LoggedOut);
            s.events.push(Event::SdkNotReady);
        }
        self.schedule_dispatch();
        Ok(json!({}))
    }

    pub async fn destroy(self: Rc<Self>, on_destroy: Option<js_sys::Function>) -> Outcome {
        if self.session.borrow().readiness == Readiness::Destroyed {
            return Ok(json!({}));
        }
        Rc::clone(&self).logout().await?;
        {
            let mut s = self.session.borrow_mut();
            Self::teardown(&mut s, Readiness::Destroyed);
            s.events.push(Event::SdkDestroy);
        }
        if let Some(f) = on_destroy {
            if let Err(e) = f.call0(&wasm_bindgen::JsValue::NULL) {
                crate::js::console_error("tim-wasm: destroy hook threw", &e);
            }
        }
        self.clear_handlers_after_dispatch.set(true);
        self.schedule_dispatch();
        Ok(json!({}))
    }

    pub fn create_text_message(self: &Rc<Self>, options: &Value) -> Result<Message, SdkError> {
        self.check_ready()?;
        let a = args::text_message_args(options)?;
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
        let now = (crate::js::now_ms() / 1000.0) as i64;
        Ok(Message::new_text(
            crate::js::new_message_id(),
            &me,
            &a.to,
            a.text,
            now,
        ))
    }

    pub async fn send_message(self: Rc<Self>, message: Value) -> Result<Message, SdkError> {
        self.check_ready()?;
        let m: Message = serde_json::from_value(message).map_err(|_| {
            SdkError::invalid("sendMessage needs a message made by createTextMessage")
        })?;
        args::text_message_args(&json!({
            "to": m.to, "conversationType": m.conversation_type, "payload": { "text": m.payload.text }
        }))?;
        args::check_text(&m.payload.text)?;
        let reply = self
            .request(Request::SendMessage {
                conversation_id: format!("{}{}", tim_core::constants::types::CONV_C2C, m.to),
                id: m.id.clone(),
                body: WireBody::Text {
                    text: m.payload.text.clone(),
                },
            })
            .await?;
        let Reply::Sent { message } = reply else {
            return Err(unexpected(&reply));
        };
        let sent = {
            let mut s = self.session.borrow_mut();
            let Session { state, events, .. } = &mut *s;
            let state = state.as_mut().ok_or_else(|| {
                SdkError::new(ErrorCode::NotReadyLoggedOut, "logged out while sending")
            })?;
            events.note(state.apply_message(&message, false));
            Message::from_wire(&message, state.me())
        };
        self.schedule_dispatch();
        Ok(sent)
    }

    pub async fn get_conversation_list(self: Rc<Self>) -> Outcome {
        self.check_ready()?;
        let reply = self.request(Request::GetConversationList).await?;
        let Reply::ConversationList { conversations } = reply else {
            return Err(unexpected(&reply));
        };
        let list = {
            let mut s = self.session.borrow_mut();
            let Session { state, events, .. } = &mut *s;
            let state = state.as_mut().ok_or_else(|| {
                SdkError::new(ErrorCode::NotReadyLoggedOut, "logged out meanwhile")
            })?;
            events.note(state.replace_all(conversations));
            state.list()
        };
        self.schedule_dispatch();
        Ok(json!({ "conversationList": list, "isSyncCompleted": true }))
    }

    pub async fn get_conversation_profile(self: Rc<Self>, id: Value) -> Outcome {
        self.check_ready()?;
        let id = args::conversation_id(&id)?.to_string();
        let result = self
            .request(Request::GetConversation {
                conversation_id: id.clone(),
            })
            .await;
        let conversation = match result {
            Ok(Reply::Conversation { conversation }) => conversation,
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        };
        let shaped = Conversation::from_wire(&conversation);
        self.with_state(|state, events| events.note(state.upsert(conversation)));
        Ok(json!({ "conversation": shaped }))
    }

    pub async fn get_message_list(self: Rc<Self>, options: Value) -> Outcome {
        self.check_ready()?;
        let a = args::message_list_args(&options)?;
        let reply = self
            .request(Request::GetMessageList {
                conversation_id: a.conversation_id.to_string(),
                next_req_message_id: a.next_req_message_id,
                count: a.count,
            })
            .await?;
        let Reply::MessageList {
            messages,
            next_req_message_id,
            is_completed,
        } = reply
        else {
            return Err(unexpected(&reply));
        };
        let me = self.me().unwrap_or_default();
        let list: Vec<Message> = messages
            .iter()
            .map(|m| Message::from_wire(m, &me))
            .collect();
        Ok(json!({
            "messageList": list,
            "nextReqMessageID": next_req_message_id.unwrap_or_default(),
            "isCompleted": is_completed,
        }))
    }

    pub async fn set_message_read(self: Rc<Self>, options: Value) -> Outcome {
        self.check_ready()?;
        let id = args::conversation_id_field(&options)?.to_string();
        let result = self
            .request(Request::SetMessageRead {
                conversation_id: id.clone(),
            })
            .await;
        match result {
            Ok(Reply::Done) => {}
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        }
        self.with_state(|state, events| events.note(state.mark_read(&id)));
        Ok(json!({}))
    }

    pub async fn delete_conversation(self: Rc<Self>, arg: Value) -> Outcome {
        self.check_ready()?;
        let id = args::delete_arg(&arg)?.to_string();
        let result = self
            .request(Request::DeleteConversation {
                conversation_id: id.clone(),
            })
            .await;
        match result {
            Ok(Reply::ConversationDeleted { .. }) => {}
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => {
                self.forget_if_not_found(&id, &e);
                return Err(e);
            }
        }
        self.with_state(|state, events| events.note(state.remove(&id)));
        Ok(json!({ "conversationID": id }))
    }

    /// The server says a conversation does not exist: a local entry for it is stale, drop it.
    fn forget_if_not_found(self: &Rc<Self>, id: &str, e: &SdkError) {
        if e.code == ErrorCode::ConversationNotFound {
            self.with_state(|state, events| events.note(state.remove(id)));
        }
    }

    fn with_state(self: &Rc<Self>, f: impl FnOnce(&mut ConversationState, &mut EventQueue)) {
        {
            let mut s = self.session.borrow_mut();
            let Session { state, events, .. } = &mut *s;
            if let Some(state) = state.as_mut() {
                f(state, events);
            }
        }
        self.schedule_dispatch();
    }
}
