//! Wall-clock time in the unit the protocol uses: unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn unix_now() -> i64 {
    // A clock before 1970 is a broken machine; 0 keeps everything working and visibly wrong.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
