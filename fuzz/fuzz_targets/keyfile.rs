//! Private key files: PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1
//! `EC PRIVATE KEY`), their DER bodies (the input wrapped in each PEM label), and private
//! JWKs, for every algorithm.
//!
//! A key that loads: its public JWK parses back equal, its private JWK re-loads to the same
//! public key, and (where it can sign without randomness) a signature it makes verifies
//! under its public JWK.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::crypto::{default_provider, verify};
use ssf_core::jwk::Jwk;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;
use ssf_core_fuzz::base64_std;

const LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

fn check(key: SigningKey, alg: Option<Algorithm>) {
    if let Some(alg) = alg {
        assert_eq!(key.alg(), alg, "loaded for another algorithm");
    }
    let public = key.public_jwk();
    assert_eq!(
        Jwk::from_map(&public.to_map()).as_ref(),
        Ok(&public),
        "public JWK re-reads"
    );
    assert_eq!(Jwk::from_map(&key.public_jwk_map()).as_ref(), Ok(&public));
    let again = SigningKey::from_jwk_map(&key.to_jwk_map()).expect("private JWK re-loads");
    assert_eq!(
        again.public_jwk(),
        public,
        "private JWK re-loads to another key"
    );
    let message = b"fuzz signing input";
    // RSASSA-PSS needs randomness, which this build has not: only its refusal is allowed.
    match key.sign(message) {
        Ok(sig) => {
            verify(default_provider(), key.alg(), &public, message, &sig)
                .unwrap_or_else(|e| panic!("own {:?} signature does not verify: {e:?}", key.alg()));
        }
        Err(e) => assert!(
            matches!(
                key.alg(),
                Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512
            ),
            "{:?} cannot sign: {e:?}",
            key.alg()
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for alg in Algorithm::ALL {
            if let Ok(k) = SigningKey::from_pkcs8_pem(text, alg) {
                check(k, Some(alg));
            }
        }
        if let Ok(k) = SigningKey::from_jwk(text) {
            check(k, None);
        }
    }
    // The input as a DER body, under each label.
    let body = base64_std(data);
    for label in LABELS {
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        for alg in Algorithm::ALL {
            if let Ok(k) = SigningKey::from_pkcs8_pem(&pem, alg) {
                check(k, Some(alg));
            }
        }
    }
});
