//! The documented Conversation shape.

use super::{conversation_type, Payload};
use crate::constants::types;
use crate::files::FileLinks;
use serde::Serialize;
use tim_proto::model::at_info_number;
use tim_proto::{WireConversation, WireMessage};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    pub from_account: String,
    pub is_revoked: bool,
    pub last_sequence: u64,
    pub last_time: i64,
    pub message_for_show: String,
    pub payload: Option<Payload>,
    #[serde(rename = "type")]
    pub kind: String,
}

impl LastMessage {
    fn blank() -> LastMessage {
        LastMessage {
            last_time: 0,
            last_sequence: 0,
            from_account: String::new(),
            message_for_show: String::new(),
            payload: None,
            kind: String::new(),
            is_revoked: false,
        }
    }

    fn from_wire(w: &WireMessage, links: &FileLinks) -> LastMessage {
        let (payload, kind) = Payload::from_wire(&w.body, links);
        LastMessage {
            last_time: w.time,
            last_sequence: w.seq,
            from_account: w.from.clone(),
            message_for_show: payload.for_show(),
            payload: Some(payload),
            kind: kind.to_owned(),
            is_revoked: w.revoked,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub avatar: String,
    pub nick: String,
    #[serde(rename = "userID")]
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupProfile {
    pub avatar: String,
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// One unread message that @-mentions the user (Tencent's GroupAtInfo).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupAtInfo {
    /// One of `TIM.TYPES.CONV_AT_ME / CONV_AT_ALL / CONV_AT_ALL_AT_ME`.
    pub at_type_array: Vec<u64>,
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub message_sequence: u64,
}

/// A conversation list entry as the documented API shapes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub custom_data: String,
    /// setConversationDraft's text: this tab's only (never sent), empty when none.
    pub draft_text: String,
    /// The unread messages that @-mention the user, oldest first (empty but for groups).
    pub group_at_info_list: Vec<GroupAtInfo>,
    /// GROUP only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_profile: Option<GroupProfile>,
    pub is_pinned: bool,
    pub last_message: LastMessage,
    pub mark_list: Vec<String>,
    pub message_remind_type: String,
    pub peer_read_time: i64,
    pub remark: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub unread_count: u32,
    /// C2C only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_profile: Option<UserProfile>,
}

impl Conversation {
    pub fn from_wire(w: &WireConversation, links: &FileLinks) -> Conversation {
        let kind = conversation_type(&w.conversation_id);
        let user_profile = (kind == types::CONV_C2C).then(|| UserProfile {
            user_id: w
                .conversation_id
                .strip_prefix(types::CONV_C2C)
                .unwrap_or_default()
                .to_owned(),
            nick: w.peer_nick.clone(),
            avatar: w.peer_avatar.clone(),
        });
        let group_id = w
            .conversation_id
            .strip_prefix(types::CONV_GROUP)
            .unwrap_or_default();
        let group_profile = (kind == types::CONV_GROUP).then(|| GroupProfile {
            group_id: group_id.to_owned(),
            name: w
                .group
                .as_ref()
                .map_or_else(|| group_id.to_owned(), |g| g.name.clone()),
            kind: w.group.as_ref().map(|g| g.kind.clone()).unwrap_or_default(),
            avatar: w.group.as_ref().map_or_else(String::new, |g| {
                g.profile_at(tim_proto::group_profile::P_AVATAR)
            }),
        });
        let mut group_at_info_list = Vec::new();
        for pair in w.at_info.chunks_exact(2) {
            group_at_info_list.push(GroupAtInfo {
                group_id: group_id.to_owned(),
                message_sequence: at_info_number(&pair[0]),
                at_type_array: vec![at_info_number(&pair[1])],
            });
        }
        Conversation {
            group_at_info_list,
            conversation_id: w.conversation_id.clone(),
            kind: kind.to_owned(),
            unread_count: w.unread_count,
            last_message: w
                .last_message
                .as_ref()
                .map_or_else(LastMessage::blank, |m| LastMessage::from_wire(m, links)),
            user_profile,
            group_profile,
            is_pinned: w.pinned,
            peer_read_time: 0,
            remark: String::new(),
            message_remind_type: if w.remind_type.is_empty() {
                types::MSG_REMIND_ACPT_AND_NOTE.to_owned()
            } else {
                w.remind_type.clone()
            },
            mark_list: Vec::new(),
            custom_data: String::new(),
            draft_text: w.draft_text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use tim_proto::model::{WireBody, WireGroup};

    fn wire(from: &str, conv: &str) -> WireMessage {
        WireMessage {
            seq: 4,
            time: 1_700_000_000,
            body: WireBody::Text { text: "hi".into() },
            ..fixtures::text_message(conv, from, "alice")
        }
    }

    fn conv(id: &str, last: Option<WireMessage>, group: Option<WireGroup>) -> WireConversation {
        WireConversation {
            unread_count: 2,
            last_message: last,
            update_time: 5,
            group,
            ..fixtures::conversation(id)
        }
    }

    #[test]
    fn c2c_shape_with_and_without_last_message() {
        let c = Conversation::from_wire(
            &conv("C2Cbob", Some(wire("bob", "C2Cbob")), None),
            &FileLinks::default(),
        );
        let v = serde_json::to_value(&c).expect("encode");
        assert_eq!(v["conversationID"], "C2Cbob");
        assert_eq!(v["type"], "C2C");
        assert_eq!(v["unreadCount"], 2);
        assert_eq!(v["userProfile"]["userID"], "bob");
        assert!(v.get("groupProfile").is_none());
        assert_eq!(v["lastMessage"]["messageForShow"], "hi");
        assert_eq!(v["lastMessage"]["lastSequence"], 4);
        assert_eq!(v["lastMessage"]["fromAccount"], "bob");

        assert_eq!(
            serde_json::to_string(&c).expect("encode"),
            v.to_string(),
            "fields in sorted order"
        );

        let empty = Conversation::from_wire(&conv("C2Cbob", None, None), &FileLinks::default());
        let v = serde_json::to_value(&empty).expect("encode");
        assert_eq!(v["lastMessage"]["lastTime"], 0);
        assert_eq!(v["lastMessage"]["payload"], serde_json::Value::Null);
    }

    #[test]
    fn group_at_info_list_from_the_pairs() {
        let mut w = conv("GROUPg1", Some(wire("bob", "GROUPg1")), None);
        w.at_info = ["3", "1", "4", "3"].map(String::from).to_vec();
        let v = serde_json::to_value(Conversation::from_wire(&w, &FileLinks::default()))
            .expect("encode");
        assert_eq!(
            v["groupAtInfoList"],
            serde_json::json!([
                {"atTypeArray": [1], "groupID": "g1", "messageSequence": 3},
                {"atTypeArray": [3], "groupID": "g1", "messageSequence": 4},
            ])
        );
        let c2c = Conversation::from_wire(&conv("C2Cbob", None, None), &FileLinks::default());
        assert!(c2c.group_at_info_list.is_empty());
        let v = serde_json::to_value(&c2c).expect("encode");
        assert_eq!(v["groupAtInfoList"], serde_json::json!([]), "always there");
    }

    #[test]
    fn group_and_system_shapes() {
        let g = Conversation::from_wire(
            &conv(
                "GROUPg1",
                Some(wire("bob", "GROUPg1")),
                Some(WireGroup {
                    group_id: "g1".into(),
                    name: "Friends".into(),
                    kind: "Public".into(),
                    owner_id: "bob".into(),
                    member_count: 3,
                    create_time: 1,
                    is_member: true,
                    dismissed: false,
                    profile: tim_proto::group_profile::profile_list(
                        "Member",
                        "",
                        "",
                        "https://a/g.png",
                        "FreeAccess",
                        false,
                    ),
                }),
            ),
            &FileLinks::default(),
        );
        let v = serde_json::to_value(&g).expect("encode");
        assert_eq!(
            serde_json::to_string(&g).expect("encode"),
            v.to_string(),
            "fields in sorted order"
        );
        assert_eq!(v["type"], "GROUP");
        assert_eq!(v["groupProfile"]["groupID"], "g1");
        assert_eq!(v["groupProfile"]["name"], "Friends");
        assert_eq!(v["groupProfile"]["type"], "Public");
        assert_eq!(
            v["groupProfile"]["avatar"], "https://a/g.png",
            "the group's avatar"
        );
        assert!(v.get("userProfile").is_none());
        let s = Conversation::from_wire(&conv("@TIM#SYSTEM", None, None), &FileLinks::default());
        assert_eq!(s.kind, "@TIM#SYSTEM");
        assert!(s.user_profile.is_none() && s.group_profile.is_none());
    }
}
