//! RESULTS.md: machine, floors, the target table, then one section per workload with its
//! numbers, how they were measured, and the findings written down in bench/findings/.

use super::targets::fmt_int;
use crate::stats::Summary;
use crate::workloads::Results;
use std::fmt::Write;
use std::path::Path;

pub fn render(r: &Results, findings: &Path, svg_name: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmark results\n");
    let _ = writeln!(
        s,
        "Written by `scripts/bench.sh` ({} mode) from [results.json](results.json); chart: \
         [{svg_name}]({svg_name}). These are benchmarks, not tests: nothing fails on a time. \
         How each workload is measured is in `crates/bench/src/workloads/`.\n",
        r.mode
    );
    if r.mode == "quick" {
        let _ = writeln!(
            s,
            "**Quick mode**: tiny sizes and short runs, to check the suite works. Not a measurement.\n"
        );
    }
    machine(&mut s, r);
    let _ = writeln!(s, "![benchmark chart]({svg_name})\n");
    verdicts(&mut s, r);
    delete(&mut s, r);
    sync(&mut s, r);
    send(&mut s, r);
    batch(&mut s, r);
    idle(&mut s, r);
    sdk(&mut s, r);
    flood(&mut s, r);
    for (workload, why) in &r.errors {
        let _ = writeln!(s, "## Failed: {workload}\n\n```\n{why}\n```\n");
    }
    // Each section ends with a marker; the notes in bench/findings/<workload>.md go there.
    let mut out = String::new();
    for line in s.lines() {
        let marker = line
            .strip_prefix("<!-- findings: ")
            .and_then(|l| l.strip_suffix(" -->"));
        if marker.is_none() {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(name) = marker {
            if let Ok(text) = std::fs::read_to_string(findings.join(format!("{name}.md"))) {
                out.push_str("\n### Findings\n\n");
                out.push_str(text.trim());
                out.push_str("\n\n");
            }
        }
    }
    out
}

fn machine(s: &mut String, r: &Results) {
    if let Some(m) = &r.machine {
        let _ = writeln!(s, "| Machine | |\n|---|---|");
        let _ = writeln!(s, "| CPU | {} × {} |", m.nproc, m.cpu_model);
        let _ = writeln!(s, "| Memory | {} MB |", fmt_int(m.memory_total_mb));
        let _ = writeln!(s, "| Kernel | {} |", m.kernel);
        let _ = writeln!(s, "| Date (UTC) | {} |", m.date);
        let dirty = if m.git_dirty {
            " (with uncommitted changes)"
        } else {
            ""
        };
        let _ = writeln!(s, "| Commit | `{}`{dirty} |", m.git_commit);
        let _ = writeln!(
            s,
            "| Load average | start `{}`, end `{}` |",
            m.loadavg_start, m.loadavg_end
        );
        let _ = writeln!(s, "| Open-file limit | {} |", fmt_int(m.open_files_limit));
    }
    if let Some(f) = &r.floors {
        let _ = writeln!(
            s,
            "| fsync floor (4 KiB write + fdatasync) | p50 {:.3} ms, p99 {:.3} ms |",
            f.fsync.p50, f.fsync.p99
        );
        let _ = writeln!(
            s,
            "| SQLite durable commit (WAL, synchronous=FULL, 1 row) | p50 {:.3} ms, p99 {:.3} ms |",
            f.sqlite_commit.p50, f.sqlite_commit.p99
        );
    }
    s.push('\n');
}

fn verdicts(s: &mut String, r: &Results) {
    let _ = writeln!(
        s,
        "## Targets\n\n| Workload | Target | Measured | Met |\n|---|---|---|---|"
    );
    for v in &r.verdicts {
        let met = match v.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {met} |",
            v.workload, v.target, v.measured
        );
    }
    s.push('\n');
}

fn row(s: &mut String, label: &str, m: &Summary) {
    let _ = writeln!(
        s,
        "| {label} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
        m.p50, m.p95, m.p99, m.max, m.samples
    );
}

const PCT_HEADER: &str = "| p50 ms | p95 ms | p99 ms | max ms | samples |";

fn section(s: &mut String, title: &str, what: &str) {
    let _ = writeln!(s, "## {title}\n\n{what}\n");
}

fn findings_marker(s: &mut String, name: &str) {
    let _ = writeln!(s, "<!-- findings: {name} -->");
}

fn delete(s: &mut String, r: &Results) {
    let Some(d) = &r.delete else { return };
    section(
        s,
        "1. Delete latency vs history size",
        "`deleteConversation` request → reply on one WebSocket. One thread per size in one \
         database and one server, sizes interleaved; after the first deletion (the whole seeded \
         history, one sample) the peer sends one message to bring the conversation back (not \
         timed) before each deletion. Sync setting as shipped (off).",
    );
    let _ = writeln!(
        s,
        "| Messages | first deletion ms {PCT_HEADER}\n|---|---|---|---|---|---|---|"
    );
    for z in &d.sizes {
        let m = &z.latency_ms;
        let _ = writeln!(
            s,
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
            fmt_int(z.messages),
            z.first_ms,
            m.p50,
            m.p95,
            m.p99,
            m.max,
            m.samples
        );
    }
    s.push('\n');
    findings_marker(s, "delete");
}

fn sync(s: &mut String, r: &Results) {
    let Some(x) = &r.sync else { return };
    section(
        s,
        "2. Sync latency",
        "One user on two sessions, \"sync conversation deletion\" on (`tim-server app set`). \
         From writing `deleteConversation` on session 1 to reading the `conversationDeleted` \
         push on session 2; the deleting session's own reply for comparison.",
    );
    let _ = writeln!(s, "| Measured {}\n|---|---|---|---|---|---|", PCT_HEADER);
    row(s, "push on session 2", &x.push_ms);
    row(s, "reply on session 1", &x.reply_ms);
    s.push('\n');
    findings_marker(s, "sync");
}

fn send(s: &mut String, r: &Results) {
    let Some(x) = &r.send else { return };
    section(
        s,
        "3. Send throughput",
        &format!(
            "Closed loop: each sender is a user on its own connection sending text messages to an \
             offline user, next send after the `sent` reply (which comes once the message is \
             durable: synced in the server's send log). {:.1} s warm-up, then replies read in a {:.1} s window are counted.",
            x.warmup_secs, x.window_secs
        ),
    );
    let _ = writeln!(
        s,
        "| Senders | msg/s | messages | p50 ms | p95 ms | p99 ms | max ms | server CPU µs/msg | load generator CPU µs/msg | server KiB written/msg |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for l in &x.levels {
        let m = &l.latency_ms;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {:.1} |",
            l.senders,
            fmt_int(l.msgs_per_sec as u64),
            fmt_int(l.messages as u64),
            m.p50,
            m.p95,
            m.p99,
            m.max,
            l.server_cpu_us_per_msg,
            l.client_cpu_us_per_msg,
            l.server_disk_kib_per_msg
        );
    }
    if let Some(p) = &x.pipelined {
        let m = &p.latency_ms;
        let _ = writeln!(
            s,
            "| 1 connection, 32 in flight | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {:.1} |",
            fmt_int(p.msgs_per_sec as u64),
            fmt_int(p.messages as u64),
            m.p50,
            m.p95,
            m.p99,
            m.max,
            p.server_cpu_us_per_msg,
            p.client_cpu_us_per_msg,
            p.server_disk_kib_per_msg
        );
    }
    s.push('\n');
    if !x.store_alone.is_empty() {
        let _ = writeln!(
            s,
            "The store alone (`SqliteStore::send_messages` in the load generator's process, one \
             thread, batches as the writer makes them, each logged and synced, committed to \
             SQLite in bulk as the server does; no network):\n\n\
             | Conversations | batch | messages | msg/s | CPU µs/msg (one thread) | KiB written/msg |\n|---|---|---|---|---|---|"
        );
        for l in &x.store_alone {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {:.1} |",
                l.conversations,
                l.batch,
                fmt_int(l.messages as u64),
                fmt_int(l.msgs_per_sec as u64),
                l.cpu_us_per_msg,
                l.disk_kib_per_msg
            );
        }
        s.push('\n');
    }
    findings_marker(s, "send");
}

fn batch(s: &mut String, r: &Results) {
    let Some(b) = &r.batch else { return };
    section(
        s,
        "4. Batch deletion",
        &format!(
            "`deleteConversations` with {} distinct IDs and `clearHistoryMessage: true`, request → \
             reply; for comparison 100 `deleteConversation` calls back to back (first request → \
             last reply). The user has {} conversations when the rounds start.",
            b.conversations_per_call,
            fmt_int(b.list_size as u64)
        ),
    );
    if let Some(why) = &b.batch_refused {
        let _ = writeln!(s, "The server refused the batch call: `{why}`.\n");
    }
    let _ = writeln!(s, "| Measured {}\n|---|---|---|---|---|---|", PCT_HEADER);
    if let Some(m) = &b.batch_ms {
        row(s, "one call, 100 IDs", m);
    }
    row(s, "100 calls back to back", &b.sequential_ms);
    row(s, "one of those calls", &b.single_ms);
    s.push('\n');
    findings_marker(s, "batch");
}

fn idle(s: &mut String, r: &Results) {
    let Some(i) = &r.idle else { return };
    section(
        s,
        "5. Idle sessions",
        "Distinct users each open a WebSocket on 127.0.0.1 and log in (64 at a time), then stay \
         idle. Server RSS is VmRSS from /proc/<pid>/status, before and 2 s after.",
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Sessions held | {} (asked {}, open-file limit {}) |",
        fmt_int(i.sessions as u64),
        fmt_int(i.target_sessions as u64),
        fmt_int(i.open_files_limit)
    );
    let _ = writeln!(s, "| RSS, no sessions | {:.1} MB |", i.rss_idle_mb);
    let _ = writeln!(
        s,
        "| RSS, with the sessions | {:.1} MB |",
        i.rss_with_sessions_mb
    );
    let _ = writeln!(s, "| Peak RSS | {:.1} MB |", i.peak_rss_mb);
    let _ = writeln!(
        s,
        "| Per session | {} bytes |",
        fmt_int(i.bytes_per_session)
    );
    let _ = writeln!(
        s,
        "| Logins | {} per second |\n",
        fmt_int(i.logins_per_sec as u64)
    );
    findings_marker(s, "idle");
}

fn flood(s: &mut String, r: &Results) {
    let Some(f) = &r.flood else { return };
    section(
        s,
        "7. Others' sends while a large group is flooded",
        "One-to-one senders outside the group in a closed loop, alone and then while flooders \
         (request rates lifted) send to the group with sends in flight; some members online.",
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Group | {} members, {} online, {} flooders |",
        fmt_int(f.members as u64),
        fmt_int(f.online_members as u64),
        f.flooders
    );
    let _ = writeln!(
        s,
        "| Others alone | p50 {:.2} ms, p99 {:.2} ms ({} sends by {}) |",
        f.baseline_ms.p50,
        f.baseline_ms.p99,
        fmt_int(f.baseline_ms.samples as u64),
        f.others
    );
    let _ = writeln!(
        s,
        "| Others under the flood | p50 {:.2} ms, p99 {:.2} ms ({} sends) |",
        f.flooded_ms.p50,
        f.flooded_ms.p99,
        fmt_int(f.flooded_ms.samples as u64)
    );
    let _ = writeln!(s, "| p99 ratio | {:.2}× |", f.p99_ratio);
    let _ = writeln!(
        s,
        "| Group messages | {} per second; {} pushes to online members |\n",
        fmt_int(f.group_msgs_per_sec as u64),
        fmt_int(f.member_pushes)
    );
    findings_marker(s, "flood");
}

fn sdk(s: &mut String, r: &Results) {
    let Some(x) = &r.sdk else { return };
    section(
        s,
        "6. SDK",
        &format!(
            "Sizes of the shipped files, each compressed on its own with `gzip -9` (as served). \
             In headless Chromium {} (playwright-core, one page on the server's origin, the SDK \
             imported once): `login()` → `SDK_READY` on a fresh instance each time, and `await \
             getConversationList()`; times from `performance.now()` in the page.",
            x.chromium
        ),
    );
    let _ = writeln!(s, "| File | raw bytes | gzip -9 bytes |\n|---|---|---|");
    for f in &x.files {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            f.file,
            fmt_int(f.raw),
            fmt_int(f.gzip)
        );
    }
    let _ = writeln!(
        s,
        "| **total** | {} | {} |\n",
        fmt_int(x.total_raw),
        fmt_int(x.total_gzip)
    );
    let _ = writeln!(s, "| Measured {}\n|---|---|---|---|---|---|", PCT_HEADER);
    row(
        s,
        &format!(
            "login → SDK_READY, {} conversations",
            fmt_int(x.ready_conversations as u64)
        ),
        &x.login_ready_ms,
    );
    row(
        s,
        &format!(
            "login → SDK_READY, {} conversations",
            fmt_int(x.list_conversations as u64)
        ),
        &x.list_login_ready_ms,
    );
    row(
        s,
        &format!(
            "getConversationList, {} conversations",
            fmt_int(x.list_conversations as u64)
        ),
        &x.get_list_ms,
    );
    row(
        s,
        &format!(
            "the same from the native client (the server's share; reply {} bytes)",
            fmt_int(x.list_reply_bytes)
        ),
        &x.server_list_ms,
    );
    s.push('\n');
    findings_marker(s, "sdk");
}
