//! How often the console's login may be tried: per client IP and per SDKAppID (guessing a secret
//! key must be slow). Held in the shared state; checked by `console::login`.

use crate::rate::KeyedRate;
use std::net::IpAddr;
use std::time::Duration;

/// Login attempts a client IP may make: a burst, then one every period (guessing keys is slow).
const PER_IP: (Duration, u32) = (Duration::from_secs(6), 10);
/// Login attempts for one SDKAppID from anywhere.
const PER_APP: (Duration, u32) = (Duration::from_secs(2), 30);

/// Console login attempts, per client IP and per SDKAppID.
pub struct LoginRates {
    pub(crate) per_ip: KeyedRate<IpAddr>,
    pub(crate) per_app: KeyedRate<u64>,
}

impl Default for LoginRates {
    fn default() -> Self {
        LoginRates {
            per_ip: KeyedRate::with_period(PER_IP.0, PER_IP.1),
            per_app: KeyedRate::with_period(PER_APP.0, PER_APP.1),
        }
    }
}
