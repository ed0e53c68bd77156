//! Hand-written decoding of what the server sends, for the browser SDK.
//!
//! The derived `Deserialize` of the tagged and flattened frame enums makes serde buffer every
//! frame in its private `Content` tree and costs tens of KB of wasm; here the frame is parsed once
//! into a `serde_json::Value` and taken apart by hand. It reads exactly what the derived
//! `Deserialize` reads (same names, same defaults, same required fields); the tests below check
//! both agree. The server keeps using the derived impls.

use crate::error_code::ErrorCode;
use crate::frame::{
    DeleteOutcome, DeleteResult, KickReason, LoggedEvent, Push, Reply, ServerFrame,
};
use crate::model::{WireBody, WireConversation, WireGroup, WireMessage};
use serde_json::{Map, Value};

/// A JSON object whose fields are taken out one by one.
pub struct Obj(Map<String, Value>);

impl Obj {
    pub fn new(v: Value) -> Option<Obj> {
        match v {
            Value::Object(m) => Some(Obj(m)),
            _ => None,
        }
    }

    /// Takes a field's value out (each field is read once; the map is not shrunk).
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.0.get_mut(key).map(Value::take)
    }

    /// A field that may be absent or null.
    fn present(&mut self, key: &str) -> Option<Value> {
        self.take(key).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.take(key)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn opt_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.present(key) {
            None => Some(None),
            Some(Value::String(s)) => Some(Some(s)),
            Some(_) => None,
        }
    }

    pub fn u64(&mut self, key: &str) -> Option<u64> {
        self.take(key)?.as_u64()
    }

    /// `#[serde(default)]` u64: absent is 0.
    pub fn u64_or_0(&mut self, key: &str) -> Option<u64> {
        match self.take(key) {
            None => Some(0),
            Some(v) => v.as_u64(),
        }
    }

    pub fn opt_u64(&mut self, key: &str) -> Option<Option<u64>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => v.as_u64().map(Some),
        }
    }

    pub fn u32(&mut self, key: &str) -> Option<u32> {
        u32::try_from(self.u64(key)?).ok()
    }

    pub fn i64(&mut self, key: &str) -> Option<i64> {
        self.take(key)?.as_i64()
    }

    pub fn f64(&mut self, key: &str) -> Option<f64> {
        self.take(key)?.as_f64()
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        self.take(key)?.as_bool()
    }

    /// `#[serde(default)]` bool: absent is false.
    pub fn bool_or_false(&mut self, key: &str) -> Option<bool> {
        match self.take(key) {
            None => Some(false),
            Some(v) => v.as_bool(),
        }
    }

    pub fn obj(&mut self, key: &str) -> Option<Obj> {
        Obj::new(self.take(key)?)
    }

    /// A list of `T`; with `default`, absent is empty.
    pub fn list<T>(
        &mut self,
        key: &str,
        default: bool,
        item: impl Fn(Value) -> Option<T>,
    ) -> Option<Vec<T>> {
        match self.take(key) {
            None if default => Some(Vec::new()),
            Some(Value::Array(items)) => items.into_iter().map(item).collect(),
            _ => None,
        }
    }

    pub fn strings(&mut self, key: &str, default: bool) -> Option<Vec<String>> {
        self.list(key, default, |v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
    }

    /// The value of a field holding `T` (absent or null is `None`).
    pub fn opt<T>(&mut self, key: &str, item: impl Fn(Value) -> Option<T>) -> Option<Option<T>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => item(v).map(Some),
        }
    }
}

impl WireBody {
    pub fn from_json(v: Value) -> Option<WireBody> {
        let mut o = Obj::new(v)?;
        match o.string("type")?.as_str() {
            "text" => Some(WireBody::Text {
                text: o.string("text")?,
            }),
            "groupNotice" => Some(WireBody::GroupNotice {
                operation_type: o.u32("operationType")?,
                group_id: o.string("groupID")?,
                group_name: o.string("groupName")?,
                operator_id: o.string("operatorID")?,
            }),
            _ => None,
        }
    }
}

impl WireMessage {
    pub fn from_json(v: Value) -> Option<WireMessage> {
        let mut o = Obj::new(v)?;
        Some(WireMessage {
            id: o.string("id")?,
            conversation_id: o.string("conversationID")?,
            from: o.string("from")?,
            to: o.string("to")?,
            seq: o.u64("seq")?,
            time: o.i64("time")?,
            body: WireBody::from_json(o.take("body")?)?,
        })
    }
}

impl WireGroup {
    pub fn from_json(v: Value) -> Option<WireGroup> {
        let mut o = Obj::new(v)?;
        Some(WireGroup {
            group_id: o.string("groupID")?,
            name: o.string("name")?,
            kind: o.string("type")?,
            owner_id: o.string("ownerID")?,
            member_count: o.u32("memberCount")?,
            create_time: o.i64("createTime")?,
            is_member: o.bool_or_false("isMember")?,
            dismissed: o.bool_or_false("dismissed")?,
        })
    }
}

impl WireConversation {
    pub fn from_json(v: Value) -> Option<WireConversation> {
        let mut o = Obj::new(v)?;
        Some(WireConversation {
            conversation_id: o.string("conversationID")?,
            unread_count: o.u32("unreadCount")?,
            last_message: o.opt("lastMessage", WireMessage::from_json)?,
            update_time: o.i64("updateTime")?,
            group: o.opt("group", WireGroup::from_json)?,
        })
    }
}

impl DeleteResult {
    pub fn from_json(v: Value) -> Option<DeleteResult> {
        let mut o = Obj::new(v)?;
        Some(DeleteResult {
            conversation_id: o.string("conversationID")?,
            outcome: match o.string("outcome")?.as_str() {
                "deleted" => DeleteOutcome::Deleted,
                "notFound" => DeleteOutcome::NotFound,
                "invalid" => DeleteOutcome::Invalid,
                _ => return None,
            },
            cleared_seq: o.u64_or_0("clearedSeq")?,
        })
    }
}

/// The `value` of a variant without data: absent or null.
fn unit(value: Option<Value>) -> Option<()> {
    match value {
        None | Some(Value::Null) => Some(()),
        Some(_) => None,
    }
}

impl Reply {
    /// A reply from its `kind` and `value`.
    pub fn from_json(kind: &str, value: Option<Value>) -> Option<Reply> {
        match kind {
            "done" => return unit(value).map(|()| Reply::Done),
            "pong" => return unit(value).map(|()| Reply::Pong),
            _ => {}
        }
        let mut o = Obj::new(value?)?;
        Some(match kind {
            "loggedIn" => Reply::LoggedIn {
                user_id: o.string("userID")?,
                server_time: o.i64("serverTime")?,
                sig_expires_at: o.i64("sigExpiresAt")?,
                latest_event: o.u64_or_0("latestEvent")?,
                missed: o.list("missed", true, LoggedEvent::from_json)?,
                resync_required: o.bool_or_false("resyncRequired")?,
            },
            "sent" => Reply::Sent {
                message: WireMessage::from_json(o.take("message")?)?,
            },
            "conversationList" => Reply::ConversationList {
                conversations: o.list("conversations", false, WireConversation::from_json)?,
            },
            "conversation" => Reply::Conversation {
                conversation: WireConversation::from_json(o.take("conversation")?)?,
            },
            "messageList" => Reply::MessageList {
                messages: o.list("messages", false, WireMessage::from_json)?,
                next_req_message_id: o.opt_string("nextReqMessageID")?,
                is_completed: o.bool("isCompleted")?,
            },
            "conversationDeleted" => Reply::ConversationDeleted {
                conversation_id: o.string("conversationID")?,
                cleared_seq: o.u64_or_0("clearedSeq")?,
            },
            "conversationsDeleted" => Reply::ConversationsDeleted {
                results: o.list("results", false, DeleteResult::from_json)?,
            },
            "group" => Reply::Group {
                group: WireGroup::from_json(o.take("group")?)?,
            },
            "groupList" => Reply::GroupList {
                groups: o.list("groups", false, WireGroup::from_json)?,
            },
            "membersChanged" => Reply::MembersChanged {
                succeeded: o.strings("successUserIDList", false)?,
                failed: o.strings("failureUserIDList", false)?,
                existed: o.strings("existedUserIDList", true)?,
                group: WireGroup::from_json(o.take("group")?)?,
            },
            "historyCleared" => Reply::HistoryCleared {
                conversation_id: o.string("conversationID")?,
                cleared_seq: o.u64("clearedSeq")?,
            },
            _ => return None,
        })
    }
}

impl Push {
    /// A push from its `kind` and `value`.
    pub fn from_json(kind: &str, value: Option<Value>) -> Option<Push> {
        if kind == "groupsChanged" {
            return unit(value).map(|()| Push::GroupsChanged);
        }
        let mut o = Obj::new(value?)?;
        Some(match kind {
            "message" => Push::Message {
                message: WireMessage::from_json(o.take("message")?)?,
            },
            "conversationDeleted" => Push::ConversationDeleted {
                conversation_id: o.string("conversationID")?,
                cleared_seq: o.u64_or_0("clearedSeq")?,
            },
            "historyCleared" => Push::HistoryCleared {
                conversation_id: o.string("conversationID")?,
                cleared_seq: o.u64("clearedSeq")?,
            },
            "conversationRead" => Push::ConversationRead {
                conversation_id: o.string("conversationID")?,
                read_seq: o.u64_or_0("readSeq")?,
            },
            "kicked" => Push::Kicked {
                reason: match o.string("reason")?.as_str() {
                    "userSigExpired" => KickReason::UserSigExpired,
                    _ => return None,
                },
            },
            _ => return None,
        })
    }
}

impl LoggedEvent {
    pub fn from_json(v: Value) -> Option<LoggedEvent> {
        let mut o = Obj::new(v)?;
        let ev = o.u64("ev")?;
        let kind = o.string("kind")?;
        let push = Push::from_json(&kind, o.take("value"))?;
        Some(LoggedEvent { ev, push })
    }
}

impl ServerFrame {
    /// Reads one frame's text; `None` when it is not a frame of a known shape.
    pub fn from_json_text(text: &str) -> Option<ServerFrame> {
        ServerFrame::from_json(serde_json::from_str(text).ok()?)
    }

    pub fn from_json(v: Value) -> Option<ServerFrame> {
        let mut o = Obj::new(v)?;
        match o.string("t")?.as_str() {
            "reply" => {
                let id = o.u64("id")?;
                let kind = o.string("kind")?;
                let reply = Reply::from_json(&kind, o.take("value"))?;
                Some(ServerFrame::Reply { id, reply })
            }
            "error" => Some(ServerFrame::Error {
                id: o.opt_u64("id")?,
                code: ErrorCode::try_from(o.u32("code")?).ok()?,
                message: o.string("message")?,
            }),
            "push" => {
                let ev = o.opt_u64("ev")?;
                let kind = o.string("kind")?;
                let push = Push::from_json(&kind, o.take("value"))?;
                Some(ServerFrame::Push { ev, push })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message() -> Value {
        json!({"id":"m1","conversationID":"C2Calice","from":"alice","to":"bob","seq":3,
               "time":1_700_000_000,"body":{"type":"text","text":"hi"}})
    }

    fn group() -> Value {
        json!({"groupID":"g1","name":"G","type":"Public","ownerID":"bob","memberCount":2,
               "createTime":5})
    }

    /// Reads each frame both ways: by hand, and with the derived `Deserialize`.
    fn both(v: Value) -> (Option<ServerFrame>, Option<ServerFrame>) {
        let text = v.to_string();
        (
            ServerFrame::from_json_text(&text),
            serde_json::from_str::<ServerFrame>(&text).ok(),
        )
    }

    #[test]
    fn agrees_with_the_derived_deserialize() {
        let notice = json!({"id":"m2","conversationID":"@TIM#SYSTEM","from":"@TIM#SYSTEM",
            "to":"alice","seq":1,"time":2,"body":{"type":"groupNotice","operationType":5,
            "groupID":"g1","groupName":"G","operatorID":"bob"}});
        let frames = vec![
            json!({"t":"reply","id":1,"kind":"sent","value":{"message":message()}}),
            json!({"t":"reply","id":2,"kind":"done"}),
            json!({"t":"reply","id":2,"kind":"pong","value":null}),
            json!({"t":"reply","id":3,"kind":"messageList","value":{"messages":[message(), notice],
                "nextReqMessageID":null,"isCompleted":true}}),
            json!({"t":"reply","id":3,"kind":"messageList","value":{"messages":[],
                "nextReqMessageID":"m1","isCompleted":false}}),
            json!({"t":"reply","id":3,"kind":"messageList","value":{"messages":[],
                "isCompleted":false}}),
            json!({"t":"reply","id":4,"kind":"loggedIn","value":{"userID":"alice",
                "serverTime":1,"sigExpiresAt":2,"latestEvent":12,"missed":[
                {"ev":11,"kind":"message","value":{"message":message()}},
                {"ev":12,"kind":"groupsChanged"},
                {"ev":13,"kind":"conversationRead","value":{"conversationID":"C2Cbob"}}],
                "resyncRequired":false}}),
            json!({"t":"reply","id":4,"kind":"loggedIn","value":{"userID":"alice",
                "serverTime":1,"sigExpiresAt":2}}),
            json!({"t":"reply","id":5,"kind":"conversationList","value":{"conversations":[
                {"conversationID":"C2Cbob","unreadCount":1,"lastMessage":message(),
                 "updateTime":3},
                {"conversationID":"GROUPg1","unreadCount":0,"lastMessage":null,
                 "updateTime":3,"group":group()}]}}),
            json!({"t":"reply","id":6,"kind":"conversation","value":{"conversation":
                {"conversationID":"C2Cbob","unreadCount":1,"updateTime":3}}}),
            json!({"t":"reply","id":7,"kind":"conversationDeleted","value":
                {"conversationID":"C2Cbob"}}),
            json!({"t":"reply","id":7,"kind":"conversationsDeleted","value":{"results":[
                {"conversationID":"C2Cbob","outcome":"deleted","clearedSeq":4},
                {"conversationID":"C2Cx","outcome":"notFound"},
                {"conversationID":"x","outcome":"invalid"}]}}),
            json!({"t":"reply","id":8,"kind":"group","value":{"group":group()}}),
            json!({"t":"reply","id":8,"kind":"groupList","value":{"groups":[group()]}}),
            json!({"t":"reply","id":9,"kind":"membersChanged","value":{
                "successUserIDList":["a"],"failureUserIDList":[],"group":group()}}),
            json!({"t":"reply","id":9,"kind":"historyCleared","value":{
                "conversationID":"C2Cbob","clearedSeq":9}}),
            json!({"t":"error","id":4,"code":2500,"message":"no such conversation"}),
            json!({"t":"error","id":null,"code":60003,"message":"bad"}),
            json!({"t":"error","code":60003,"message":"bad"}),
            json!({"t":"push","ev":9,"kind":"message","value":{"message":message()}}),
            json!({"t":"push","kind":"groupsChanged"}),
            json!({"t":"push","ev":3,"kind":"conversationDeleted","value":
                {"conversationID":"C2Cbob","clearedSeq":7}}),
            json!({"t":"push","ev":3,"kind":"historyCleared","value":
                {"conversationID":"C2Cbob","clearedSeq":7}}),
            json!({"t":"push","ev":3,"kind":"conversationRead","value":
                {"conversationID":"C2Cbob","readSeq":7}}),
            json!({"t":"push","kind":"kicked","value":{"reason":"userSigExpired"}}),
            json!({"t":"push","kind":"message","value":{"message":message()},"extra":1}),
        ];
        for f in frames {
            let (hand, derived) = both(f.clone());
            assert!(derived.is_some(), "{f}");
            assert_eq!(hand, derived, "{f}");
        }
    }

    #[test]
    fn refuses_what_the_derived_deserialize_refuses() {
        let bad = vec![
            json!([]),
            json!({"t":"nope"}),
            json!({"id":1,"kind":"done"}),
            json!({"t":"reply","kind":"done"}),
            json!({"t":"reply","id":1,"kind":"explode"}),
            json!({"t":"reply","id":1,"kind":"sent"}),
            json!({"t":"reply","id":1,"kind":"sent","value":{}}),
            json!({"t":"reply","id":1,"kind":"sent","value":{"message":{"id":"m"}}}),
            json!({"t":"reply","id":-1,"kind":"done"}),
            json!({"t":"reply","id":1.5,"kind":"done"}),
            json!({"t":"error","id":1,"code":1,"message":"unknown code"}),
            json!({"t":"error","id":1,"code":2500}),
            json!({"t":"push","kind":"kicked","value":{"reason":"other"}}),
            json!({"t":"push","kind":"conversationRead","value":{"conversationID":5}}),
            json!({"t":"push","kind":"message","value":{"message":{"id":"m1",
                "conversationID":"C2Calice","from":"alice","to":"bob","seq":3,"time":1,
                "body":{"type":"image"}}}}),
            json!({"t":"reply","id":4,"kind":"historyCleared","value":{
                "conversationID":"C2Cbob"}}),
            json!({"t":"reply","id":9,"kind":"membersChanged","value":{
                "successUserIDList":[1],"failureUserIDList":[],"group":group()}}),
        ];
        for f in bad {
            let (hand, derived) = both(f.clone());
            assert_eq!(derived, None, "{f}");
            assert_eq!(hand, None, "{f}");
        }
        assert_eq!(ServerFrame::from_json_text("{not json"), None);
    }
}
