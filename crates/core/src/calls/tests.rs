use super::*;
use crate::fixtures;
use serde_json::json;
use tim_proto::frame::ReadScope;
use tim_proto::model::WireGroup;
use tim_proto::WireMessage;

fn state_with_unread(ids: &[&str]) -> ConversationState {
    let mut s = ConversationState::new("alice");
    for (i, id) in ids.iter().enumerate() {
        let peer = id.trim_start_matches("C2C");
        s.apply_message(
            &WireMessage {
                id: format!("m{i}"),
                ..fixtures::text_message(id, peer, "alice")
            },
            true,
        );
    }
    s
}

fn group(id: &str) -> WireGroup {
    WireGroup {
        group_id: id.into(),
        name: "G".into(),
        kind: "Public".into(),
        owner_id: "bob".into(),
        member_count: 2,
        create_time: 1,
        is_member: true,
        dismissed: false,
        profile: Vec::new(),
    }
}

#[test]
fn every_name_is_prepared_by_its_family() {
    for name in NAMES {
        // Whatever the arguments, a listed name is never answered "not a method".
        let e = prepare(name, &json!(42)).err();
        assert!(
            e.as_ref().map(|e| e.code) != Some(ErrorCode::NotSupported),
            "{name}: {e:?}"
        );
    }
}

#[test]
fn an_unknown_name_is_2905() {
    let e = prepare("getFriendList", &Value::Null).expect_err("unknown");
    assert_eq!(e.code, ErrorCode::NotSupported);
    assert!(e.message.contains("getFriendList"));
}

#[test]
fn bad_arguments_are_refused_with_codes() {
    for (name, arg) in [
        ("setAllMessageRead", json!({ "scope": "everything" })),
        ("setAllMessageRead", json!("all")),
        ("joinGroup", json!({})),
        ("quitGroup", json!(7)),
        ("dismissGroup", json!("")),
        ("getGroupProfile", json!({ "groupID": 1 })),
        ("pinConversation", json!({ "conversationID": "C2Cbob" })),
        (
            "pinConversation",
            json!({ "conversationID": "C2Cbob", "isPinned": "yes" }),
        ),
        ("pinConversation", json!("C2Cbob")),
        (
            "setConversationDraft",
            json!({ "conversationID": "C2Cbob" }),
        ),
        (
            "setConversationDraft",
            json!({ "conversationID": "C2Cbob", "draftText": 5 }),
        ),
    ] {
        let e = prepare(name, &arg).expect_err(name);
        assert!(
            matches!(
                e.code,
                ErrorCode::InvalidParameter | ErrorCode::InvalidGroupId
            ),
            "{name} {arg}: {e:?}"
        );
    }
}

#[test]
fn set_all_message_read_reads_the_unread_of_its_scope() {
    let p = prepare(
        "setAllMessageRead",
        &json!({ "scope": "readAllC2CMessage" }),
    )
    .expect("ok");
    assert!(p.idempotent && !p.refresh_groups);
    assert!(matches!(
        p.send,
        Send::Request(Request::SetAllMessageRead {
            scope: ReadScope::C2c
        })
    ));
    let state = state_with_unread(&["C2Cbob", "C2Ccarol"]);
    let done = p.finish(Reply::Done, &state).expect("finished");
    let mut read: Vec<_> = done
        .notes
        .iter()
        .map(|n| match n {
            TabNote::Read { conversation_id } => conversation_id.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    read.sort();
    assert_eq!(read, ["C2Cbob", "C2Ccarol"]);
    assert_eq!(serde_json::to_value(&done.data).expect("json"), json!({}));
}

#[test]
fn group_calls_shape_their_results() {
    let state = ConversationState::new("alice");
    let p = prepare("joinGroup", &json!({ "groupID": "g1" })).expect("ok");
    assert!(p.refresh_groups && !p.idempotent);
    let joined = p
        .finish(Reply::Group { group: group("g1") }, &state)
        .expect("joined");
    let v = serde_json::to_value(&joined.data).expect("json");
    assert_eq!(v["status"], "JoinedSuccess");
    assert_eq!(v["group"]["groupID"], "g1");

    let p = prepare("quitGroup", &json!("g1")).expect("ok");
    assert!(p.refresh_groups);
    let quit = p.finish(Reply::Done, &state).expect("quit");
    assert_eq!(
        serde_json::to_value(&quit.data).expect("json"),
        json!({ "groupID": "g1" })
    );

    let p = prepare("getGroupProfile", &json!({ "groupID": "g1" })).expect("ok");
    assert!(p.idempotent && !p.refresh_groups);
    let got = p
        .finish(Reply::Group { group: group("g1") }, &state)
        .expect("profile");
    assert_eq!(
        serde_json::to_value(&got.data).expect("json")["group"]["ownerID"],
        "bob"
    );
}

#[test]
fn get_group_list_resolves_the_list_and_hands_it_over_to_keep() {
    let state = ConversationState::new("alice");
    let p = prepare("getGroupList", &Value::Null).expect("ok");
    assert!(p.idempotent && !p.refresh_groups);
    let groups = vec![group("g1"), group("g2")];
    let done = p
        .finish(
            Reply::GroupList {
                groups: groups.clone(),
            },
            &state,
        )
        .expect("list");
    let v = serde_json::to_value(&done.data).expect("json");
    assert_eq!(v["groupList"][1]["groupID"], "g2");
    assert_eq!(done.groups, Some(groups));
    let p = prepare("getGroupList", &Value::Null).expect("ok");
    assert_eq!(
        p.finish(Reply::Done, &state).expect_err("unexpected").code,
        ErrorCode::Internal
    );
}

#[test]
fn pin_conversation_checks_its_id_and_pins_here_at_once() {
    let e = prepare(
        "pinConversation",
        &json!({ "conversationID": "bob", "isPinned": true }),
    )
    .expect_err("bad ID");
    assert_eq!(e.code, ErrorCode::InvalidConversationId);
    let p = prepare(
        "pinConversation",
        &json!({ "conversationID": "C2Cbob", "isPinned": true }),
    )
    .expect("ok");
    assert!(p.idempotent && !p.refresh_groups);
    assert_eq!(
        p.send,
        Send::Request(Request::PinConversation {
            conversation_id: "C2Cbob".into(),
            pinned: true
        })
    );
    let state = state_with_unread(&["C2Cbob"]);
    let done = p.finish(Reply::Done, &state).expect("pinned");
    assert_eq!(
        serde_json::to_value(&done.data).expect("json"),
        json!({ "conversationID": "C2Cbob" })
    );
    assert!(done.notes.is_empty());
    assert_eq!(done.local, Some(Local::Pinned("C2Cbob".into(), true)));
}

#[test]
fn an_unexpected_answer_is_an_internal_error_not_a_result() {
    let state = ConversationState::new("alice");
    let p = prepare("dismissGroup", &json!("g1")).expect("ok");
    let e = p
        .finish(Reply::Group { group: group("g1") }, &state)
        .expect_err("unexpected");
    assert_eq!(e.code, ErrorCode::Internal);
    let p = prepare("getGroupProfile", &json!("g1")).expect("ok");
    assert_eq!(
        p.finish(Reply::Done, &state).expect_err("unexpected").code,
        ErrorCode::Internal
    );
}

fn msg(id: &str, conv: &str) -> Value {
    json!({"ID": id, "conversationID": conv, "payload": {"text": "new"}, "flow": "out"})
}

#[test]
fn message_edits_send_the_apps_message_objects_as_they_are() {
    for name in [
        "revokeMessage",
        "modifyMessage",
        "deleteMessage",
        "sendMessageReadReceipt",
        "getMessageReadReceiptList",
    ] {
        // Whatever the argument: the server reads and checks it (tests/message_options.rs).
        let p = prepare(name, &json!("anything")).expect(name);
        assert_eq!(p.send, Send::Options, "{name} sends the options");
        assert!(p.idempotent, "{name}");
        assert!(tim_proto::frame::SENT_AS_OPTIONS.contains(&name));
    }
}

#[test]
fn edits_resolve_with_the_stored_message_and_deletes_with_what_was_given() {
    let state = ConversationState::new("alice");
    let stored = WireMessage {
        revoked: true,
        ..alice_to_bob_m1()
    };
    let p = prepare("revokeMessage", &msg("m1", "C2Cbob")).expect("revoke");
    let done = p
        .finish(Reply::Sent { message: stored }, &state)
        .expect("finish");
    match done.data {
        Data::Message(m) => assert!(m.is_revoked && m.id == "m1" && m.flow == "out"),
        other => panic!("{other:?}"),
    }
    let p = prepare("deleteMessage", &json!([msg("a", "C2Cbob")])).expect("delete");
    let done = p.finish(Reply::Done, &state).expect("finish");
    assert!(matches!(done.data, Data::Given("messageList")));
    // Once done, the messages' mentions leave the conversation's groupAtInfoList here.
    let mut two = [msg("a", "GROUPg"), msg("b", "GROUPg")];
    two[0]["sequence"] = json!(4);
    two[1]["sequence"] = json!(9);
    let p = prepare("deleteMessage", &json!(two)).expect("delete");
    let done = p.finish(Reply::Done, &state).expect("finish");
    assert_eq!(
        done.local,
        Some(Local::Unmention("GROUPg".into(), vec![4, 9]))
    );
    let p = prepare("deleteMessage", &json!([msg("a", "C2Cbob")])).expect("delete");
    assert_eq!(
        p.finish(Reply::Pong, &state).expect_err("unexpected").code,
        ErrorCode::Internal
    );
}

#[test]
fn receipts_resolve_with_what_was_given_and_the_counts_as_stored() {
    let state = ConversationState::new("alice");
    let p = prepare("sendMessageReadReceipt", &json!([msg("a", "C2Cbob")])).expect("receipt");
    let done = p.finish(Reply::Done, &state).expect("finish");
    assert!(matches!(done.data, Data::Given("messageList")));
    let stored = WireMessage {
        need_read_receipt: true,
        read_count: 1,
        ..alice_to_bob_m1()
    };
    let p = prepare("getMessageReadReceiptList", &json!([msg("m1", "C2Cbob")])).expect("list");
    let reply = Reply::MessageList {
        messages: vec![stored],
        next_req_message_id: None,
        is_completed: true,
    };
    match p.finish(reply, &state).expect("finish").data {
        Data::MessageList(list) => {
            assert_eq!(list.len(), 1);
            let m = &list[0];
            assert!(m.need_read_receipt && m.is_peer_read && m.read_receipt_info.is_peer_read);
            assert_eq!(
                (
                    m.read_receipt_info.read_count,
                    m.read_receipt_info.unread_count
                ),
                (1, 0)
            );
        }
        other => panic!("{other:?}"),
    }
    let p = prepare("getMessageReadReceiptList", &json!([])).expect("list");
    assert_eq!(
        p.finish(Reply::Done, &state).expect_err("unexpected").code,
        ErrorCode::Internal
    );
}

#[test]
fn set_message_remind_type_is_passed_through_and_set_here_by_its_push() {
    assert_eq!(passed_through("setMessageRemindType"), Some(true));
    let mut state = state_with_unread(&["C2Cbob", "C2Ccarol"]);
    assert_eq!(state.total_unread(), 2);
    // The push every session gets (the setting one too): the setting, then the IDs.
    let parts: Vec<String> = ["AcceptNotNotify", "C2Cbob", "C2Cerin"]
        .map(String::from)
        .into();
    let change = state.set_remind(&parts);
    assert!(change.list && change.total_unread);
    // Muted: its unread still counts in the conversation, not in the total.
    let bob = state.get("C2Cbob").expect("bob");
    assert_eq!(bob.message_remind_type, "AcceptNotNotify");
    assert_eq!(bob.unread_count, 1);
    assert_eq!(state.total_unread(), 1);
    assert_eq!(
        state.get("C2Ccarol").expect("carol").message_remind_type,
        "AcceptAndNotify"
    );
}

#[test]
fn set_conversation_draft_is_local_and_needs_a_listed_conversation() {
    let e = prepare(
        "setConversationDraft",
        &json!({ "conversationID": "bob", "draftText": "x" }),
    )
    .expect_err("bad ID");
    assert_eq!(e.code, ErrorCode::InvalidConversationId);
    let mut state = state_with_unread(&["C2Cbob"]);
    let draft = |id: &str, text: &str| {
        prepare(
            "setConversationDraft",
            &json!({ "conversationID": id, "draftText": text }),
        )
        .expect("ok")
    };
    let p = draft("C2Cerin", "hi");
    assert_eq!(p.send, Send::Nothing, "never sent");
    let e = p.finish(Reply::Done, &state).expect_err("not listed");
    assert_eq!(e.code, ErrorCode::ConversationNotFound);

    state.take_dirty();
    let done = draft("C2Cbob", "half a thought")
        .finish(Reply::Done, &state)
        .expect("set");
    assert_eq!(
        serde_json::to_value(&done.data).expect("json"),
        json!({ "conversationID": "C2Cbob" })
    );
    assert!(done.local.expect("local").apply(&mut state).list);
    assert_eq!(
        state.get("C2Cbob").expect("bob").draft_text,
        "half a thought"
    );
    assert_eq!(state.list()[0].draft_text, "half a thought");
    assert!(state.take_dirty().upserts.is_empty(), "not cached");
    // The server's view of it keeps the draft (getConversationProfile, a fresh list).
    let server_view = || tim_proto::WireConversation {
        unread_count: 1,
        update_time: 1,
        ..fixtures::conversation("C2Cbob")
    };
    let p = prepare("getConversationProfile", &json!("C2Cbob")).expect("ok");
    let reply = Reply::Conversation {
        conversation: server_view(),
    };
    let done = p.finish(reply, &state).expect("profile");
    assert_eq!(
        serde_json::to_value(&done.data).expect("json")["conversation"]["draftText"],
        "half a thought"
    );
    done.local.expect("upsert").apply(&mut state);
    state.replace_all(vec![server_view()]);
    assert_eq!(
        state.get("C2Cbob").expect("bob").draft_text,
        "half a thought"
    );
    // Cleared by an empty text; gone with its conversation.
    let done = draft("C2Cbob", "")
        .finish(Reply::Done, &state)
        .expect("set");
    done.local.expect("local").apply(&mut state);
    assert_eq!(state.get("C2Cbob").expect("bob").draft_text, "");
    let done = draft("C2Cbob", "again")
        .finish(Reply::Done, &state)
        .expect("set");
    done.local.expect("local").apply(&mut state);
    state.delete("C2Cbob", 1);
    state.apply_message(
        &WireMessage {
            id: "m9".into(),
            seq: 2,
            time: 2,
            ..fixtures::text_message("C2Cbob", "bob", "alice")
        },
        true,
    );
    assert_eq!(
        state.get("C2Cbob").expect("back").draft_text,
        "",
        "a deletion drops it"
    );
}

/// Message m1 of alice's C2C conversation with bob as the server stores it (no edits, no receipt).
fn alice_to_bob_m1() -> WireMessage {
    WireMessage {
        seq: 3,
        ..fixtures::text_message("C2Cbob", "alice", "bob")
    }
}
