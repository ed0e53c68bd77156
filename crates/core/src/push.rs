//! What a server push changes: the conversation state, the events it gives, the messages for the
//! cache, and what must be fetched after it. Pushes that carry an entry of the user's event log
//! are applied once (a reconnect's `missed` list may repeat ones already applied).

use crate::constants::types;
use crate::error::SdkError;
use crate::events::{receipt_event, Event, EventQueue};
use crate::shapes::Message;
use crate::state::ConversationState;
use tim_proto::frame::KickReason;
use tim_proto::model::WireGroup;
use tim_proto::{Push, WireMessage};

/// The parts of the session a push changes (the SDK layer borrows them from its session).
pub struct Target<'a> {
    /// None when no user is logged in: only the events that need no state are given.
    pub state: Option<&'a mut ConversationState>,
    pub events: &'a mut EventQueue,
    /// Messages to add to the cache's recent messages at the next write.
    pub new_messages: &'a mut Vec<WireMessage>,
    /// The user's groups, as last fetched (a pushed group message's name and type).
    pub groups: &'a [WireGroup],
    /// Conversations to fetch from the server after this push (see `Session::to_refresh`).
    pub to_refresh: &'a mut Vec<String>,
    /// The group list changed on the server: fetch it and emit GROUP_LIST_UPDATED.
    pub groups_stale: &'a mut bool,
}

/// What the SDK layer does after applying a push.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    Done,
    /// The session ends (the connection, the state, the cache go: logged out), then
    /// [`Ended::queue`] gives its events.
    EndSession(Ended),
}

/// A session the server ended (a kick, or a reconnect refused for good): what the app is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// KICKED_OUT with this type.
    pub kicked: Option<&'static str>,
    /// ERROR with the refusal.
    pub error: Option<SdkError>,
}

impl Ended {
    /// Queues KICKED_OUT, ERROR (each if any), then SDK_NOT_READY.
    pub fn queue(self, events: &mut EventQueue) {
        if let Some(kind) = self.kicked {
            events.push(Event::KickedOut(kind));
        }
        if let Some(e) = self.error {
            events.push(Event::Error(e));
        }
        events.push(Event::SdkNotReady);
    }
}

/// Whether a push tagged with event-log entry `ev` is new; moves `last_event` on when it is.
/// Untagged pushes (`None`) are always new.
#[inline]
pub fn is_new(ev: Option<u64>, last_event: &mut u64) -> bool {
    match ev {
        Some(ev) if ev <= *last_event => false,
        Some(ev) => {
            *last_event = ev;
            true
        }
        None => true,
    }
}

#[inline]
pub fn apply(t: Target<'_>, push: Push) -> Applied {
    let Target {
        state,
        events,
        new_messages,
        groups,
        to_refresh,
        groups_stale,
    } = t;
    match push {
        Push::Message { message } => {
            let Some(state) = state else {
                return Applied::Done;
            };
            let change = state.apply_message(&message, true);
            if change.list && !state.fill_group(&message.conversation_id, groups) {
                to_refresh.push(message.conversation_id.clone());
            }
            if change.list {
                let shaped = Message::from_wire(&message, state.me(), &state.links);
                if shaped.kind == types::MSG_GRP_SYS_NOTICE {
                    events.push(Event::GroupSystemNoticeReceived(Box::new(shaped.clone())));
                }
                events.received(shaped);
                new_messages.push(message);
            }
            events.note(change);
        }
        Push::ConversationDeleted {
            conversation_id,
            cleared_seq,
        } => {
            if let Some(state) = state {
                events.note(state.delete(&conversation_id, cleared_seq));
                // Kept: a newer message is held here; its count and last message come from the
                // server.
                if state.contains(&conversation_id) {
                    to_refresh.push(conversation_id);
                }
            }
        }
        Push::HistoryCleared {
            conversation_id,
            cleared_seq,
        } => {
            if let Some(state) = state {
                events.note(state.clear_history(&conversation_id, cleared_seq));
            }
        }
        Push::ConversationRead {
            conversation_id, ..
        } => {
            if let Some(state) = state {
                events.note(state.mark_read(&conversation_id));
            }
        }
        Push::ConversationPinned(conversation_id) => {
            if let Some(state) = state {
                events.note(state.set_pinned(&conversation_id, true));
            }
        }
        Push::ConversationUnpinned(conversation_id) => {
            if let Some(state) = state {
                events.note(state.set_pinned(&conversation_id, false));
            }
        }
        Push::MessageEdited { message } => {
            let Some(state) = state else {
                return Applied::Done;
            };
            let (listed, change) = state.apply_edit(&message);
            events.note(change);
            // A conversation the user no longer lists is not in their view: nothing to tell.
            if listed {
                let shaped = vec![Message::from_wire(&message, state.me(), &state.links)];
                events.push(if message.revoked {
                    Event::MessageRevoked(shaped)
                } else {
                    Event::MessageModified(shaped)
                });
                new_messages.push(message);
            }
        }
        Push::MessageReadReceipt(list) => {
            let Some(state) = state else {
                return Applied::Done;
            };
            events.push(receipt_event(&list, state.me(), &state.links));
            // The cached copies take the new counts.
            new_messages.extend(list);
        }
        Push::MessageRemindType(parts) => {
            if let Some(state) = state {
                events.note(state.set_remind(&parts));
            }
        }
        Push::GroupsChanged => *groups_stale = true,
        Push::ProfileUpdated(profile) => events.push(Event::ProfileUpdated(profile)),
        Push::BlacklistUpdated(list) => events.push(Event::BlacklistUpdated(list)),
        Push::Kicked { reason } => {
            let kind = match reason {
                KickReason::UserSigExpired => types::KICKED_OUT_USERSIG_EXPIRED,
            };
            return Applied::EndSession(Ended {
                kicked: Some(kind),
                error: None,
            });
        }
    }
    Applied::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::model::WireBody;

    fn msg(conv: &str, from: &str, seq: u64) -> WireMessage {
        WireMessage {
            id: format!("m{seq}"),
            seq,
            time: 10,
            body: WireBody::Text {
                text: format!("t{seq}"),
            },
            ..crate::fixtures::text_message(conv, from, "alice")
        }
    }

    struct Session {
        state: Option<ConversationState>,
        events: EventQueue,
        new_messages: Vec<WireMessage>,
        groups: Vec<WireGroup>,
        to_refresh: Vec<String>,
        groups_stale: bool,
    }

    impl Session {
        fn new(logged_in: bool) -> Session {
            Session {
                state: logged_in.then(|| ConversationState::new("alice")),
                events: EventQueue::default(),
                new_messages: Vec::new(),
                groups: Vec::new(),
                to_refresh: Vec::new(),
                groups_stale: false,
            }
        }

        fn apply(&mut self, push: Push) -> Applied {
            apply(
                Target {
                    state: self.state.as_mut(),
                    events: &mut self.events,
                    new_messages: &mut self.new_messages,
                    groups: &self.groups,
                    to_refresh: &mut self.to_refresh,
                    groups_stale: &mut self.groups_stale,
                },
                push,
            )
        }

        fn names(&mut self) -> Vec<&'static str> {
            let events = self.events.drain(self.state.as_ref());
            events.iter().map(Event::name).collect()
        }
    }

    #[test]
    fn logged_pushes_apply_once() {
        let mut last = 4;
        assert!(!is_new(Some(3), &mut last));
        assert!(!is_new(Some(4), &mut last));
        assert_eq!(last, 4);
        assert!(is_new(Some(5), &mut last));
        assert_eq!(last, 5);
        assert!(is_new(None, &mut last));
        assert_eq!(last, 5);
    }

    #[test]
    fn a_message_is_received_listed_and_kept_for_the_cache() {
        let mut s = Session::new(true);
        assert_eq!(
            s.apply(Push::Message {
                message: msg("C2Cbob", "bob", 1)
            }),
            Applied::Done
        );
        assert_eq!(s.new_messages.len(), 1);
        assert!(s.to_refresh.is_empty());
        assert_eq!(
            s.names(),
            vec![
                crate::constants::event::MESSAGE_RECEIVED,
                crate::constants::event::CONVERSATION_LIST_UPDATED,
                crate::constants::event::TOTAL_UNREAD_MESSAGE_COUNT_UPDATED,
            ]
        );
        // The same message again (a repeat) changes nothing and is not cached twice.
        s.apply(Push::Message {
            message: msg("C2Cbob", "bob", 1),
        });
        assert_eq!(s.new_messages.len(), 1);
    }

    #[test]
    fn a_group_message_for_an_unknown_group_is_fetched() {
        let mut s = Session::new(true);
        s.apply(Push::Message {
            message: msg("GROUPdevs", "bob", 1),
        });
        assert_eq!(s.to_refresh, vec!["GROUPdevs".to_string()]);
    }

    #[test]
    fn a_deletion_that_keeps_a_newer_message_is_fetched() {
        let mut s = Session::new(true);
        s.apply(Push::Message {
            message: msg("C2Cbob", "bob", 2),
        });
        s.apply(Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 1,
        });
        assert_eq!(s.to_refresh, vec!["C2Cbob".to_string()]);
        s.to_refresh.clear();
        s.apply(Push::ConversationDeleted {
            conversation_id: "C2Cbob".into(),
            cleared_seq: 2,
        });
        assert!(s.to_refresh.is_empty());
    }

    #[test]
    fn without_a_user_only_stateless_pushes_give_events() {
        let mut s = Session::new(false);
        s.apply(Push::Message {
            message: msg("C2Cbob", "bob", 1),
        });
        s.apply(Push::GroupsChanged);
        s.apply(Push::BlacklistUpdated(vec!["bob".into()]));
        assert!(s.new_messages.is_empty());
        assert!(s.groups_stale);
        assert_eq!(s.names(), vec![crate::constants::event::BLACKLIST_UPDATED]);
    }

    #[test]
    fn a_kick_ends_the_session_with_the_documented_events() {
        let mut s = Session::new(true);
        let Applied::EndSession(ended) = s.apply(Push::Kicked {
            reason: KickReason::UserSigExpired,
        }) else {
            panic!("a kick ends the session");
        };
        ended.queue(&mut s.events);
        s.state = None;
        let events = s.events.drain(None);
        assert_eq!(
            events,
            vec![
                Event::KickedOut(types::KICKED_OUT_USERSIG_EXPIRED),
                Event::SdkNotReady
            ]
        );
    }
}
