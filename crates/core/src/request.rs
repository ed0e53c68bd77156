//! Client frames written by hand: byte for byte what `ClientFrame::to_json` writes (the tests
//! check every request), without the derived `Serialize` of the flattened, tagged `Request`.

use crate::json::Object;
use tim_proto::Request;

/// `{"id":…,"op":…,"args":{…}}` (no `args` for requests without data).
pub fn frame_json(id: u64, request: &Request) -> String {
    let frame = Object::new().field("id", &id).field("op", request.op());
    let id_field = |key: &str, value: &str| Object::new().field(key, value);
    let args = match request {
        Request::Logout | Request::GetConversationList | Request::GetGroupList | Request::Ping => {
            None
        }
        Request::Login {
            sdk_app_id,
            user_id,
            user_sig,
            protocol,
            resume_after,
        } => {
            let a = Object::new()
                .field("SDKAppID", sdk_app_id)
                .field("userID", user_id)
                .field("userSig", user_sig)
                .field("protocol", protocol);
            Some(match resume_after {
                Some(after) => a.field("resumeAfter", after),
                None => a,
            })
        }
        Request::SendMessage {
            conversation_id,
            id,
            body,
        } => Some(
            id_field("conversationID", conversation_id)
                .field("ID", id)
                .field("body", body),
        ),
        Request::GetConversation { conversation_id }
        | Request::ClearHistory { conversation_id }
        | Request::SetMessageRead { conversation_id } => {
            Some(id_field("conversationID", conversation_id))
        }
        Request::GetMessageList {
            conversation_id,
            next_req_message_id,
            count,
        } => Some(
            id_field("conversationID", conversation_id)
                .field("nextReqMessageID", next_req_message_id)
                .field("count", count),
        ),
        Request::DeleteConversation {
            conversation_id,
            op_id,
            up_to_seq,
        } => {
            let mut a = id_field("conversationID", conversation_id);
            if let Some(op_id) = op_id {
                a = a.field("opId", op_id);
            }
            if let Some(seq) = up_to_seq {
                a = a.field("upToSeq", seq);
            }
            Some(a)
        }
        Request::DeleteConversations {
            conversation_ids,
            clear_history,
        } => Some(
            Object::new()
                .field("conversationIDList", conversation_ids)
                .field("clearHistoryMessage", clear_history),
        ),
        Request::CreateGroup {
            group_id,
            name,
            kind,
            member_list,
        } => Some(
            Object::new()
                .field("groupID", group_id)
                .field("name", name)
                .field("type", kind)
                .field("memberList", member_list),
        ),
        Request::JoinGroup { group_id }
        | Request::QuitGroup { group_id }
        | Request::DismissGroup { group_id }
        | Request::GetGroupProfile { group_id } => Some(id_field("groupID", group_id)),
        Request::AddGroupMember { group_id, user_ids }
        | Request::DeleteGroupMember { group_id, user_ids } => {
            Some(id_field("groupID", group_id).field("userIDList", user_ids))
        }
    };
    match args {
        Some(args) => frame.raw("args", &args.end()),
        None => frame,
    }
    .end()
    .0
}

#[cfg(test)]
mod tests {
    use super::*;
    use tim_proto::model::WireBody;
    use tim_proto::ClientFrame;

    #[test]
    fn writes_what_the_derived_serialize_writes() {
        let s = |v: &str| v.to_owned();
        let requests = vec![
            Request::Login {
                sdk_app_id: 1400000001,
                user_id: s("alice"),
                user_sig: s("sig\"\\"),
                protocol: 1,
                resume_after: None,
            },
            Request::Login {
                sdk_app_id: 1,
                user_id: s("a"),
                user_sig: s("b"),
                protocol: 1,
                resume_after: Some(12),
            },
            Request::Logout,
            Request::SendMessage {
                conversation_id: s("C2Cbob"),
                id: s("m1"),
                body: WireBody::Text {
                    text: s("héllo\n\u{1}"),
                },
            },
            Request::SendMessage {
                conversation_id: s("@TIM#SYSTEM"),
                id: s("m2"),
                body: WireBody::GroupNotice {
                    operation_type: 4,
                    group_id: s("g"),
                    group_name: s("G"),
                    operator_id: s("o"),
                },
            },
            Request::GetConversationList,
            Request::GetConversation {
                conversation_id: s("C2Cbob"),
            },
            Request::GetMessageList {
                conversation_id: s("C2Cbob"),
                next_req_message_id: None,
                count: 15,
            },
            Request::GetMessageList {
                conversation_id: s("C2Cbob"),
                next_req_message_id: Some(s("m1")),
                count: 15,
            },
            Request::delete("C2Cbob"),
            Request::DeleteConversation {
                conversation_id: s("C2Cbob"),
                op_id: Some(s("op")),
                up_to_seq: Some(3),
            },
            Request::DeleteConversation {
                conversation_id: s("C2Cbob"),
                op_id: None,
                up_to_seq: Some(0),
            },
            Request::DeleteConversations {
                conversation_ids: vec![s("C2Ca"), s("C2Cb")],
                clear_history: false,
            },
            Request::ClearHistory {
                conversation_id: s("C2Cbob"),
            },
            Request::SetMessageRead {
                conversation_id: s("C2Cbob"),
            },
            Request::CreateGroup {
                group_id: None,
                name: s("G"),
                kind: s("Public"),
                member_list: vec![],
            },
            Request::CreateGroup {
                group_id: Some(s("g1")),
                name: s("G"),
                kind: s("Private"),
                member_list: vec![s("bob")],
            },
            Request::JoinGroup { group_id: s("g") },
            Request::QuitGroup { group_id: s("g") },
            Request::DismissGroup { group_id: s("g") },
            Request::GetGroupList,
            Request::GetGroupProfile { group_id: s("g") },
            Request::AddGroupMember {
                group_id: s("g"),
                user_ids: vec![s("a")],
            },
            Request::DeleteGroupMember {
                group_id: s("g"),
                user_ids: vec![],
            },
            Request::Ping,
        ];
        for (id, request) in requests.into_iter().enumerate() {
            let id = id as u64 * 1_000_000_007;
            let ours = frame_json(id, &request);
            assert_eq!(ours, ClientFrame { id, request }.to_json());
        }
    }
}
