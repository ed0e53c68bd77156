//! When to try again after the connection drops, and which failures are final.

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

#[cfg(test)]
mod tests {
    use super::*;

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
