//! What a valid user ID (and group ID) looks like.
//!
//! As at Tencent, an ID is any Unicode text (`用户`, `é`, `😀`, `mail@example.com`, `a b`),
//! compared byte for byte (no case folding, no normalization: `é` precomposed and `e` + U+0301
//! are two IDs). Refused is only what cannot work: the empty ID, one over [`MAX_ID_BYTES`] UTF-8
//! bytes, control characters (U+0000–U+001F, U+007F–U+009F), and U+FFFD, the replacement
//! character: what decoding leaves of text that was not Unicode (a lone surrogate in a JS
//! string, bad UTF-8 or percent-encoding), so two different inputs would name one ID. Control
//! characters are what
//! the server's storage uses to join IDs into keys ([`ID_SEPARATOR`]), so no two pairs of IDs
//! can make the same key, and conversation IDs stay unambiguous: `C2C<userID>`,
//! `GROUP<groupID>` and `@TIM#SYSTEM` differ in their prefix whatever follows it.

use crate::limits::MAX_ID_BYTES;

/// A character no valid ID contains (U+001F, the unit separator): joins IDs into one key.
pub const ID_SEPARATOR: char = '\u{1f}';

/// Why an ID was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    /// Its length in UTF-8 bytes.
    TooLong(usize),
    ControlCharacter(char),
    /// U+FFFD: what is left of text that was not valid Unicode.
    Replacement,
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdError::Empty => write!(f, "is empty"),
            IdError::TooLong(n) => {
                write!(f, "is {n} bytes (UTF-8); the limit is {MAX_ID_BYTES} bytes")
            }
            IdError::ControlCharacter(c) => write!(
                f,
                "contains the control character U+{:04X} (any other Unicode text is allowed)",
                u32::from(*c)
            ),
            IdError::Replacement => write!(
                f,
                "contains U+FFFD, what is left of text that was not valid Unicode (a lone \
                 surrogate in a JS string, bad UTF-8)"
            ),
        }
    }
}

/// Checks a user or group ID: 1 to [`MAX_ID_BYTES`] UTF-8 bytes of any Unicode text without
/// control characters or U+FFFD.
pub fn validate_id(id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if id.len() > MAX_ID_BYTES {
        return Err(IdError::TooLong(id.len()));
    }
    match id
        .chars()
        .find(|c| c.is_control() || *c == char::REPLACEMENT_CHARACTER)
    {
        Some(char::REPLACEMENT_CHARACTER) => Err(IdError::Replacement),
        Some(c) => Err(IdError::ControlCharacter(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_unicode_text() {
        for id in [
            "alice",
            "bob_2",
            "a.b-c@d",
            "X",
            "用户",
            "é",
            "e\u{301}",
            "😀x",
            "mail@example.com",
            "a-b_c.d",
            "a|b",
            "a b",
            " lead",
            "a#b",
            "@TIM#SYSTEM",
            "C2Cbob",
            "GROUPg",
            "a/b?c=d&e%20",
            "\u{200b}",
            "\u{a0}",
        ] {
            assert_eq!(validate_id(id), Ok(()), "{id:?}");
        }
    }

    #[test]
    fn the_limit_is_in_utf8_bytes() {
        assert_eq!(validate_id(&"a".repeat(MAX_ID_BYTES)), Ok(()));
        assert_eq!(
            validate_id(&"a".repeat(MAX_ID_BYTES + 1)),
            Err(IdError::TooLong(MAX_ID_BYTES + 1))
        );
        // 用 is 3 bytes: 21 of them fit in 64 bytes, 22 do not (though only 22 characters).
        assert_eq!(validate_id(&"用".repeat(21)), Ok(()));
        assert_eq!(validate_id(&"用".repeat(22)), Err(IdError::TooLong(66)));
        // 😀 is 4 bytes: 16 fit exactly.
        assert_eq!(validate_id(&"😀".repeat(16)), Ok(()));
        assert_eq!(
            validate_id(&format!("{}a", "😀".repeat(16))),
            Err(IdError::TooLong(65))
        );
    }

    #[test]
    fn refuses_empty_and_control_characters() {
        assert_eq!(validate_id(""), Err(IdError::Empty));
        for c in [
            '\0',
            '\t',
            '\n',
            '\r',
            ID_SEPARATOR,
            '\u{7f}',
            '\u{80}',
            '\u{9f}',
        ] {
            let id = format!("a{c}b");
            assert_eq!(
                validate_id(&id),
                Err(IdError::ControlCharacter(c)),
                "{id:?}"
            );
        }
        let why = validate_id("a\u{1f}b").expect_err("refused").to_string();
        assert_eq!(
            why,
            "contains the control character U+001F (any other Unicode text is allowed)"
        );
    }

    /// `'a\uD800'` and `'a\uDC00'` (JS) or `a%FF` and `a%FE` (a query) all decode to `a\u{fffd}`:
    /// accepted, they would be one ID.
    #[test]
    fn refuses_what_broken_text_decodes_to() {
        assert_eq!(validate_id("a\u{fffd}"), Err(IdError::Replacement));
        assert_eq!(
            validate_id(&String::from_utf8_lossy(b"a\xff")),
            Err(IdError::Replacement)
        );
        assert!(validate_id("a\u{fffc}").is_ok());
    }

    #[test]
    fn the_separator_is_never_in_an_id() {
        assert!(ID_SEPARATOR.is_control());
        assert!(validate_id(&ID_SEPARATOR.to_string()).is_err());
    }
}
