//! UserSig, Tencent's TLS Sig API v2 login ticket: generation and verification.
//!
//! Token = base64url-ish(zlib(JSON)) where the JSON carries `TLS.ver` "2.0", `TLS.identifier`,
//! `TLS.sdkappid`, `TLS.time`, `TLS.expire`, optional `TLS.userbuf`, and `TLS.sig`: the standard
//! base64 of HMAC-SHA256 keyed by the app's secret key over the "content lines" below. Tokens made
//! by the official libraries verify here and ours verify there: nothing depends on JSON key order
//! or on the compression level.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use std::io::{Read, Write};
use tim_proto::ErrorCode;

type HmacSha256 = Hmac<Sha256>;

/// Lifetime of a generated UserSig when none is given: 7 days, as in Tencent's examples.
pub const DEFAULT_EXPIRE_SECS: i64 = 7 * 24 * 3600;
/// Longer tokens are refused before decoding (real ones are a few hundred characters).
const MAX_TOKEN_CHARS: usize = 8 * 1024;
/// Cap on the inflated JSON so a tiny zip bomb cannot make us allocate much.
const MAX_INFLATED_BYTES: u64 = 16 * 1024;

/// A UserSig that verified: when it stops being valid (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedSig {
    pub expires_at: i64,
}

/// Why a UserSig was refused. Each maps to Tencent's documented code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    /// Not decodable, not JSON, fields missing or of the wrong type, wrong version.
    Malformed(&'static str),
    UserMismatch,
    AppMismatch,
    Expired,
    BadSignature,
}

impl SigError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SigError::Malformed(_) | SigError::BadSignature => ErrorCode::UserSigInvalid,
            SigError::UserMismatch => ErrorCode::UserSigUserMismatch,
            SigError::AppMismatch => ErrorCode::UserSigAppMismatch,
            SigError::Expired => ErrorCode::UserSigExpired,
        }
    }

    pub fn message(&self) -> String {
        match self {
            SigError::Malformed(why) => format!("UserSig is malformed: {why}"),
            SigError::UserMismatch => "UserSig was issued for another userID".to_owned(),
            SigError::AppMismatch => "UserSig was issued for another SDKAppID".to_owned(),
            SigError::Expired => "UserSig has expired".to_owned(),
            SigError::BadSignature => "UserSig signature does not verify".to_owned(),
        }
    }
}

/// The fields that are signed, in the order they are signed.
struct SignedFields<'a> {
    identifier: &'a str,
    sdk_app_id: u64,
    time: i64,
    expire: i64,
    userbuf: Option<&'a str>,
}

impl SignedFields<'_> {
    /// The exact bytes the HMAC covers; each line ends in '\n'.
    fn content(&self) -> String {
        let mut s = format!(
            "TLS.identifier:{}\nTLS.sdkappid:{}\nTLS.time:{}\nTLS.expire:{}\n",
            self.identifier, self.sdk_app_id, self.time, self.expire
        );
        if let Some(buf) = self.userbuf {
            s.push_str("TLS.userbuf:");
            s.push_str(buf);
            s.push('\n');
        }
        s
    }

    /// HMAC accepts keys of every length, so `None` does not happen in practice; callers still
    /// treat it as an error instead of panicking.
    fn mac(&self, secret_key: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(secret_key.as_bytes()).ok()?;
        mac.update(self.content().as_bytes());
        Some(mac)
    }
}

/// The `TLS.sig` value for these fields: standard base64 of the HMAC.
fn signature(fields: &SignedFields<'_>, secret_key: &str) -> Option<String> {
    Some(STANDARD.encode(fields.mac(secret_key)?.finalize().into_bytes()))
}

/// Makes a UserSig for `user_id`, valid from `now` for `expire_secs` seconds.
pub fn generate(
    sdk_app_id: u64,
    secret_key: &str,
    user_id: &str,
    expire_secs: i64,
    now: i64,
) -> std::io::Result<String> {
    let fields = SignedFields {
        identifier: user_id,
        sdk_app_id,
        time: now,
        expire: expire_secs,
        userbuf: None,
    };
    let sig = signature(&fields, secret_key)
        .ok_or_else(|| std::io::Error::other("HMAC refused the key"))?;
    let doc = json!({
        "TLS.ver": "2.0",
        "TLS.identifier": user_id,
        "TLS.sdkappid": sdk_app_id,
        "TLS.time": now,
        "TLS.expire": expire_secs,
        "TLS.sig": sig,
    });
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(doc.to_string().as_bytes())?;
    let compressed = z.finish()?;
    Ok(to_url_alphabet(&STANDARD.encode(compressed)))
}

/// Checks `token` for the login of `user_id` to app `sdk_app_id` whose key is `secret_key`.
/// Order of checks: shape, user, app, expiry, then the signature (so an honest token used for
/// the wrong user or app gets the specific code rather than "invalid").
pub fn verify(
    token: &str,
    secret_key: &str,
    sdk_app_id: u64,
    user_id: &str,
    now: i64,
) -> Result<VerifiedSig, SigError> {
    let doc = decode(token)?;
    let str_field = |k: &'static str| doc.get(k).and_then(Value::as_str);
    let int_field = |k: &'static str| doc.get(k).and_then(Value::as_i64);

    if str_field("TLS.ver") != Some("2.0") {
        return Err(SigError::Malformed("TLS.ver is not \"2.0\""));
    }
    let fields = SignedFields {
        identifier: str_field("TLS.identifier")
            .ok_or(SigError::Malformed("TLS.identifier missing"))?,
        sdk_app_id: doc
            .get("TLS.sdkappid")
            .and_then(Value::as_u64)
            .ok_or(SigError::Malformed("TLS.sdkappid missing or not a number"))?,
        time: int_field("TLS.time").ok_or(SigError::Malformed("TLS.time missing"))?,
        expire: int_field("TLS.expire").ok_or(SigError::Malformed("TLS.expire missing"))?,
        userbuf: match doc.get("TLS.userbuf") {
            None => None,
            Some(v) => Some(v.as_str().ok_or(SigError::Malformed("TLS.userbuf"))?),
        },
    };
    let sig = str_field("TLS.sig").ok_or(SigError::Malformed("TLS.sig missing"))?;

    if fields.identifier != user_id {
        return Err(SigError::UserMismatch);
    }
    if fields.sdk_app_id != sdk_app_id {
        return Err(SigError::AppMismatch);
    }
    let expires_at = fields.time.saturating_add(fields.expire);
    if now > expires_at {
        return Err(SigError::Expired);
    }
    let claimed = STANDARD
        .decode(sig)
        .map_err(|_| SigError::Malformed("TLS.sig is not base64"))?;
    fields
        .mac(secret_key)
        .ok_or(SigError::BadSignature)?
        .verify_slice(&claimed)
        .map_err(|_| SigError::BadSignature)?;
    Ok(VerifiedSig { expires_at })
}

/// Token text -> the JSON object inside, with every size bounded.
fn decode(token: &str) -> Result<Map<String, Value>, SigError> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(SigError::Malformed("too long"));
    }
    let compressed = STANDARD
        .decode(from_url_alphabet(token))
        .map_err(|_| SigError::Malformed("not base64"))?;
    let mut json = Vec::new();
    ZlibDecoder::new(compressed.as_slice())
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut json)
        .map_err(|_| SigError::Malformed("not zlib data"))?;
    if json.len() as u64 > MAX_INFLATED_BYTES {
        return Err(SigError::Malformed("inflates too large"));
    }
    match serde_json::from_slice::<Value>(&json) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(SigError::Malformed("not a JSON object")),
    }
}

/// Tencent's URL-safe alphabet: `+`->`*`, `/`->`-`, `=`->`_`.
fn to_url_alphabet(b64: &str) -> String {
    b64.chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

fn from_url_alphabet(token: &str) -> String {
    token
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests;
