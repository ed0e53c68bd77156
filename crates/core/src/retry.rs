//! When a request whose answer was lost is sent again: only one the server can safely see twice
//! (reads, and sends that carry their message ID, which the server deduplicates), only when the
//! connection dropped before the answer (not a timeout: the server may still be working on it),
//! and only once the reconnect is done, within the call's own timeout.

use crate::error::SdkError;
use crate::outbox::is_transient;
use tim_proto::ErrorCode;

/// How often a request waiting to be sent again checks whether the reconnect is done.
pub const POLL_MS: u32 = 100;

/// Whether the first try's failure means "wait for the reconnect and send it again" (`resend`:
/// the request is safe to repeat).
#[inline]
pub fn may_resend<T>(resend: bool, first: &Result<T, SdkError>) -> bool {
    match first {
        Err(e) => resend && is_transient(e.code) && e.code != ErrorCode::Timeout,
        Ok(_) => false,
    }
}

/// The next step of a request waiting to be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Connected again: send it now (once).
    SendAgain,
    /// No reconnect under way, or the call's time is up: fail with the first try's error.
    GiveUp,
    /// Check again after this many ms.
    Poll(u32),
}

/// `connected`: the session has a connection and no reconnect loop runs; `deadline_ms`: the
/// call's start plus its timeout.
#[inline]
pub fn wait_step(connected: bool, reconnecting: bool, now_ms: f64, deadline_ms: f64) -> Wait {
    if connected {
        Wait::SendAgain
    } else if !reconnecting || now_ms >= deadline_ms {
        Wait::GiveUp
    } else {
        Wait::Poll(POLL_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: ErrorCode) -> Result<(), SdkError> {
        Err(SdkError::new(code, "x"))
    }

    #[test]
    fn only_a_repeatable_request_whose_connection_dropped_is_sent_again() {
        assert!(may_resend(true, &err(ErrorCode::NetworkError)));
        assert!(may_resend(true, &err(ErrorCode::NoNetwork)));
        // A timeout: the server may still apply it; the caller hears of the timeout.
        assert!(!may_resend(true, &err(ErrorCode::Timeout)));
        assert!(!may_resend(false, &err(ErrorCode::NetworkError)));
        assert!(!may_resend(true, &err(ErrorCode::ConversationNotFound)));
        assert!(!may_resend(true, &Ok(())));
    }

    #[test]
    fn waits_for_the_reconnect_within_the_deadline() {
        assert_eq!(wait_step(true, false, 0.0, 10.0), Wait::SendAgain);
        // Connected wins even past the deadline: the one resend still goes.
        assert_eq!(wait_step(true, false, 20.0, 10.0), Wait::SendAgain);
        assert_eq!(wait_step(false, true, 0.0, 10.0), Wait::Poll(POLL_MS));
        assert_eq!(wait_step(false, true, 10.0, 10.0), Wait::GiveUp);
        // Nobody is reconnecting (logged out, a final refusal): no point waiting.
        assert_eq!(wait_step(false, false, 0.0, 10.0), Wait::GiveUp);
    }
}
