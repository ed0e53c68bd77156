//! Group roles and profiles on the store, on both engines: setGroupMemberRole,
//! changeGroupOwner, updateGroupProfile, and the member list they show; each refusal writes
//! nothing.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::engines::TestDb;
use std::sync::Arc;
use tim_proto::group_profile::{GroupPatch, P_INTRODUCTION, P_JOIN_OPTION, P_MUTE_ALL, P_ROLE};
use tim_proto::model::{notice, WireBody};
use tim_proto::Push;
use tim_server::store::{App, GroupEdit, GroupRefusal, GroupType, NewGroup, Store};

const APP: u64 = 7;

fn open_on(db: &TestDb) -> Arc<dyn Store> {
    let store = db.open();
    store
        .create_app(&App {
            sdk_app_id: APP,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: false,
            created_at: 0,
        })
        .expect("app");
    store
}

fn group(s: &dyn Store, id: &str, kind: GroupType) {
    let new = NewGroup {
        group_id: id.into(),
        name: "G".into(),
        kind,
        owner: "alice".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    assert!(s.create_group(APP, &new, 10).expect("create").is_ok());
}

fn roles(s: &dyn Store, id: &str) -> Vec<(String, String)> {
    s.group_members(APP, id, "alice")
        .expect("members")
        .expect("a member asks")
        .into_iter()
        .map(|m| (m.user_id, m.role))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
}

fn role_edit(user: &str, admin: bool) -> GroupEdit {
    GroupEdit::Role {
        user_id: user.into(),
        admin,
    }
}

fn roles_and_owners_change_only_as_allowed(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    group(s, "pub", GroupType::Public);
    group(s, "work", GroupType::Private);
    let start = pairs(&[("alice", "Owner"), ("bob", "Member"), ("carol", "Member")]);
    assert_eq!(roles(s, "pub"), start);
    let edit = |by: &str, id: &str, e: GroupEdit| s.edit_group(APP, id, by, &e, 11).expect("edit");
    // Refusals: not the owner, a Work group, the owner's own role, a non-member, no group.
    let refused = [
        (
            edit("bob", "pub", role_edit("carol", true)),
            GroupRefusal::NotOwner,
        ),
        (
            edit("alice", "work", role_edit("bob", true)),
            GroupRefusal::NotForPrivate,
        ),
        (
            edit("alice", "pub", role_edit("alice", false)),
            GroupRefusal::OwnerRole,
        ),
        (
            edit("alice", "pub", role_edit("zed", true)),
            GroupRefusal::TargetNotMember,
        ),
        (
            edit("zed", "pub", role_edit("bob", true)),
            GroupRefusal::NotMember,
        ),
        (
            edit("alice", "nope", role_edit("bob", true)),
            GroupRefusal::NotFound,
        ),
        (
            edit("bob", "pub", GroupEdit::Owner("carol".into())),
            GroupRefusal::NotOwner,
        ),
        (
            edit("alice", "pub", GroupEdit::Owner("alice".into())),
            GroupRefusal::OwnerRole,
        ),
        (
            edit("alice", "pub", GroupEdit::Owner("zed".into())),
            GroupRefusal::TargetNotMember,
        ),
    ];
    for (outcome, want) in refused {
        assert_eq!(outcome.err(), Some(want));
    }
    assert_eq!(roles(s, "pub"), start, "refusals changed nothing");

    let made = edit("alice", "pub", role_edit("bob", true)).expect("admin");
    assert_eq!(made.groups_changed, ["bob"]);
    let [event] = made.events.as_slice() else {
        panic!("{:?}", made.events)
    };
    assert_eq!(event.user_id, "bob");
    let Push::Message { message } = &event.push else {
        panic!()
    };
    let WireBody::GroupNotice { operation_type, .. } = &message.body else {
        panic!()
    };
    assert_eq!(*operation_type, notice::SET_ADMIN);
    assert_eq!(made.value.profile[P_ROLE], "Owner", "the caller's view");
    let bob_view = s.group_profile(APP, "pub", "bob").expect("p").expect("g");
    assert_eq!(bob_view.profile[P_ROLE], "Admin");
    // Again: nothing changes, nobody is told.
    let again = edit("alice", "pub", role_edit("bob", true)).expect("again");
    assert!(again.events.is_empty() && again.groups_changed.is_empty());

    // The owner hands the group to the admin: bob owns it (no admin flag), alice is a member.
    let handed = edit("alice", "pub", GroupEdit::Owner("bob".into())).expect("handed");
    assert_eq!(handed.value.owner_id, "bob");
    assert_eq!(handed.value.profile[P_ROLE], "Member");
    assert_eq!(handed.groups_changed.len(), 3, "everyone's ownerID changed");
    assert_eq!(
        roles(s, "pub"),
        pairs(&[("alice", "Member"), ("bob", "Owner"), ("carol", "Member")])
    );
    assert_eq!(
        edit("alice", "pub", role_edit("carol", true)).err(),
        Some(GroupRefusal::NotOwner)
    );
}

fn profiles_are_set_by_owner_or_admin(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    group(s, "pub", GroupType::Public);
    group(s, "work", GroupType::Private);
    let patch = |intro: &str| GroupPatch {
        group_id: "pub".into(),
        introduction: Some(intro.into()),
        ..GroupPatch::default()
    };
    let edit = |by: &str, id: &str, p: GroupPatch| {
        s.edit_group(APP, id, by, &GroupEdit::Profile(p), 11)
            .expect("edit")
    };
    assert_eq!(
        edit("bob", "pub", patch("x")).err(),
        Some(GroupRefusal::NotAdmin)
    );
    let work_join = GroupPatch {
        join_option: Some("FreeAccess".into()),
        ..patch("x")
    };
    assert_eq!(
        edit("alice", "work", work_join).err(),
        Some(GroupRefusal::NotForPrivate)
    );
    let before = s.group_profile(APP, "pub", "bob").expect("p").expect("g");
    assert_eq!(before.profile[P_INTRODUCTION], "");
    assert_eq!(before.profile[P_JOIN_OPTION], "FreeAccess");
    let work = s.group_profile(APP, "work", "bob").expect("p").expect("g");
    assert_eq!(work.profile[P_JOIN_OPTION], "DisableApply");

    let admin = role_edit("bob", true);
    assert!(s
        .edit_group(APP, "pub", "alice", &admin, 11)
        .expect("e")
        .is_ok());
    let done = edit(
        "bob",
        "pub",
        GroupPatch {
            name: Some("New".into()),
            join_option: Some("DisableApply".into()),
            mute_all_members: Some(true),
            ..patch("hello")
        },
    )
    .expect("an admin may");
    assert_eq!(done.groups_changed.len(), 3, "every member's list changes");
    assert!(done.events.is_empty());
    let seen = s.group_profile(APP, "pub", "carol").expect("p").expect("g");
    assert_eq!(seen.name, "New");
    assert_eq!(seen.profile[P_INTRODUCTION], "hello");
    assert_eq!(seen.profile[P_JOIN_OPTION], "DisableApply");
    assert_eq!(seen.profile[P_MUTE_ALL], "1");
    assert_eq!(seen.profile[P_ROLE], "Member");
    // DisableApply: nobody joins by themselves any more; fields not given stay.
    assert_eq!(
        s.join_group(APP, "pub", "dave", 12).expect("join").err(),
        Some(GroupRefusal::JoinByInvitation)
    );
    let only_intro = edit("alice", "pub", patch("bye")).expect("owner");
    assert_eq!(only_intro.value.name, "New");
    assert_eq!(only_intro.value.profile[P_INTRODUCTION], "bye");
    assert_eq!(only_intro.value.profile[P_MUTE_ALL], "1");
}

fn member_lists_are_for_members(db: TestDb) {
    let s = open_on(&db);
    let s = s.as_ref();
    group(s, "pub", GroupType::Public);
    assert_eq!(
        s.group_members(APP, "pub", "zed").expect("m").err(),
        Some(GroupRefusal::NotMember)
    );
    assert_eq!(
        s.group_members(APP, "nope", "alice").expect("m").err(),
        Some(GroupRefusal::NotFound)
    );
    let members = s.group_members(APP, "pub", "bob").expect("m").expect("ok");
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| m.join_time == 10));
    assert!(s.dismiss_group(APP, "pub", "alice", 12).expect("d").is_ok());
    assert_eq!(
        s.group_members(APP, "pub", "bob").expect("m").err(),
        Some(GroupRefusal::Dismissed)
    );
}

for_each_engine!(
    roles_and_owners_change_only_as_allowed,
    profiles_are_set_by_owner_or_admin,
    member_lists_are_for_members,
);
