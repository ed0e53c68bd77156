//! Uploaded files in SQLite (see `store/files.rs`).

use crate::store::files::{FileRow, FILE_COLUMNS};
use crate::store::{FileRecord, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, Row};

fn read(r: &Row<'_>) -> rusqlite::Result<FileRow> {
    Ok(FileRow {
        file_id: r.get(0)?,
        uploader: r.get(1)?,
        conv_key: r.get(2)?,
        kind: r.get(3)?,
        content_type: r.get(4)?,
        name: r.get(5)?,
        size: r.get(6)?,
        width: r.get(7)?,
        height: r.get(8)?,
        time: r.get(9)?,
    })
}

pub(super) fn add(conn: &Connection, app: i64, f: &FileRecord) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO files (sdk_app_id, {FILE_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(params![
        app,
        f.file_id,
        f.uploader,
        f.conv_key,
        f.kind.as_str(),
        f.content_type,
        f.name,
        i64::try_from(f.size).unwrap_or(i64::MAX),
        i64::from(f.width),
        i64::from(f.height),
        f.time
    ])?;
    Ok(())
}

pub(super) fn get(conn: &Connection, app: i64, file_id: &str) -> StoreResult<Option<FileRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {FILE_COLUMNS} FROM files WHERE sdk_app_id = ?1 AND file_id = ?2"
    ))?
    .query_row(params![app, file_id], read)
    .optional()?
    .map(FileRow::decode)
    .transpose()
}

pub(super) fn link(conn: &Connection, app: i64, file_id: &str, seq: u64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO file_links (sdk_app_id, file_id, seq) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        app,
        file_id,
        i64::try_from(seq).unwrap_or(i64::MAX)
    ])?;
    Ok(())
}

pub(super) fn visible(
    conn: &Connection,
    app: i64,
    file_id: &str,
    viewer: &str,
) -> StoreResult<Option<FileRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {FILE_COLUMNS} FROM files f
         WHERE f.sdk_app_id = ?1 AND f.file_id = ?2 AND (
           (f.uploader = ?3 AND NOT EXISTS (SELECT 1 FROM file_links l
                                            WHERE l.sdk_app_id = ?1 AND l.file_id = ?2))
           OR EXISTS (
             SELECT 1 FROM file_links l
             JOIN conversations c ON c.sdk_app_id = ?1 AND c.owner = ?3 AND c.conv_key = f.conv_key
             JOIN messages m ON m.sdk_app_id = ?1 AND m.conv_key = f.conv_key AND m.seq = l.seq
             WHERE l.sdk_app_id = ?1 AND l.file_id = ?2
               AND c.visible = 1 AND c.cleared_seq < l.seq AND c.left_seq IS NULL
               AND m.revoked = 0
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.sdk_app_id = ?1 AND h.owner = ?3
                                 AND h.conv_key = f.conv_key AND h.seq = l.seq)))"
    ))?
    .query_row(params![app, file_id, viewer], read)
    .optional()?
    .map(FileRow::decode)
    .transpose()
}

pub(super) fn take_stale(
    conn: &Connection,
    uploaded_before: i64,
    max_rows: u32,
) -> StoreResult<Vec<(u64, String)>> {
    let stale = conn
        .prepare_cached(
            "SELECT f.sdk_app_id, f.file_id FROM files f
             WHERE f.time < ?1 AND NOT EXISTS (
               SELECT 1 FROM file_links l
               JOIN messages m
                 ON m.sdk_app_id = l.sdk_app_id AND m.conv_key = f.conv_key AND m.seq = l.seq
               WHERE l.sdk_app_id = f.sdk_app_id AND l.file_id = f.file_id)
             LIMIT ?2",
        )?
        .query_map(params![uploaded_before, max_rows], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (app, id) in &stale {
        conn.prepare_cached("DELETE FROM file_links WHERE sdk_app_id = ?1 AND file_id = ?2")?
            .execute(params![app, id])?;
        conn.prepare_cached("DELETE FROM files WHERE sdk_app_id = ?1 AND file_id = ?2")?
            .execute(params![app, id])?;
    }
    Ok(stale
        .into_iter()
        .map(|(app, id)| (u64::try_from(app).unwrap_or(0), id))
        .collect())
}
