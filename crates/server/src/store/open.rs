//! Choosing the engine from the database setting (`--db`), in one place for `serve` and the
//! CLI: a `postgres://` or `postgresql://` URL is PostgreSQL, anything else a SQLite file.

use super::{PgStore, SqliteStore, Store, StoreResult};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Which engine a database setting names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(db: &str) -> Engine {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
}

/// Opens the store `db` names. `send_commit_after` is SQLite's (its send log); PostgreSQL
/// commits every batch of sends before they are answered.
pub fn open(db: &str, send_commit_after: Duration) -> StoreResult<Arc<dyn Store>> {
    Ok(match Engine::of(db) {
        Engine::Postgres => Arc::new(PgStore::open(db)?),
        Engine::Sqlite => Arc::new(SqliteStore::open_with(Path::new(db), send_commit_after)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_postgres_and_everything_else_is_a_file() {
        assert_eq!(Engine::of("postgres://tim@db/chat"), Engine::Postgres);
        assert_eq!(Engine::of("postgresql://db:5433/chat"), Engine::Postgres);
        for file in [
            "tim.db",
            "/var/lib/tim/tim.db",
            "postgres.db",
            "./postgres://x",
        ] {
            assert_eq!(Engine::of(file), Engine::Sqlite, "{file}");
        }
    }
}
