//! Sends inside the caller's transaction. `Store::send_messages` runs a whole batch, group
//! messages among them, in one transaction: each run of one-to-one sends in a few multi-row
//! statements for all of it (`send_batch.rs`), each group send on its own.

use super::group_messages;
use super::send_batch::{self, C2c};
use super::{app_key, Tx};
use crate::store::model::{ConvRef, NewMessage, SendOutcome};
use crate::store::{GroupRefusal, SendItem, StoreError, StoreResult};

/// Every send of `batch`, in order, inside the caller's transaction.
pub(super) async fn apply(
    tx: &Tx<'_>,
    batch: &[SendItem],
) -> StoreResult<Vec<Result<SendOutcome, GroupRefusal>>> {
    let mut out = Vec::with_capacity(batch.len());
    let mut run: Vec<C2c> = Vec::new();
    for item in batch {
        let app = app_key(item.sdk_app_id)?;
        if !item.conv.is_group() {
            run.push(C2c {
                app,
                conv: &item.conv,
                message: &item.message,
            });
            continue;
        }
        out.extend(send_batch::apply(tx, &run).await?.into_iter().map(Ok));
        run.clear();
        out.push(group_messages::send(tx, app, &item.conv, &item.message).await?);
    }
    out.extend(send_batch::apply(tx, &run).await?.into_iter().map(Ok));
    Ok(out)
}

/// One one-to-one send: a batch of one.
pub(super) async fn c2c(
    tx: &Tx<'_>,
    app: i64,
    conv: &ConvRef,
    message: &NewMessage,
) -> StoreResult<SendOutcome> {
    let send = C2c { app, conv, message };
    send_batch::apply(tx, std::slice::from_ref(&send))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("a send without an outcome".into()))
}
