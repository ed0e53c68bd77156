use super::*;

const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const APP: u64 = 1_400_000_001;
const T0: i64 = 1_700_000_000;

/// Computed independently with Python's hmac/hashlib over the documented content lines.
const PY_SIG_ALICE: &str = "vYzooUKZyRJPJgQE222iyYUSzlqUr5p/EmwIXtWNOtw=";
/// A whole token built with Python (other key order, zlib level 9, compact JSON).
const PY_TOKEN_ALICE: &str = "eNqrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwok5mcmpUInilOzEgoLMFCUrQxMDCDCEyKRWFGQWpSpZmRmYWBgYQMRKMnOBIobmUJVQ0eLMdKCpZZFV*fmh3lGVQV4BXumBrkZGRpmVkaHBVTmFoUWmBfquueWeESXhfv4l5bZKtQDWfjG6";
/// Python token for bob with a TLS.userbuf, reversed key order, zlib level 1, expire 86400.
const PY_TOKEN_BOB_USERBUF: &str = "eAGrVgrxCdYrLU4tSipNU7JSUErOtSxLCjYw8E23tVXSUQBLF2emg6Sykt1Ly6Msk-0CLQ2j-N2isjKNLd0c9bNMPAzCgrWjPCMDnYMCPVydfQzT4VpTKwoyi1KBui3MTAwMoOaVZOaChAzNDaAAZk9KdmJBQWYKSA6oGgwMoXKZKal5JZlpmalFIKck5SfBHFcGETHSM1CqBQCrnzjl";

fn token_from_json(doc: &Value) -> String {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    z.write_all(doc.to_string().as_bytes()).expect("vec write");
    to_url_alphabet(&STANDARD.encode(z.finish().expect("vec write")))
}

fn decoded(token: &str) -> Map<String, Value> {
    decode(token).expect("decodes")
}

#[test]
fn signature_matches_the_hand_computed_vector() {
    let fields = SignedFields {
        identifier: "alice",
        sdk_app_id: APP,
        time: T0,
        expire: 604_800,
        userbuf: None,
    };
    assert_eq!(signature(&fields, KEY).as_deref(), Some(PY_SIG_ALICE));
}

#[test]
fn generated_token_carries_the_documented_fields_and_vector_signature() {
    let token = generate(APP, KEY, "alice", 604_800, T0).expect("generate");
    assert!(!token.contains(['+', '/', '=']), "{token}");
    let doc = decoded(&token);
    assert_eq!(doc["TLS.ver"], "2.0");
    assert_eq!(doc["TLS.identifier"], "alice");
    assert_eq!(doc["TLS.sdkappid"], APP);
    assert_eq!(doc["TLS.time"], T0);
    assert_eq!(doc["TLS.expire"], 604_800);
    assert_eq!(doc["TLS.sig"], PY_SIG_ALICE);
}

#[test]
fn generated_token_verifies() {
    let token = generate(APP, KEY, "alice", 3600, T0).expect("generate");
    assert_eq!(
        verify(&token, KEY, APP, "alice", T0 + 10),
        Ok(VerifiedSig {
            expires_at: T0 + 3600
        })
    );
    // Still valid at the last second, expired one second later.
    assert!(verify(&token, KEY, APP, "alice", T0 + 3600).is_ok());
    assert_eq!(
        verify(&token, KEY, APP, "alice", T0 + 3601),
        Err(SigError::Expired)
    );
}

#[test]
fn tokens_made_elsewhere_verify_whatever_key_order_and_compression() {
    assert_eq!(
        verify(PY_TOKEN_ALICE, KEY, APP, "alice", T0 + 1),
        Ok(VerifiedSig {
            expires_at: T0 + 604_800
        })
    );
    assert_eq!(
        verify(PY_TOKEN_BOB_USERBUF, KEY, APP, "bob", T0 + 1),
        Ok(VerifiedSig {
            expires_at: T0 + 86_400
        })
    );
}

#[test]
fn wrong_key_or_tampered_fields_fail_the_signature() {
    let token = generate(APP, KEY, "alice", 3600, T0).expect("generate");
    assert_eq!(
        verify(&token, "another-key", APP, "alice", T0),
        Err(SigError::BadSignature)
    );
    // Lengthen the lifetime without re-signing.
    let mut doc = decoded(&token);
    doc.insert("TLS.expire".into(), json!(999_999_999));
    let forged = token_from_json(&Value::Object(doc));
    assert_eq!(
        verify(&forged, KEY, APP, "alice", T0),
        Err(SigError::BadSignature)
    );
    // A userbuf that was not signed.
    let mut doc = decoded(&token);
    doc.insert("TLS.userbuf".into(), json!("eA=="));
    let forged = token_from_json(&Value::Object(doc));
    assert_eq!(
        verify(&forged, KEY, APP, "alice", T0),
        Err(SigError::BadSignature)
    );
}

#[test]
fn other_user_and_other_app_get_their_own_codes() {
    let token = generate(APP, KEY, "bob", 3600, T0).expect("generate");
    let err = verify(&token, KEY, APP, "alice", T0).expect_err("other user");
    assert_eq!(err, SigError::UserMismatch);
    assert_eq!(err.code(), ErrorCode::UserSigUserMismatch);
    let err = verify(&token, KEY, APP + 1, "bob", T0).expect_err("other app");
    assert_eq!(err, SigError::AppMismatch);
    assert_eq!(err.code(), ErrorCode::UserSigAppMismatch);
    let err = verify(&token, KEY, APP, "bob", T0 + 7200).expect_err("expired");
    assert_eq!(err.code(), ErrorCode::UserSigExpired);
}

#[test]
fn malformed_tokens_are_invalid_never_a_panic() {
    let not_zlib = to_url_alphabet(&STANDARD.encode(b"plain text, not deflated"));
    let not_json = {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(b"{not json").expect("vec write");
        to_url_alphabet(&STANDARD.encode(z.finish().expect("vec write")))
    };
    let zip_bomb = {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![b' '; 1 << 20]).expect("vec write");
        to_url_alphabet(&STANDARD.encode(z.finish().expect("vec write")))
    };
    let good = decoded(&generate(APP, KEY, "alice", 3600, T0).expect("generate"));
    let with = |k: &str, v: Value| {
        let mut d = good.clone();
        d.insert(k.into(), v);
        token_from_json(&Value::Object(d))
    };
    let without = |k: &str| {
        let mut d = good.clone();
        d.remove(k);
        token_from_json(&Value::Object(d))
    };
    let cases = [
        String::new(),
        "!!!not base64!!!".to_owned(),
        not_zlib,
        not_json,
        zip_bomb,
        "A".repeat(MAX_TOKEN_CHARS + 4),
        token_from_json(&json!([1, 2, 3])),
        with("TLS.ver", json!("1.0")),
        with("TLS.sdkappid", json!("1400000001")),
        with("TLS.time", json!("1700000000")),
        with("TLS.expire", json!(1.5)),
        with("TLS.sig", json!("%%%")),
        with("TLS.userbuf", json!(7)),
        without("TLS.sig"),
        without("TLS.identifier"),
    ];
    for token in &cases {
        let err = verify(token, KEY, APP, "alice", T0).expect_err(token);
        assert_eq!(err.code(), ErrorCode::UserSigInvalid, "{token}: {err:?}");
    }
}

#[test]
fn url_alphabet_round_trips() {
    let b64 = "ab+/cd==";
    assert_eq!(to_url_alphabet(b64), "ab*-cd__");
    assert_eq!(from_url_alphabet(&to_url_alphabet(b64)), b64);
}

/// Python's hmac over the content lines with identifier `用户` (its UTF-8 bytes, as Tencent's
/// libraries sign it).
const PY_SIG_USER_CJK: &str = "vEa3B5YVdpXbloLFRO0tVchxFCkB4Qs8AaOPNCgoEV0=";
/// The whole token from Python's `json.dumps` (which writes `用户` as `\u7528\u6237`) and zlib.
const PY_TOKEN_USER_CJK: &str = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwjGl5qZGFjGlZkbG5lD54pTsxIKCzBQlK0MTAwgwhMikVhRkFqUqWZkZmFgYGEDESjJzgSKG5lCVUNHizHSg4WWuicZOppFhKQURSTn5Pm5B-gYlYckZFW7O2U4mgcUWjon*AX7O6fmuYQa2SrUAvB4x2A__";

#[test]
fn non_ascii_identifiers_are_signed_as_utf8_and_verify_either_way() {
    let fields = SignedFields {
        identifier: "用户",
        sdk_app_id: APP,
        time: T0,
        expire: 604_800,
        userbuf: None,
    };
    assert_eq!(signature(&fields, KEY).as_deref(), Some(PY_SIG_USER_CJK));
    let expires = Ok(VerifiedSig {
        expires_at: T0 + 604_800,
    });
    assert_eq!(verify(PY_TOKEN_USER_CJK, KEY, APP, "用户", T0 + 1), expires);
    assert_eq!(
        verify(PY_TOKEN_USER_CJK, KEY, APP, "用", T0 + 1),
        Err(SigError::UserMismatch)
    );
    for id in ["用户", "é", "😀x", "mail@example.com", "a|b", "a b"] {
        let token = generate(APP, KEY, id, 3600, T0).expect("generate");
        assert!(verify(&token, KEY, APP, id, T0 + 1).is_ok(), "{id}");
        assert_eq!(
            verify(&token, KEY, APP, "alice", T0 + 1),
            Err(SigError::UserMismatch),
            "{id}"
        );
    }
}
