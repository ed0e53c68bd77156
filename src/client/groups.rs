//! getGroupList and GROUP_LIST_UPDATED (the other group calls are in tim_core::calls).

use super::{unexpected, Inner, Outcome};
use crate::js::Object;
use std::rc::Rc;
use tim_core::events::Event;
use tim_core::shapes::Group;
use tim_core::SdkError;
use tim_proto::model::WireGroup;
use tim_proto::{Reply, Request};

impl Inner {
    pub async fn get_group_list(self: Rc<Self>) -> Outcome {
        self.check_ready()?;
        let groups = self.fetch_groups().await?;
        Ok(Object::new().field("groupList", &groups).end())
    }

    /// Fetches the group list; emits GROUP_LIST_UPDATED when it differs from the last one.
    async fn fetch_groups(self: &Rc<Self>) -> Result<Vec<Group>, SdkError> {
        let groups: Vec<WireGroup> = match self.request_idempotent(Request::GetGroupList).await? {
            Reply::GroupList { groups } => groups,
            other => return Err(unexpected(&other)),
        };
        let me = self.me().unwrap_or_default();
        let shaped: Vec<Group> = groups.iter().map(|g| Group::from_wire(g, &me)).collect();
        let changed = {
            let mut s = self.session_mut();
            let changed = s.groups != groups;
            s.groups = groups;
            if changed {
                s.events.push(Event::GroupListUpdated(shaped.clone()));
            }
            changed
        };
        if changed {
            self.schedule_dispatch();
        }
        Ok(shaped)
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
