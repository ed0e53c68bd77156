//! Profiles and blacklists: getMyProfile, getUserProfile, updateMyProfile, getBlacklist,
//! addToBlacklist, removeFromBlacklist, and the `userProfile` of C2C conversations.
//!
//! A change is logged for the user and pushed to every one of their sessions, the asking one
//! included (`profileUpdated`, `blacklistUpdated`), so a session that was offline catches up on
//! it exactly once. Peers are not pushed anything: the messages a user sends from the change on
//! carry the new nick and avatar, and the peer's next conversation list load shows them.

use super::{Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::BlacklistOutcome;
use tim_proto::limits::{MAX_BLACKLIST, MAX_PROFILE_QUERY};
use tim_proto::profile::{to_text, ProfilePatch, WireProfile};
use tim_proto::rules::{
    check_blacklist_change, check_profile_patch, check_profile_query, BlacklistChange,
};
use tim_proto::{ConversationId, ErrorCode, Reply, WireConversation};

/// What a blacklist change did, for its callers (the SDK's request and the admin REST API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistResult {
    pub changed: Vec<String>,
    pub list: Vec<String>,
}

impl Service {
    pub(super) async fn my_profile(&self, who: &Identity) -> Result<Reply, ApiError> {
        let me = who.user.user_id.clone();
        let mut found = self
            .profiles_of(who.user.sdk_app_id, vec![me.clone()])
            .await?;
        // A logged-in user is known; the empty profile if the row is not there yet.
        let profile = found.pop().unwrap_or_else(|| WireProfile::empty(&me));
        Ok(Reply::Data(to_text(&profile)))
    }

    pub(super) async fn user_profiles(
        &self,
        who: &Identity,
        user_ids: Vec<String>,
    ) -> Result<Reply, ApiError> {
        check_profile_query(&user_ids)?;
        let profiles = self.profiles_of(who.user.sdk_app_id, user_ids).await?;
        Ok(Reply::Data(to_text(&profiles)))
    }

    /// The profiles of the known users among the first [`MAX_PROFILE_QUERY`] of `user_ids`
    /// (the rest are dropped, as at Tencent), in that order, each once.
    pub async fn profiles_of(
        &self,
        sdk_app_id: u64,
        mut user_ids: Vec<String>,
    ) -> Result<Vec<WireProfile>, ApiError> {
        user_ids.truncate(MAX_PROFILE_QUERY);
        self.blocking(move |s| s.profiles(sdk_app_id, &user_ids))
            .await
    }

    pub(super) async fn update_my_profile(
        &self,
        who: &Identity,
        patch: ProfilePatch,
    ) -> Result<Reply, ApiError> {
        check_profile_patch(&patch)?;
        let profile = self
            .update_profile(who.user.sdk_app_id, &who.user.user_id, patch)
            .await?
            .ok_or_else(|| ApiError::internal("a logged-in user has no user row"))?;
        Ok(Reply::Data(to_text(&profile)))
    }

    /// Sets `patch` (already checked) over the user's profile and pushes the new profile to
    /// all their sessions; `None` for a user the app does not know (nothing changed).
    pub async fn update_profile(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        patch: ProfilePatch,
    ) -> Result<Option<WireProfile>, ApiError> {
        let user = user_id.to_owned();
        self.commit(sdk_app_id, None, move |s| {
            Ok(
                match s.update_profile(sdk_app_id, &user, &patch, unix_now())? {
                    Some((profile, event)) => (Some(profile), vec![event]),
                    None => (None, Vec::new()),
                },
            )
        })
        .await
    }

    pub(super) async fn get_blacklist(&self, who: &Identity) -> Result<Reply, ApiError> {
        let user_ids = self
            .blacklist_of(who.user.sdk_app_id, &who.user.user_id)
            .await?;
        Ok(Reply::Data(to_text(&user_ids)))
    }

    /// The users `owner` blacklisted, in the order added.
    pub async fn blacklist_of(
        &self,
        sdk_app_id: u64,
        owner: &str,
    ) -> Result<Vec<String>, ApiError> {
        let entries = self.blacklist_with_times(sdk_app_id, owner).await?;
        Ok(entries.into_iter().map(|(id, _)| id).collect())
    }

    /// [`Service::blacklist_of`] with when each was added (unix seconds).
    pub async fn blacklist_with_times(
        &self,
        sdk_app_id: u64,
        owner: &str,
    ) -> Result<Vec<(String, i64)>, ApiError> {
        let owner = owner.to_owned();
        self.blocking(move |s| s.blacklist(sdk_app_id, &owner))
            .await
    }

    pub(super) async fn change_blacklist(
        &self,
        who: &Identity,
        user_ids: Vec<String>,
        change: BlacklistChange,
    ) -> Result<Reply, ApiError> {
        check_blacklist_change(change, &who.user.user_id, &user_ids)?;
        let done = self
            .blacklist_change(who.user.sdk_app_id, &who.user.user_id, user_ids, change)
            .await?;
        Ok(Reply::Data(to_text(&done.changed)))
    }

    /// Adds or removes (valid, checked) users to a known owner's blacklist and pushes the new
    /// list to all the owner's sessions when it changed. [`ErrorCode::BlacklistFull`] when it
    /// would hold more than [`MAX_BLACKLIST`].
    pub async fn blacklist_change(
        &self,
        sdk_app_id: u64,
        owner: &str,
        user_ids: Vec<String>,
        change: BlacklistChange,
    ) -> Result<BlacklistResult, ApiError> {
        let owner = owner.to_owned();
        let add = change == BlacklistChange::Add;
        let outcome = self
            .commit(sdk_app_id, None, move |s| {
                let mut outcome =
                    s.change_blacklist(sdk_app_id, &owner, &user_ids, add, unix_now())?;
                let events = match &mut outcome {
                    BlacklistOutcome::Changed { event, .. } => event.take().into_iter().collect(),
                    BlacklistOutcome::Full => Vec::new(),
                };
                Ok((outcome, events))
            })
            .await?;
        match outcome {
            BlacklistOutcome::Changed { changed, list, .. } => {
                Ok(BlacklistResult { changed, list })
            }
            BlacklistOutcome::Full => Err(ApiError::new(
                ErrorCode::BlacklistFull,
                format!("a blacklist holds at most {MAX_BLACKLIST} users; nothing was added"),
            )),
        }
    }

    /// The conversations with each C2C one's `userProfile` (the peer's nick and avatar now).
    pub(super) async fn with_user_profiles(
        &self,
        who: &Identity,
        mut conversations: Vec<WireConversation>,
    ) -> Result<Vec<WireConversation>, ApiError> {
        let peer = |c: &WireConversation| match ConversationId::parse(&c.conversation_id) {
            Ok(ConversationId::C2c(peer)) => Some(peer),
            _ => None,
        };
        let peers: Vec<String> = conversations.iter().filter_map(peer).collect();
        if peers.is_empty() {
            return Ok(conversations);
        }
        let app = who.user.sdk_app_id;
        let found = self.blocking(move |s| s.profiles(app, &peers)).await?;
        let by_id: std::collections::HashMap<&str, &WireProfile> =
            found.iter().map(|p| (p.user_id.as_str(), p)).collect();
        for c in &mut conversations {
            if let Some(user_id) = peer(c) {
                let known = by_id.get(user_id.as_str());
                c.peer_nick = known.map(|p| p.nick.clone()).unwrap_or_default();
                c.peer_avatar = known.map(|p| p.avatar.clone()).unwrap_or_default();
            }
        }
        Ok(conversations)
    }
}
