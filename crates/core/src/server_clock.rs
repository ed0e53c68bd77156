//! `getServerTime()`: the server's clock as this client sees it. The login answer carries the
//! server's time; the offset from the local clock then holds until the next login, so the call
//! answers at once (as documented: synchronously) with no round trip.

#[derive(Debug, Default, Clone, Copy)]
pub struct ServerClock {
    /// Server seconds minus local seconds at the last login; none before any login.
    offset_s: Option<f64>,
}

impl ServerClock {
    /// The login answer said the server's time is `server_s` (Unix seconds) at local `local_ms`.
    pub fn set(&mut self, server_s: i64, local_ms: f64) {
        self.offset_s = Some(server_s as f64 - local_ms / 1000.0);
    }

    /// The server's time in whole Unix seconds at local `local_ms`; the local clock's before any
    /// login answered.
    pub fn now_s(&self, local_ms: f64) -> i64 {
        (local_ms / 1000.0 + self.offset_s.unwrap_or(0.0)).floor() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_until_a_login_then_the_servers() {
        let mut c = ServerClock::default();
        assert_eq!(c.now_s(1_700_000_000_500.0), 1_700_000_000);
        // The server is 90 s ahead of this machine.
        c.set(1_700_000_090, 1_700_000_000_000.0);
        assert_eq!(c.now_s(1_700_000_010_000.0), 1_700_000_100);
        // Behind, too.
        c.set(1_699_999_000, 1_700_000_000_000.0);
        assert_eq!(c.now_s(1_700_000_000_999.0), 1_699_999_000);
    }
}
