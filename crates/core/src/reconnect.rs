//! When to try again after the connection drops, and which failures are final.
//!
//! The loop (the SDK layer runs it, with the browser's timers): a ready session whose socket
//! closes starts one loop ([`starts_on_close`]); each attempt waits [`backoff_ms`], then goes on
//! only while [`keeps_trying`]; a failed attempt either waits for the next or, when the refusal
//! is [`is_final`], ends the session ([`after_failure`]). A login that cannot reach the server
//! starts offline from the cache only for a user the server accepted on this browser before
//! ([`starts_offline`]).

use crate::constants::types;
use crate::error::SdkError;
use crate::outbox::is_transient;
use crate::push::Ended;
use crate::readiness::Readiness;
use tim_proto::ErrorCode;

/// First retry delay; each further attempt doubles it up to [`MAX_DELAY_MS`].
pub const BASE_DELAY_MS: f64 = 500.0;
pub const MAX_DELAY_MS: f64 = 10_000.0;

/// Delay before reconnect attempt `attempt` (0-based), with ±30% jitter from `unit_random` in
/// [0, 1) so that many clients dropped at once do not come back in lockstep.
pub fn backoff_ms(attempt: u32, unit_random: f64) -> u32 {
    let exp = BASE_DELAY_MS * 2f64.powi(attempt.min(16) as i32);
    let jitter = 0.7 + 0.6 * unit_random.clamp(0.0, 1.0);
    (exp.min(MAX_DELAY_MS) * jitter).round() as u32
}

/// A login refusal that retrying with the same credentials cannot fix.
pub fn is_final(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::UserSigExpired
            | ErrorCode::UserSigInvalid
            | ErrorCode::UserSigUserMismatch
            | ErrorCode::UserSigAppMismatch
            | ErrorCode::AppNotFound
            | ErrorCode::UnsupportedProtocol
    )
}

/// A socket closed: a ready session starts reconnecting, unless a loop already runs (a login
/// under way fails instead; a logged-out one has nothing to resume).
#[inline]
pub fn starts_on_close(readiness: Readiness, reconnecting: bool) -> bool {
    readiness == Readiness::Ready && !reconnecting
}

/// Before each attempt: go on only while the session is ready and still has no connection
/// (logout, destroy or a kick end the loop).
#[inline]
pub fn keeps_trying(readiness: Readiness, connected: bool) -> bool {
    readiness == Readiness::Ready && !connected
}

/// What a failed attempt means.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    /// Wait and try again (the failure, for the log).
    Retry(SdkError),
    /// A final refusal: the session ends (logged out); an expired UserSig is told as a kick.
    EndSession(Ended),
}

#[inline]
pub fn after_failure(e: SdkError) -> AfterFailure {
    if !is_final(e.code) {
        return AfterFailure::Retry(e);
    }
    AfterFailure::EndSession(Ended {
        kicked: (e.code == ErrorCode::UserSigExpired).then_some(types::KICKED_OUT_USERSIG_EXPIRED),
        error: Some(e),
    })
}

/// A login whose server could not be reached starts offline from the cache (and keeps
/// reconnecting) only when the server accepted this user's login on this browser before.
#[inline]
pub fn starts_offline(e: &SdkError, verified: bool) -> bool {
    is_transient(e.code) && verified
}

/// After a resumed login: the list matches the server's when every event since its base was
/// applied; otherwise (`resync_required`: the log no longer reached back) it is reloaded, and
/// the events up to `latest_event` are already in what the reload brings.
#[inline]
pub fn after_resume(
    resync_required: bool,
    latest_event: u64,
    last_event: &mut u64,
    list_synced: &mut bool,
) {
    if resync_required {
        *last_event = (*last_event).max(latest_event);
    } else {
        *list_synced = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drop_starts_one_loop_and_only_for_a_ready_session() {
        assert!(starts_on_close(Readiness::Ready, false));
        assert!(!starts_on_close(Readiness::Ready, true));
        assert!(!starts_on_close(Readiness::LoggingIn, false));
        assert!(!starts_on_close(Readiness::LoggedOut, false));
        assert!(keeps_trying(Readiness::Ready, false));
        assert!(!keeps_trying(Readiness::Ready, true));
        assert!(!keeps_trying(Readiness::LoggedOut, false));
        assert!(!keeps_trying(Readiness::Destroyed, false));
    }

    #[test]
    fn a_final_refusal_ends_the_session_and_an_expired_usersig_is_a_kick() {
        use crate::events::{Event, EventQueue};
        let expired = SdkError::new(ErrorCode::UserSigExpired, "expired");
        let AfterFailure::EndSession(ended) = after_failure(expired.clone()) else {
            panic!("final");
        };
        let mut q = EventQueue::default();
        ended.queue(&mut q);
        assert_eq!(
            q.drain(None),
            vec![
                Event::KickedOut(types::KICKED_OUT_USERSIG_EXPIRED),
                Event::Error(expired),
                Event::SdkNotReady
            ]
        );
        let gone = SdkError::new(ErrorCode::AppNotFound, "gone");
        assert_eq!(
            after_failure(gone.clone()),
            AfterFailure::EndSession(Ended {
                kicked: None,
                error: Some(gone)
            })
        );
        let down = SdkError::new(ErrorCode::NetworkError, "down");
        assert_eq!(after_failure(down.clone()), AfterFailure::Retry(down));
        let oops = SdkError::new(ErrorCode::Internal, "oops");
        assert_eq!(after_failure(oops.clone()), AfterFailure::Retry(oops));
    }

    #[test]
    fn only_a_verified_user_starts_offline_and_only_when_the_server_is_unreachable() {
        let down = SdkError::new(ErrorCode::NetworkError, "down");
        assert!(starts_offline(&down, true));
        assert!(!starts_offline(&down, false));
        let refused = SdkError::new(ErrorCode::UserSigInvalid, "bad");
        assert!(!starts_offline(&refused, true));
    }

    #[test]
    fn a_resume_either_completes_the_list_or_moves_past_what_the_reload_brings() {
        let (mut last, mut synced) = (5, false);
        after_resume(false, 9, &mut last, &mut synced);
        assert_eq!((last, synced), (5, true));
        let (mut last, mut synced) = (5, false);
        after_resume(true, 9, &mut last, &mut synced);
        assert_eq!((last, synced), (9, false));
        after_resume(true, 3, &mut last, &mut synced);
        assert_eq!(last, 9);
    }

    #[test]
    fn delays_grow_then_cap_with_bounded_jitter() {
        assert_eq!(backoff_ms(0, 0.5), 500);
        assert_eq!(backoff_ms(1, 0.5), 1000);
        assert_eq!(backoff_ms(10, 0.5), 10_000);
        assert_eq!(backoff_ms(u32::MAX, 0.5), 10_000);
        assert_eq!(backoff_ms(0, 0.0), 350);
        assert_eq!(backoff_ms(0, 1.0), 650);
    }

    #[test]
    fn only_credential_failures_are_final() {
        assert!(is_final(ErrorCode::UserSigExpired));
        assert!(is_final(ErrorCode::AppNotFound));
        assert!(!is_final(ErrorCode::NetworkError));
        assert!(!is_final(ErrorCode::Timeout));
    }
}
