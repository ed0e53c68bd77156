//! A real `tim-server serve` process on loopback, on a database the workload seeded.

use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// What the workloads need to know about the binary and the repository.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub bin: PathBuf,
    pub root: PathBuf,
    /// The SDK package served at /pkg.
    pub pkg: PathBuf,
    /// Server flags set to other values than the load generator's (see [`ServerProc::start`]),
    /// e.g. `("--max-connections", "300")`; each flag once.
    pub flags: Vec<(&'static str, String)>,
}

/// What the load generator changes by default: it is the heavy user the request rates exist
/// to stop, and the idle workload holds 10,000 sessions from one address.
const LOAD_FLAGS: [(&str, &str); 4] = [
    ("--max-requests-per-sec", "0"),
    ("--max-user-requests-per-sec", "0"),
    ("--max-connections", "100000"),
    ("--max-anonymous-per-ip", "100000"),
];

pub struct ServerProc {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub http_url: String,
    pub sdk_app_id: u64,
    pub secret_key: String,
}

/// [`LOAD_FLAGS`] with the spec's own values in their place, then the spec's other flags.
fn flags(spec: &ServerSpec) -> Vec<String> {
    let mut out = Vec::new();
    for (flag, value) in LOAD_FLAGS {
        let value = spec
            .flags
            .iter()
            .find(|(f, _)| *f == flag)
            .map_or(value, |(_, v)| v.as_str());
        out.extend([flag.to_owned(), value.to_owned()]);
    }
    for (flag, value) in &spec.flags {
        if !LOAD_FLAGS.iter().any(|(f, _)| f == flag) {
            out.extend([(*flag).to_owned(), value.clone()]);
        }
    }
    out
}

impl ServerProc {
    /// Starts the server on `db` (in `dir`, which also gets its log), whose demo app the seed
    /// made (`app`: SDKAppID and secret key; the server prints the key only when it creates the
    /// app), and waits until it prints its address (`listening on (http://\S+)`).
    pub async fn start(
        spec: &ServerSpec,
        dir: &Path,
        db: &Path,
        app: (u64, String),
    ) -> Result<ServerProc> {
        let log = std::fs::File::create(dir.join("server.log"))?;
        let mut child = Command::new(&spec.bin)
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .arg("--www")
            .arg(spec.root.join("www"))
            .arg("--pkg")
            .arg(&spec.pkg)
            .args(flags(spec))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", spec.bin.display()))?;
        let pid = child.id().ok_or_else(|| anyhow!("server exited at once"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no server stdout"))?;
        let (ready_tx, ready_rx) = oneshot::channel();
        // Keeps reading stdout for the life of the process so the pipe never fills.
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut ready = Some(ready_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(u) = after(&line, "listening on ") {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(u.trim_end_matches('/').to_owned());
                    }
                }
            }
        });
        let (sdk_app_id, secret_key) = app;
        let http_url = tokio::time::timeout(Duration::from_secs(60), ready_rx)
            .await
            .map_err(|_| anyhow!("the server printed no address within 60 s"))?
            .map_err(|_| {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                anyhow!(
                    "the server exited before printing its address: {}",
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                )
            })?;
        Ok(ServerProc {
            child,
            pid,
            http_url,
            sdk_app_id,
            secret_key,
        })
    }

    /// Kills the process without warning (SIGKILL), as a crash or power cut would.
    pub async fn kill9(mut self) -> Result<()> {
        self.child.kill().await.context("kill -9 of the server")
    }

    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.http_url.replacen("http", "ws", 1))
    }

    /// Resident set size of the server process, in bytes (VmRSS in /proc/<pid>/status).
    pub fn rss_bytes(&self) -> Result<u64> {
        proc_status_kb(self.pid, "VmRSS:").map(|kb| kb * 1024)
    }

    /// Peak resident set size (VmHWM), in bytes.
    pub fn peak_rss_bytes(&self) -> Result<u64> {
        proc_status_kb(self.pid, "VmHWM:").map(|kb| kb * 1024)
    }

    /// CPU time the server process has used so far (user + system, all threads).
    pub fn cpu_time(&self) -> Result<Duration> {
        cpu_time_of(&self.pid.to_string())
    }

    /// SIGTERM (the server closes its sessions and exits), SIGKILL after 10 s.
    pub async fn stop(mut self) -> Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)? + marker.len();
    line[at..].split_whitespace().next()
}

/// User + system CPU time of a process (`self` or a pid), from /proc/<pid>/stat.
pub fn cpu_time_of(pid: &str) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("unreadable /proc/{pid}/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    Ok(Duration::from_millis(ticks * 1000 / CLOCK_TICKS_PER_SEC))
}

/// Bytes a process (`self` or a pid) caused to be written to storage (`write_bytes` of
/// /proc/<pid>/io): its files' pages, not its sockets.
pub fn disk_writes_of(pid: &str) -> Result<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io"))?;
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow!("no write_bytes in /proc/{pid}/io"))
}

/// `getconf CLK_TCK`: 100 on every Linux this runs on.
const CLOCK_TICKS_PER_SEC: u64 = 100;

fn proc_status_kb(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(field) {
            let kb = rest.trim().trim_end_matches("kB").trim();
            return Ok(kb.parse()?);
        }
    }
    bail!("no {field} in /proc/{pid}/status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lines_the_server_prints() {
        assert_eq!(
            after(
                "tim-server listening on http://127.0.0.1:4321/",
                "listening on "
            ),
            Some("http://127.0.0.1:4321/")
        );
    }

    #[test]
    fn reads_our_own_rss_and_cpu() {
        assert!(proc_status_kb(std::process::id(), "VmRSS:").expect("rss") > 0);
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(50) {}
        assert!(cpu_time_of("self").expect("cpu") > Duration::ZERO);
    }

    #[test]
    fn reads_our_own_disk_writes() {
        let before = disk_writes_of("self").expect("io");
        let dir = std::env::temp_dir().join(format!("tim-bench-io-{}", std::process::id()));
        std::fs::write(&dir, vec![7u8; 1 << 20]).expect("write");
        std::fs::File::open(&dir)
            .and_then(|f| f.sync_all())
            .expect("sync");
        let after = disk_writes_of("self").expect("io");
        let _ = std::fs::remove_file(&dir);
        assert!(after >= before + (1 << 20), "{before} -> {after}");
    }
}
