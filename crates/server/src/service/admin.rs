//! What the admin REST API and the console do through the service: act on a user's behalf and
//! change app settings. Callers have checked the admin's credentials already.

use super::Service;
use crate::error::ApiError;
use crate::store::{App, ConvRef, ConversationSlice, DeleteMode};
use tim_proto::ErrorCode;

impl Service {
    /// Whether the user is known to the app (logged in once, or sent or received a message).
    pub async fn user_exists(&self, sdk_app_id: u64, user_id: &str) -> Result<bool, ApiError> {
        let user_id = user_id.to_owned();
        self.blocking(move |s| s.user_exists(sdk_app_id, &user_id))
            .await
    }

    /// Deletes a conversation of `conv.owner` (C2C or group), as if from a session of the owner that
    /// is none of the live ones: when the app syncs deletions, every live session of the owner
    /// hears about it. Returns the newest seq the deletion covers; 2500 if there is none.
    pub async fn delete_for(
        &self,
        sdk_app_id: u64,
        conv: ConvRef,
        mode: DeleteMode,
    ) -> Result<u64, ApiError> {
        self.delete_as(sdk_app_id, None, conv, mode).await
    }

    /// `limit` entries of `owner`'s conversation list from `offset`, in list order.
    pub async fn conversation_slice(
        &self,
        sdk_app_id: u64,
        owner: &str,
        offset: u64,
        limit: u32,
    ) -> Result<ConversationSlice, ApiError> {
        let owner = owner.to_owned();
        self.blocking(move |s| s.conversation_slice(sdk_app_id, &owner, offset, limit))
            .await
    }

    /// Switches multi-client sync of conversation deletion and returns the app as saved.
    /// Takes effect for the next deletion (nothing caches it).
    pub async fn set_sync_conversation_deletion(
        &self,
        sdk_app_id: u64,
        on: bool,
    ) -> Result<App, ApiError> {
        if !self
            .blocking(move |s| s.set_sync_conversation_deletion(sdk_app_id, on))
            .await?
        {
            return Err(no_app(sdk_app_id));
        }
        self.app(sdk_app_id).await
    }

    /// The app's RevokeTimeLimit in seconds (its default when never set).
    pub async fn revoke_time_limit(&self, sdk_app_id: u64) -> Result<u32, ApiError> {
        self.blocking(move |s| s.revoke_time_limit(sdk_app_id))
            .await?
            .ok_or_else(|| no_app(sdk_app_id))
    }

    /// Sets how long after sending a sender may revoke, in seconds; the next revoke reads it.
    pub async fn set_revoke_time_limit(
        &self,
        sdk_app_id: u64,
        seconds: u32,
    ) -> Result<(), ApiError> {
        if self
            .blocking(move |s| s.set_revoke_time_limit(sdk_app_id, seconds))
            .await?
        {
            Ok(())
        } else {
            Err(no_app(sdk_app_id))
        }
    }
}

fn no_app(sdk_app_id: u64) -> ApiError {
    ApiError::new(
        ErrorCode::AppNotFound,
        format!("no app with SDKAppID {sdk_app_id} on this server"),
    )
}
