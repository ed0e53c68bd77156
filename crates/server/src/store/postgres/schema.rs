//! The PostgreSQL schema, versioned like SQLite's (`store/migrations.rs`): `schema_version`
//! holds how many of [`MIGRATIONS`] have run. Nodes starting at once take turns (an advisory
//! lock), so each migration runs once; a database newer than this server is refused.
//!
//! The tables are SQLite's, with PostgreSQL types: counters and times BIGINT, flags BOOLEAN,
//! text in the "C" collation (bytewise, as SQLite orders it), and `messages.id` standing in for
//! SQLite's rowid (the order of conversations active in the same second).

use crate::store::{StoreError, StoreResult};
use deadpool_postgres::Object;

/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: everything SQLite's migrations 1 to 4 built (its 5th, the send log's mark, is SQLite's
    // own).
    r#"
    CREATE TABLE apps (
        sdk_app_id BIGINT PRIMARY KEY,
        secret_key TEXT NOT NULL,
        admin_identifier TEXT NOT NULL,
        sync_conversation_deletion BOOLEAN NOT NULL DEFAULT FALSE,
        created_at BIGINT NOT NULL
    );
    -- `last_ev`: the newest event number handed out, bumped in the transaction that logs.
    CREATE TABLE users (
        sdk_app_id BIGINT NOT NULL REFERENCES apps(sdk_app_id),
        user_id TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        last_ev BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (sdk_app_id, user_id)
    );
    -- The newest seq of each thread, so seqs never restart even after old rows are purged.
    CREATE TABLE threads (
        sdk_app_id BIGINT NOT NULL REFERENCES apps(sdk_app_id),
        conv_key TEXT COLLATE "C" NOT NULL,
        last_seq BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key)
    );
    CREATE TABLE messages (
        id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        sdk_app_id BIGINT NOT NULL,
        conv_key TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        msg_id TEXT COLLATE "C" NOT NULL,
        from_user TEXT COLLATE "C" NOT NULL,
        to_user TEXT COLLATE "C" NOT NULL,
        body_json TEXT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key, seq),
        UNIQUE (sdk_app_id, conv_key, msg_id),
        FOREIGN KEY (sdk_app_id, conv_key) REFERENCES threads(sdk_app_id, conv_key)
    );
    -- One row per (user, conversation); messages with seq <= cleared_seq are invisible to the
    -- owner. `left_seq`: for a group the owner left, the group's newest seq when they left.
    CREATE TABLE conversations (
        sdk_app_id BIGINT NOT NULL,
        owner TEXT COLLATE "C" NOT NULL,
        conversation_id TEXT COLLATE "C" NOT NULL,
        conv_key TEXT COLLATE "C" NOT NULL,
        visible BOOLEAN NOT NULL,
        cleared_seq BIGINT NOT NULL DEFAULT 0,
        read_seq BIGINT NOT NULL DEFAULT 0,
        unread BIGINT NOT NULL DEFAULT 0,
        update_time BIGINT NOT NULL,
        last_activity BIGINT NOT NULL DEFAULT 0,
        left_seq BIGINT,
        PRIMARY KEY (sdk_app_id, owner, conversation_id),
        FOREIGN KEY (sdk_app_id, owner) REFERENCES users(sdk_app_id, user_id),
        FOREIGN KEY (sdk_app_id, conv_key) REFERENCES threads(sdk_app_id, conv_key)
    );
    CREATE INDEX conversations_by_thread ON conversations(sdk_app_id, conv_key);
    CREATE TABLE user_events (
        sdk_app_id BIGINT NOT NULL,
        user_id TEXT COLLATE "C" NOT NULL,
        ev BIGINT NOT NULL,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id, ev),
        FOREIGN KEY (sdk_app_id, user_id) REFERENCES users(sdk_app_id, user_id)
    );
    CREATE INDEX user_events_by_time ON user_events(time);
    CREATE TABLE chat_groups (
        sdk_app_id BIGINT NOT NULL REFERENCES apps(sdk_app_id),
        group_id TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        owner TEXT COLLATE "C" NOT NULL,
        create_time BIGINT NOT NULL,
        dismissed BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (sdk_app_id, group_id),
        FOREIGN KEY (sdk_app_id, owner) REFERENCES users(sdk_app_id, user_id)
    );
    CREATE TABLE group_members (
        sdk_app_id BIGINT NOT NULL,
        group_id TEXT COLLATE "C" NOT NULL,
        user_id TEXT COLLATE "C" NOT NULL,
        join_time BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, group_id, user_id),
        FOREIGN KEY (sdk_app_id, group_id) REFERENCES chat_groups(sdk_app_id, group_id),
        FOREIGN KEY (sdk_app_id, user_id) REFERENCES users(sdk_app_id, user_id)
    );
    CREATE INDEX group_members_by_user ON group_members(sdk_app_id, user_id);
    CREATE TABLE client_ops (
        sdk_app_id BIGINT NOT NULL,
        user_id TEXT COLLATE "C" NOT NULL,
        op_id TEXT COLLATE "C" NOT NULL,
        request TEXT NOT NULL,
        reply_json TEXT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id, op_id)
    );
    CREATE INDEX client_ops_by_time ON client_ops(time);
    "#,
    // 2: SQLite's 6: a C2C thread key joins its two user IDs with U+001F instead of `|` (IDs
    // may now hold `|`, never a control character); the log's message entries name their
    // thread in JSON (`\u001f`). Thread rows are copied first and the old ones dropped last, so
    // the foreign keys hold at every step.
    r#"
    INSERT INTO threads (sdk_app_id, conv_key, last_seq)
        SELECT sdk_app_id, replace(conv_key, '|', chr(31)), last_seq
        FROM threads WHERE strpos(conv_key, '|') > 0;
    UPDATE messages SET conv_key = replace(conv_key, '|', chr(31))
        WHERE strpos(conv_key, '|') > 0;
    UPDATE conversations SET conv_key = replace(conv_key, '|', chr(31))
        WHERE strpos(conv_key, '|') > 0;
    DELETE FROM threads WHERE strpos(conv_key, '|') > 0;
    UPDATE user_events SET payload_json = replace(payload_json, '|', E'\\u001f')
        WHERE kind = 'messageAt' AND strpos(payload_json, '|') > 0;
    "#,
    // 3: SQLite's 7: profiles, blacklists (in the order added: `id`), and the sender's nick
    // and avatar stored with each message as of sending.
    r#"
    CREATE TABLE profiles (
        sdk_app_id BIGINT NOT NULL,
        user_id TEXT COLLATE "C" NOT NULL,
        nick TEXT NOT NULL,
        avatar TEXT NOT NULL,
        profile_json TEXT NOT NULL,
        PRIMARY KEY (sdk_app_id, user_id)
    );
    CREATE TABLE blacklist (
        id BIGSERIAL PRIMARY KEY,
        sdk_app_id BIGINT NOT NULL,
        owner TEXT COLLATE "C" NOT NULL,
        blocked TEXT COLLATE "C" NOT NULL,
        added_at BIGINT NOT NULL,
        UNIQUE (sdk_app_id, owner, blocked)
    );
    ALTER TABLE messages ADD COLUMN nick TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
    "#,
    // 4: SQLite's 8 (issue 16): pinned conversations, and setMessageRemindType's settings
    // (non-default only) apart from the list row so that they survive a deletion.
    r#"
    ALTER TABLE conversations ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
    CREATE TABLE remind_types (
        sdk_app_id BIGINT NOT NULL,
        owner TEXT COLLATE "C" NOT NULL,
        conversation_id TEXT COLLATE "C" NOT NULL,
        remind_type TEXT NOT NULL,
        PRIMARY KEY (sdk_app_id, owner, conversation_id)
    );
    "#,
    // 5: SQLite's 9 (issue 16): revoked messages, each app's revoke time limit (seconds), and
    // the messages each user deleted for themselves (one row per message).
    r#"
    ALTER TABLE messages ADD COLUMN revoked BOOLEAN NOT NULL DEFAULT FALSE;
    ALTER TABLE apps ADD COLUMN revoke_time_limit BIGINT NOT NULL DEFAULT 120;
    CREATE TABLE hidden_messages (
        sdk_app_id BIGINT NOT NULL,
        owner TEXT COLLATE "C" NOT NULL,
        conv_key TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, owner, conv_key, seq)
    );
    "#,
    // 6: SQLite's 10 (issue 16): group admins and updateGroupProfile's fields (an empty
    // `join_option` is the group type's own).
    r#"
    ALTER TABLE group_members ADD COLUMN admin BOOLEAN NOT NULL DEFAULT FALSE;
    ALTER TABLE chat_groups ADD COLUMN introduction TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN notification TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN join_option TEXT NOT NULL DEFAULT '';
    ALTER TABLE chat_groups ADD COLUMN mute_all BOOLEAN NOT NULL DEFAULT FALSE;
    "#,
    // 7: SQLite's 11 (issue 16): uploaded files (bytes on disk, named by `file_id`) and the
    // messages that link to them.
    r#"
    CREATE TABLE files (
        sdk_app_id BIGINT NOT NULL,
        file_id TEXT COLLATE "C" NOT NULL,
        uploader TEXT COLLATE "C" NOT NULL,
        conv_key TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        content_type TEXT NOT NULL,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        width BIGINT NOT NULL,
        height BIGINT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, file_id)
    );
    -- The purge looks for old uploads no message links to.
    CREATE INDEX files_by_time ON files(time);
    CREATE TABLE file_links (
        sdk_app_id BIGINT NOT NULL,
        file_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (sdk_app_id, file_id, seq)
    );
    "#,
    // 8: SQLite's 12 (issue 16): read receipts: the flag and counts of a message sent with
    // needReadReceipt, and one row per reader who sent a receipt (a repeat counts once).
    r#"
    ALTER TABLE messages ADD COLUMN need_receipt BOOLEAN NOT NULL DEFAULT FALSE;
    ALTER TABLE messages ADD COLUMN read_count BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN unread_count BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE message_reads (
        sdk_app_id BIGINT NOT NULL,
        conv_key TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        reader TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (sdk_app_id, conv_key, seq, reader)
    );
    "#,
];

/// The advisory lock nodes take to migrate one at a time (any fixed number of ours).
const MIGRATION_LOCK: i64 = 0x7469_6d5f_7363_6865; // "tim_sche"

/// Refuses a server that does not make commits durable: an answered send must survive a
/// crash. (`synchronous_commit` is set on for our sessions; `fsync` is the server's.)
pub(super) async fn check_durability(client: &Object) -> StoreResult<()> {
    let row = client.query_one("SHOW fsync", &[]).await?;
    let fsync: String = row.try_get(0)?;
    if fsync != "on" {
        tracing::warn!(
            "PostgreSQL runs with fsync={fsync}: answered sends may be lost if it crashes"
        );
    }
    Ok(())
}

/// Brings the schema up to date, one transaction per migration; returns the version.
pub(super) async fn migrate(client: &mut Object) -> StoreResult<usize> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await
        .or_else(|e| {
            // Two nodes creating it at once: the loser finds it there.
            if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                Ok(())
            } else {
                Err(e)
            }
        })?;
    loop {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let current = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await?
            .map(|r| r.try_get::<_, i64>(0))
            .transpose()?;
        let done = usize::try_from(current.unwrap_or(0))
            .map_err(|_| StoreError::Corrupt(format!("negative schema version {current:?}")))?;
        if done > MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "the PostgreSQL schema is at version {done}, newer than this server knows ({}): \
                 run a newer tim-server",
                MIGRATIONS.len()
            )));
        }
        let Some(sql) = MIGRATIONS.get(done) else {
            tx.commit().await?;
            return Ok(done);
        };
        tx.batch_execute(sql).await?;
        let version = i64::try_from(done + 1).unwrap_or(i64::MAX);
        if current.is_none() {
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&version],
            )
            .await?;
        } else {
            tx.execute("UPDATE schema_version SET version = $1", &[&version])
                .await?;
        }
        tx.commit().await?;
        tracing::info!(version = done + 1, "applied PostgreSQL schema migration");
    }
}
