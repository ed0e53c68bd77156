//! Storage behind one trait: SQLite (the embedded default, one file) or PostgreSQL (shared by
//! several nodes), chosen by the database setting ([`open`]).
//!
//! The methods are synchronous; async callers run them on the blocking pool. Each method is one
//! transaction: it either happens entirely or not at all.
//!
//! Every change that other sessions must hear about appends to the per-user event log in the
//! same transaction, and hands the new entries back so the caller can publish them.
//!
//! Deletion is a watermark: a user's conversation row keeps `cleared_seq`, and messages at or
//! below it are invisible to that user. Deleting therefore touches one row whatever the history
//! size, and the other party's view is untouched.

mod at_info;
mod edits;
mod event_codec;
mod files;
mod groups;
mod list_page;
mod migrations;
mod model;
mod once;
mod open;
mod pins;
mod postgres;
mod profiles;
mod receipts;
mod sqlite;

pub use edits::{EditOutcome, HiddenKey, HiddenTrim, HideOutcome, MessageEdit};
pub use files::{FileKind, FileRecord};
pub use groups::{
    GroupChange, GroupEdit, GroupOutcome, GroupRefusal, GroupRow, GroupType, MemberResults,
    NewGroup,
};
pub use list_page::{ListKey, ListPage};
pub use model::{
    App, Catchup, ClearOutcome, ConvRef, ConversationSlice, ConversationView, DeleteMode,
    DeleteOutcome, MessagePage, NewMessage, PageOutcome, ReadOutcome, SendItem, SendOutcome,
    StoredMessage, UserEvent,
};
pub use once::{Once, OpAnswer, OpRecord};
pub use open::{open, Engine};
pub use pins::PinOutcome;
pub use postgres::PgStore;
pub use profiles::{BlacklistOutcome, ProfileUpdate};
pub use sqlite::SqliteStore;

use std::fmt;
use tim_proto::frame::ReadScope;
use tim_proto::group_profile::WireGroupMember;
use tim_proto::model::WireGroup;
use tim_proto::profile::{ProfilePatch, WireProfile};

/// A storage failure. Domain outcomes (not found, duplicate, ...) are return values instead.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Postgres(tokio_postgres::Error),
    /// PostgreSQL cannot be used at all: a bad URL, a pool that cannot be built.
    PostgresSetup(String),
    /// No connection to PostgreSQL for this call: refused, closed, or none free within the
    /// pool's timeout (the database is down or restarting).
    PostgresUnavailable(String),
    Io(std::io::Error),
    /// Stored data this server cannot read (a body it does not understand, a newer schema).
    Corrupt(String),
    /// `create_app` with an SDKAppID that is taken.
    AppExists(u64),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            // The source holds the server's message; its Display alone says only "db error".
            StoreError::Postgres(e) => write!(f, "postgres: {}", postgres::explain(e)),
            StoreError::PostgresSetup(why) => write!(f, "postgres: {why}"),
            StoreError::PostgresUnavailable(why) => write!(f, "postgres unavailable: {why}"),
            StoreError::Io(e) => write!(f, "io: {e}"),
            StoreError::Corrupt(why) => write!(f, "unreadable stored data: {why}"),
            StoreError::AppExists(id) => write!(f, "an app with SDKAppID {id} already exists"),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// Whether the call failed for want of the database (down, restarting, unreachable), not
    /// because of what it asked: the caller answers 60016 and a retry later may succeed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::PostgresUnavailable(_) => true,
            StoreError::Postgres(e) => postgres::is_connection_failure(e),
            _ => false,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
            other => StoreError::PostgresUnavailable(format!("no database connection: {other}")),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The step that makes a batch of [`Store::send_messages_unsynced`] durable: blocking, runs on
/// any thread.
pub type SyncSends = Box<dyn FnOnce() -> StoreResult<()> + Send>;

/// What became of one send of a batch: stored (or a duplicate, or a taken ID), refused by its
/// group (never for one-to-one sends), or failed.
pub type BatchedSend = StoreResult<Result<SendOutcome, GroupRefusal>>;

/// Everything the service needs from storage. Times are unix seconds, passed in by the caller.
pub trait Store: Send + Sync {
    fn app(&self, sdk_app_id: u64) -> StoreResult<Option<App>>;
    fn apps(&self) -> StoreResult<Vec<App>>;
    /// Fails with [`StoreError::AppExists`] if the SDKAppID is taken.
    fn create_app(&self, app: &App) -> StoreResult<()>;
    /// Returns false when there is no such app.
    fn set_sync_conversation_deletion(&self, sdk_app_id: u64, on: bool) -> StoreResult<bool>;

    /// Records the user if new (first verified login).
    fn ensure_user(&self, sdk_app_id: u64, user_id: &str, now: i64) -> StoreResult<()>;
    /// Whether the user is known (logged in once, or sent or received a message).
    fn user_exists(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<bool>;

    /// Appends a message from `conv.owner` to `conv.peer`, or returns the stored one when the
    /// same sender retries the same message ID. A new message is logged for both parties.
    fn send_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<SendOutcome>;

    /// Several sends, one-to-one or to groups, committed together (one durable commit for
    /// all); each succeeds, is refused or fails on its own, and the outcomes come back in the
    /// order of `batch`. The outer error means none of them was stored.
    /// Makes everything stored so far part of the database file itself (some stores keep
    /// recent sends in a log first); what a clean shutdown does last.
    fn flush(&self) -> StoreResult<()> {
        Ok(())
    }

    fn send_messages(&self, batch: &[SendItem]) -> StoreResult<Vec<BatchedSend>> {
        Ok(batch.iter().map(|i| self.send_one(i)).collect())
    }

    /// [`Store::send_messages`] in two steps: the sends are applied, and are durable once the
    /// returned step has run and succeeded (`None`: already). Until then nobody may be answered
    /// or told of them. A step also makes every batch applied before it durable, so the next
    /// batches may be applied while one runs, and only the newest step need run after it.
    /// If a step fails, [`Store::flush`] decides: its success makes every applied send durable.
    fn send_messages_unsynced(
        &self,
        batch: &[SendItem],
    ) -> StoreResult<(Vec<BatchedSend>, Option<SyncSends>)> {
        Ok((self.send_messages(batch)?, None))
    }

    /// One item of [`Store::send_messages`], on its own.
    fn send_one(&self, item: &SendItem) -> BatchedSend {
        if item.conv.is_group() {
            self.send_group_message(item.sdk_app_id, &item.conv, &item.message)
        } else {
            self.send_message(item.sdk_app_id, &item.conv, &item.message)
                .map(Ok)
        }
    }

    /// The owner's visible conversations, most recently active first.
    fn conversations(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<ConversationView>>;
    /// Up to `limit` of them, skipping the first `offset`.
    fn conversation_slice(
        &self,
        sdk_app_id: u64,
        owner: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<ConversationSlice>;
    /// A page of [`Store::conversations`]: up to `limit` of them in the same order, those after
    /// `after` (from the top without it), read in one snapshot, with the next page's cursor
    /// when more follow (see [`ListKey`]).
    fn conversation_page(
        &self,
        sdk_app_id: u64,
        owner: &str,
        after: Option<&ListKey>,
        limit: u32,
    ) -> StoreResult<ListPage>;
    /// One visible conversation, or `None`.
    fn conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
    ) -> StoreResult<Option<ConversationView>>;

    /// Up to `count` visible messages older than `before` (or the newest ones), oldest first.
    fn messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        before: Option<&str>,
        count: u32,
    ) -> StoreResult<PageOutcome>;

    /// Hides the conversation and, with [`DeleteMode::ClearHistory`], raises its watermark to
    /// the newest message. Logs the deletion for the owner when the app's
    /// `sync_conversation_deletion` is on at that moment.
    fn delete_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        mode: DeleteMode,
        now: i64,
    ) -> StoreResult<DeleteOutcome>;

    /// A session's deleteConversation: [`Store::delete_conversation`] with
    /// [`DeleteMode::ClearHistory`], covering the messages at or below `up_to_seq` (clamped to
    /// the newest; `None`: the newest). The watermark becomes the higher of the current one and
    /// that point. When newer messages exist the conversation stays in the list with them, its
    /// unread count keeping those of the unread messages above the new watermark. The outcome's
    /// `through_seq` is the watermark written.
    ///
    /// With `op`, at most once per opId of the owner: in the same transaction, a recorded opId
    /// gives [`Once::Repeated`] with the recorded answer (or [`Once::Conflict`] when it was
    /// recorded for another request) and changes nothing; an unknown one is applied and
    /// recorded with the answer `op.answer` gives its outcome (not-found outcomes included).
    fn delete_up_to(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        up_to_seq: Option<u64>,
        op: Option<&OpRecord<'_, DeleteOutcome>>,
        now: i64,
    ) -> StoreResult<Once<DeleteOutcome>>;

    /// Deletes several conversations in ONE transaction: all of them or, on a storage failure,
    /// none. One outcome per entry of `convs`, in that order; each deletion is exactly
    /// [`Store::delete_conversation`]'s, with the sync setting read once for the batch. An entry
    /// that repeats an earlier one finds it already deleted ([`DeleteOutcome::NotFound`]).
    fn delete_conversations(
        &self,
        sdk_app_id: u64,
        convs: &[ConvRef],
        mode: DeleteMode,
        now: i64,
    ) -> StoreResult<Vec<DeleteOutcome>>;

    /// Keeps the conversation in the list but raises its watermark to the newest message: the
    /// history is gone for the owner, nothing is unread, there is no last message. Always logged
    /// for the owner.
    fn clear_history(&self, sdk_app_id: u64, conv: &ConvRef, now: i64)
        -> StoreResult<ClearOutcome>;

    /// Marks everything read, logging it for the owner when something was unread.
    fn mark_read(&self, sdk_app_id: u64, conv: &ConvRef, now: i64) -> StoreResult<ReadOutcome>;

    /// Pins or unpins the owner's listed conversation, logging the change for the owner.
    fn pin_conversation(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        pinned: bool,
        now: i64,
    ) -> StoreResult<PinOutcome>;

    /// The owner's setMessageRemindType for each of `conversation_ids`, listed or not (the
    /// default removes the stored setting); logs one `Push::MessageRemindType` of those that
    /// changed, if any did, and returns it.
    fn set_remind_type(
        &self,
        sdk_app_id: u64,
        owner: &str,
        conversation_ids: &[String],
        remind_type: &str,
        now: i64,
    ) -> StoreResult<Option<UserEvent>>;

    /// The owner's stored (non-default) settings: `(conversationID, setting)`.
    fn remind_types(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, String)>>;

    /// [`Store::mark_read`] for each of the owner's listed conversations in `scope` that has
    /// unread messages, in one transaction; the events it logged (one per conversation read).
    fn mark_all_read(
        &self,
        sdk_app_id: u64,
        owner: &str,
        scope: ReadScope,
        now: i64,
    ) -> StoreResult<Vec<UserEvent>>;

    /// The user's newest event number and, with `after`, the events after it (oldest first).
    /// More than `max_missed` of them, or a point the log no longer covers, gives
    /// `resync_required` and no events.
    fn catch_up(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        after: Option<u64>,
        max_missed: u32,
    ) -> StoreResult<Catchup> {
        self.catch_up_page(sdk_app_id, user_id, after, max_missed, max_missed)
    }

    /// [`Store::catch_up`], one page of it: at most `page` of the events after `after` (the
    /// oldest), and `more` when the log goes on after them. `max_missed` bounds all of them
    /// together, as in `catch_up`; every page is checked and decoded as `catch_up` checks them.
    fn catch_up_page(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        after: Option<u64>,
        max_missed: u32,
        page: u32,
    ) -> StoreResult<Catchup>;

    /// Removes up to `max_rows` log entries that are both older than `logged_before` and not
    /// among their user's newest `keep_last`. Returns how many went.
    fn trim_events(&self, keep_last: u64, logged_before: i64, max_rows: u32) -> StoreResult<u64>;

    /// Forgets up to `max_rows` opIds recorded before `recorded_before` (a repeat after that is
    /// applied as new). Returns how many went.
    fn trim_client_ops(&self, recorded_before: i64, max_rows: u32) -> StoreResult<u64>;

    /// Physically removes up to `max_rows` messages sent before `sent_before` that no party can
    /// see any more (at or below every party's watermark), with their read receipts
    /// (`message_reads`). Returns how many messages went. The age limit keeps recent message
    /// IDs around so late client retries stay idempotent.
    fn purge_invisible(&self, max_rows: u32, sent_before: i64) -> StoreResult<u64>;

    /// Looks at up to `scan` deleteMessage marks (`hidden_messages`) after `after`, in key
    /// order, and forgets those at or below their owner's watermark of that conversation: the
    /// watermark hides those messages anyway and only rises, so the marks can never matter
    /// again. A step's work is bounded by `scan` whatever is trimmable, and a whole pass looks
    /// at each mark once (a trim that searched for `scan` trimmable marks from the start each
    /// time rescanned every mark that stays, holding the writer meanwhile).
    fn trim_hidden(&self, after: Option<&HiddenKey>, scan: u32) -> StoreResult<HiddenTrim>;

    // Groups. Each call is one transaction; a refusal changes nothing. System notices go to the
    // `@TIM#SYSTEM` conversation of each user concerned, logged like messages.

    /// Creates the group with its owner and `members` (users need not be known yet); notices:
    /// CREATED to the owner, INVITED to each member. [`GroupRefusal::IdInUse`] if the ID was
    /// ever taken.
    fn create_group(
        &self,
        sdk_app_id: u64,
        group: &NewGroup,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>>;
    /// `user_id` joins a Public or ChatRoom group at once.
    fn join_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>>;
    /// A member other than the owner leaves; notice QUIT to them.
    fn quit_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>>;
    /// The owner dismisses the group; notice DISMISSED to every member.
    fn dismiss_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<GroupOutcome<()>>;
    /// `operator` adds valid user IDs; notice INVITED to each added one.
    fn add_group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<GroupOutcome<MemberResults>>;
    /// The owner removes members; notice KICKED to each removed one.
    fn remove_group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        user_ids: &[String],
        now: i64,
    ) -> StoreResult<GroupOutcome<MemberResults>>;
    /// setGroupMemberRole / changeGroupOwner / updateGroupProfile by `operator`; the group
    /// after it as `operator` sees it. Every member's group list changes but for a role
    /// change (only the member named).
    fn edit_group(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        operator: &str,
        edit: &GroupEdit,
        now: i64,
    ) -> StoreResult<GroupOutcome<WireGroup>>;
    /// Every member of a live group, in join order, for a `viewer` who is one.
    fn group_members(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<Vec<WireGroupMember>, GroupRefusal>>;
    /// The live groups `user_id` is a member of.
    fn groups_of(&self, sdk_app_id: u64, user_id: &str) -> StoreResult<Vec<WireGroup>>;
    /// A group as `viewer` sees it; a dismissed one only for those who were members then.
    fn group_profile(
        &self,
        sdk_app_id: u64,
        group_id: &str,
        viewer: &str,
    ) -> StoreResult<Result<WireGroup, GroupRefusal>>;
    /// A message from `conv.owner` (a member) to the group `conv.peer`: one message in the
    /// group's thread, and for every member their conversation brought back (unread + 1 but for
    /// the sender) and the message logged.
    fn send_group_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        message: &NewMessage,
    ) -> StoreResult<Result<SendOutcome, GroupRefusal>>;

    // Profiles and blacklists.

    /// The profiles of the known users among `user_ids` (the empty profile for one who never
    /// set a field), in the order named, each once; unknown users are left out.
    fn profiles(&self, sdk_app_id: u64, user_ids: &[String]) -> StoreResult<Vec<WireProfile>>;
    /// Sets `patch` over a known user's profile and logs the new profile for them
    /// ([`tim_proto::Push::ProfileUpdated`]); `None` (nothing changed) for an unknown user.
    /// Messages the user sends from now on carry the new nick and avatar.
    fn update_profile(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        patch: &ProfilePatch,
        now: i64,
    ) -> StoreResult<ProfileUpdate>;
    /// The users `owner` blacklisted and when (unix seconds), in the order added.
    fn blacklist(&self, sdk_app_id: u64, owner: &str) -> StoreResult<Vec<(String, i64)>>;
    /// Adds `user_ids` to `owner`'s blacklist (`add`) or removes them, in one transaction, and
    /// logs the new list for the owner ([`tim_proto::Push::BlacklistUpdated`]) when something
    /// changed. From then on a one-to-one send from a blacklisted user to the owner is
    /// [`SendOutcome::Blocked`]. The owner must be a known user.
    fn change_blacklist(
        &self,
        sdk_app_id: u64,
        owner: &str,
        user_ids: &[String],
        add: bool,
        now: i64,
    ) -> StoreResult<BlacklistOutcome>;
    // Changes to sent messages (store/edits.rs). Each is one transaction.

    /// `conv.owner` revokes or modifies their message `msg_id` of the thread `conv.conv_key`
    /// (whether or not the owner's own view still holds it); logged for every party whose view
    /// holds it, with no conversation brought back.
    fn edit_message(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_id: &str,
        edit: &MessageEdit,
        now: i64,
    ) -> StoreResult<EditOutcome>;
    /// Hides messages of the owner's view of `conv` for the owner only (one row each); all of
    /// them or, if one is not in that view, none.
    fn hide_messages(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<HideOutcome>;
    /// sendMessageReadReceipt: `reader.owner` read the messages `msg_ids` of thread
    /// `reader.conv_key` (one transaction). Each message their view holds that asked for
    /// receipts, that they did not send and did not read before counts once (one
    /// `message_reads` row); each sender whose view still holds it gets one
    /// `messageReadReceipt` entry with their messages as they are now. Everything else is
    /// skipped and changes nothing. The entries logged.
    fn send_read_receipts(
        &self,
        sdk_app_id: u64,
        reader: &ConvRef,
        msg_ids: &[String],
        now: i64,
    ) -> StoreResult<Vec<UserEvent>>;
    /// getMessageReadReceiptList: the messages `msg_ids` of the owner's view of `conv` as
    /// stored now (with their counts), in the order asked; those not in that view left out.
    fn read_receipt_list(
        &self,
        sdk_app_id: u64,
        conv: &ConvRef,
        msg_ids: &[String],
    ) -> StoreResult<Vec<StoredMessage>>;
    /// The app's revoke time limit in seconds (`None`: no such app).
    fn revoke_time_limit(&self, sdk_app_id: u64) -> StoreResult<Option<u32>>;
    /// Returns false when there is no such app.
    fn set_revoke_time_limit(&self, sdk_app_id: u64, seconds: u32) -> StoreResult<bool>;

    // Uploaded files (store/files.rs).

    /// Records an upload whose bytes are stored. Its ID is new (random).
    fn add_file(&self, sdk_app_id: u64, file: &FileRecord) -> StoreResult<()>;
    /// The upload, whoever may see it.
    fn file(&self, sdk_app_id: u64, file_id: &str) -> StoreResult<Option<FileRecord>>;
    /// Records that message `seq` of the file's thread links to it; a repeat changes nothing.
    fn link_file(&self, sdk_app_id: u64, file_id: &str, seq: u64) -> StoreResult<()>;
    /// Forgets up to `max_rows` uploads made before `uploaded_before` that no stored message
    /// links to (never sent, or every message linking them purged), with their links; returns
    /// them (SDKAppID, fileID) so that their bytes can go too.
    fn take_stale_files(
        &self,
        uploaded_before: i64,
        max_rows: u32,
    ) -> StoreResult<Vec<(u64, String)>>;
    /// The upload if `viewer` may fetch it now (see store/files.rs), else `None`.
    fn visible_file(
        &self,
        sdk_app_id: u64,
        file_id: &str,
        viewer: &str,
    ) -> StoreResult<Option<FileRecord>>;
}
