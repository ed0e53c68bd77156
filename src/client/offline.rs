//! The local side of the SDK: writing state changes to the IndexedDB cache, the outbox of
//! deletions not yet acknowledged by the server, and the notes exchanged with other tabs.

use super::{Inner, Session};
use crate::cache::{Cache, Snapshot};
use crate::log::log;
use crate::tabs::Tabs;
use std::rc::Rc;
use tim_core::log_level::Kind;
use tim_core::outbox::{replay_decision, OutboxEntry, Replay};
use tim_core::recent;
use tim_core::tab_note::TabNote;
use tim_proto::{Reply, Request, WireMessage};
use wasm_bindgen_futures::spawn_local;

impl Inner {
    /// Opens this user's cache and tab channel and loads what the cache holds into the state, so
    /// the list shows before the server answers. Without a usable IndexedDB the SDK works online.
    pub(super) async fn open_local(self: &Rc<Self>, user_id: &str) -> Snapshot {
        if !self.options.cache {
            return Snapshot::default();
        }
        let cache = match Cache::open(self.options.sdk_app_id, user_id).await {
            Ok(c) => Rc::new(c),
            Err(e) => {
                crate::js::console_error("tim-wasm: no local cache", &e.into());
                return Snapshot::default();
            }
        };
        let snapshot = cache.load().await.unwrap_or_default();
        let mut s = self.session_mut();
        s.cache = Some(cache);
        let me = Rc::downgrade(self);
        s.tabs = Tabs::open(self.options.sdk_app_id, user_id, move |note| {
            if let Some(inner) = me.upgrade() {
                inner.on_tab_note(&note);
            }
        });
        snapshot
    }

    /// Writes what changed since the last write (called once per dispatch tick).
    pub(super) fn persist(self: &Rc<Self>) {
        let me = Rc::clone(self);
        spawn_local(async move { me.persist_now().await });
    }

    /// Writes what changed since the last write and waits for it: a call whose Promise says
    /// "deleted" resolves only once the deletion is in the cache (a page closed right after
    /// must not bring it back from there).
    pub(super) async fn persist_now(self: &Rc<Self>) {
        let work = {
            let mut s = self.session_mut();
            let Session {
                cache,
                state,
                last_event,
                persisted_event,
                verified,
                new_messages,
                file_query,
                ..
            } = &mut *s;
            let (Some(cache), Some(state)) = (cache.as_ref(), state.as_mut()) else {
                return;
            };
            let dirty = state.take_dirty();
            let messages = std::mem::take(new_messages);
            if dirty.is_empty()
                && messages.is_empty()
                && *persisted_event == *last_event
                && file_query.is_none()
            {
                return;
            }
            *persisted_event = *last_event;
            let meta = (*last_event, *verified, file_query.take());
            (Rc::clone(cache), dirty, messages, meta)
        };
        let (cache, dirty, messages, meta) = work;
        let last_event = meta.0;
        log!(
            Kind::Debug,
            "cache write: {} conversations, {} removed, {} messages, event {last_event}",
            dirty.upserts.len(),
            dirty.removed.len(),
            messages.len()
        );
        if let Err(e) = cache.write(dirty, meta).await {
            crate::js::console_error("tim-wasm: cache write failed", &e.into());
        }
        for (id, list) in recent::by_conversation(messages) {
            if let Err(e) = cache.add_messages(&id, list).await {
                crate::js::console_error("tim-wasm: cache write failed", &e.into());
            }
        }
    }

    /// Queues messages (sent, or fetched with getMessageList) for the cache's recent messages.
    pub(super) fn remember_messages(&self, messages: impl IntoIterator<Item = WireMessage>) {
        let mut s = self.session_mut();
        if s.cache.is_some() {
            s.new_messages.extend(messages);
        }
    }

    pub(super) fn cache(&self) -> Option<Rc<Cache>> {
        self.session().cache.clone()
    }

    /// Applies a change locally and tells the other tabs.
    pub(super) fn apply_and_share(self: &Rc<Self>, note: TabNote) {
        {
            let mut s = self.session_mut();
            if let Some(tabs) = &s.tabs {
                tabs.post(&note);
            }
            let Session { state, events, .. } = &mut *s;
            if let Some(state) = state.as_mut() {
                events.note(note.apply(state));
            }
        }
        self.schedule_dispatch();
    }

    /// Another tab of this user changed something locally.
    pub fn on_tab_note(self: &Rc<Self>, note: &TabNote) {
        self.with_state(|state, events| events.note(note.apply(state)));
    }

    /// Sends the outbox, oldest first; stops at the first lost answer (kept for next time).
    /// Entries the server answered, or refused for good, leave the outbox.
    pub(super) async fn flush_outbox(self: &Rc<Self>) {
        let Some(cache) = self.cache() else { return };
        let entries = cache.outbox().await.unwrap_or_default();
        for entry in entries {
            let result = self
                .request(Request::DeleteConversation {
                    conversation_id: entry.conversation_id.clone(),
                    op_id: Some(entry.op_id.clone()),
                    up_to_seq: entry.up_to_seq,
                })
                .await;
            if replay_decision(&result) == Replay::Retry {
                return;
            }
            if let Err(e) = cache.outbox_delete(&entry.op_id).await {
                crate::js::console_error("tim-wasm: outbox write failed", &e.into());
            }
            if let Ok(Reply::ConversationDeleted { cleared_seq, .. }) = result {
                let id = entry.conversation_id;
                self.with_state(|state, events| events.note(state.delete(&id, cleared_seq)));
                self.refresh(&id, true).await;
            }
        }
    }

    /// Deletions still in the outbox stay applied over a list fresh from the server.
    pub(super) async fn reapply_outbox(self: &Rc<Self>) {
        let Some(cache) = self.cache() else { return };
        let entries = cache.outbox().await.unwrap_or_default();
        self.with_state(|state, events| {
            for e in &entries {
                events.note(state.delete(&e.conversation_id, e.up_to_seq.unwrap_or(0)));
            }
        });
    }

    /// Makes the outbox entry for a deletion of `id` and keeps it durably (None without a cache
    /// or when offline deletion is off: then nothing is kept and a lost answer is an error).
    pub(super) async fn outbox_entry(self: &Rc<Self>, id: &str) -> Option<OutboxEntry> {
        if !self.options.offline_deletion {
            return None;
        }
        let cache = self.cache()?;
        let up_to_seq = self
            .session
            .borrow()
            .state
            .as_ref()
            .and_then(|s| s.last_seq(id));
        let entry = OutboxEntry {
            op_id: crate::js::new_message_id(),
            conversation_id: id.to_owned(),
            up_to_seq,
            created_ms: crate::js::now_ms(),
        };
        match cache.outbox_put(&entry).await {
            Ok(()) => Some(entry),
            Err(e) => {
                crate::js::console_error("tim-wasm: outbox write failed", &e.into());
                None
            }
        }
    }

    pub(super) async fn outbox_done(self: &Rc<Self>, entry: &OutboxEntry) {
        if let Some(cache) = self.cache() {
            if let Err(e) = cache.outbox_delete(&entry.op_id).await {
                crate::js::console_error("tim-wasm: outbox write failed", &e.into());
            }
        }
    }
}
