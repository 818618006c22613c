//! Decode, inspect and verify arbitrary input: none of it may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::jwk::JwkSet;
use ssf_core::set::{inspect, verify, VerifyOptions};

// A P-256 and an RSA key, so that verification reaches the signature check.
const JWKS: &str = r#"{"keys":[
 {"kty":"EC","crv":"P-256","kid":"e","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
]}"#;

fuzz_target!(|data: &[u8]| {
    let keys = JwkSet::from_json(JWKS).expect("fixed JWKS");
    let text = String::from_utf8_lossy(data);
    let _ = inspect(&text, None);
    let _ = verify(&text, &keys, &VerifyOptions::new(1_700_000_000));
    let _ = JwkSet::from_json(&text);
    let _ = ssf_core::json::parse(data, ssf_core::error::Part::Document);
});
