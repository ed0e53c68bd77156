//! The group list the SDK keeps and GROUP_LIST_UPDATED (getGroupList and the other group calls
//! are rows of tim_core::calls).

use super::{unexpected, Inner};
use std::rc::Rc;
use tim_core::events::Event;
use tim_core::shapes::Group;
use tim_core::SdkError;
use tim_proto::model::WireGroup;
use tim_proto::{Reply, Request};

impl Inner {
    /// Fetches the group list and keeps it (see [`Inner::keep_groups`]).
    async fn fetch_groups(self: &Rc<Self>) -> Result<(), SdkError> {
        match self.request_idempotent(Request::GetGroupList).await? {
            Reply::GroupList { groups } => {
                self.keep_groups(groups);
                Ok(())
            }
            other => Err(unexpected(&other)),
        }
    }

    /// The user's groups as the server listed them; emits GROUP_LIST_UPDATED when they differ
    /// from the last list.
    pub(super) fn keep_groups(self: &Rc<Self>, groups: Vec<WireGroup>) {
        {
            let mut s = self.session_mut();
            if s.groups == groups {
                return;
            }
            let me = s
                .state
                .as_ref()
                .map(|s| s.me().to_owned())
                .unwrap_or_default();
            let shaped = groups.iter().map(|g| Group::from_wire(g, &me)).collect();
            s.groups = groups;
            s.events.push(Event::GroupListUpdated(shaped));
        }
        self.schedule_dispatch();
    }

    /// After a group call of ours: the list is fetched again (and the event emitted).
    pub(super) async fn groups_changed(self: &Rc<Self>) {
        // A failure here only delays the event until the next change; the call itself succeeded.
        let _ = self.fetch_groups().await;
    }

    /// The server pushed `groupsChanged`: fetch the list in the background.
    pub(super) fn refresh_groups_if_stale(self: &Rc<Self>) {
        let stale = std::mem::take(&mut self.session_mut().groups_stale);
        if stale {
            let me = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                me.groups_changed().await;
            });
        }
    }
}
