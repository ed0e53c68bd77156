//! Request rates: per session, per user (every session together) and per key for the console
//! login, with governor's token buckets.
//!
//! A session over its rate gets a coded error (60007) for each refused request; one that
//! keeps going (more refusals within a second than its rate) is closed.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// `per_sec` a second with bursts of twice that; `None` for 0 (no limit).
fn quota(per_sec: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(per_sec)?;
    let burst = NonZeroU32::new(per_sec.saturating_mul(2)).unwrap_or(rate);
    Some(Quota::per_second(rate).allow_burst(burst))
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Answer it with 60007.
    Refuse,
    /// Refused too often: close the connection.
    Close,
}

/// One session's rate.
pub struct SessionRate {
    limiter: Option<DefaultDirectRateLimiter>,
    per_sec: u32,
    window: Instant,
    refused: u32,
}

impl SessionRate {
    pub fn new(per_sec: u32) -> SessionRate {
        SessionRate {
            limiter: quota(per_sec).map(governor::RateLimiter::direct),
            per_sec,
            window: Instant::now(),
            refused: 0,
        }
    }

    /// Judges one request; `user_allows` is the user-wide limit's answer.
    pub fn judge(&mut self, user_allows: bool) -> Verdict {
        let own = self.limiter.as_ref().is_none_or(|l| l.check().is_ok());
        if own && user_allows {
            return Verdict::Allow;
        }
        let now = Instant::now();
        if now.duration_since(self.window) >= Duration::from_secs(1) {
            self.window = now;
            self.refused = 0;
        }
        self.refused += 1;
        if self.refused > self.per_sec.max(10) {
            Verdict::Close
        } else {
            Verdict::Refuse
        }
    }
}

/// Rates shared by key (a user, a client IP, an app).
pub struct KeyedRate<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> KeyedRate<K> {
    /// `per_sec` a second with bursts of twice that; 0 is no limit.
    pub fn per_second(per_sec: u32) -> Self {
        KeyedRate {
            limiter: quota(per_sec).map(governor::RateLimiter::keyed),
        }
    }

    /// `burst` at once, then one every `period`.
    pub fn with_period(period: Duration, burst: u32) -> Self {
        let limiter = Quota::with_period(period).and_then(|q| {
            NonZeroU32::new(burst).map(|b| governor::RateLimiter::keyed(q.allow_burst(b)))
        });
        KeyedRate { limiter }
    }

    pub fn check(&self, key: &K) -> bool {
        let Some(limiter) = &self.limiter else {
            return true;
        };
        // Forget keys whose buckets are full again, so the map stays as small as the
        // number of recently active keys.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(key).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_refused_over_its_burst_then_closed() {
        let mut rate = SessionRate::new(10);
        let verdicts: Vec<Verdict> = (0..40).map(|_| rate.judge(true)).collect();
        assert!(verdicts[..20].iter().all(|v| *v == Verdict::Allow));
        assert_eq!(verdicts[20], Verdict::Refuse);
        assert_eq!(verdicts.last(), Some(&Verdict::Close));
    }

    #[test]
    fn zero_is_no_limit() {
        let mut rate = SessionRate::new(0);
        assert!((0..10_000).all(|_| rate.judge(true) == Verdict::Allow));
        let keyed = KeyedRate::<u32>::per_second(0);
        assert!((0..10_000).all(|_| keyed.check(&1)));
    }

    #[test]
    fn keys_have_their_own_buckets() {
        let keyed = KeyedRate::<u32>::with_period(Duration::from_secs(60), 3);
        assert!((0..3).all(|_| keyed.check(&1)));
        assert!(!keyed.check(&1));
        assert!(keyed.check(&2));
    }
}
