//! What the numbers were measured on, and the floors they cannot go below: one fsync, and one
//! durable SQLite commit (WAL, synchronous=FULL, as the server runs it).

use crate::stats::Summary;
use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu_model: String,
    pub kernel: String,
    pub memory_total_mb: u64,
    /// UTC, ISO 8601.
    pub date: String,
    pub git_commit: String,
    /// Uncommitted changes to tracked files when the run started.
    pub git_dirty: bool,
    /// The open-file limit the run had (sessions need one descriptor each).
    pub open_files_limit: u64,
    /// /proc/loadavg when the run started and ended: other work on the machine skews results.
    pub loadavg_start: String,
    pub loadavg_end: String,
}

impl Machine {
    pub fn probe(root: &Path) -> Machine {
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpuinfo_field("model name").unwrap_or_default(),
            kernel: read_trim("/proc/sys/kernel/osrelease"),
            memory_total_mb: meminfo_kb("MemTotal:").unwrap_or(0) / 1024,
            date: utc_now(),
            git_commit: git(root, &["rev-parse", "HEAD"]),
            // bench/ is this run's own output (bench.sh removes the old results.json first).
            git_dirty: !git(
                root,
                &[
                    "status",
                    "--porcelain",
                    "--untracked-files=no",
                    "--",
                    ".",
                    ":(exclude)bench",
                ],
            )
            .is_empty(),
            open_files_limit: open_files_limit().unwrap_or(0),
            loadavg_start: read_trim("/proc/loadavg"),
            loadavg_end: String::new(),
        }
    }
}

/// The cost of durability on this disk, measured next to the benchmark databases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Floors {
    /// 4 KiB write + fdatasync of a file.
    pub fsync: Summary,
    /// One single-row UPDATE committed in WAL mode with synchronous=FULL.
    pub sqlite_commit: Summary,
}

pub fn measure_floors(dir: &Path, rounds: usize) -> Result<Floors> {
    let mut file = std::fs::File::create(dir.join("fsync.probe"))?;
    let block = [7u8; 4096];
    let mut fsync = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        fsync.push(t.elapsed());
    }
    let conn = Connection::open(dir.join("floor.db"))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 0);",
    )?;
    let mut commit = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let t = Instant::now();
        conn.execute("UPDATE t SET v = ?1 WHERE k = 1", [i as i64])?;
        commit.push(t.elapsed());
    }
    Ok(Floors {
        fsync: Summary::of(&fsync),
        sqlite_commit: Summary::of(&commit),
    })
}

pub fn loadavg() -> String {
    read_trim("/proc/loadavg")
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn cpuinfo_field(name: &str) -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

fn meminfo_kb(field: &str) -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The soft limit on open files ("Max open files" in /proc/self/limits).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn git(root: &Path, args: &[&str]) -> String {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn reads_the_open_files_limit() {
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }
}
