//! The events the SDK emits, queued and coalesced so that one operation (or one tick's worth of
//! server news) gives one CONVERSATION_LIST_UPDATED, not one per change.

use crate::constants::event;
use crate::constants::types::NET_STATE_DISCONNECTED;
use crate::error::SdkError;
use crate::shapes::{Conversation, Group, Message};
use crate::state::{Change, ConversationState};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    SdkReady,
    SdkNotReady,
    SdkDestroy,
    MessageReceived(Vec<Message>),
    ConversationListUpdated(Vec<Conversation>),
    TotalUnreadUpdated(u32),
    NetStateChange(&'static str),
    KickedOut(&'static str),
    Error(SdkError),
    GroupListUpdated(Vec<Group>),
    GroupSystemNoticeReceived(Box<Message>),
    /// `data`: `[profile]`, the user's own profile after a change on any of their sessions;
    /// held as the JSON text of that one profile, as it came (the wasm layer parses it).
    ProfileUpdated(String),
    /// `data`: the whole blacklist after the change.
    BlacklistUpdated(Vec<String>),
    /// Messages of listed conversations revoked (here, on another session, or by the peer).
    MessageRevoked(Vec<Message>),
    /// Messages of listed conversations given a new payload by their sender.
    MessageModified(Vec<Message>),
    /// The user's C2C messages the peer sent read receipts for (`isPeerRead` true).
    MessageReadByPeer(Vec<Message>),
    /// Read receipts for the user's group messages: `[{ groupID, messageID, readCount,
    /// unreadCount }]`.
    ReadReceiptReceived(Vec<ReceiptInfo>),
}

/// One entry of MESSAGE_READ_RECEIPT_RECEIVED's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceiptInfo {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "messageID")]
    pub message_id: String,
    #[serde(rename = "readCount")]
    pub read_count: u32,
    #[serde(rename = "unreadCount")]
    pub unread_count: u32,
}

/// The event a `messageReadReceipt` push makes for user `me` (its messages are all of one
/// conversation): C2C messages as MESSAGE_READ_BY_PEER, group messages' counts as
/// MESSAGE_READ_RECEIPT_RECEIVED.
pub fn receipt_event(
    list: &[tim_proto::WireMessage],
    me: &str,
    links: &crate::files::FileLinks,
) -> Event {
    let group = list.first().is_some_and(|w| {
        w.conversation_id
            .starts_with(tim_proto::conversation_id::GROUP_PREFIX)
    });
    // Plain loops: the iterator adapters' monomorphs cost the SDK more.
    if group {
        let mut counts = Vec::with_capacity(list.len());
        for w in list {
            counts.push(ReceiptInfo {
                group_id: w.to.clone(),
                message_id: w.id.clone(),
                read_count: w.read_count,
                unread_count: w.unread_count,
            });
        }
        Event::ReadReceiptReceived(counts)
    } else {
        let mut read = Vec::with_capacity(list.len());
        for w in list {
            read.push(Message::from_wire(w, me, links));
        }
        Event::MessageReadByPeer(read)
    }
}

impl Event {
    /// The documented event name (`TIM.EVENT.*` value).
    pub fn name(&self) -> &'static str {
        match self {
            Event::SdkReady => event::SDK_READY,
            Event::SdkNotReady => event::SDK_NOT_READY,
            Event::SdkDestroy => event::SDK_DESTROY,
            Event::MessageReceived(_) => event::MESSAGE_RECEIVED,
            Event::ConversationListUpdated(_) => event::CONVERSATION_LIST_UPDATED,
            Event::TotalUnreadUpdated(_) => event::TOTAL_UNREAD_MESSAGE_COUNT_UPDATED,
            Event::NetStateChange(_) => event::NET_STATE_CHANGE,
            Event::KickedOut(_) => event::KICKED_OUT,
            Event::Error(_) => event::ERROR,
            Event::GroupListUpdated(_) => event::GROUP_LIST_UPDATED,
            Event::GroupSystemNoticeReceived(_) => event::GROUP_SYSTEM_NOTICE_RECEIVED,
            Event::ProfileUpdated(_) => event::PROFILE_UPDATED,
            Event::BlacklistUpdated(_) => event::BLACKLIST_UPDATED,
            Event::MessageRevoked(_) => event::MESSAGE_REVOKED,
            Event::MessageModified(_) => event::MESSAGE_MODIFIED,
            Event::MessageReadByPeer(_) => event::MESSAGE_READ_BY_PEER,
            Event::ReadReceiptReceived(_) => event::MESSAGE_READ_RECEIPT_RECEIVED,
        }
    }

    /// The event's `data`, in the shape JS sees it.
    pub fn data(&self) -> EventData<'_> {
        match self {
            Event::SdkReady | Event::SdkNotReady | Event::SdkDestroy => EventData::Empty {},
            Event::MessageReceived(list)
            | Event::MessageRevoked(list)
            | Event::MessageModified(list)
            | Event::MessageReadByPeer(list) => EventData::Messages(list),
            Event::ReadReceiptReceived(list) => EventData::Receipts(list),
            Event::ConversationListUpdated(list) => EventData::Conversations(list),
            Event::TotalUnreadUpdated(n) => EventData::Number(*n),
            Event::NetStateChange(state) => EventData::NetState { state },
            Event::KickedOut(kind) => EventData::Kicked { kind },
            Event::Error(e) => EventData::Error {
                code: e.code.as_u32(),
                message: &e.message,
            },
            Event::GroupListUpdated(list) => EventData::Groups(list),
            Event::ProfileUpdated(text) => EventData::JsonList(text),
            Event::BlacklistUpdated(list) => EventData::UserIds(list),
            Event::GroupSystemNoticeReceived(m) => EventData::Notice {
                message: m,
                kind: match &m.payload {
                    crate::shapes::Payload::Notice(n) => n.operation_type,
                    _ => 0,
                },
            },
        }
    }
}

/// An event's `data`: each variant is the documented shape itself (untagged).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EventData<'a> {
    Empty {},
    Messages(&'a [Message]),
    Conversations(&'a [Conversation]),
    Number(u32),
    NetState {
        state: &'a str,
    },
    Kicked {
        #[serde(rename = "type")]
        kind: &'a str,
    },
    Error {
        code: u32,
        message: &'a str,
    },
    Groups(&'a [Group]),
    /// The JSON text of one value: JS gets `[value]` (`JSON.parse` in the wasm layer).
    JsonList(&'a str),
    UserIds(&'a [String]),
    Receipts(&'a [ReceiptInfo]),
    Notice {
        message: &'a Message,
        #[serde(rename = "type")]
        kind: u32,
    },
}

#[derive(Default)]
pub struct EventQueue {
    queued: Vec<Event>,
    received: Vec<Message>,
    list_dirty: bool,
    unread_dirty: bool,
    last_total: u32,
    /// The last NET_STATE_CHANGE queued ("" before the first).
    net: &'static str,
}

impl EventQueue {
    pub fn push(&mut self, e: Event) {
        self.queued.push(e);
    }

    /// Queues NET_STATE_CHANGE only when the state really changes (a retried connect stays
    /// `connecting`, not one event per attempt).
    pub fn net_state(&mut self, state: &'static str) {
        if self.net != state {
            self.net = state;
            self.queued.push(Event::NetStateChange(state));
        }
    }

    /// The session ended: a connection that was connecting or connected is now `disconnected`,
    /// whether or not a socket was ever open (a failed login must not stay `connecting`).
    pub fn net_ended(&mut self) {
        if !self.net.is_empty() {
            self.net_state(NET_STATE_DISCONNECTED);
        }
    }

    pub fn note(&mut self, change: Change) {
        self.list_dirty |= change.list;
        self.unread_dirty |= change.total_unread;
    }

    pub fn received(&mut self, m: Message) {
        self.received.push(m);
    }

    pub fn is_empty(&self) -> bool {
        self.queued.is_empty() && self.received.is_empty() && !self.list_dirty && !self.unread_dirty
    }

    /// Forgets the last total, e.g. on logout, so the next login reports its own.
    pub fn reset_total(&mut self) {
        self.last_total = 0;
    }

    /// Everything to emit now, in order: lifecycle events, received messages, then one list
    /// update and one unread total (only if the total really changed).
    pub fn drain(&mut self, state: Option<&ConversationState>) -> Vec<Event> {
        let mut out = std::mem::take(&mut self.queued);
        if !self.received.is_empty() {
            out.push(Event::MessageReceived(std::mem::take(&mut self.received)));
        }
        let (list_dirty, unread_dirty) = (self.list_dirty, self.unread_dirty);
        self.list_dirty = false;
        self.unread_dirty = false;
        if let Some(state) = state {
            if list_dirty {
                out.push(Event::ConversationListUpdated(state.list()));
            }
            let total = state.total_unread();
            if (list_dirty || unread_dirty) && total != self.last_total {
                self.last_total = total;
                out.push(Event::TotalUnreadUpdated(total));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn data(e: &Event) -> Value {
        serde_json::to_value(e.data()).expect("encode")
    }
    use tim_proto::WireMessage;

    fn wire(seq: u64) -> WireMessage {
        WireMessage {
            id: format!("m{seq}"),
            seq,
            time: 10,
            ..crate::fixtures::text_message(&format!("C2Cu{seq}"), &format!("u{seq}"), "alice")
        }
    }

    #[test]
    fn many_changes_in_one_tick_give_one_list_update() {
        let mut state = ConversationState::new("alice");
        let mut q = EventQueue::default();
        for i in 1..=100 {
            q.note(state.apply_message(&wire(i), true));
        }
        let events = q.drain(Some(&state));
        let names: Vec<_> = events.iter().map(Event::name).collect();
        assert_eq!(
            names,
            vec![
                event::CONVERSATION_LIST_UPDATED,
                event::TOTAL_UNREAD_MESSAGE_COUNT_UPDATED
            ]
        );
        assert_eq!(events[1], Event::TotalUnreadUpdated(100));
        assert!(q.is_empty());
        assert!(q.drain(Some(&state)).is_empty());
    }

    #[test]
    fn unread_total_is_reported_only_when_it_changes() {
        let mut state = ConversationState::new("alice");
        let mut q = EventQueue::default();
        let mut own = wire(1);
        own.from = "alice".into();
        q.note(state.apply_message(&own, false));
        let names: Vec<_> = q.drain(Some(&state)).iter().map(Event::name).collect();
        assert_eq!(names, vec![event::CONVERSATION_LIST_UPDATED]);
    }

    #[test]
    fn lifecycle_events_come_first_and_data_has_documented_shape() {
        let mut q = EventQueue::default();
        q.received(crate::shapes::Message::from_wire(
            &wire(1),
            "alice",
            &crate::files::FileLinks::default(),
        ));
        q.push(Event::SdkReady);
        let events = q.drain(None);
        assert_eq!(events[0], Event::SdkReady);
        assert_eq!(events[1].name(), event::MESSAGE_RECEIVED);
        assert_eq!(data(&events[1])[0]["ID"], "m1");
        assert_eq!(
            data(&Event::NetStateChange("connected")),
            json!({"state": "connected"})
        );
        assert_eq!(
            data(&Event::KickedOut("userSigExpired")),
            json!({"type": "userSigExpired"})
        );
    }

    fn net_events(q: &mut EventQueue) -> Vec<Event> {
        q.drain(None)
    }

    #[test]
    fn net_state_is_queued_only_on_change_and_ends_disconnected() {
        use crate::constants::types::{NET_STATE_CONNECTED, NET_STATE_CONNECTING};
        let mut q = EventQueue::default();
        // Nothing announced yet: ending says nothing.
        q.net_ended();
        assert!(net_events(&mut q).is_empty());
        // A login whose socket never opened: connecting, then disconnected when it fails.
        q.net_state(NET_STATE_CONNECTING);
        q.net_state(NET_STATE_CONNECTING);
        q.net_ended();
        assert_eq!(
            net_events(&mut q),
            vec![
                Event::NetStateChange(NET_STATE_CONNECTING),
                Event::NetStateChange(NET_STATE_DISCONNECTED)
            ]
        );
        // Ending twice (logout after a drop) does not repeat it.
        q.net_ended();
        assert!(net_events(&mut q).is_empty());
        q.net_state(NET_STATE_CONNECTING);
        q.net_state(NET_STATE_CONNECTED);
        q.net_ended();
        assert_eq!(
            net_events(&mut q),
            vec![
                Event::NetStateChange(NET_STATE_CONNECTING),
                Event::NetStateChange(NET_STATE_CONNECTED),
                Event::NetStateChange(NET_STATE_DISCONNECTED)
            ]
        );
    }

    #[test]
    fn data_has_each_events_documented_shape() {
        let m = crate::shapes::Message::from_wire(
            &wire(1),
            "alice",
            &crate::files::FileLinks::default(),
        );
        let cases = [
            (Event::SdkReady, json!({})),
            (Event::MessageReceived(vec![m.clone()]), json!([m.clone()])),
            (Event::TotalUnreadUpdated(3), json!(3)),
            (
                Event::NetStateChange("connected"),
                json!({"state": "connected"}),
            ),
            (
                Event::Error(SdkError::new(tim_proto::ErrorCode::Timeout, "late")),
                json!({"code": 2801, "message": "late"}),
            ),
            (
                Event::GroupSystemNoticeReceived(Box::new(m.clone())),
                json!({"message": m, "type": 0}),
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(data(&event), expected);
        }
    }
}

#[cfg(test)]
mod receipt_tests {
    use super::*;
    use tim_proto::WireMessage;

    fn wire(conv: &str, to: &str, read: u32, unread: u32) -> WireMessage {
        WireMessage {
            need_read_receipt: true,
            read_count: read,
            unread_count: unread,
            ..crate::fixtures::text_message(conv, "alice", to)
        }
    }

    #[test]
    fn c2c_receipts_are_read_by_peer_and_group_ones_carry_the_counts() {
        match receipt_event(&[wire("C2Cbob", "bob", 1, 0)], "alice", &Default::default()) {
            Event::MessageReadByPeer(list) => {
                assert!(list[0].is_peer_read && list[0].read_receipt_info.is_peer_read)
            }
            other => panic!("{other:?}"),
        }
        let e = receipt_event(&[wire("GROUPg1", "g1", 2, 1)], "alice", &Default::default());
        assert_eq!(e.name(), event::MESSAGE_READ_RECEIPT_RECEIVED);
        let data = serde_json::to_value(e.data()).expect("encode");
        assert_eq!(
            data,
            serde_json::json!([{"groupID": "g1", "messageID": "m1", "readCount": 2, "unreadCount": 1}])
        );
    }
}
