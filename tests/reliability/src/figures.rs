//! Every scenario's figures, what must hold of them, and their Markdown for bench/RESULTS.md.

use crate::crowd::CrowdFigures;
use crate::idle::IdleFigures;
use crate::kill::KillFigures;
use crate::slow::SlowFigures;
use std::fmt::Write;
use tim_bench::workloads::flood::FloodResult;

/// Descriptors the server may open for itself during the idle flood (database, log).
const OWN_FILES: usize = 8;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    pub mode: String,
    pub kill: Option<KillFigures>,
    pub crowd: Option<CrowdFigures>,
    pub slow: Option<SlowFigures>,
    pub idle: Option<IdleFigures>,
    pub flood: Option<FloodResult>,
}

impl Figures {
    /// What broke (empty: everything held). Behaviour only, never a time.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(k) = &self.kill {
            if k.sends_lost + k.sends_duplicated + k.deletions_undone > 0 || k.restarts == 0 {
                out.push(format!("kill -9: {k:?}"));
            }
            if k.sends_acknowledged == 0 || k.deletions_acknowledged == 0 {
                out.push(format!("kill -9: nothing was acknowledged to check: {k:?}"));
            }
        }
        if let Some(c) = &self.crowd {
            if c.lost + c.duplicated + c.errors > 0 {
                out.push(format!("crowd: {c:?}"));
            }
        }
        if let Some(s) = &self.slow {
            if s.closed != s.slow_readers
                || s.closed_with_60011 != s.slow_readers
                || s.others_failed > 0
                || s.others_answered == 0
            {
                out.push(format!("slow readers: {s:?}"));
            }
        }
        if let Some(i) = &self.idle {
            // Past the cap, a band of connections is read a little, to be told why it is
            // refused (see tim-server's listen.rs); a few descriptors may be the server's own
            // files opened meanwhile.
            let most = i.cap + tim_server::listen::REFUSAL_BAND + OWN_FILES;
            if i.held > most || !i.client_answered {
                out.push(format!("idle flood: {i:?}"));
            }
        }
        if let Some(f) = &self.flood {
            if f.baseline_ms.samples == 0 || f.flooded_ms.samples == 0 || f.member_pushes == 0 {
                out.push(format!("flood: {f:?}"));
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "## 8. Reliability (tests/reliability, {} mode)\n\n\
             Real server processes on loopback driven over the protocol; what must hold is \
             checked (`tim-reliability` exits non-zero otherwise), these are the figures.\n",
            self.mode
        );
        let _ = writeln!(s, "| | |\n|---|---|");
        if let Some(k) = &self.kill {
            let _ = writeln!(
                s,
                "| kill -9 during sends and deletions | {} restarts; {} sends and {} deletions \
                 acknowledged and checked; {} lost, {} duplicated, {} deletions undone |",
                k.restarts,
                k.sends_acknowledged,
                k.deletions_acknowledged,
                k.sends_lost,
                k.sends_duplicated,
                k.deletions_undone
            );
        }
        if let Some(c) = &self.crowd {
            let _ = writeln!(
                s,
                "| Concurrent clients | {} clients, {} messages; {} lost, {} duplicated, {} errors |",
                c.clients, c.messages, c.lost, c.duplicated, c.errors
            );
        }
        if let Some(x) = &self.slow {
            let _ = writeln!(
                s,
                "| Slow readers | {} of {} closed ({} with a 60011 frame); others answered {} / \
                 failed {}; RSS {:.1} MB before, {:.1} MB stuck ({:.1} MB per stuck session), \
                 {:.1} MB after |",
                x.closed,
                x.slow_readers,
                x.closed_with_60011,
                x.others_answered,
                x.others_failed,
                x.rss_before_mb,
                x.rss_stuck_mb,
                (x.rss_stuck_mb - x.rss_before_mb) / x.slow_readers.max(1) as f64,
                x.rss_after_mb
            );
        }
        if let Some(i) = &self.idle {
            let _ = writeln!(
                s,
                "| Idle-connection flood | {} opened against a cap of {}: {} held; the logged-in \
                 client {} |",
                i.opened,
                i.cap,
                i.held,
                if i.client_answered {
                    "answered"
                } else {
                    "NOT answered"
                }
            );
        }
        if let Some(f) = &self.flood {
            let _ = writeln!(
                s,
                "| Flooded group | {} members ({} online), {} group msg/s; others' p99 {:.1} ms \
                 alone, {:.1} ms under the flood ({:.2}×) |",
                f.members,
                f.online_members,
                f.group_msgs_per_sec,
                f.baseline_ms.p99,
                f.flooded_ms.p99,
                f.p99_ratio
            );
        }
        s.push('\n');
        s
    }
}
