//! File tickets: how a browser fetches a file with a plain URL (`<img src>`, a download link)
//! that can carry no header.
//!
//! A ticket is the query string `sdkappid=&userID=&expires=&ticket=`, `ticket` being the
//! URL-safe base64 of HMAC-SHA256, keyed by the app's secret key, over the lines below. It is
//! handed to a session at login and runs out with its UserSig. It proves who is asking, nothing
//! more: every fetch still checks that the user may see that file now, so a ticket that leaks
//! (a copied link) opens only what its user may open, and nothing they deleted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tim_proto::ErrorCode;

/// The bytes the MAC covers; the first line keeps it from ever matching another signature made
/// with the same key (a UserSig's lines start `TLS.`).
fn content(sdk_app_id: u64, user_id: &str, expires: i64) -> String {
    format!("tim-wasm file ticket\n{sdk_app_id}\n{user_id}\n{expires}\n")
}

fn mac(secret_key: &str, sdk_app_id: u64, user_id: &str, expires: i64) -> Option<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).ok()?;
    mac.update(content(sdk_app_id, user_id, expires).as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// The query string that lets `user_id` fetch files until `expires` (unix seconds).
pub fn query(secret_key: &str, sdk_app_id: u64, user_id: &str, expires: i64) -> String {
    let sig = mac(secret_key, sdk_app_id, user_id, expires)
        .map(|m| URL_SAFE_NO_PAD.encode(m))
        .unwrap_or_default();
    format!(
        "sdkappid={sdk_app_id}&userID={}&{TICKET_EXPIRES}={expires}&ticket={sig}",
        percent_encode(user_id)
    )
}

/// Whether `ticket` is `user_id`'s for the app and still good at `now`; the refusal's code
/// otherwise (70001 expired, 70003 not ours).
pub fn verify(
    secret_key: &str,
    sdk_app_id: u64,
    user_id: &str,
    expires: i64,
    ticket: &str,
    now: i64,
) -> Result<(), (ErrorCode, &'static str)> {
    let invalid = (ErrorCode::UserSigInvalid, "the file ticket does not verify");
    let given = URL_SAFE_NO_PAD.decode(ticket).map_err(|_| invalid)?;
    let wanted = mac(secret_key, sdk_app_id, user_id, expires).ok_or(invalid)?;
    if !bool::from(given.ct_eq(&wanted)) {
        return Err(invalid);
    }
    if now > expires {
        return Err((
            ErrorCode::UserSigExpired,
            "the file ticket has expired; log in again for a new one",
        ));
    }
    Ok(())
}

pub use tim_proto::files::percent_encode;
use tim_proto::files::TICKET_EXPIRES;

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn a_ticket_verifies_for_its_user_until_it_expires() {
        let q = query("key", 7, "alice", 100);
        let p = parts(&q);
        assert_eq!(p[0], ("sdkappid".into(), "7".into()));
        assert_eq!(p[1], ("userID".into(), "alice".into()));
        assert_eq!(p[2], ("expires".into(), "100".into()));
        let t = &p[3].1;
        assert_eq!(verify("key", 7, "alice", 100, t, 100), Ok(()));
        let code = |r: Result<(), (ErrorCode, &str)>| r.map_err(|e| e.0);
        assert_eq!(
            code(verify("key", 7, "alice", 100, t, 101)),
            Err(ErrorCode::UserSigExpired)
        );
        for (key, app, user, exp) in [
            ("other", 7, "alice", 100),
            ("key", 8, "alice", 100),
            ("key", 7, "bob", 100),
            ("key", 7, "alice", 1000),
        ] {
            assert_eq!(
                code(verify(key, app, user, exp, t, 0)),
                Err(ErrorCode::UserSigInvalid)
            );
        }
        assert_eq!(
            code(verify("key", 7, "alice", 100, "not base64!", 0)),
            Err(ErrorCode::UserSigInvalid)
        );
    }

    #[test]
    fn user_ids_are_percent_encoded() {
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
