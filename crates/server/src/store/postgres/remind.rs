//! setMessageRemindType's settings: only non-default ones are stored, one row per owner and
//! conversation, apart from the list row (a deletion keeps them).

use super::{events, execute, query, Tx};
use crate::store::{StoreResult, UserEvent};
use tim_proto::{remind, Push};

/// Sets `remind_type` for each of `ids`; logs one [`Push::remind_change`] of the IDs whose
/// setting changed, if any did.
pub(super) async fn set(
    tx: &Tx<'_>,
    app: i64,
    owner: &str,
    ids: &[String],
    remind_type: &str,
    now: i64,
) -> StoreResult<Option<UserEvent>> {
    let mut changed = Vec::new();
    for id in ids {
        let n = if remind_type == remind::ACCEPT_AND_NOTIFY {
            execute(
                tx,
                "DELETE FROM remind_types
                 WHERE sdk_app_id = $1 AND owner = $2 AND conversation_id = $3",
                &[&app, &owner, id],
            )
            .await?
        } else {
            execute(
                tx,
                "INSERT INTO remind_types (sdk_app_id, owner, conversation_id, remind_type)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (sdk_app_id, owner, conversation_id) DO UPDATE
                 SET remind_type = excluded.remind_type
                 WHERE remind_types.remind_type <> excluded.remind_type",
                &[&app, &owner, id, &remind_type],
            )
            .await?
        };
        if n > 0 {
            changed.push(id.clone());
        }
    }
    if changed.is_empty() {
        return Ok(None);
    }
    let push = Push::remind_change(remind_type, &changed);
    Ok(Some(events::append(tx, app, owner, push, now).await?))
}

/// The owner's stored settings: `(conversationID, setting)`.
pub(super) async fn all(tx: &Tx<'_>, app: i64, owner: &str) -> StoreResult<Vec<(String, String)>> {
    let rows = query(
        tx,
        "SELECT conversation_id, remind_type FROM remind_types
         WHERE sdk_app_id = $1 AND owner = $2",
        &[&app, &owner],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
