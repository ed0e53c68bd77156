//! `setLogLevel`: Tencent's five levels and which lines each shows.
//!
//! 0 (the default) shows everything, each request and answer included, as the documented SDK
//! does while an app is being integrated; 1 ("release") only what a production log wants
//! (connecting, logging in, reconnecting, failures); 2 warnings and errors; 3 errors; 4 nothing.

/// How important one log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Every request, answer, applied push and cache write.
    Debug,
    /// Connecting, logged in, reconnecting, logged out.
    Info,
    /// Something failed and the SDK carries on (a reconnect attempt, a cache write).
    Warn,
    /// Something failed that the app should know about.
    Error,
}

/// The level set by `setLogLevel(n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogLevel(u8);

/// The level of `setLogLevel(4)`: no log at all.
pub const NONE: u8 = 4;

impl LogLevel {
    /// `setLogLevel`'s argument: an integer 0 to 4 (a number or a numeric string, as apps pass
    /// values read from their config); anything else is not a level.
    pub fn parse(v: &serde_json::Value) -> Option<LogLevel> {
        let n = match v {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        }?;
        u8::try_from(n).ok().filter(|n| *n <= NONE).map(LogLevel)
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// Whether a line of `kind` is written at this level.
    pub fn shows(self, kind: Kind) -> bool {
        let least = match self.0 {
            0 => Kind::Debug,
            1 => Kind::Info,
            2 => Kind::Warn,
            3 => Kind::Error,
            _ => return false,
        };
        kind >= least
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_is_zero_and_shows_everything() {
        let level = LogLevel::default();
        assert_eq!(level.value(), 0);
        for kind in [Kind::Debug, Kind::Info, Kind::Warn, Kind::Error] {
            assert!(level.shows(kind), "{kind:?}");
        }
    }

    #[test]
    fn each_level_hides_what_is_below_it() {
        let at = |n: u64| LogLevel::parse(&json!(n)).expect("a level");
        assert!(!at(1).shows(Kind::Debug) && at(1).shows(Kind::Info));
        assert!(!at(2).shows(Kind::Info) && at(2).shows(Kind::Warn));
        assert!(!at(3).shows(Kind::Warn) && at(3).shows(Kind::Error));
        assert!(!at(4).shows(Kind::Error));
    }

    #[test]
    fn parses_numbers_and_numeric_strings_0_to_4_only() {
        assert_eq!(LogLevel::parse(&json!(2)), Some(LogLevel(2)));
        assert_eq!(LogLevel::parse(&json!("3")), Some(LogLevel(3)));
        for bad in [
            json!(5),
            json!(-1),
            json!(1.5),
            json!("x"),
            json!(null),
            json!([1]),
        ] {
            assert_eq!(LogLevel::parse(&bad), None, "{bad}");
        }
    }
}
