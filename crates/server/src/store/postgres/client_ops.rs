//! Applying an opId-tagged request once. The lookup, the change and the record of its answer
//! are one transaction; when two nodes apply the same opId at once, both try to insert the
//! record, the second insert breaks the primary key, and that transaction (its change
//! included) is undone and run again, finding the first one's record. So it is applied once.

use super::{execute, query_opt, Tx};
use crate::store::{Once, OpAnswer, OpRecord, StoreError, StoreResult};

/// Runs `apply` unless `op` was recorded before; with `op`, records the answer its outcome gets.
pub(super) async fn once<O>(
    tx: &Tx<'_>,
    app: i64,
    user_id: &str,
    op: Option<&OpRecord<'_, O>>,
    now: i64,
    apply: impl AsyncFnOnce() -> StoreResult<O>,
) -> StoreResult<Once<O>> {
    let Some(op) = op else {
        return Ok(Once::Applied(apply().await?));
    };
    let recorded = query_opt(
        tx,
        "SELECT request, reply_json FROM client_ops
         WHERE sdk_app_id = $1 AND user_id = $2 AND op_id = $3",
        &[&app, &user_id, &op.op_id],
    )
    .await?;
    if let Some(r) = recorded {
        let (request, reply_json): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if request != op.request {
            return Ok(Once::Conflict);
        }
        let answer: OpAnswer = serde_json::from_str(&reply_json)
            .map_err(|e| StoreError::Corrupt(format!("recorded answer of {}: {e}", op.op_id)))?;
        return Ok(Once::Repeated(answer));
    }
    let outcome = apply().await?;
    let reply_json = serde_json::to_string(&(op.answer)(&outcome))
        .map_err(|e| StoreError::Corrupt(format!("encoding an answer: {e}")))?;
    execute(
        tx,
        "INSERT INTO client_ops (sdk_app_id, user_id, op_id, request, reply_json, time)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&app, &user_id, &op.op_id, &op.request, &reply_json, &now],
    )
    .await?;
    Ok(Once::Applied(outcome))
}

/// Forgets up to `max_rows` opIds recorded before `recorded_before`.
pub(super) async fn trim(tx: &Tx<'_>, recorded_before: i64, max_rows: u32) -> StoreResult<u64> {
    execute(
        tx,
        "DELETE FROM client_ops WHERE (sdk_app_id, user_id, op_id) IN (
             SELECT sdk_app_id, user_id, op_id FROM client_ops WHERE time < $1 LIMIT $2)",
        &[&recorded_before, &i64::from(max_rows)],
    )
    .await
}
