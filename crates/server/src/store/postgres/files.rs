//! Uploaded files in PostgreSQL (see `store/files.rs`).

use super::{execute, query, query_opt, Tx};
use crate::store::files::{FileRow, FILE_COLUMNS};
use crate::store::{FileRecord, StoreResult};
use tokio_postgres::Row;

fn read(r: &Row) -> StoreResult<FileRecord> {
    FileRow {
        file_id: r.try_get(0)?,
        uploader: r.try_get(1)?,
        conv_key: r.try_get(2)?,
        kind: r.try_get(3)?,
        content_type: r.try_get(4)?,
        name: r.try_get(5)?,
        size: r.try_get(6)?,
        width: r.try_get(7)?,
        height: r.try_get(8)?,
        time: r.try_get(9)?,
    }
    .decode()
}

pub(super) async fn add(tx: &Tx<'_>, app: i64, f: &FileRecord) -> StoreResult<()> {
    let size = i64::try_from(f.size).unwrap_or(i64::MAX);
    let (width, height) = (i64::from(f.width), i64::from(f.height));
    execute(
        tx,
        &format!(
            "INSERT INTO files (sdk_app_id, {FILE_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        &[
            &app,
            &f.file_id,
            &f.uploader,
            &f.conv_key,
            &f.kind.as_str(),
            &f.content_type,
            &f.name,
            &size,
            &width,
            &height,
            &f.time,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn get(tx: &Tx<'_>, app: i64, file_id: &str) -> StoreResult<Option<FileRecord>> {
    query_opt(
        tx,
        &format!("SELECT {FILE_COLUMNS} FROM files WHERE sdk_app_id = $1 AND file_id = $2"),
        &[&app, &file_id],
    )
    .await?
    .as_ref()
    .map(read)
    .transpose()
}

pub(super) async fn link(tx: &Tx<'_>, app: i64, file_id: &str, seq: u64) -> StoreResult<()> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    execute(
        tx,
        "INSERT INTO file_links (sdk_app_id, file_id, seq) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&app, &file_id, &seq],
    )
    .await?;
    Ok(())
}

pub(super) async fn visible(
    tx: &Tx<'_>,
    app: i64,
    file_id: &str,
    viewer: &str,
) -> StoreResult<Option<FileRecord>> {
    query_opt(
        tx,
        &format!(
            "SELECT {FILE_COLUMNS} FROM files f
             WHERE f.sdk_app_id = $1 AND f.file_id = $2 AND (
               (f.uploader = $3 AND NOT EXISTS (SELECT 1 FROM file_links l
                                                WHERE l.sdk_app_id = $1 AND l.file_id = $2))
               OR EXISTS (
                 SELECT 1 FROM file_links l
                 JOIN conversations c
                   ON c.sdk_app_id = $1 AND c.owner = $3 AND c.conv_key = f.conv_key
                 JOIN messages m ON m.sdk_app_id = $1 AND m.conv_key = f.conv_key AND m.seq = l.seq
                 WHERE l.sdk_app_id = $1 AND l.file_id = $2
                   AND c.visible AND c.cleared_seq < l.seq AND c.left_seq IS NULL
                   AND NOT m.revoked
                   AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                   WHERE h.sdk_app_id = $1 AND h.owner = $3
                                     AND h.conv_key = f.conv_key AND h.seq = l.seq)))"
        ),
        &[&app, &file_id, &viewer],
    )
    .await?
    .as_ref()
    .map(read)
    .transpose()
}

pub(super) async fn take_stale(
    tx: &Tx<'_>,
    uploaded_before: i64,
    max_rows: u32,
) -> StoreResult<Vec<(u64, String)>> {
    let limit = i64::from(max_rows);
    let rows = query(
        tx,
        "SELECT f.sdk_app_id, f.file_id FROM files f
         WHERE f.time < $1 AND NOT EXISTS (
           SELECT 1 FROM file_links l
           JOIN messages m
             ON m.sdk_app_id = l.sdk_app_id AND m.conv_key = f.conv_key AND m.seq = l.seq
           WHERE l.sdk_app_id = f.sdk_app_id AND l.file_id = f.file_id)
         LIMIT $2
         FOR UPDATE OF f SKIP LOCKED",
        &[&uploaded_before, &limit],
    )
    .await?;
    let mut stale = Vec::with_capacity(rows.len());
    for r in rows {
        let (app, id): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        execute(
            tx,
            "DELETE FROM file_links WHERE sdk_app_id = $1 AND file_id = $2",
            &[&app, &id],
        )
        .await?;
        execute(
            tx,
            "DELETE FROM files WHERE sdk_app_id = $1 AND file_id = $2",
            &[&app, &id],
        )
        .await?;
        stale.push((u64::try_from(app).unwrap_or(0), id));
    }
    Ok(stale)
}
