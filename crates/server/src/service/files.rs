//! The service's side of image and file messages (issue 16): who may upload for a
//! conversation, what a sent image or file message holds, and who may fetch an upload. The
//! HTTP endpoints are [`crate::files`]; the rules for fetching, `store/files.rs`.

use super::{parse_conversation_id, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::files::ticket;
use crate::hub::UserKey;
use crate::store::{App, ConvRef, FileKind, FileRecord};
use crate::usersig;
use tim_proto::model::{image_format, WireBody};
use tim_proto::rules::check_user_id;
use tim_proto::{ConversationId, ErrorCode, Reply};

/// A user whose UserSig verified: their app, and when the UserSig runs out.
pub struct Verified {
    pub app: App,
    pub user: UserKey,
    pub expires_at: i64,
}

impl Service {
    /// Checks `user_sig` for `user_id` of the app, as a login does (identity from a verified
    /// UserSig only).
    pub async fn verify_user(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        user_sig: &str,
    ) -> Result<Verified, ApiError> {
        check_user_id("userID", user_id)?;
        let app = self.app(sdk_app_id).await?;
        let sig = usersig::verify(user_sig, &app.secret_key, sdk_app_id, user_id, unix_now())
            .map_err(|e| ApiError::new(e.code(), e.message()))?;
        Ok(Verified {
            app,
            user: UserKey {
                sdk_app_id,
                user_id: user_id.to_owned(),
            },
            expires_at: sig.expires_at,
        })
    }

    /// The query string of `user`'s file URLs, good until `expires_at`.
    pub fn file_query(app: &App, user_id: &str, expires_at: i64) -> String {
        ticket::query(&app.secret_key, app.sdk_app_id, user_id, expires_at)
    }

    /// The conversation `user` uploads a file for: a one-to-one one with a valid peer, or a
    /// group they are a member of now (10007, 10010 otherwise), never `@TIM#SYSTEM`.
    pub async fn upload_target(
        &self,
        user: &UserKey,
        conversation_id: &str,
    ) -> Result<ConvRef, ApiError> {
        let target = parse_conversation_id(conversation_id)?;
        match &target {
            ConversationId::C2c(peer) => check_user_id("conversationID", peer)?,
            ConversationId::Group(group_id) => {
                let (who, id) = (user.clone(), group_id.clone());
                let group = self
                    .blocking(move |s| s.group_profile(who.sdk_app_id, &id, &who.user_id))
                    .await?
                    .map_err(|r| super::groups::refused("upload", group_id, r))?;
                if !group.is_member || group.dismissed {
                    return Err(ApiError::new(
                        ErrorCode::GroupPermissionDenied,
                        format!("{} is not a member of group {group_id}", user.user_id),
                    ));
                }
            }
            ConversationId::System => {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    "@TIM#SYSTEM holds system notices from the server; nothing is sent to it",
                ))
            }
        }
        Ok(ConvRef::of(&user.user_id, &target))
    }

    pub async fn add_file(&self, sdk_app_id: u64, file: FileRecord) -> Result<(), ApiError> {
        self.blocking(move |s| s.add_file(sdk_app_id, &file)).await
    }

    /// The upload if `viewer` may fetch it now.
    pub async fn visible_file(
        &self,
        sdk_app_id: u64,
        file_id: &str,
        viewer: &str,
    ) -> Result<Option<FileRecord>, ApiError> {
        let (id, viewer) = (file_id.to_owned(), viewer.to_owned());
        self.blocking(move |s| s.visible_file(sdk_app_id, &id, &viewer))
            .await
    }

    /// An image or file message's body as stored: the sender names the upload, the server
    /// fills in what it knows of it. 60032 unless the sender uploaded it, for this
    /// conversation, as that kind.
    pub(super) async fn file_body(
        &self,
        who: &Identity,
        conv: &ConvRef,
        body: &WireBody,
    ) -> Result<WireBody, ApiError> {
        let (file_id, kind) = match body {
            WireBody::Image { file_id, .. } => (file_id, FileKind::Image),
            WireBody::File { file_id, .. } => (file_id, FileKind::File),
            _ => return Ok(body.clone()),
        };
        let (app, id) = (who.user.sdk_app_id, file_id.clone());
        let found = self.blocking(move |s| s.file(app, &id)).await?;
        let Some(f) = found.filter(|f| {
            f.uploader == who.user.user_id && f.conv_key == conv.conv_key && f.kind == kind
        }) else {
            return Err(ApiError::new(
                ErrorCode::FileNotFound,
                format!(
                    "fileID {file_id:?} is no {} the sender uploaded for {}",
                    kind.as_str(),
                    conv.conversation_id
                ),
            ));
        };
        Ok(match kind {
            FileKind::Image => WireBody::Image {
                file_id: f.file_id,
                image_format: image_format::of(&f.content_type),
                size: f.size,
                width: f.width,
                height: f.height,
            },
            FileKind::File => WireBody::File {
                file_id: f.file_id,
                file_name: f.name,
                size: f.size,
            },
        })
    }

    /// Records that the sent message links to its upload (if it has one). After the send and
    /// before its answer: a send retried because the answer never came links it again (a
    /// repeat changes nothing), so a crash in between heals with the client's retry.
    pub(super) async fn link_sent_file(
        &self,
        who: &Identity,
        reply: &Reply,
    ) -> Result<(), ApiError> {
        let Reply::Sent { message } = reply else {
            return Ok(());
        };
        let (WireBody::Image { file_id, .. } | WireBody::File { file_id, .. }) = &message.body
        else {
            return Ok(());
        };
        let (app, id, seq) = (who.user.sdk_app_id, file_id.clone(), message.seq);
        self.blocking(move |s| s.link_file(app, &id, seq)).await
    }
}
