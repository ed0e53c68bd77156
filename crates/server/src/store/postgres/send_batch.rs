//! The one-to-one sends of a batch in a fixed number of round trips, however many there are:
//! each step is one multi-row statement per table (`unnest` of arrays), and the statements of
//! a step go out together (tokio-postgres pipelines queries polled at once; the server runs
//! them in order). Sending each message's ten statements one after the other cost ~0.9 ms of
//! CPU per message in the node and PostgreSQL together (bench/findings/cluster.md).
//!
//! 1. Reads: message IDs already in their threads, blacklist entries, senders' nick/avatar.
//! 2. Decided here, in batch order: a repeat (of a stored message or of one earlier in the
//!    batch), a blocked send, or a new message numbered within the batch.
//! 3. Counters: every thread's `last_seq` and every user's `last_ev` bumped once by how many
//!    the batch takes (rows in key order, threads before users: two batches on two nodes lock
//!    in the same order and queue instead of deadlocking), and the messages' row IDs.
//! 4. Writes: messages, conversation rows (each row's changes folded into one), log entries.
//!
//! Every outcome, seq and event number is the one each send would have had alone, one after
//! the other (the store tests check both engines agree).

use super::{query, to_u64, Tx, MESSAGE_COLUMNS};
use crate::store::event_codec;
use crate::store::model::{ConvRef, NewMessage, SendOutcome, StoredMessage};
use crate::store::{StoreError, StoreResult, UserEvent};
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio_postgres::types::ToSql;

/// A query parameter.
type Param<'a> = &'a (dyn ToSql + Sync);
use tim_proto::Push;

/// One one-to-one send of a batch.
pub(super) struct C2c<'a> {
    pub app: i64,
    pub conv: &'a ConvRef,
    pub message: &'a NewMessage,
}

/// What became of a send once the reads are in (one per send, for the batch's length: its
/// large variant is not worth a box).
#[allow(clippy::large_enum_variant)]
enum Fate {
    Done(SendOutcome),
    /// The same sender again with the ID of the `n`th new message of this batch.
    Repeats(usize),
    New(usize),
}

/// A new message: where it goes in its thread's and its parties' counters.
struct Planned<'a> {
    send: &'a C2c<'a>,
    /// 1 for the batch's first message of this thread, 2 for the second...
    nth_in_thread: i64,
    /// Its parties (one for a chat with oneself), recipient first, and which of the batch's
    /// entries of theirs it is.
    parties: Vec<(&'a str, i64)>,
}

/// A user's conversation row after the batch: a sent message reads it up to there, a
/// received one adds one unread; the newest sets the times.
struct ConvFold<'a> {
    conv_key: &'a str,
    /// 0: no message of the owner's own (seqs start at 1).
    read_seq: i64,
    unread: i64,
    time: i64,
    activity: i64,
}

pub(super) async fn apply(tx: &Tx<'_>, sends: &[C2c<'_>]) -> StoreResult<Vec<SendOutcome>> {
    if sends.is_empty() {
        return Ok(Vec::new());
    }
    // 1. What is there already.
    let apps: Vec<i64> = sends.iter().map(|s| s.app).collect();
    let keys: Vec<&str> = sends.iter().map(|s| s.conv.conv_key.as_str()).collect();
    let ids: Vec<&str> = sends.iter().map(|s| s.message.msg_id.as_str()).collect();
    let owners: Vec<&str> = sends.iter().map(|s| s.conv.owner.as_str()).collect();
    let peers: Vec<&str> = sends.iter().map(|s| s.conv.peer.as_str()).collect();
    let existing_sql = format!(
        "SELECT {MESSAGE_COLUMNS}, sdk_app_id, conv_key FROM messages
         JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(a, ck, mid)
           ON sdk_app_id = k.a AND conv_key = k.ck AND msg_id = k.mid"
    );
    let params0: [Param; 3] = [&apps, &keys, &ids];
    let params1: [Param; 3] = [&apps, &peers, &owners];
    let params2: [Param; 2] = [&apps, &owners];
    let (existing, blocks, briefs) = futures::try_join!(
        query(tx, &existing_sql, &params0),
        // Whether the peer blacklisted the sender.
        query(
            tx,
            "SELECT b.sdk_app_id, b.owner, b.blocked FROM blacklist b
             JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(a, o, s)
               ON b.sdk_app_id = k.a AND b.owner = k.o AND b.blocked = k.s",
            &params1,
        ),
        // The sender's nick and avatar go with the message as they are now (Tencent's too).
        query(
            tx,
            "SELECT p.sdk_app_id, p.user_id, p.nick, p.avatar FROM profiles p
             JOIN (SELECT DISTINCT * FROM unnest($1::bigint[], $2::text[])) AS k(a, u)
               ON p.sdk_app_id = k.a AND p.user_id = k.u",
            &params2,
        ),
    )?;
    let mut stored: HashMap<(i64, String, String), StoredMessage> = HashMap::new();
    for r in &existing {
        let m = super::message_from_row(r)?;
        stored.insert((r.try_get(12)?, r.try_get(13)?, m.msg_id.clone()), m);
    }
    let mut blocked: HashSet<(i64, String, String)> = HashSet::new();
    for r in &blocks {
        blocked.insert((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    let mut brief: HashMap<(i64, String), (String, String)> = HashMap::new();
    for r in &briefs {
        brief.insert(
            (r.try_get(0)?, r.try_get(1)?),
            (r.try_get(2)?, r.try_get(3)?),
        );
    }

    // 2. Each send's fate, in batch order.
    let mut fates = Vec::with_capacity(sends.len());
    let mut planned: Vec<Planned> = Vec::new();
    // A new message ID of this batch: which new message, and whose.
    let mut new_ids: HashMap<(i64, &str, &str), (usize, &str)> = HashMap::new();
    let mut threads: BTreeMap<(i64, &str), i64> = BTreeMap::new();
    // Entries per user, and the time a user new to the store is recorded with.
    let mut users: BTreeMap<(i64, &str), (i64, i64)> = BTreeMap::new();
    for send in sends {
        let (app, conv, message) = (send.app, send.conv, send.message);
        let id_key = (app, conv.conv_key.as_str(), message.msg_id.as_str());
        let repeat = |from: &str| from == conv.owner;
        if let Some(m) = stored.get(&(app, conv.conv_key.clone(), message.msg_id.clone())) {
            fates.push(Fate::Done(if repeat(&m.from) {
                SendOutcome::Duplicate(m.clone())
            } else {
                SendOutcome::IdTaken
            }));
            continue;
        }
        if let Some(&(n, from)) = new_ids.get(&id_key) {
            fates.push(if repeat(from) {
                Fate::Repeats(n)
            } else {
                Fate::Done(SendOutcome::IdTaken)
            });
            continue;
        }
        if conv.peer != conv.owner
            && blocked.contains(&(app, conv.peer.clone(), conv.owner.clone()))
        {
            fates.push(Fate::Done(SendOutcome::Blocked));
            continue;
        }
        let nth_in_thread = threads.entry((app, &conv.conv_key)).or_insert(0);
        *nth_in_thread += 1;
        // The recipient's entry first, as SQLite's; a chat with oneself logs once.
        let mut parties = Vec::with_capacity(2);
        for user in [conv.peer.as_str(), conv.owner.as_str()] {
            if parties.iter().any(|(u, _)| *u == user) {
                continue;
            }
            let (count, _) = users.entry((app, user)).or_insert((0, message.time));
            *count += 1;
            parties.push((user, *count));
        }
        new_ids.insert(id_key, (planned.len(), conv.owner.as_str()));
        fates.push(Fate::New(planned.len()));
        planned.push(Planned {
            send,
            nth_in_thread: *nth_in_thread,
            parties,
        });
    }
    if planned.is_empty() {
        return finish(fates, Vec::new());
    }

    // 3. The counters, and the messages' row IDs (ascending: the batch's order is their
    //    conversations' order of activity).
    let t_apps: Vec<i64> = threads.keys().map(|(a, _)| *a).collect();
    let t_keys: Vec<&str> = threads.keys().map(|(_, k)| *k).collect();
    let t_counts: Vec<i64> = threads.values().copied().collect();
    let u_apps: Vec<i64> = users.keys().map(|(a, _)| *a).collect();
    let u_ids: Vec<&str> = users.keys().map(|(_, u)| *u).collect();
    let u_times: Vec<i64> = users.values().map(|(_, t)| *t).collect();
    let u_counts: Vec<i64> = users.values().map(|(n, _)| *n).collect();
    let how_many = i64::try_from(planned.len()).unwrap_or(i64::MAX);
    let params3: [Param; 3] = [&t_apps, &t_keys, &t_counts];
    let params4: [Param; 4] = [&u_apps, &u_ids, &u_times, &u_counts];
    let params5: [Param; 1] = [&how_many];
    let (thread_rows, user_rows, id_rows) = futures::try_join!(
        query(
            tx,
            "INSERT INTO threads (sdk_app_id, conv_key, last_seq)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
             ON CONFLICT (sdk_app_id, conv_key) DO UPDATE
                 SET last_seq = threads.last_seq + excluded.last_seq
             RETURNING sdk_app_id, conv_key, last_seq",
            &params3,
        ),
        query(
            tx,
            "INSERT INTO users (sdk_app_id, user_id, created_at, last_ev)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[])
             ON CONFLICT (sdk_app_id, user_id) DO UPDATE
                 SET last_ev = users.last_ev + excluded.last_ev
             RETURNING sdk_app_id, user_id, last_ev",
            &params4,
        ),
        query(
            tx,
            "SELECT nextval(pg_get_serial_sequence('messages', 'id'))
             FROM generate_series(1, $1::bigint)",
            &params5,
        ),
    )?;
    let mut last_seq: HashMap<(i64, String), i64> = HashMap::new();
    for r in &thread_rows {
        last_seq.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
    }
    let mut last_ev: HashMap<(i64, String), i64> = HashMap::new();
    for r in &user_rows {
        last_ev.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
    }
    let mut row_ids = id_rows
        .iter()
        .map(|r| r.try_get::<_, i64>(0))
        .collect::<Result<Vec<_>, _>>()?;
    row_ids.sort_unstable();
    if row_ids.len() != planned.len() {
        return Err(StoreError::Corrupt("too few message row IDs".into()));
    }

    // 4. The rows.
    let mut rows = MessageRows::default();
    let mut entries = EntryRows::default();
    let mut convs: BTreeMap<(i64, String, String), ConvFold> = BTreeMap::new();
    let mut outcomes = Vec::with_capacity(planned.len());
    for (p, &activity) in planned.iter().zip(&row_ids) {
        let (app, conv, message) = (p.send.app, p.send.conv, p.send.message);
        let thread = (app, conv.conv_key.as_str());
        let taken = threads.get(&thread).copied().unwrap_or(0);
        let seq = numbered(&last_seq, thread, taken, p.nth_in_thread)?;
        let (nick, avatar) = brief
            .get(&(app, conv.owner.clone()))
            .cloned()
            .unwrap_or_default();
        let body_json = serde_json::to_string(&message.body)
            .map_err(|e| StoreError::Corrupt(format!("encoding a message body: {e}")))?;
        let m = StoredMessage {
            seq: to_u64(seq),
            msg_id: message.msg_id.clone(),
            from: conv.owner.clone(),
            to: conv.peer.clone(),
            body: message.body.clone(),
            time: message.time,
            nick,
            avatar,
            revoked: false,
            need_receipt: message.need_receipt,
            read_count: 0,
            // The peer's receipt, none from oneself.
            unread_count: u32::from(message.need_receipt && conv.peer != conv.owner),
        };
        rows.push(activity, app, &conv.conv_key, seq, &m, body_json);

        // Sending brings the conversation back for the sender too, and reads it up to here;
        // the recipient has one more unread.
        let fold = || ConvFold {
            conv_key: &conv.conv_key,
            read_seq: 0,
            unread: 0,
            time: message.time,
            activity,
        };
        let mine = convs
            .entry((app, conv.owner.clone(), conv.conversation_id.clone()))
            .or_insert_with(fold);
        (mine.read_seq, mine.time, mine.activity) = (seq, message.time, activity);
        if conv.peer != conv.owner {
            let theirs = ConvRef::c2c(&conv.peer, &conv.owner);
            let row = convs
                .entry((app, theirs.owner.clone(), theirs.conversation_id.clone()))
                .or_insert_with(fold);
            row.unread += 1;
            (row.time, row.activity) = (message.time, activity);
        }

        let mut events = Vec::with_capacity(p.parties.len());
        for &(user, nth) in &p.parties {
            let taken = users.get(&(app, user)).map_or(0, |(n, _)| *n);
            let ev = numbered(&last_ev, (app, user), taken, nth)?;
            let wire = m.to_wire(user);
            let payload = event_codec::encode_message_at(&conv.conv_key, &wire)?;
            entries.push(app, user, ev, payload, message.time);
            events.push(UserEvent {
                user_id: user.to_owned(),
                ev: to_u64(ev),
                push: Push::Message { message: wire },
            });
        }
        outcomes.push(SendOutcome::Stored { message: m, events });
    }

    let c_apps: Vec<i64> = convs.keys().map(|(a, _, _)| *a).collect();
    let c_owners: Vec<&str> = convs.keys().map(|(_, o, _)| o.as_str()).collect();
    let c_ids: Vec<&str> = convs.keys().map(|(_, _, c)| c.as_str()).collect();
    let c_keys: Vec<&str> = convs.values().map(|f| f.conv_key).collect();
    let c_reads: Vec<i64> = convs.values().map(|f| f.read_seq).collect();
    let c_unread: Vec<i64> = convs.values().map(|f| f.unread).collect();
    let c_times: Vec<i64> = convs.values().map(|f| f.time).collect();
    let c_activity: Vec<i64> = convs.values().map(|f| f.activity).collect();
    let params6: [Param; 13] = [
        &rows.id,
        &rows.app,
        &rows.conv_key,
        &rows.seq,
        &rows.msg_id,
        &rows.from,
        &rows.to,
        &rows.body_json,
        &rows.time,
        &rows.nick,
        &rows.avatar,
        &rows.need_receipt,
        &rows.unread_count,
    ];
    let params7: [Param; 8] = [
        &c_apps,
        &c_owners,
        &c_ids,
        &c_keys,
        &c_reads,
        &c_unread,
        &c_times,
        &c_activity,
    ];
    let params8: [Param; 6] = [
        &entries.app,
        &entries.user,
        &entries.ev,
        &entries.payload,
        &entries.time,
        &event_codec::MESSAGE_AT,
    ];
    futures::try_join!(
        query(
            tx,
            "INSERT INTO messages (id, sdk_app_id, conv_key, seq, msg_id, from_user, to_user,
                                   body_json, time, nick, avatar, need_receipt, unread_count)
             OVERRIDING SYSTEM VALUE
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[],
                                  $5::text[], $6::text[], $7::text[], $8::text[],
                                  $9::bigint[], $10::text[], $11::text[], $12::boolean[],
                                  $13::bigint[])",
            &params6,
        ),
        query(
            tx,
            "INSERT INTO conversations (sdk_app_id, owner, conversation_id, conv_key, visible,
                                        read_seq, unread, update_time, last_activity)
             SELECT a, o, c, ck, TRUE, r, u, t, act
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                         $6::bigint[], $7::bigint[], $8::bigint[]) AS k(a, o, c, ck, r, u, t, act)
             ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE SET
                 visible = TRUE,
                 read_seq = CASE WHEN excluded.read_seq > 0 THEN excluded.read_seq
                                 ELSE conversations.read_seq END,
                 unread = conversations.unread + excluded.unread,
                 update_time = excluded.update_time, last_activity = excluded.last_activity",
            &params7,
        ),
        query(
            tx,
            "INSERT INTO user_events (sdk_app_id, user_id, ev, kind, payload_json, time)
             SELECT a, u, ev, $6, p, t
             FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
                 AS k(a, u, ev, p, t)",
            &params8,
        ),
    )?;
    finish(fates, outcomes)
}

/// Each send's outcome in batch order, a repeat inside the batch answered with the message
/// it repeats.
fn finish(fates: Vec<Fate>, new: Vec<SendOutcome>) -> StoreResult<Vec<SendOutcome>> {
    let stored_message = |n: usize| match new.get(n) {
        Some(SendOutcome::Stored { message, .. }) => Ok(message.clone()),
        _ => Err(StoreError::Corrupt("a repeat of an unknown send".into())),
    };
    let mut repeats = Vec::with_capacity(fates.len());
    for fate in &fates {
        repeats.push(match fate {
            Fate::Repeats(n) => Some(stored_message(*n)?),
            _ => None,
        });
    }
    let mut new = new.into_iter().map(Some).collect::<Vec<_>>();
    fates
        .into_iter()
        .zip(repeats)
        .map(|(fate, repeat)| match (fate, repeat) {
            (Fate::Done(outcome), _) => Ok(outcome),
            (Fate::Repeats(_), Some(m)) => Ok(SendOutcome::Duplicate(m)),
            (Fate::New(n), _) => new
                .get_mut(n)
                .and_then(Option::take)
                .ok_or_else(|| StoreError::Corrupt("a send outcome went missing".into())),
            (Fate::Repeats(_), None) => Err(StoreError::Corrupt("a lost repeat".into())),
        })
        .collect()
}

/// The `nth` of the `taken` numbers a counter handed this batch, now at `last`.
fn numbered(
    last: &HashMap<(i64, String), i64>,
    (app, key): (i64, &str),
    taken: i64,
    nth: i64,
) -> StoreResult<i64> {
    match last.get(&(app, key.to_owned())) {
        Some(last) => Ok(last - taken + nth),
        None => Err(StoreError::Corrupt(format!("no counter row for {key}"))),
    }
}

/// The columns of the batch's new `messages` rows.
#[derive(Default)]
struct MessageRows<'a> {
    id: Vec<i64>,
    app: Vec<i64>,
    conv_key: Vec<&'a str>,
    seq: Vec<i64>,
    msg_id: Vec<String>,
    from: Vec<String>,
    to: Vec<String>,
    body_json: Vec<String>,
    time: Vec<i64>,
    nick: Vec<String>,
    avatar: Vec<String>,
    need_receipt: Vec<bool>,
    unread_count: Vec<i64>,
}

impl<'a> MessageRows<'a> {
    fn push(
        &mut self,
        id: i64,
        app: i64,
        conv_key: &'a str,
        seq: i64,
        m: &StoredMessage,
        body_json: String,
    ) {
        self.id.push(id);
        self.app.push(app);
        self.conv_key.push(conv_key);
        self.seq.push(seq);
        self.msg_id.push(m.msg_id.clone());
        self.from.push(m.from.clone());
        self.to.push(m.to.clone());
        self.body_json.push(body_json);
        self.time.push(m.time);
        self.nick.push(m.nick.clone());
        self.avatar.push(m.avatar.clone());
        self.need_receipt.push(m.need_receipt);
        self.unread_count.push(i64::from(m.unread_count));
    }
}

/// The columns of the batch's new `user_events` rows (all of kind [`event_codec::MESSAGE_AT`]).
#[derive(Default)]
struct EntryRows<'a> {
    app: Vec<i64>,
    user: Vec<&'a str>,
    ev: Vec<i64>,
    payload: Vec<String>,
    time: Vec<i64>,
}

impl<'a> EntryRows<'a> {
    fn push(&mut self, app: i64, user: &'a str, ev: i64, payload: String, time: i64) {
        self.app.push(app);
        self.user.push(user);
        self.ev.push(ev);
        self.payload.push(payload);
        self.time.push(time);
    }
}
