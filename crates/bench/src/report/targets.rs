//! The targets of issue 7, checked against what a run measured.

pub use crate::workloads::verdict::Verdict;
use crate::workloads::Results;

fn verdict(workload: &str, target: &str, measured: String, met: Option<bool>) -> Verdict {
    Verdict {
        workload: workload.to_owned(),
        target: target.to_owned(),
        measured,
        met,
    }
}

/// Issue 12: the serde build of the SDK (derived codecs, serde-wasm-bindgen, gloo-net).
pub const SDK_GZIP_TARGET: u64 = 124_000;
pub const IDLE_SESSIONS_TARGET: usize = 10_000;
pub const IDLE_RSS_TARGET_MB: f64 = 200.0;
/// Issue 13: others' p99 under a flooded large group, relative to their p99 alone.
pub const FLOOD_P99_RATIO_TARGET: f64 = 2.0;

pub fn evaluate(r: &Results) -> Vec<Verdict> {
    let mut out = Vec::new();
    if let Some(d) = &r.delete {
        if let (Some(small), Some(large)) = (d.sizes.first(), d.sizes.last()) {
            let worst = d
                .sizes
                .iter()
                .max_by(|a, b| a.latency_ms.p50.total_cmp(&b.latency_ms.p50))
                .unwrap_or(small);
            out.push(verdict(
                "1. delete",
                "p50 ≤ 1 ms at every history size",
                format!(
                    "highest p50 {:.3} ms (at {} messages)",
                    worst.latency_ms.p50,
                    fmt_int(worst.messages)
                ),
                Some(worst.latency_ms.p50 <= 1.0),
            ));
            let ratio = large.latency_ms.p50 / small.latency_ms.p50.max(1e-9);
            out.push(verdict(
                "1. delete",
                "p50 at 1,000,000 within 1.5× of p50 at 10",
                format!(
                    "p50 at {} / p50 at {} = {ratio:.2}×",
                    fmt_int(large.messages),
                    fmt_int(small.messages)
                ),
                Some(ratio <= 1.5 && large.messages >= 1_000_000),
            ));
        }
    }
    if let Some(s) = &r.sync {
        out.push(verdict(
            "2. sync",
            "p50 ≤ 2 ms (delete request on session 1 → push on session 2)",
            format!("p50 {:.3} ms", s.push_ms.p50),
            Some(s.push_ms.p50 <= 2.0),
        ));
    }
    if let Some(s) = &r.send {
        if let Some(best) = s
            .levels
            .iter()
            .max_by(|a, b| a.msgs_per_sec.total_cmp(&b.msgs_per_sec))
        {
            out.push(verdict(
                "3. send",
                "≥ 20,000 durable msg/s on 2 cores",
                format!(
                    "best {} msg/s (with {} sender{})",
                    fmt_int(best.msgs_per_sec as u64),
                    best.senders,
                    if best.senders == 1 { "" } else { "s" }
                ),
                Some(best.msgs_per_sec >= 20_000.0),
            ));
        }
        if let Some(p) = &s.pipelined {
            out.push(verdict(
                "3. send",
                "one connection, 32 sends in flight: ≥ 10,000 durable msg/s",
                format!(
                    "{} msg/s (p99 {:.1} ms)",
                    fmt_int(p.msgs_per_sec as u64),
                    p.latency_ms.p99
                ),
                Some(p.msgs_per_sec >= 10_000.0),
            ));
        }
    }
    if let Some(b) = &r.batch {
        let (measured, met) = match (&b.batch_ms, &b.batch_refused) {
            (Some(ms), _) => (format!("p50 {:.3} ms", ms.p50), Some(ms.p50 <= 20.0)),
            (None, Some(why)) => (
                format!(
                    "refused by the server ({why}); 100 single deletions take p50 {:.1} ms",
                    b.sequential_ms.p50
                ),
                None,
            ),
            (None, None) => ("nothing measured".to_owned(), None),
        };
        out.push(verdict(
            "4. batch",
            "100 conversations in one call ≤ 20 ms",
            measured,
            met,
        ));
    }
    if let Some(i) = &r.idle {
        let target = "10,000 idle sessions in ≤ 200 MB RSS";
        let (measured, met) = if i.sessions >= IDLE_SESSIONS_TARGET {
            (
                format!(
                    "{} sessions: {:.1} MB",
                    fmt_int(i.sessions as u64),
                    i.rss_with_sessions_mb
                ),
                Some(i.rss_with_sessions_mb <= IDLE_RSS_TARGET_MB),
            )
        } else {
            let projected = i.rss_idle_mb
                + (IDLE_SESSIONS_TARGET as f64 * i.bytes_per_session as f64) / (1024.0 * 1024.0);
            (
                format!(
                    "{} sessions: {:.1} MB; projected for 10,000: {projected:.1} MB",
                    fmt_int(i.sessions as u64),
                    i.rss_with_sessions_mb
                ),
                Some(projected <= IDLE_RSS_TARGET_MB),
            )
        };
        out.push(verdict("5. idle", target, measured, met));
    }
    if let Some(s) = &r.sdk {
        out.push(verdict(
            "6. sdk",
            ".wasm + .js ≤ 124 KB gzip -9 (124,000 bytes)",
            format!(
                "{} bytes gzip ({} raw)",
                fmt_int(s.total_gzip),
                fmt_int(s.total_raw)
            ),
            Some(s.total_gzip <= SDK_GZIP_TARGET),
        ));
        out.push(verdict(
            "6. sdk",
            &format!(
                "login() → SDK_READY, {} conversations (no target)",
                fmt_int(s.ready_conversations as u64)
            ),
            format!("p50 {:.1} ms", s.login_ready_ms.p50),
            None,
        ));
        out.push(verdict(
            "6. sdk",
            &format!(
                "getConversationList, {} conversations (no target)",
                fmt_int(s.list_conversations as u64)
            ),
            format!("p50 {:.1} ms", s.get_list_ms.p50),
            None,
        ));
    }
    if let Some(f) = &r.flood {
        out.push(verdict(
            "7. flood",
            "others' send p99 while a 5,000-member group is flooded ≤ 2× their p99 alone",
            format!(
                "{:.1} ms / {:.1} ms = {:.2}× ({} members)",
                f.flooded_ms.p99,
                f.baseline_ms.p99,
                f.p99_ratio,
                fmt_int(f.members as u64)
            ),
            Some(f.p99_ratio <= FLOOD_P99_RATIO_TARGET && f.members >= 5_000),
        ));
    }
    out
}

/// 1234567 -> "1,234,567".
pub fn fmt_int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_int(1_000), "1,000");
        assert_eq!(fmt_int(1_234_567), "1,234,567");
    }
}
