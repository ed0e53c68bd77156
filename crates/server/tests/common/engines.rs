//! One set of store tests for every engine: a test written once as `fn name(db: TestDb)` and
//! listed in [`for_each_engine!`] runs on SQLite (`name::sqlite`) and on PostgreSQL
//! (`name::postgres`).

use super::pg;
use std::sync::Arc;
use tim_server::config::DEFAULT_SEND_COMMIT_AFTER;
use tim_server::store::{self, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh, empty database of one engine; open as many stores on it as needed (several
/// stores on one database are several server nodes).
pub struct TestDb {
    pub engine: Engine,
    /// What `--db` would say: the SQLite file, or the PostgreSQL URL.
    pub location: String,
    dbname: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// `None`: PostgreSQL runs are switched off (`TIM_TEST_NO_PG=1`).
    pub fn new(engine: Engine) -> Option<TestDb> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let location = dir.path().join("tim.db").to_string_lossy().into_owned();
                Some(TestDb {
                    engine,
                    location,
                    dbname: String::new(),
                    _dir: Some(dir),
                })
            }
            Engine::Postgres if pg::skipped() => {
                eprintln!("TIM_TEST_NO_PG=1: skipping the PostgreSQL run");
                None
            }
            Engine::Postgres => {
                let location = pg::server().fresh_database();
                let dbname = location.rsplit('/').next().unwrap_or_default().to_owned();
                Some(TestDb {
                    engine,
                    location,
                    dbname,
                    _dir: None,
                })
            }
        }
    }

    /// A store on this database (another node, when one is open already).
    /// [`TestDb::open`] with app `sdk_app_id` (secret `k`, deletion sync off) created.
    pub fn open_with_app(&self, sdk_app_id: u64) -> Arc<dyn Store> {
        let store = self.open();
        store
            .create_app(&store::App {
                sdk_app_id,
                secret_key: "k".into(),
                admin_identifier: "administrator".into(),
                sync_conversation_deletion: false,
                created_at: 0,
            })
            .expect("app");
        store
    }

    pub fn open(&self) -> Arc<dyn Store> {
        store::open(&self.location, DEFAULT_SEND_COMMIT_AFTER).expect("open the store")
    }

    /// The single integer `sql` returns, read straight from the database (SQL both engines
    /// understand).
    pub fn count(&self, sql: &str) -> i64 {
        match self.engine {
            Engine::Sqlite => rusqlite::Connection::open(&self.location)
                .expect("open")
                .query_row(sql, [], |r| r.get(0))
                .expect("query"),
            Engine::Postgres => pg::server()
                .psql(&self.dbname, sql)
                .parse()
                .expect("an integer"),
        }
    }

    /// Runs `sql` straight on the database (SQL both engines understand).
    pub fn execute(&self, sql: &str) {
        match self.engine {
            Engine::Sqlite => rusqlite::Connection::open(&self.location)
                .expect("open")
                .execute_batch(sql)
                .expect("execute"),
            Engine::Postgres => {
                pg::server().psql(&self.dbname, sql);
            }
        }
    }
}

/// For each listed `fn name(db: TestDb)`, a module `name` with the tests `sqlite` and
/// `postgres`.
#[macro_export]
macro_rules! for_each_engine {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use $crate::common::engines::{Engine, TestDb};

                #[test]
                fn sqlite() {
                    if let Some(db) = TestDb::new(Engine::Sqlite) {
                        super::$name(db);
                    }
                }

                #[test]
                fn postgres() {
                    if let Some(db) = TestDb::new(Engine::Postgres) {
                        super::$name(db);
                    }
                }
            }
        )*
    };
}

impl TestDb {
    /// A SQLite database at `path` (its directory is the caller's to keep).
    pub fn sqlite_at(path: &std::path::Path) -> TestDb {
        TestDb {
            engine: Engine::Sqlite,
            location: path.to_string_lossy().into_owned(),
            dbname: String::new(),
            _dir: None,
        }
    }
}

/// Every stored row a send or a deletion can touch, in key order: equal before and after an
/// operation means it changed nothing.
const CONTENTS: &[&str] = &[
    "SELECT sdk_app_id || '/' || user_id || '/' || last_ev FROM users ORDER BY 1",
    "SELECT conv_key || '/' || last_seq FROM threads ORDER BY 1",
    "SELECT conv_key || '/' || seq || '/' || msg_id || '/' || time FROM messages ORDER BY 1",
    "SELECT owner || '/' || conversation_id || '/' || cleared_seq || '/' || read_seq || '/' \
     || unread || '/' || update_time || '/' || last_activity FROM conversations ORDER BY 1",
    "SELECT user_id || '/' || ev || '/' || kind || '/' || payload_json FROM user_events \
     ORDER BY 1",
    "SELECT user_id || '/' || op_id || '/' || reply_json FROM client_ops ORDER BY 1",
];

impl TestDb {
    /// The database's contents (see [`CONTENTS`]), one line per row.
    pub fn contents(&self) -> String {
        let mut all = String::new();
        for sql in CONTENTS {
            match self.engine {
                Engine::Sqlite => {
                    let conn = rusqlite::Connection::open(&self.location).expect("open");
                    let mut stmt = conn.prepare(sql).expect("prepare");
                    let rows = stmt
                        .query_map([], |r| r.get::<_, String>(0))
                        .expect("query")
                        .collect::<Result<Vec<_>, _>>()
                        .expect("rows");
                    all.push_str(&rows.join("\n"));
                }
                Engine::Postgres => all.push_str(&pg::server().psql(&self.dbname, sql)),
            }
            all.push_str("\n--\n");
        }
        all
    }
}
