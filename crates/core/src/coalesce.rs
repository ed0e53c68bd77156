//! Server pushes are emitted in bursts: events are gathered until pushes have been quiet for
//! [`QUIET_MS`], at most [`MAX_WAIT_MS`] after the first, so a burst (a 100-ID batch deletion on
//! another session) gives one CONVERSATION_LIST_UPDATED, not one per frame. The SDK layer checks
//! [`burst_over`] every [`QUIET_MS`].

/// Pushes are gathered until none came for this long...
pub const QUIET_MS: u32 = 30;
/// ...or this long after the first, whichever comes first.
pub const MAX_WAIT_MS: u32 = 300;

/// `started_ms`: when the gathering began (the first push); `last_push_ms`: the newest push.
#[inline]
pub fn burst_over(now_ms: f64, started_ms: f64, last_push_ms: f64) -> bool {
    now_ms - last_push_ms >= f64::from(QUIET_MS) || now_ms - started_ms >= f64::from(MAX_WAIT_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_gap_ends_the_burst() {
        assert!(!burst_over(30.0, 0.0, 10.0));
        assert!(burst_over(40.0, 0.0, 10.0));
    }

    #[test]
    fn a_steady_stream_is_cut_at_the_maximum_wait() {
        assert!(!burst_over(299.0, 0.0, 290.0));
        assert!(burst_over(300.0, 0.0, 295.0));
    }
}
