//! Decode, inspect and verify arbitrary SETs, under the SSF and the plain RFC 8417
//! profiles, against a fixed key set (the P-256 key of the duo-labs vector and an Ed25519
//! key).
//!
//! What `verify` accepts, `inspect` (with the same options) reports without an error, with
//! the same header and claims; whatever `inspect` reads as a typed SET has the claims and
//! header that decoding the token gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::jwk::JwkSet;
use ssf_core::jws::CompactJws;
use ssf_core::set::{inspect, verify, Profile, VerifyOptions};
use ssf_core_fuzz::VERIFY_JWKS;

fuzz_target!(|data: &[u8]| {
    let keys = JwkSet::from_json(VERIFY_JWKS).expect("fixed JWKS");
    let text = String::from_utf8_lossy(data);
    let decoded = CompactJws::parse(&text).ok();
    for profile in [Profile::SSF, Profile::RFC8417] {
        let mut opts = VerifyOptions::new(1_700_000_000);
        opts.profile = profile;
        let inspection = inspect(&text, Some(&opts));
        if let Ok(i) = &inspection {
            let jws = decoded
                .as_ref()
                .expect("inspect read a token that does not decode");
            assert_eq!(i.header, jws.header, "inspect: another header");
            assert_eq!(
                Ok(&i.claims),
                jws.claims().as_ref(),
                "inspect: other claims"
            );
            if let Some(set) = &i.set {
                assert_eq!(
                    set.claims.raw, i.claims,
                    "inspect: the typed claims are other claims"
                );
            }
        }
        if let Ok(set) = verify(&text, &keys, &opts) {
            let i = inspection.expect("verify accepts what inspect cannot read");
            assert!(
                i.is_valid_structure(),
                "verify accepts a SET in which inspect finds errors: {:?}",
                i.issues
            );
            let typed = i.set.expect("inspect builds no SET from a verified one");
            assert_eq!(
                typed.claims, set.claims,
                "inspect and verify read other claims"
            );
            assert_eq!(typed.header, set.header);
        }
    }
    let _ = inspect(&text, None);
});
