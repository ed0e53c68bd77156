//! The results as chart panels, one per workload.

use super::svg::{fmt_value, Panel};
use super::targets::{fmt_int, SDK_GZIP_TARGET};
use crate::stats::Summary;
use crate::workloads::Results;

fn pcts(s: &Summary) -> Vec<Option<f64>> {
    vec![Some(s.p50), Some(s.p95), Some(s.p99)]
}

fn pct_series() -> Vec<String> {
    vec!["p50".into(), "p95".into(), "p99".into()]
}

pub fn panels(r: &Results) -> Vec<Panel> {
    let mut out = Vec::new();
    if let Some(d) = &r.delete {
        out.push(Panel {
            title: "1. deleteConversation vs history size".into(),
            unit: "ms".into(),
            series: pct_series(),
            groups: d
                .sizes
                .iter()
                .map(|s| (short_count(s.messages), pcts(&s.latency_ms)))
                .collect(),
            target: Some((1.0, "target p50 ≤ 1 ms".into())),
            note: vec!["request → reply; x: messages in the conversation".into()],
            log: true,
        });
    }
    if let Some(s) = &r.sync {
        out.push(Panel {
            title: "2. Deletion sync to a second session".into(),
            unit: "ms".into(),
            series: pct_series(),
            groups: vec![
                ("push on session 2".into(), pcts(&s.push_ms)),
                ("reply on session 1".into(), pcts(&s.reply_ms)),
            ],
            target: Some((2.0, "target p50 ≤ 2 ms".into())),
            note: vec![format!(
                "{} deletions; request on session 1 → frame read",
                s.push_ms.samples
            )],
            log: true,
        });
    }
    if let Some(s) = &r.send {
        out.push(Panel {
            title: "3. Durable sends per second".into(),
            unit: "msg/s".into(),
            series: vec!["msg/s".into()],
            groups: s
                .levels
                .iter()
                .map(|l| (senders(l.senders), vec![Some(l.msgs_per_sec)]))
                .collect(),
            target: Some((20_000.0, "target 20,000".into())),
            log: false,
            note: vec![format!(
                "p50/p99 per send (ms): {}",
                s.levels
                    .iter()
                    .map(|l| format!(
                        "{}: {}/{}",
                        l.senders,
                        fmt_value(l.latency_ms.p50),
                        fmt_value(l.latency_ms.p99)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        });
    }
    if let Some(b) = &r.batch {
        let mut groups = Vec::new();
        if let Some(ms) = &b.batch_ms {
            groups.push(("one deleteConversations".into(), pcts(ms)));
        }
        groups.push(("100 × deleteConversation".into(), pcts(&b.sequential_ms)));
        out.push(Panel {
            title: "4. Deleting 100 conversations".into(),
            unit: "ms".into(),
            series: pct_series(),
            groups,
            target: Some((20.0, "target ≤ 20 ms".into())),
            note: vec![match &b.batch_refused {
                Some(_) => "the server refused the batch call; one-by-one shown".into(),
                None => "one call of 100 IDs vs 100 calls back to back".into(),
            }],
            log: true,
        });
    }
    if let Some(i) = &r.idle {
        out.push(Panel {
            title: "5. Idle authenticated sessions".into(),
            unit: "server RSS, MB".into(),
            series: vec!["RSS".into()],
            groups: vec![
                ("no sessions".into(), vec![Some(i.rss_idle_mb)]),
                (
                    format!("{} sessions", fmt_int(i.sessions as u64)),
                    vec![Some(i.rss_with_sessions_mb)],
                ),
            ],
            target: Some((200.0, "target 10,000 in ≤ 200 MB".into())),
            note: vec![format!(
                "{} bytes per session",
                fmt_int(i.bytes_per_session)
            )],
            log: false,
        });
    }
    if let Some(s) = &r.sdk {
        out.push(Panel {
            title: "6. SDK size (gzip -9)".into(),
            unit: "KB".into(),
            series: vec!["gzip".into(), "raw".into()],
            groups: s
                .files
                .iter()
                .map(|f| {
                    (
                        f.file.trim_start_matches("pkg/").to_owned(),
                        vec![Some(f.gzip as f64 / 1000.0), Some(f.raw as f64 / 1000.0)],
                    )
                })
                .chain(std::iter::once((
                    "total".to_owned(),
                    vec![
                        Some(s.total_gzip as f64 / 1000.0),
                        Some(s.total_raw as f64 / 1000.0),
                    ],
                )))
                .collect(),
            target: Some((SDK_GZIP_TARGET as f64 / 1000.0, "target 124 KB gzip".into())),
            note: vec![
                format!(
                    "Chromium: login → SDK_READY ({} conversations) p50 {} ms;",
                    fmt_int(s.ready_conversations as u64),
                    fmt_value(s.login_ready_ms.p50)
                ),
                format!(
                    "getConversationList ({}) p50 {} ms (server share {} ms)",
                    fmt_int(s.list_conversations as u64),
                    fmt_value(s.get_list_ms.p50),
                    fmt_value(s.server_list_ms.p50)
                ),
            ],
            log: false,
        });
    }
    out
}

fn senders(n: usize) -> String {
    format!("{n} sender{}", if n == 1 { "" } else { "s" })
}

/// 1000000 -> "1M", 10000 -> "10k".
fn short_count(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}
