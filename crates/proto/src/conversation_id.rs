//! Conversation IDs: `C2C<userID>`, `GROUP<groupID>` and exactly `@TIM#SYSTEM`.

use crate::user_id::{validate_id, IdError};
use std::fmt;

pub const C2C_PREFIX: &str = "C2C";
pub const GROUP_PREFIX: &str = "GROUP";
pub const SYSTEM_ID: &str = "@TIM#SYSTEM";

/// A parsed, valid conversation ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationId {
    C2c(String),
    Group(String),
    System,
}

/// Why a string is not a conversation ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversationIdError {
    /// No known prefix.
    UnknownType,
    /// A known prefix with a bad or empty ID after it.
    BadId(IdError),
}

impl fmt::Display for ConversationIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversationIdError::UnknownType => write!(
                f,
                "conversationID must start with C2C or GROUP, or be @TIM#SYSTEM"
            ),
            ConversationIdError::BadId(e) => write!(f, "the ID after the prefix {e}"),
        }
    }
}

impl ConversationId {
    pub fn parse(s: &str) -> Result<Self, ConversationIdError> {
        if s == SYSTEM_ID {
            return Ok(ConversationId::System);
        }
        // GROUP is checked before C2C: neither is a prefix of the other, order is for clarity.
        if let Some(id) = s.strip_prefix(GROUP_PREFIX) {
            validate_id(id).map_err(ConversationIdError::BadId)?;
            return Ok(ConversationId::Group(id.to_owned()));
        }
        if let Some(id) = s.strip_prefix(C2C_PREFIX) {
            validate_id(id).map_err(ConversationIdError::BadId)?;
            return Ok(ConversationId::C2c(id.to_owned()));
        }
        Err(ConversationIdError::UnknownType)
    }

    /// The conversation type string of the documented API (`TIM.TYPES.CONV_*`).
    pub fn type_str(&self) -> &'static str {
        match self {
            ConversationId::C2c(_) => C2C_PREFIX,
            ConversationId::Group(_) => GROUP_PREFIX,
            ConversationId::System => SYSTEM_ID,
        }
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversationId::C2c(id) => write!(f, "{C2C_PREFIX}{id}"),
            ConversationId::Group(id) => write!(f, "{GROUP_PREFIX}{id}"),
            ConversationId::System => f.write_str(SYSTEM_ID),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms_and_round_trips() {
        for (s, want) in [
            ("C2Cbob", ConversationId::C2c("bob".into())),
            ("GROUPg1", ConversationId::Group("g1".into())),
            ("@TIM#SYSTEM", ConversationId::System),
        ] {
            let got = ConversationId::parse(s).expect(s);
            assert_eq!(got, want);
            assert_eq!(got.to_string(), s);
        }
    }

    #[test]
    fn refuses_empty_suffix_unknown_prefix_and_bad_ids() {
        assert!(matches!(
            ConversationId::parse("C2C"),
            Err(ConversationIdError::BadId(IdError::Empty))
        ));
        assert!(matches!(
            ConversationId::parse("GROUP"),
            Err(ConversationIdError::BadId(IdError::Empty))
        ));
        for s in ["", "abc", "c2cbob", "@TIM#SYSTEMX", "SYSTEM"] {
            assert_eq!(
                ConversationId::parse(s),
                Err(ConversationIdError::UnknownType),
                "{s:?}"
            );
        }
        assert!(matches!(
            ConversationId::parse("C2Cbo\nb"),
            Err(ConversationIdError::BadId(IdError::ControlCharacter('\n')))
        ));
        assert!(matches!(
            ConversationId::parse("GROUPg\u{1f}"),
            Err(ConversationIdError::BadId(IdError::ControlCharacter(
                '\u{1f}'
            )))
        ));
        let long = format!("C2C{}", "用".repeat(22));
        assert!(matches!(
            ConversationId::parse(&long),
            Err(ConversationIdError::BadId(IdError::TooLong(66)))
        ));
    }

    /// Any Unicode ID: the prefix alone says the type, whatever the ID holds (even `GROUP`,
    /// `C2C` or `@TIM#SYSTEM`), so every conversation ID parses back to the one it was made from.
    #[test]
    fn unicode_ids_round_trip_unambiguously() {
        for id in [
            "用户",
            "é",
            "😀x",
            "mail@example.com",
            "a-b_c.d",
            "a|b",
            "a b",
            "GROUPx",
            "C2Cx",
            "@TIM#SYSTEM",
        ] {
            for conv in [
                ConversationId::C2c(id.to_owned()),
                ConversationId::Group(id.to_owned()),
            ] {
                let s = conv.to_string();
                assert_eq!(ConversationId::parse(&s), Ok(conv), "{s:?}");
            }
        }
        assert_eq!(
            ConversationId::parse("C2C@TIM#SYSTEM"),
            Ok(ConversationId::C2c("@TIM#SYSTEM".into()))
        );
        assert_eq!(
            ConversationId::parse("C2CGROUPg"),
            Ok(ConversationId::C2c("GROUPg".into()))
        );
    }
}
