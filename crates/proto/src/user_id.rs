//! What a valid user ID (and group ID) looks like.

use crate::limits::MAX_ID_BYTES;

/// Why an ID was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    BadCharacter(char),
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdError::Empty => write!(f, "is empty"),
            IdError::TooLong => write!(f, "is longer than {MAX_ID_BYTES} bytes"),
            IdError::BadCharacter(c) => write!(f, "contains {c:?} (allowed: A-Z a-z 0-9 _ - . @)"),
        }
    }
}

/// Checks a user or group ID: 1 to [`MAX_ID_BYTES`] bytes of `A-Z a-z 0-9 _ - . @`.
/// `#` is excluded so no ID can collide with `@TIM#SYSTEM`.
pub fn validate_id(id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if id.len() > MAX_ID_BYTES {
        return Err(IdError::TooLong);
    }
    match id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')))
    {
        Some(c) => Err(IdError::BadCharacter(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for id in ["alice", "bob_2", "a.b-c@d", "X"] {
            assert_eq!(validate_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn refuses_empty_long_and_odd_ids() {
        assert_eq!(validate_id(""), Err(IdError::Empty));
        assert_eq!(
            validate_id(&"a".repeat(MAX_ID_BYTES + 1)),
            Err(IdError::TooLong)
        );
        assert_eq!(validate_id("a b"), Err(IdError::BadCharacter(' ')));
        assert_eq!(validate_id("@TIM#SYSTEM"), Err(IdError::BadCharacter('#')));
        assert_eq!(validate_id("é"), Err(IdError::BadCharacter('é')));
    }
}
