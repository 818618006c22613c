//! JWK and JWK Set parsing.
//!
//! A key that parses re-reads equal from its own members (and from their JSON text), has
//! a stable RFC 7638 thumbprint, and a set re-reads to the same keys. Key selection never
//! hands out a key that refuses the algorithm asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::json::Value;
use ssf_core::jwk::{Jwk, JwkSet};
use ssf_core::Algorithm;

fn check_key(k: &Jwk) {
    let again = Jwk::from_map(&k.to_map()).expect("a key's own members re-read");
    assert_eq!(&again, k);
    let text = Value::Object(k.to_map()).to_json();
    assert_eq!(
        Jwk::from_json(&text).as_ref(),
        Ok(k),
        "a key's own JSON re-reads"
    );
    assert_eq!(again.thumbprint(), k.thumbprint(), "thumbprint");
    assert_eq!(again.thumbprint_input(), k.thumbprint_input());
    assert_eq!(again.kid(), k.kid());
    for alg in Algorithm::ALL {
        let _ = k.check_alg(alg);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = Jwk::from_json(text) {
        check_key(&k);
    }
    if let Ok(set) = JwkSet::from_json(text) {
        for k in set.keys() {
            check_key(k);
        }
        let again = JwkSet::from_map(&set.to_map()).expect("a set's own members re-read");
        assert_eq!(
            again.keys(),
            set.keys(),
            "JWK Set decode -> encode -> decode"
        );
        assert!(again.skipped().is_empty(), "a re-read set skips keys");
        let kids: Vec<Option<&str>> = set.keys().iter().map(|k| k.kid()).collect();
        for alg in Algorithm::ALL {
            for kid in kids.iter().copied().chain([None, Some("")]) {
                if let Ok(k) = set.select(kid, alg) {
                    assert!(
                        k.check_alg(alg).is_ok(),
                        "select gave a key that refuses {alg:?}"
                    );
                    if let Some(want) = kid {
                        assert_eq!(k.kid(), Some(want), "select gave a key of another kid");
                    }
                }
                for k in set.candidates(kid, alg) {
                    assert!(k.check_alg(alg).is_ok());
                }
            }
        }
    }
});
