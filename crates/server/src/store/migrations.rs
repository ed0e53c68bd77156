//! Schema migrations, tracked by `PRAGMA user_version` (= how many of these have run).

use super::{StoreError, StoreResult};
use rusqlite::Connection;

/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: apps, users, message threads, messages, per-user conversation rows.
    r#"
    CREATE TABLE apps (
        sdk_app_id INTEGER PRIMARY KEY,
        secret_key TEXT NOT NULL,
        admin_identifier TEXT NOT NULL,
        sync_conversation_deletion INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE users (
        sdk_app_id INTEGER NOT NULL REFERENCES apps(sdk_app_id),
        user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id)
    ) WITHOUT ROWID;
    -- The newest seq of each thread lives here, so seqs never restart even after old rows
    -- are purged.
    CREATE TABLE threads (
        sdk_app_id INTEGER NOT NULL REFERENCES apps(sdk_app_id),
        conv_key TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key)
    ) WITHOUT ROWID;
    CREATE TABLE messages (
        sdk_app_id INTEGER NOT NULL,
        conv_key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        msg_id TEXT NOT NULL,
        from_user TEXT NOT NULL,
        to_user TEXT NOT NULL,
        body_json TEXT NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key, seq),
        UNIQUE (sdk_app_id, conv_key, msg_id),
        FOREIGN KEY (sdk_app_id, conv_key) REFERENCES threads(sdk_app_id, conv_key)
    );
    -- One row per (user, conversation). Messages with seq <= cleared_seq are invisible to
    -- the owner: deleting a conversation moves this watermark instead of deleting messages.
    CREATE TABLE conversations (
        sdk_app_id INTEGER NOT NULL,
        owner TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        conv_key TEXT NOT NULL,
        visible INTEGER NOT NULL,
        cleared_seq INTEGER NOT NULL DEFAULT 0,
        read_seq INTEGER NOT NULL DEFAULT 0,
        unread INTEGER NOT NULL DEFAULT 0,
        update_time INTEGER NOT NULL,
        -- rowid of the newest message: orders conversations active within the same second.
        last_activity INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sdk_app_id, owner, conversation_id),
        FOREIGN KEY (sdk_app_id, owner) REFERENCES users(sdk_app_id, user_id),
        FOREIGN KEY (sdk_app_id, conv_key) REFERENCES threads(sdk_app_id, conv_key)
    ) WITHOUT ROWID;
    CREATE INDEX conversations_by_thread ON conversations(sdk_app_id, conv_key);
    "#,
    // 2: the per-user event log. `users.last_ev` is the newest event number handed out (dense
    // from 1), kept there so numbering never restarts even after old events are trimmed.
    r#"
    ALTER TABLE users ADD COLUMN last_ev INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE user_events (
        sdk_app_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        ev INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id, ev),
        FOREIGN KEY (sdk_app_id, user_id) REFERENCES users(sdk_app_id, user_id)
    ) WITHOUT ROWID;
    -- Trimming looks for old entries first.
    CREATE INDEX user_events_by_time ON user_events(time);
    "#,
    // 3: groups and their members. A group ID is never reused: a dismissed group keeps its row
    // (and its member rows, who were members then). A group's messages are one thread,
    // `group#<groupID>`; each user's system notices another, `system#<userID>`.
    r#"
    CREATE TABLE chat_groups (
        sdk_app_id INTEGER NOT NULL REFERENCES apps(sdk_app_id),
        group_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        create_time INTEGER NOT NULL,
        dismissed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sdk_app_id, group_id),
        FOREIGN KEY (sdk_app_id, owner) REFERENCES users(sdk_app_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE group_members (
        sdk_app_id INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        join_time INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, group_id, user_id),
        FOREIGN KEY (sdk_app_id, group_id) REFERENCES chat_groups(sdk_app_id, group_id),
        FOREIGN KEY (sdk_app_id, user_id) REFERENCES users(sdk_app_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX group_members_by_user ON group_members(sdk_app_id, user_id);
    -- A group conversation of a user who is no longer a member (quit, removed, dismissed): the
    -- group's newest seq when they left. Messages above it were never theirs. NULL otherwise.
    ALTER TABLE conversations ADD COLUMN left_seq INTEGER;
    "#,
    // 4: operations clients tag with an opId, each applied once: the request it named and the
    // answer it got (a reply or an error frame, as JSON), for repeats of the opId. Trimmed by
    // age.
    r#"
    CREATE TABLE client_ops (
        sdk_app_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        op_id TEXT NOT NULL,
        request TEXT NOT NULL,
        reply_json TEXT NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id, op_id)
    ) WITHOUT ROWID;
    CREATE INDEX client_ops_by_time ON client_ops(time);
    "#,
    // 5: how far the send log (store/sqlite/send_log.rs) is in this database: its groups of
    // sends numbered up to `applied`. Later ones are replayed from the log at open.
    r#"
    CREATE TABLE send_log_applied (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        applied INTEGER NOT NULL
    );
    INSERT INTO send_log_applied (id, applied) VALUES (1, 0);
    "#,
    // 6: a C2C thread key joins its two user IDs with U+001F (a control character, which no ID
    // may hold) instead of `|`, now that IDs are any Unicode text and may hold `|`. Every old
    // key with a `|` is a C2C key with exactly one (old IDs were `A-Z a-z 0-9 _ - . @`; group
    // and system keys had none), and so is every message entry of the event log (`"k"`, its
    // thread key, as JSON: `\u001f`). The thread rows are copied first and the old ones
    // dropped last, so the foreign keys hold at every step.
    r#"
    INSERT INTO threads (sdk_app_id, conv_key, last_seq)
        SELECT sdk_app_id, replace(conv_key, '|', char(31)), last_seq
        FROM threads WHERE instr(conv_key, '|') > 0;
    UPDATE messages SET conv_key = replace(conv_key, '|', char(31))
        WHERE instr(conv_key, '|') > 0;
    UPDATE conversations SET conv_key = replace(conv_key, '|', char(31))
        WHERE instr(conv_key, '|') > 0;
    DELETE FROM threads WHERE instr(conv_key, '|') > 0;
    UPDATE user_events SET payload_json = replace(payload_json, '|', '\u001f')
        WHERE kind = 'messageAt' AND instr(payload_json, '|') > 0;
    "#,
    // 7: user profiles (a row once a user sets a field; nick and avatar also in columns of their
    // own, read at every send), blacklists (in the order added: the rowid), and the sender's
    // nick and avatar stored with each message as of sending.
    r#"
    CREATE TABLE profiles (
        sdk_app_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        nick TEXT NOT NULL,
        avatar TEXT NOT NULL,
        profile_json TEXT NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE blacklist (
        sdk_app_id INTEGER NOT NULL,
        owner TEXT NOT NULL,
        blocked TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (sdk_app_id, owner, blocked)
    );
    ALTER TABLE messages ADD COLUMN nick TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
    "#,
    // 8 (issue 16): `pinned` puts a conversation at the top of its owner's list until unpinned
    // or deleted; `remind_types` holds each user's setMessageRemindType per conversation (only
    // non-default ones), apart from the list row so that it survives a deletion.
    r#"
    ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE remind_types (
        sdk_app_id INTEGER NOT NULL,
        owner TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        remind_type TEXT NOT NULL,
        PRIMARY KEY (sdk_app_id, owner, conversation_id)
    ) WITHOUT ROWID;
    "#,
    // 9 (issue 16): revoked messages (`revoked`, seen by everyone), each app's revoke time
    // limit in seconds, and the messages each user deleted for themselves (deleteMessage): one
    // row per hidden message, never a rewrite of the thread.
    r#"
    ALTER TABLE messages ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE apps ADD COLUMN revoke_time_limit INTEGER NOT NULL DEFAULT 120;
    CREATE TABLE hidden_messages (
        sdk_app_id INTEGER NOT NULL,
        owner TEXT NOT NULL,
        conv_key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, owner, conv_key, seq)
    ) WITHOUT ROWID;
    "#,
    // 10 (issue 16): group admins (setGroupMemberRole) and updateGroupProfile's fields; an
    // empty `join_option` is the group type's own (Private: DisableApply, else FreeAccess).
    r#"
    ALTER TABLE group_members ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_groups ADD COLUMN introduction TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN notification TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN join_option TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0;
    "#,
    // 11 (issue 16): uploaded files (their bytes are on disk, named by `file_id`) and the
    // messages that link to them: who may fetch a file is decided from these and the
    // fetcher's view of the conversation (store/files.rs).
    r#"
    CREATE TABLE files (
        sdk_app_id INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        uploader TEXT NOT NULL,
        conv_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        content_type TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        time INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, file_id)
    ) WITHOUT ROWID;
    -- The purge looks for old uploads no message links to.
    CREATE INDEX files_by_time ON files(time);
    CREATE TABLE file_links (
        sdk_app_id INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (sdk_app_id, file_id, seq)
    ) WITHOUT ROWID;
    "#,
    // 12 (issue 16): read receipts. A message sent with needReadReceipt has `need_receipt`
    // and its counts (`unread_count` set at the send: the group's other members, or the C2C
    // peer); `message_reads` holds one row per reader who sent a receipt, so a repeat counts
    // once.
    r#"
    ALTER TABLE messages ADD COLUMN need_receipt INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN read_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE message_reads (
        sdk_app_id INTEGER NOT NULL,
        conv_key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        reader TEXT NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key, seq, reader)
    ) WITHOUT ROWID;
    "#,
];

/// Brings the schema up to date, one transaction per migration.
pub fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let current = usize::try_from(current)
        .map_err(|_| StoreError::Corrupt(format!("negative schema version {current}")))?;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "schema version {current} is newer than this server ({})",
            MIGRATIONS.len()
        )));
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (done + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = done + 1, "applied schema migration");
    }
    Ok(())
}
