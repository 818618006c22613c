//! Decode, inspect and verify arbitrary SETs, under every profile, against a fixed key set
//! (the keys of the duo-labs and i2goSignals vectors and an Ed25519 key the seeds are
//! signed with).
//!
//! * What `inspect` reads has the header and claims that decoding the token gives, and its
//!   typed SET holds those claims.
//! * What `verify` accepts, `inspect` (same options) reads without an error-level issue,
//!   with the same header and typed claims.
//! * `begin_verify` + a signature check per candidate + `finish_with_candidate` gives what
//!   `verify` gives (the same SET, or the same error).
//! * What verifies under SSF verifies under every profile that only relaxes rules
//!   (`rfc8417`, `google`, `okta`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::crypto::{default_provider, verify as verify_signature};
use ssf_core::jwk::JwkSet;
use ssf_core::jws::CompactJws;
use ssf_core::set::{begin_verify, inspect, verify, Profile, VerifyOptions};
use ssf_core::Error;
use ssf_core_fuzz::VERIFY_JWKS;

fuzz_target!(|data: &[u8]| {
    let keys = JwkSet::from_json(VERIFY_JWKS).expect("fixed JWKS");
    let text = String::from_utf8_lossy(data);
    let decoded = CompactJws::parse(&text).ok();
    let mut verified_ssf = false;
    for profile in Profile::ALL {
        let mut opts = VerifyOptions::new(1_800_000_000);
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
        let verified = verify(&text, &keys, &opts);
        let split = begin_verify(&text, &keys, &opts).and_then(|p| {
            // Each candidate in turn, as the worker does; a failure other than a bad
            // signature ends the search with that failure, as in `verify`.
            let mut verified = None;
            for (i, key) in p.candidates().iter().enumerate() {
                match verify_signature(
                    default_provider(),
                    p.algorithm(),
                    key,
                    p.signing_input(),
                    p.signature(),
                ) {
                    Ok(()) => {
                        verified = Some(i);
                        break;
                    }
                    Err(Error::BadSignature) => {}
                    Err(e) => return Err(e),
                }
            }
            p.finish_with_candidate(verified, &opts)
        });
        assert_eq!(
            split, verified,
            "begin_verify + finish disagrees with verify"
        );
        // A profile that only relaxes SSF 1.0 accepts whatever SSF 1.0 accepts.
        if profile.rules().iter().all(|r| r.relaxes()) && verified_ssf {
            assert!(
                verified.is_ok(),
                "verifies under SSF but not under {}: {verified:?}",
                profile.name()
            );
        }
        if let Ok(set) = verified {
            verified_ssf |= profile == Profile::SSF;
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
