//! Creating apps: fresh secret keys, the next free SDKAppID, the demo app on first start.

use crate::clock::unix_now;
use crate::config::{DEFAULT_ADMIN, DEMO_SDK_APP_ID};
use crate::error::FatalError;
use crate::store::{App, Store};

/// A new secret key: 32 random bytes as 64 hex characters.
pub fn random_secret_key() -> Result<String, FatalError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| FatalError(format!("no randomness for a secret key: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Fewest characters of a secret key; generated keys have 64.
pub const MIN_SECRET_CHARS: usize = 24;
/// Fewest different characters in it (so `aaaa…` or `0101…` is refused).
pub const MIN_DISTINCT_CHARS: usize = 10;

/// Whether `key` is hard enough to guess to sign UserSigs with; the reason if not.
pub fn check_strength(key: &str) -> Result<(), String> {
    let chars = key.chars().count();
    if key.trim() != key || key.chars().any(char::is_control) {
        return Err("the secret key must not have spaces at its ends or control characters".into());
    }
    if chars < MIN_SECRET_CHARS {
        return Err(format!(
            "the secret key is too weak: {chars} characters, at least {MIN_SECRET_CHARS} are needed (leave --secret out to get a random 64-character key)"
        ));
    }
    let mut distinct: Vec<char> = key.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(format!(
            "the secret key is too weak: only {} different characters, at least {MIN_DISTINCT_CHARS} are needed (leave --secret out to get a random key)",
            distinct.len()
        ));
    }
    Ok(())
}

/// Creates an app; without an ID it takes the one after the highest (the demo ID if none).
pub fn create_app(
    store: &dyn Store,
    sdk_app_id: Option<u64>,
    secret_key: Option<String>,
    admin_identifier: Option<String>,
    sync_conversation_deletion: bool,
) -> Result<App, FatalError> {
    let sdk_app_id = match sdk_app_id {
        Some(id) => id,
        None => match store.apps()?.iter().map(|a| a.sdk_app_id).max() {
            Some(max) => max
                .checked_add(1)
                .ok_or_else(|| FatalError("no SDKAppID left".into()))?,
            None => DEMO_SDK_APP_ID,
        },
    };
    let secret_key = match secret_key {
        Some(key) => {
            check_strength(&key).map_err(FatalError)?;
            key
        }
        None => random_secret_key()?,
    };
    let admin_identifier = admin_identifier.unwrap_or_else(|| DEFAULT_ADMIN.to_owned());
    // Any ID a user could have (用户, é, …); one no login could sign for is refused.
    tim_proto::rules::check_user_id("the admin identifier", &admin_identifier)
        .map_err(|r| FatalError(r.message))?;
    let app = App {
        sdk_app_id,
        secret_key,
        admin_identifier,
        sync_conversation_deletion,
        created_at: unix_now(),
    };
    store.create_app(&app)?;
    Ok(app)
}

/// The demo app of a database, and whether this start created it.
#[derive(Debug, Clone)]
pub struct DemoApp {
    pub app: App,
    /// Created just now (on a database without apps): its secret key is news to the operator.
    pub created: bool,
}

/// On a database without apps, creates the demo app; returns the demo app if it exists.
pub fn ensure_demo_app(store: &dyn Store) -> Result<Option<DemoApp>, FatalError> {
    if store.apps()?.is_empty() {
        let app = create_app(store, Some(DEMO_SDK_APP_ID), None, None, false)?;
        tracing::info!(sdk_app_id = app.sdk_app_id, "created the demo app");
        return Ok(Some(DemoApp { app, created: true }));
    }
    Ok(store.app(DEMO_SDK_APP_ID)?.map(|app| DemoApp {
        app,
        created: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_keys_are_refused_and_generated_ones_pass() {
        assert!(check_strength("secret").is_err());
        assert!(check_strength(&"a".repeat(64)).is_err());
        assert!(check_strength(&"01".repeat(32)).is_err());
        assert!(check_strength(" 0123456789abcdef0123456789abcdef").is_err());
        assert!(check_strength("0123456789abcdef01234567").is_ok());
        assert!(check_strength("0123456789abcdef0123456").is_err());
        for _ in 0..100 {
            let key = random_secret_key().expect("randomness");
            assert_eq!(check_strength(&key), Ok(()), "{key}");
        }
    }
}
