//! login, logout, destroy, and reconnecting after a dropped connection: the client logs in again
//! with the same UserSig and resumes from the last event of the user's log it applied, so every
//! change made meanwhile (messages, synced deletions) is applied exactly once.

use super::{unexpected, Inner, Outcome, Outgoing};
use crate::js::Object;
use crate::log::log;
use gloo_timers::future::TimeoutFuture;
use serde_json::Value;
use std::rc::Rc;
use tim_core::args;
use tim_core::constants::types;
use tim_core::events::Event;
use tim_core::log_level::Kind;
use tim_core::net_failure;
use tim_core::paging::ListPages;
use tim_core::readiness::Readiness;
use tim_core::reconnect::{self, backoff_ms, AfterFailure};
use tim_core::state::{Change, ConversationState};
use tim_core::SdkError;
use tim_proto::{ErrorCode, Reply, Request};

/// What [`Inner::ask_pages`] does with each answer: the request for the next page, if any.
type TakePage<'a> = dyn FnMut(&Rc<Inner>, Reply) -> Result<Option<Request>, SdkError> + 'a;

/// How long logout waits for the server's goodbye before closing anyway.
const LOGOUT_TIMEOUT_MS: u32 = 3_000;

impl Inner {
    pub async fn login(self: Rc<Self>, options: Value) -> Outcome {
        self.session().readiness.check_can_login()?;
        let (user_id, user_sig) = args::login_args(&options)?;
        let (generation, attempt) = {
            let mut s = self.session_mut();
            s.readiness = Readiness::LoggingIn;
            s.last_close = None;
            s.generation += 1;
            s.login_attempt += 1;
            s.events.net_state(types::NET_STATE_CONNECTING);
            (s.generation, s.login_attempt)
        };
        self.schedule_dispatch();
        let e = match self.login_steps(generation, user_id, user_sig).await {
            Ok(done) => return Ok(done),
            Err(e) => self.explain(e).await,
        };
        log!(
            Kind::Warn,
            "login failed ({}): {}",
            e.code.as_u32(),
            e.message
        );
        {
            let mut s = self.session_mut();
            // Only undo our own attempt: a logout() (and maybe a new login) meanwhile has
            // already moved on. (Not the connection's generation: a socket that failed has
            // bumped that, and the attempt must still end as failed.)
            if s.login_attempt == attempt && s.readiness == Readiness::LoggingIn {
                Self::teardown(&mut s, Readiness::LoginFailed);
            }
        }
        self.schedule_dispatch();
        Err(e)
    }

    /// A login whose socket closed before the server ever answered: the browser does not say
    /// why, so ask plain HTTP at the same address what is there, and say that.
    async fn explain(&self, e: SdkError) -> SdkError {
        let closed = self.session_mut().last_close.take();
        match closed {
            Some(c) if net_failure::needs_probe(e.code, &c) => {
                let probe = crate::probe::probe(&self.url).await;
                SdkError::new(e.code, net_failure::login_failure(&self.url, &c, probe))
            }
            _ => e,
        }
    }

    async fn login_steps(
        self: &Rc<Self>,
        generation: u64,
        user_id: String,
        user_sig: String,
    ) -> Outcome {
        // The cached list first, so it shows before the server answers.
        let snapshot = self.open_local(&user_id).await;
        self.still_current(generation)?;
        let verified = snapshot.verified;
        {
            let mut s = self.session_mut();
            let mut state = ConversationState::new(&user_id);
            // Until the server answers, links carry the ticket kept from the last answer.
            let now = (crate::js::now_ms() / 1000.0) as i64;
            state.links =
                tim_core::files::FileLinks::before_login(&self.url, &snapshot.file_query, now);
            let cached = !snapshot.conversations.is_empty();
            state.restore(snapshot.conversations, snapshot.watermarks);
            s.events.note(Change {
                list: cached,
                total_unread: state.total_unread() > 0,
            });
            s.state = Some(state);
            s.last_event = snapshot.last_event;
            s.persisted_event = snapshot.last_event;
            s.verified = verified;
        }
        self.reapply_outbox().await;
        match self.login_online(generation, &user_id, &user_sig).await {
            Ok(()) => {
                self.become_ready(generation)?;
                Ok(Object::new().field("repeatLogin", &false).end())
            }
            // The server is unreachable, but this user logged in here before: start from the
            // cache and keep trying to connect (deletions meanwhile go to the outbox).
            Err(e) if reconnect::starts_offline(&e, verified) => {
                log!(Kind::Info, "starting offline from the cache: {}", e.message);
                {
                    let mut s = self.session_mut();
                    s.generation += 1;
                    s.conn = None;
                    s.credentials = Some((user_id, user_sig));
                    s.reconnecting = true;
                    s.events.net_state(types::NET_STATE_DISCONNECTED);
                }
                let generation = self.session().generation;
                self.become_ready(generation)?;
                wasm_bindgen_futures::spawn_local(Rc::clone(self).reconnect());
                Ok(Object::new()
                    .field("offline", &true)
                    .field("repeatLogin", &false)
                    .end())
            }
            Err(e) => Err(e),
        }
    }

    fn become_ready(self: &Rc<Self>, generation: u64) -> Result<(), SdkError> {
        self.still_current(generation)?;
        {
            let mut s = self.session_mut();
            s.readiness = Readiness::Ready;
            s.events.push(Event::SdkReady);
        }
        self.schedule_dispatch();
        Ok(())
    }

    /// Connects, logs in, sends the outbox, then loads the list from the server.
    async fn login_online(
        self: &Rc<Self>,
        generation: u64,
        user_id: &str,
        user_sig: &str,
    ) -> Result<(), SdkError> {
        let conn = self.connect(generation)?;
        self.session_mut().conn = Some(conn);
        let reply = self
            .request(Request::Login {
                sdk_app_id: self.options.sdk_app_id,
                user_id: user_id.to_owned(),
                user_sig: user_sig.to_owned(),
                protocol: tim_proto::PROTOCOL_VERSION,
                resume_after: None,
            })
            .await?;
        let Reply::LoggedIn {
            latest_event,
            server_time,
            file_query,
            ..
        } = reply
        else {
            return Err(unexpected(&reply));
        };
        self.still_current(generation)?;
        {
            let mut s = self.session_mut();
            if let Some(state) = s.state.as_mut() {
                state.links = tim_core::files::FileLinks::new(&self.url, &file_query);
            }
            s.file_query = Some(file_query);
            s.clock.set(server_time, crate::js::now_ms());
            s.credentials = Some((user_id.to_owned(), user_sig.to_owned()));
            s.verified = true;
            // The list loaded next already reflects every event up to here.
            s.last_event = latest_event;
            s.events.net_state(types::NET_STATE_CONNECTED);
        }
        log!(
            Kind::Info,
            "logged in as {user_id} (event log at {latest_event})"
        );
        // Deletions kept while offline go first, so the list below no longer has them.
        self.flush_outbox().await;
        self.load_list(generation).await?;
        // The group list too (GROUP_LIST_UPDATED), as the documented SDK syncs it at login.
        self.groups_changed().await;
        Ok(())
    }

    /// Replaces the local list with the server's (deletions still in the outbox stay applied).
    /// It comes in pages; a conversation a push changed meanwhile may be in a page as it was
    /// before, so those are fetched again once all pages are in (docs/protocol.md "Paging").
    async fn load_list(self: &Rc<Self>, generation: u64) -> Result<(), SdkError> {
        self.session_mut().touched = Some(Vec::new());
        let mut pages = ListPages::default();
        let asked = self
            .ask_pages(
                generation,
                Some(Request::GetConversationList),
                &mut |_, reply| pages.take(reply),
            )
            .await;
        let touched = self.session_mut().touched.take().unwrap_or_default();
        asked?;
        let paged = pages.paged();
        self.session_mut().list_synced = true;
        self.with_state(|state, events| events.note(state.replace_all(pages.finish())));
        if paged {
            for id in touched {
                self.refresh(&id, false).await;
            }
        }
        self.reapply_outbox().await;
        Ok(())
    }

    /// Asks `next`, then what `take` makes of each answer, until it says nothing more: the
    /// pages of the list or of a catch-up (`tim_core::paging` says what comes next). One loop
    /// for both, behind `dyn`, so that its state machine is in the wasm once.
    async fn ask_pages(
        self: &Rc<Self>,
        generation: u64,
        mut next: Option<Request>,
        take: &mut TakePage<'_>,
    ) -> Result<(), SdkError> {
        while let Some(request) = next {
            let reply = self.request(request).await?;
            self.still_current(generation)?;
            next = take(self, reply)?;
        }
        Ok(())
    }

    fn still_current(&self, generation: u64) -> Result<(), SdkError> {
        if self.session().generation == generation {
            Ok(())
        } else {
            Err(SdkError::new(
                ErrorCode::NetworkError,
                "interrupted by logout, destroy or a closed connection",
            ))
        }
    }

    pub async fn logout(self: Rc<Self>) -> Outcome {
        if !self.session().readiness.needs_logout()? {
            return Ok(crate::js::empty());
        }
        // Best effort: the server forgets the session either way when the socket closes.
        if let Ok(logout) = Outgoing::typed(&Request::Logout) {
            let _ = self.request_within(logout, LOGOUT_TIMEOUT_MS).await;
        }
        // The ticket kept for the next login's cached links is a credential: it goes too.
        self.session_mut().file_query = Some(String::new());
        self.persist_now().await;
        {
            let mut s = self.session_mut();
            Self::teardown(&mut s, Readiness::LoggedOut);
            s.events.push(Event::SdkNotReady);
        }
        log!(Kind::Info, "logged out");
        self.schedule_dispatch();
        Ok(crate::js::empty())
    }

    pub async fn destroy(self: Rc<Self>, on_destroy: Option<js_sys::Function>) -> Outcome {
        if self.session().readiness == Readiness::Destroyed {
            return Ok(crate::js::empty());
        }
        Rc::clone(&self).logout().await?;
        {
            let mut s = self.session_mut();
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
        Ok(crate::js::empty())
    }

    /// Runs while a logged-in session has no connection: waits (backoff with jitter), logs in
    /// again and resumes. Ends on success, on logout/destroy, or on a final refusal (e.g. the
    /// UserSig expired meanwhile), which ends the session with the documented events.
    pub(super) async fn reconnect(self: Rc<Self>) {
        let mut attempt = 0u32;
        loop {
            let wait = backoff_ms(attempt, js_sys::Math::random());
            log!(
                Kind::Info,
                "reconnecting in {wait} ms (attempt {})",
                attempt + 1
            );
            TimeoutFuture::new(wait).await;
            attempt = attempt.saturating_add(1);
            let generation = {
                let mut s = self.session_mut();
                if !reconnect::keeps_trying(s.readiness, s.conn.is_some()) {
                    s.reconnecting = false;
                    return;
                }
                s.generation += 1;
                s.events.net_state(types::NET_STATE_CONNECTING);
                s.generation
            };
            self.schedule_dispatch();
            match self.resume(generation).await {
                Ok(resync_required) => {
                    // Connected again: from here a drop starts a new loop, so the follow-up
                    // requests below may fail without leaving the session stranded offline.
                    self.session_mut().reconnecting = false;
                    self.schedule_dispatch();
                    self.after_reconnect(generation, resync_required).await;
                    return;
                }
                Err(e) => match reconnect::after_failure(e) {
                    AfterFailure::EndSession(ended) => {
                        if let Some(e) = &ended.error {
                            log!(
                                Kind::Warn,
                                "reconnect refused ({}): {}",
                                e.code.as_u32(),
                                e.message
                            );
                        }
                        {
                            let mut s = self.session_mut();
                            s.reconnecting = false;
                            Self::end_session(&mut s, ended);
                        }
                        self.schedule_dispatch();
                        return;
                    }
                    AfterFailure::Retry(e) => {
                        log!(Kind::Info, "reconnect failed: {}", e.message);
                        let mut s = self.session_mut();
                        if s.generation == generation {
                            s.generation += 1;
                            s.conn = None;
                        }
                    }
                },
            }
        }
    }

    /// One reconnect attempt: log in with `resumeAfter`, then apply what was missed, in order.
    /// Returns whether the whole list must be reloaded (the log no longer reached back).
    async fn resume(self: &Rc<Self>, generation: u64) -> Result<bool, SdkError> {
        let (credentials, after) = {
            let s = self.session();
            (s.credentials.clone(), s.last_event)
        };
        let (user_id, user_sig) = credentials
            .ok_or_else(|| SdkError::new(ErrorCode::NotReadyLoggedOut, "no longer logged in"))?;
        let conn = self.connect(generation)?;
        self.session_mut().conn = Some(conn);
        let reply = self
            .request(Request::Login {
                sdk_app_id: self.options.sdk_app_id,
                user_id,
                user_sig,
                protocol: tim_proto::PROTOCOL_VERSION,
                resume_after: Some(after),
            })
            .await?;
        let Reply::LoggedIn {
            latest_event,
            missed,
            resync_required,
            more_missed,
            server_time,
            file_query,
            ..
        } = reply
        else {
            return Err(unexpected(&reply));
        };
        {
            let mut s = self.session_mut();
            if let Some(state) = s.state.as_mut() {
                state.links = tim_core::files::FileLinks::new(&self.url, &file_query);
            }
            s.file_query = Some(file_query);
        }
        self.session_mut()
            .clock
            .set(server_time, crate::js::now_ms());
        self.still_current(generation)?;
        log!(
            Kind::Info,
            "reconnected: {} missed events{}",
            missed.len(),
            if resync_required {
                ", reloading the list"
            } else {
                ""
            }
        );
        let next = tim_core::paging::next_missed(&missed, more_missed);
        {
            let mut s = self.session_mut();
            for logged in missed {
                Self::apply_logged(&mut s, Some(logged.ev), logged.push);
            }
            if next.is_some() {
                // Pushes of what happens meanwhile are newer than the pages still to come.
                s.held = Some(Vec::new());
            }
        }
        let mut resync_required = resync_required;
        let asked = self
            .ask_pages(generation, next, &mut |me, reply| {
                let Reply::Missed {
                    missed,
                    more,
                    resync_required: lost,
                } = reply
                else {
                    return Err(unexpected(&reply));
                };
                // The log stopped reaching back meanwhile: the list is reloaded instead.
                resync_required |= lost;
                let next = tim_core::paging::next_missed(&missed, more && !lost);
                let mut s = me.session_mut();
                for logged in missed {
                    Self::apply_logged(&mut s, Some(logged.ev), logged.push);
                }
                Ok(next)
            })
            .await;
        let held = self.session_mut().held.take().unwrap_or_default();
        asked?;
        {
            let mut s = self.session_mut();
            for held in held {
                Self::apply_logged(&mut s, (held.ev > 0).then_some(held.ev), held.push);
            }
            let s = &mut *s;
            reconnect::after_resume(
                resync_required,
                latest_event,
                &mut s.last_event,
                &mut s.list_synced,
            );
            s.events.net_state(types::NET_STATE_CONNECTED);
        }
        Ok(resync_required)
    }

    /// After a reconnect: send the outbox, reload the list if the log no longer reached back,
    /// and fetch the groups (their changes are not in the event log). Failures here end with the
    /// connection's own close, which starts the next reconnect.
    async fn after_reconnect(self: &Rc<Self>, generation: u64, resync_required: bool) {
        self.flush_outbox().await;
        if resync_required && self.load_list(generation).await.is_err() {
            return;
        }
        self.groups_changed().await;
    }
}
