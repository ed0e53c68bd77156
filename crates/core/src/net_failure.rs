//! What to tell the app when the connection to the server fails. The browser hides why a
//! WebSocket failed (every failure before the upgrade is close code 1006 with no reason), so the
//! SDK says what it knows: the URL, whether the server ever answered on it, the close code and
//! reason, and — for a login that never connected — what a plain HTTP request to the same
//! address found (the probe).

/// How a socket ended, as the connection saw it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
    /// A frame from the server arrived on it (so it was open and spoke our protocol).
    pub answered: bool,
}

/// What a plain HTTP request to the WebSocket's address found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Probe {
    /// Something answers HTTP there; the status when the browser shows it (same origin).
    Answers(Option<u16>),
    /// Nothing answered: refused, unreachable, a TLS failure, or no answer in time.
    Unreachable,
}

/// The HTTP address a probe requests for a WebSocket URL (`ws:` → `http:`, `wss:` → `https:`);
/// `None` for anything else.
pub fn probe_url(ws_url: &str) -> Option<String> {
    if let Some(rest) = ws_url.strip_prefix("wss://") {
        Some(format!("https://{rest}"))
    } else {
        ws_url
            .strip_prefix("ws://")
            .map(|rest| format!("http://{rest}"))
    }
}

/// A login failed with a network error on a socket the server never answered: the browser does
/// not say why, so the SDK asks plain HTTP at the same address (the probe) and says what it found.
#[inline]
pub fn needs_probe(code: tim_proto::ErrorCode, closed: &Closed) -> bool {
    code == tim_proto::ErrorCode::NetworkError && !closed.answered
}

/// Why requests in flight failed when their socket closed.
pub fn closed_message(url: &str, closed: &Closed) -> String {
    let mut m = String::from(if closed.answered {
        "the connection to "
    } else {
        "cannot connect to "
    });
    m.push_str(url);
    if closed.answered {
        m.push_str(" closed");
    }
    with_code(m, closed)
}

/// Why a login failed whose socket closed before the server ever answered, with what the probe
/// found.
pub fn login_failure(url: &str, closed: &Closed, probe: Probe) -> String {
    let mut m = String::from("cannot connect to ");
    m.push_str(url);
    m.push_str(match probe {
        Probe::Unreachable if url.starts_with("wss://") => {
            ": nothing answers HTTPS there: the server is down, the host or port is wrong, or it \
             does not speak TLS (for a plain server use ws://)"
        }
        Probe::Unreachable => {
            ": nothing answers there: the server is down, or the host or port is wrong"
        }
        Probe::Answers(_) => ": the server answers HTTP",
    });
    if let Probe::Answers(status) = probe {
        if let Some(status) = status {
            m.push(' ');
            m.push_str(&status.to_string());
        }
        m.push_str(
            " there but the WebSocket upgrade failed: a wrong path, an HTTP error, or a proxy \
             that does not pass WebSocket upgrades",
        );
    }
    with_code(m, closed)
}

/// Appends ` (close code N: reason)`, the part of a close the browser does show.
fn with_code(mut m: String, closed: &Closed) -> String {
    m.push_str(" (close code ");
    m.push_str(&closed.code.to_string());
    if !closed.reason.is_empty() {
        m.push_str(": ");
        m.push_str(&closed.reason);
    }
    m.push(')');
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(code: u16) -> Closed {
        Closed {
            code,
            reason: String::new(),
            answered: false,
        }
    }

    #[test]
    fn only_a_network_failure_on_a_socket_never_answered_is_probed() {
        use tim_proto::ErrorCode;
        assert!(needs_probe(ErrorCode::NetworkError, &never(1006)));
        let answered = Closed {
            answered: true,
            ..never(1006)
        };
        assert!(!needs_probe(ErrorCode::NetworkError, &answered));
        assert!(!needs_probe(ErrorCode::UserSigInvalid, &never(1006)));
    }

    #[test]
    fn probe_urls_follow_the_scheme() {
        assert_eq!(probe_url("ws://h:1/ws").as_deref(), Some("http://h:1/ws"));
        assert_eq!(
            probe_url("wss://h/chat/ws").as_deref(),
            Some("https://h/chat/ws")
        );
        assert_eq!(probe_url("ftp://h/ws"), None);
    }

    #[test]
    fn an_unreachable_host_is_named_with_its_url() {
        let m = login_failure("ws://127.0.0.1:9/ws", &never(1006), Probe::Unreachable);
        assert!(
            m.starts_with("cannot connect to ws://127.0.0.1:9/ws: nothing answers"),
            "{m}"
        );
        assert!(m.contains("1006"), "{m}");
        assert!(!m.contains("TLS"), "{m}");
    }

    #[test]
    fn wss_to_a_plain_server_mentions_tls() {
        let m = login_failure("wss://127.0.0.1:8080/ws", &never(1006), Probe::Unreachable);
        assert!(m.contains("does not speak TLS"), "{m}");
        assert!(m.contains("use ws://"), "{m}");
    }

    #[test]
    fn an_http_answer_points_at_the_path_or_proxy() {
        let m = login_failure("ws://h/nope", &never(1006), Probe::Answers(Some(404)));
        assert!(m.contains("answers HTTP 404 there"), "{m}");
        assert!(m.contains("wrong path"), "{m}");
        let m = login_failure("ws://h/nope", &never(1006), Probe::Answers(None));
        assert!(m.contains("answers HTTP there"), "{m}");
    }

    #[test]
    fn a_close_after_answers_gives_code_and_reason() {
        let mut c = Closed {
            code: 4000,
            reason: "60011 too slow".into(),
            answered: true,
        };
        assert_eq!(
            closed_message("ws://h/ws", &c),
            "the connection to ws://h/ws closed (close code 4000: 60011 too slow)"
        );
        c.reason.clear();
        c.code = 1006;
        assert_eq!(
            closed_message("ws://h/ws", &c),
            "the connection to ws://h/ws closed (close code 1006)"
        );
        assert!(
            closed_message("ws://h/ws", &never(1006)).starts_with("cannot connect to ws://h/ws")
        );
    }
}
