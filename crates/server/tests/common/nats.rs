//! A private nats-server for a test: on a free loopback port, stopped when dropped (and by a
//! watchdog process once the test binary has exited, however it ends). It can be stopped and
//! started again on the same port, to test what nodes do while NATS is gone.
//!
//! The binary is `TIM_NATS_SERVER`, or `nats-server` on PATH or in /usr/sbin (Debian's
//! package; scripts/setup.sh --with-test-servers installs it). Without it [`binary`] says so
//! and the cluster tests skip, loudly.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    bin: PathBuf,
    port: u16,
    child: Option<Child>,
    /// A configuration file, when started with one (kept alive as long as the server).
    config: Option<tempfile::NamedTempFile>,
}

/// The nats-server binary, or why there is none.
pub fn binary() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("TIM_NATS_SERVER") {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(format!("TIM_NATS_SERVER={} is not a file", path.display())),
        };
    }
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/usr/local/sbin"])
        .map(|dir| Path::new(dir).join("nats-server"))
        .find(|p| p.is_file());
    found.ok_or_else(|| {
        "nats-server not found: run scripts/setup.sh --with-test-servers to install it".into()
    })
}

/// Says loudly that a test is skipped for want of nats-server; `None` then.
pub fn start_or_skip(test: &str) -> Option<NatsServer> {
    binary_or_skip(test).map(NatsServer::start)
}

/// The binary, or `None` after saying loudly that `test` is skipped.
pub fn binary_or_skip(test: &str) -> Option<PathBuf> {
    match binary() {
        Ok(bin) => Some(bin),
        Err(why) => {
            eprintln!("\n*** SKIPPED {test}: {why} ***\n");
            None
        }
    }
}

impl NatsServer {
    pub fn start(bin: PathBuf) -> NatsServer {
        Self::start_config(bin, None)
    }

    /// A server that refuses messages over `max_payload` bytes: a publish of a larger push
    /// never reaches the other nodes, a loss as NATS core may cause any time.
    pub fn start_max_payload(bin: PathBuf, max_payload: usize) -> NatsServer {
        let mut config = tempfile::NamedTempFile::new().expect("config file");
        std::io::Write::write_all(
            &mut config,
            format!("max_payload: {max_payload}\n").as_bytes(),
        )
        .expect("write config");
        Self::start_config(bin, Some(config))
    }

    fn start_config(bin: PathBuf, config: Option<tempfile::NamedTempFile>) -> NatsServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = NatsServer {
            bin,
            port,
            child: None,
            config,
        };
        server.resume();
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as a crash would) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let deadline = Instant::now() + Duration::from_secs(10);
        // The port may take a moment to be free again after a stop.
        let child = loop {
            let mut command = Command::new(&self.bin);
            if let Some(config) = &self.config {
                command.arg("-c").arg(config.path());
            }
            let mut child = command
                .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn nats-server");
            if wait_listening(self.port, &mut child, deadline) {
                break child;
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                Instant::now() < deadline,
                "nats-server did not start on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        watchdog(child.id());
        self.child = Some(child);
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether the server listens before `deadline` (false when it exited first).
fn wait_listening(port: u16, child: &mut Child, deadline: Instant) -> bool {
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Kills `pid` once this test binary has exited, if it is still there.
fn watchdog(pid: u32) {
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill -9 {pid} 2>/dev/null",
        me = std::process::id()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
