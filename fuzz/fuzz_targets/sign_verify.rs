//! Sign arbitrary claims sets with a fixed Ed25519 key, then verify them.
//!
//! `sign_claims` refuses exactly what `check_claims` refuses (with the same error); what it
//! signs, `verify` (at the SET's own `iat`, same profile) accepts with the same claims and
//! `inspect` reports without an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::builder::sign_claims;
use ssf_core::error::Part;
use ssf_core::json;
use ssf_core::jwk::JwkSet;
use ssf_core::set::{check_claims, inspect, verify, Profile, Rule, VerifyOptions};
use ssf_core::signing::SigningKey;
use ssf_core_fuzz::{SIGNING_JWK, VERIFY_JWKS};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(claims) = json::parse_object(rest, Part::Payload) else {
        return;
    };
    let profile = match sel % 3 {
        0 => Profile::SSF,
        1 => Profile::CAEP_INTEROP,
        _ => Profile::RFC8417,
    };
    let key = SigningKey::from_jwk(SIGNING_JWK).expect("fixed signing key");
    let keys = JwkSet::from_json(VERIFY_JWKS).expect("fixed JWKS");
    let checked = check_claims(&claims, profile);
    let token = sign_claims(&claims, &key, profile);
    // The fixed key is Ed25519, which caep-interop (RS256 only) refuses whatever the claims.
    if profile.has(Rule::Rs256Required) {
        match (token, checked) {
            (
                Err(ssf_core::Error::ProfileRule {
                    rule: Rule::Rs256Required,
                    ..
                }),
                Ok(_),
            ) => {}
            (Err(e), Err(c)) => assert_eq!(e, c, "sign_claims and check_claims refuse for other reasons"),
            (other, _) => panic!("caep-interop signed with {:?}: {other:?}", key.alg()),
        }
        return;
    }
    let (checked, token) = match (checked, token) {
        (Ok(c), Ok(t)) => (c, t),
        (Err(a), Err(b)) => {
            assert_eq!(
                a, b,
                "sign_claims and check_claims refuse for other reasons"
            );
            return;
        }
        (Ok(_), Err(e)) => {
            // A token over the size limit is still signed: only then may they differ.
            panic!("check_claims accepts what sign_claims refuses: {e:?}");
        }
        (Err(e), Ok(_)) => panic!("sign_claims signs what check_claims refuses: {e:?}"),
    };
    let mut opts = VerifyOptions::new(checked.iat);
    opts.profile = profile;
    match verify(&token, &keys, &opts) {
        Ok(set) => {
            assert_eq!(
                set.claims, checked,
                "verify reads other claims than were signed"
            );
            assert_eq!(set.claims.raw, claims);
        }
        Err(ssf_core::Error::TooLarge { .. }) => return,
        Err(e) => panic!("verify refuses a SET just signed: {e:?}\n{token}"),
    }
    let i = inspect(&token, Some(&opts)).expect("inspect reads a signed SET");
    assert!(
        i.is_valid_structure(),
        "inspect finds errors in a signed SET: {:?}",
        i.issues
    );
});
