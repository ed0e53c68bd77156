//! A private PostgreSQL for the tests: started once per test binary from the installed
//! binaries (initdb into a temp dir, `pg_ctl` on a free loopback port, its socket in that dir),
//! and stopped by a watchdog process once the test binary has exited. Each test gets a fresh
//! database.
//!
//! No binaries: the PostgreSQL runs fail, saying to run scripts/setup.sh --with-test-servers, unless
//! `TIM_TEST_NO_PG=1` asks to skip them. `TIM_PG_BIN` names the binaries' directory if it is
//! not a standard one.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub struct PgServer {
    bin: PathBuf,
    port: u16,
    /// `runuser -u postgres --` when the tests run as root (PostgreSQL refuses root).
    as_user: Vec<String>,
    /// The cluster's data directory and the temp dir holding it, its socket and its log.
    data: PathBuf,
    root: PathBuf,
    /// `pg_ctl -o`: port, socket dir, settings.
    options: String,
}

/// Whether the PostgreSQL runs are switched off (`TIM_TEST_NO_PG=1`).
pub fn skipped() -> bool {
    std::env::var("TIM_TEST_NO_PG").is_ok_and(|v| v == "1")
}

/// The server, started on first use.
pub fn server() -> &'static PgServer {
    static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!("{why}"),
    }
}

/// A PostgreSQL of the calling test's own (not the shared one), to stop and start again:
/// what nodes do while the database is gone. Removed once the test binary exits.
pub fn private() -> PgServer {
    match start() {
        Ok(server) => server,
        Err(why) => panic!("{why}"),
    }
}

impl PgServer {
    /// Stops the server (`pg_ctl stop -m fast`: sessions are closed, as in a restart or a
    /// failover) and waits until it is gone.
    pub fn stop(&self) {
        let mut cmd = self.pg_ctl();
        cmd.args(["-w", "-t", "60", "-m", "fast", "stop"]);
        run(&mut cmd, "pg_ctl stop").expect("PostgreSQL stops");
    }

    /// Stops the server as a crash would (`pg_ctl stop -m immediate`: every process killed, no
    /// checkpoint; what the WAL on disk holds is what recovery replays at the next start).
    pub fn crash(&self) {
        let mut cmd = self.pg_ctl();
        cmd.args(["-w", "-t", "60", "-m", "immediate", "stop"]);
        run(&mut cmd, "pg_ctl stop -m immediate").expect("PostgreSQL stops");
    }

    /// Starts it again on the same port and data, waiting until it accepts connections.
    pub fn resume(&self) {
        let mut cmd = self.pg_ctl();
        cmd.arg("-l")
            .arg(self.root.join("log"))
            .args(["-w", "-t", "60", "-o", &self.options, "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        run(&mut cmd, "pg_ctl start").expect("PostgreSQL starts again");
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = match self.as_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(self.bin.join("pg_ctl"));
                c
            }
            None => Command::new(self.bin.join("pg_ctl")),
        };
        cmd.current_dir(&self.root).arg("-D").arg(&self.data);
        cmd
    }

    /// A new, empty database; its URL.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "tim_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let out = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "tim",
                &name,
            ])
            .output()
            .expect("run createdb");
        assert!(
            out.status.success(),
            "createdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(&name)
    }

    pub fn url(&self, dbname: &str) -> String {
        format!("postgres://tim@127.0.0.1:{}/{dbname}", self.port)
    }

    /// Runs `sql` in database `dbname` with psql; its output, unaligned and without headers.
    pub fn psql(&self, dbname: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "tim"])
            .args([
                "-d",
                dbname,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

fn find_bin() -> Result<PathBuf, String> {
    let has_pg_ctl = |d: &Path| d.join("pg_ctl").is_file() && d.join("initdb").is_file();
    if let Ok(dir) = std::env::var("TIM_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if has_pg_ctl(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "TIM_PG_BIN={} holds no pg_ctl/initdb",
                dir.display()
            ))
        };
    }
    // Debian's layout, newest version first.
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_pg_ctl(&bin).then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        if has_pg_ctl(Path::new(dir)) {
            return Ok(PathBuf::from(dir));
        }
    }
    Err(
        "PostgreSQL binaries (initdb, pg_ctl) not found: run scripts/setup.sh --with-test-servers to install \
         them, or set TIM_TEST_NO_PG=1 to skip the PostgreSQL runs of the store tests"
            .into(),
    )
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    Ok(l.local_addr()
        .map_err(|e| format!("free port: {e}"))?
        .port())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start() -> Result<PgServer, String> {
    let bin = find_bin()?;
    let root = tempfile::Builder::new()
        .prefix("tim-pg-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?
        .keep();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let as_user: Vec<String> = if is_root {
        run(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root),
            "chown the data dir to postgres",
        )?;
        ["runuser", "-u", "postgres", "--"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    };
    let as_pg = |program: &str| {
        let mut cmd = match as_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(bin.join(program));
                c
            }
            None => Command::new(bin.join(program)),
        };
        cmd.current_dir(&root);
        cmd
    };
    let data = root.join("data");
    run(
        as_pg("initdb").arg("-D").arg(&data).args([
            "-U",
            "tim",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--no-locale",
        ]),
        "initdb",
    )?;
    let port = free_port()?;
    // Room for many stores' pools at once; everything else as a production server has it
    // (fsync and synchronous_commit on).
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 \
         -c shared_buffers=64MB",
        root.display()
    );
    run(
        as_pg("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(root.join("log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
        "pg_ctl start",
    )
    .map_err(|e| {
        let log = std::fs::read_to_string(root.join("log")).unwrap_or_default();
        format!("{e}\n{log}")
    })?;
    // Stops the server and removes its files once this test binary is gone, however it ends.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \
         {user} {pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {root}",
        pid = std::process::id(),
        user = as_user.join(" "),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        root = root.display(),
    );
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the watchdog: {e}"))?;
    Ok(PgServer {
        bin,
        port,
        as_user,
        data,
        root,
        options,
    })
}
