//! setMessageRemindType's three settings (Tencent's `TIM.TYPES.MSG_REMIND_*` strings), shared
//! by the SDK's constants and argument checks and the server's.

/// Receive and notify: the default, never stored.
pub const ACCEPT_AND_NOTIFY: &str = "AcceptAndNotify";
/// Receive without notifying ("mute"): the conversation still counts its unread messages, the
/// SDK's total leaves it out (as Tencent documents).
pub const ACCEPT_NOT_NOTIFY: &str = "AcceptNotNotify";
/// Tencent's "do not receive" (groups). Ours: messages still arrive and count in the
/// conversation, and the conversation is muted like `AcceptNotNotify`.
pub const DISCARD: &str = "Discard";

/// Whether `kind` is one of the three settings.
pub fn is_valid(kind: &str) -> bool {
    [ACCEPT_AND_NOTIFY, ACCEPT_NOT_NOTIFY, DISCARD].contains(&kind)
}

/// A conversation with this setting (empty: the default) is muted: left out of the total
/// unread count.
pub fn is_muted(kind: &str) -> bool {
    !kind.is_empty() && kind != ACCEPT_AND_NOTIFY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_strings_and_what_mutes() {
        assert!(is_valid("AcceptAndNotify") && is_valid("AcceptNotNotify") && is_valid("Discard"));
        assert!(!is_valid("") && !is_valid("acceptandnotify"));
        assert!(!is_muted("") && !is_muted(ACCEPT_AND_NOTIFY));
        assert!(is_muted(ACCEPT_NOT_NOTIFY) && is_muted(DISCARD));
    }
}
