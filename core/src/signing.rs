//! Private keys for signing JWS: ES256, ES384, ES512, RS256/384/512, PS256/384/512 and
//! EdDSA.
//!
//! A [`SigningKey`] is read from a private JWK ([`SigningKey::from_jwk`]) or from PEM
//! ([`SigningKey::from_pkcs8_pem`]: PKCS#8 `PRIVATE KEY`, and also PKCS#1
//! `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY`), and with the `getrandom` feature it can
//! be generated ([`SigningKey::generate`]). Every key is checked for consistency when it
//! is read (the public members of a private JWK must belong to its private part).
//!
//! Signatures: ECDSA is deterministic (RFC 6979) and encoded `r || s` as JWS requires;
//! RSASSA-PKCS1-v1_5 and Ed25519 are deterministic by definition; RSASSA-PSS needs a
//! random salt, taken from the operating system with the `getrandom` feature (else
//! [`SigningKey::sign`] fails with [`Error::Rng`] and [`SigningKey::sign_with_rng`] takes
//! the randomness from the caller).
//!
//! Private values are decoded with a constant-time base64 decoder, wiped from memory when
//! dropped, and never shown by `Debug`. Signing needs the `rustcrypto` feature; without it
//! every constructor fails with [`Error::UnsupportedAlgorithm`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::alg::Algorithm;
use crate::error::{Error, Part};
use crate::json::{self, Map, Value};
use crate::jwk::Jwk;
use crate::limits::MAX_JWKS_LEN;

/// A source of random bytes supplied by the caller: fills the buffer or fails (typically
/// with [`Error::Rng`]).
pub type FillRandom<'a> = &'a mut dyn FnMut(&mut [u8]) -> Result<(), Error>;

/// A private key that signs JWS with one algorithm.
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<String>,
    secret: Secret,
}

enum Secret {
    #[cfg(feature = "rustcrypto")]
    P256(p256::ecdsa::SigningKey),
    #[cfg(feature = "rustcrypto")]
    P384(p384::ecdsa::SigningKey),
    #[cfg(feature = "rustcrypto")]
    P521(p521::ecdsa::SigningKey),
    #[cfg(feature = "rustcrypto")]
    Rsa(alloc::boxed::Box<rsa::RsaPrivateKey>),
    #[cfg(feature = "rustcrypto")]
    Ed25519(ed25519_dalek::SigningKey),
    #[cfg(not(feature = "rustcrypto"))]
    #[allow(dead_code)]
    Unavailable(core::convert::Infallible),
}

impl SigningKey {
    /// Reads a private JWK from JSON text (see [`SigningKey::from_jwk_map`]).
    ///
    /// The private members of the parsed document are wiped before returning.
    pub fn from_jwk(json: &str) -> Result<SigningKey, Error> {
        if json.len() > MAX_JWKS_LEN {
            return Err(Error::TooLarge {
                what: "JWK",
                limit: MAX_JWKS_LEN,
            });
        }
        let mut map = json::parse_object(json.as_bytes(), Part::Document)?;
        let key = SigningKey::from_jwk_map(&map);
        wipe_private_members(&mut map);
        key
    }

    /// Reads a private JWK: `EC` (P-256, P-384, P-521) with `d`, `x`, `y`; `RSA` with `n`, `e`,
    /// `d` and either all or none of `p`, `q`, `dp`, `dq`, `qi`; `OKP` (Ed25519) with
    /// `d`, `x`.
    ///
    /// The key's `alg` member, when present, chooses the algorithm (it must fit the key
    /// type); otherwise it is ES256, ES384, ES512, RS256 or EdDSA by key type (use
    /// [`SigningKey::with_alg`] to choose another RSA algorithm). A `use` other than
    /// `sig`, or `key_ops` without `sign`, is refused. Every public member must match
    /// the private key, and RSA CRT values must match the primes.
    pub fn from_jwk_map(map: &Map) -> Result<SigningKey, Error> {
        let kty = match map.get("kty") {
            Some(Value::String(s)) => s.as_str(),
            _ => return Err(Error::InvalidSigningKey("kty is missing or not a string")),
        };
        let kid = match map.get("kid") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::InvalidSigningKey("kid is not a string")),
        };
        let alg = match map.get("alg") {
            None => None,
            Some(Value::String(s)) if s == "Ed25519" => Some(Algorithm::EdDSA),
            Some(Value::String(s)) => Some(Algorithm::from_name(s).ok_or(
                Error::InvalidSigningKey("alg is not a supported signature algorithm"),
            )?),
            Some(_) => return Err(Error::InvalidSigningKey("alg is not a string")),
        };
        match map.get("use") {
            None => {}
            Some(Value::String(s)) if s == "sig" => {}
            Some(_) => return Err(Error::InvalidSigningKey("use is not sig")),
        }
        if let Some(ops) = map.get("key_ops") {
            let allows_sign = ops
                .as_array()
                .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("sign")));
            if !allows_sign {
                return Err(Error::InvalidSigningKey("key_ops does not include sign"));
            }
        }
        if kty == "oct" {
            return Err(Error::InvalidSigningKey(
                "a symmetric (oct) key cannot make a public-key signature",
            ));
        }
        let secret = imp::secret_from_jwk(kty, map)?;
        let alg = match alg {
            Some(a) if imp::fits(&secret, a) => a,
            Some(_) => return Err(Error::InvalidSigningKey("alg does not fit the key type")),
            None => imp::default_alg(&secret),
        };
        Ok(SigningKey { alg, kid, secret })
    }

    /// Reads a PEM private key for `alg`: PKCS#8 (`PRIVATE KEY`) for every algorithm,
    /// PKCS#1 (`RSA PRIVATE KEY`) for RSA, SEC1 (`EC PRIVATE KEY`) for ECDSA.
    ///
    /// Encrypted PEM is not supported. An RSA key below 2048 bits is
    /// [`Error::WeakRsaKey`].
    pub fn from_pkcs8_pem(pem: &str, alg: Algorithm) -> Result<SigningKey, Error> {
        let label = pem_label(pem).ok_or(Error::InvalidSigningKey("not a PEM document"))?;
        if label == "ENCRYPTED PRIVATE KEY" {
            return Err(Error::InvalidSigningKey(
                "encrypted PEM keys are not supported",
            ));
        }
        let secret = imp::secret_from_pem(label, pem, alg)?;
        Ok(SigningKey {
            alg,
            kid: None,
            secret,
        })
    }

    /// Generates a new key for `alg` from the operating system's randomness (RSA keys
    /// have 2048 bits).
    #[cfg(feature = "getrandom")]
    pub fn generate(alg: Algorithm) -> Result<SigningKey, Error> {
        Ok(SigningKey {
            alg,
            kid: None,
            secret: imp::generate(alg)?,
        })
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key ID, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The same key with key ID `kid`.
    pub fn with_kid(mut self, kid: String) -> SigningKey {
        self.kid = Some(kid);
        self
    }

    /// The same key signing with `alg` instead (for example PS256 instead of RS256 for an
    /// RSA key); [`Error::InvalidSigningKey`] if `alg` does not fit the key type.
    pub fn with_alg(mut self, alg: Algorithm) -> Result<SigningKey, Error> {
        if !imp::fits(&self.secret, alg) {
            return Err(Error::InvalidSigningKey("alg does not fit the key type"));
        }
        self.alg = alg;
        Ok(self)
    }

    /// The public key, as a [`Jwk`] with this key's `kid`, `alg` and `use` `sig`.
    pub fn public_jwk(&self) -> Jwk {
        Jwk::from_material(
            imp::public_material(&self.secret),
            self.kid.clone(),
            self.alg,
        )
    }

    /// The public JWK as a JSON object (`kty`, key members, then `kid`, `use`, `alg`).
    pub fn public_jwk_map(&self) -> Map {
        self.public_jwk().to_map()
    }

    /// The private JWK as a JSON object: the public members plus the private ones.
    ///
    /// The result holds the secret key in clear text: handle it accordingly.
    pub fn to_jwk_map(&self) -> Map {
        let mut m = Map::new();
        crate::jwk::write_public_members(&mut m, &imp::public_material(&self.secret));
        imp::write_private_members(&mut m, &self.secret);
        if let Some(k) = &self.kid {
            m.insert("kid", k.as_str());
        }
        m.insert("use", "sig");
        m.insert("alg", self.alg.name());
        m
    }

    /// Signs `signing_input` (the ASCII `header.payload` of a compact JWS) and returns the
    /// JWS signature octets.
    ///
    /// RSA keys use blinding from the operating system's randomness when the `getrandom`
    /// feature is on; PS* signatures need it ([`Error::Rng`] without it: use
    /// [`SigningKey::sign_with_rng`]).
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        #[cfg(feature = "getrandom")]
        {
            let mut os = |buf: &mut [u8]| getrandom::fill(buf).map_err(|_| Error::Rng);
            imp::sign(&self.secret, self.alg, signing_input, Some(&mut os))
        }
        #[cfg(not(feature = "getrandom"))]
        {
            imp::sign(&self.secret, self.alg, signing_input, None)
        }
    }

    /// Like [`SigningKey::sign`], with randomness (RSA blinding, PSS salt) from `rng`.
    /// ECDSA and Ed25519 signatures are deterministic and do not call it.
    pub fn sign_with_rng(
        &self,
        signing_input: &[u8],
        rng: FillRandom<'_>,
    ) -> Result<Vec<u8>, Error> {
        imp::sign(&self.secret, self.alg, signing_input, Some(rng))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("public_thumbprint", &self.public_jwk().thumbprint())
            .finish_non_exhaustive()
    }
}

/// The label of the first PEM block (`-----BEGIN <label>-----`).
fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = pem.get(start..)?;
    let end = rest.find("-----")?;
    rest.get(..end)
}

/// Overwrites the private members of a JWK object (in place), best effort.
fn wipe_private_members(map: &mut Map) {
    for name in crate::jwk::PRIVATE_MEMBERS {
        if let Some(Value::String(s)) = map.get_mut(name) {
            wipe_string(s);
        }
    }
}

fn wipe_string(s: &mut String) {
    #[cfg(feature = "rustcrypto")]
    {
        zeroize::Zeroize::zeroize(s);
    }
    #[cfg(not(feature = "rustcrypto"))]
    {
        s.clear();
    }
}

#[cfg(not(feature = "rustcrypto"))]
mod imp {
    //! Without a crypto implementation nothing can be signed.
    use super::{FillRandom, Secret};
    use crate::alg::Algorithm;
    use crate::error::Error;
    use crate::json::Map;
    use crate::jwk::Material;
    use alloc::vec::Vec;

    fn unavailable() -> Error {
        Error::UnsupportedAlgorithm("signing needs the rustcrypto feature".into())
    }
    pub(super) fn secret_from_jwk(_: &str, _: &Map) -> Result<Secret, Error> {
        Err(unavailable())
    }
    pub(super) fn secret_from_pem(_: &str, _: &str, _: Algorithm) -> Result<Secret, Error> {
        Err(unavailable())
    }
    #[cfg(feature = "getrandom")]
    pub(super) fn generate(_: Algorithm) -> Result<Secret, Error> {
        Err(unavailable())
    }
    pub(super) fn fits(s: &Secret, _: Algorithm) -> bool {
        match *s {
            Secret::Unavailable(never) => match never {},
        }
    }
    pub(super) fn default_alg(s: &Secret) -> Algorithm {
        match *s {
            Secret::Unavailable(never) => match never {},
        }
    }
    pub(super) fn public_material(s: &Secret) -> Material {
        match *s {
            Secret::Unavailable(never) => match never {},
        }
    }
    pub(super) fn write_private_members(_: &mut Map, s: &Secret) {
        match *s {
            Secret::Unavailable(never) => match never {},
        }
    }
    pub(super) fn sign(
        s: &Secret,
        _: Algorithm,
        _: &[u8],
        _: Option<FillRandom<'_>>,
    ) -> Result<Vec<u8>, Error> {
        match *s {
            Secret::Unavailable(never) => match never {},
        }
    }
}

#[cfg(feature = "rustcrypto")]
mod imp {
    //! The RustCrypto implementation of signing keys.

    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    use base64ct::{Base64UrlUnpadded, Encoding as _};
    use p256::ecdsa::signature::Signer as _;
    use rsa::rand_core::{TryCryptoRng, TryRng};
    use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _, SignatureScheme as _};
    use rsa::{BoxedUint, Pkcs1v15Sign, Pss, RsaPrivateKey};
    use sha2::{Digest, Sha256, Sha384, Sha512};
    use subtle::ConstantTimeEq as _;
    use zeroize::Zeroizing;

    use super::{FillRandom, Secret};
    use crate::alg::Algorithm;
    use crate::crypto::rustcrypto::EcVerifyingKey;
    use crate::error::Error;
    use crate::json::{Map, Value};
    use crate::jwk::{self, EcCurve, Material};
    use crate::limits::MIN_RSA_BITS;

    // ---- reading ---------------------------------------------------------------------

    /// A required private member, decoded in constant time (base64url without padding).
    fn secret_member(map: &Map, name: &'static str) -> Result<Zeroizing<Vec<u8>>, Error> {
        let s = match map.get(name) {
            Some(Value::String(s)) => s,
            Some(_) => return Err(Error::InvalidSigningKey("a private member is not a string")),
            None => return Err(Error::InvalidSigningKey(missing_message(name))),
        };
        Base64UrlUnpadded::decode_vec(s)
            .map(Zeroizing::new)
            .map_err(|_| Error::InvalidSigningKey("a private member is not base64url"))
    }

    fn missing_message(name: &str) -> &'static str {
        match name {
            "d" => "d is missing (not a private key)",
            "p" | "q" | "dp" | "dq" | "qi" => "an RSA CRT member is missing",
            _ => "a private member is missing",
        }
    }

    /// Errors from public-member parsing, reported as signing-key errors.
    fn public_err(e: Error) -> Error {
        match e {
            Error::InvalidJwk(m) => Error::InvalidSigningKey(m),
            other => other,
        }
    }

    pub(super) fn secret_from_jwk(kty: &str, map: &Map) -> Result<Secret, Error> {
        match kty {
            "EC" => ec_from_jwk(map),
            "RSA" => rsa_from_jwk(map),
            "OKP" => okp_from_jwk(map),
            _ => Err(Error::InvalidSigningKey("unsupported kty")),
        }
    }

    fn ec_from_jwk(map: &Map) -> Result<Secret, Error> {
        let curve = EcCurve::from_name(jwk::str_member(map, "crv").map_err(public_err)?)
            .ok_or(Error::InvalidSigningKey("unsupported EC curve"))?;
        let x = jwk::b64_member(map, "x").map_err(public_err)?;
        let y = jwk::b64_member(map, "y").map_err(public_err)?;
        let d = secret_member(map, "d")?;
        if d.len() != curve.coordinate_len() {
            return Err(Error::InvalidSigningKey(
                "d must be exactly the curve's size",
            ));
        }
        let bad = Error::InvalidSigningKey("d is not a valid private scalar");
        let secret = match curve {
            EcCurve::P256 => {
                Secret::P256(p256::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad)?)
            }
            EcCurve::P384 => {
                Secret::P384(p384::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad)?)
            }
            EcCurve::P521 => {
                Secret::P521(p521::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad)?)
            }
        };
        match public_material(&secret) {
            Material::Ec { x: px, y: py, .. } if px == x && py == y => Ok(secret),
            _ => Err(Error::InvalidSigningKey("x and y do not belong to d")),
        }
    }

    fn okp_from_jwk(map: &Map) -> Result<Secret, Error> {
        if jwk::str_member(map, "crv").map_err(public_err)? != "Ed25519" {
            return Err(Error::InvalidSigningKey("unsupported OKP curve"));
        }
        let x = jwk::b64_member(map, "x").map_err(public_err)?;
        let d = secret_member(map, "d")?;
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            d.as_slice()
                .try_into()
                .map_err(|_| Error::InvalidSigningKey("an Ed25519 d must be 32 octets"))?,
        );
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        if key.verifying_key().as_bytes().as_slice() != x.as_slice() {
            return Err(Error::InvalidSigningKey("x does not belong to d"));
        }
        Ok(Secret::Ed25519(key))
    }

    /// A secret big-endian integer at a fixed (public) precision.
    fn secret_uint(be: &[u8], bits: u32) -> Result<BoxedUint, Error> {
        BoxedUint::from_be_slice(be, bits).map_err(|_| {
            Error::InvalidSigningKey("an RSA private value is larger than the modulus")
        })
    }

    /// Constant-time comparison of a given big-endian value with a computed one, both
    /// left-padded to the same length.
    fn ct_eq_be(given: &[u8], computed: &[u8]) -> bool {
        let len = given.len().max(computed.len());
        let mut a = Zeroizing::new(vec![0u8; len]);
        let mut b = Zeroizing::new(vec![0u8; len]);
        if let (Some(da), Some(db)) = (
            a.get_mut(len - given.len()..),
            b.get_mut(len - computed.len()..),
        ) {
            da.copy_from_slice(given);
            db.copy_from_slice(computed);
            bool::from(a.as_slice().ct_eq(b.as_slice()))
        } else {
            false
        }
    }

    fn rsa_from_jwk(map: &Map) -> Result<Secret, Error> {
        let n = jwk::b64_member(map, "n").map_err(public_err)?;
        let e = jwk::b64_member(map, "e").map_err(public_err)?;
        jwk::check_rsa_public(&n, &e).map_err(public_err)?;
        if map.contains_key("oth") {
            return Err(Error::InvalidSigningKey(
                "multi-prime RSA keys (oth) are not supported",
            ));
        }
        let d = secret_member(map, "d")?;
        const CRT: [&str; 5] = ["p", "q", "dp", "dq", "qi"];
        let present = CRT.iter().filter(|m| map.contains_key(m)).count();
        if present != 0 && present != CRT.len() {
            // RFC 7518 section 6.3.2: if any of them is present, all must be.
            return Err(Error::InvalidSigningKey(
                "p, q, dp, dq and qi must all be present or all be absent",
            ));
        }
        let bits = u32::try_from(n.len() * 8)
            .map_err(|_| Error::InvalidSigningKey("RSA modulus too large"))?;
        let n_uint = secret_uint(&n, bits)?;
        let e_uint = crate::crypto::rustcrypto::boxed_uint(&e)
            .ok_or(Error::InvalidSigningKey("invalid RSA public exponent"))?;
        let d_uint = secret_uint(&d, bits)?;
        let mut primes = Vec::new();
        if present != 0 {
            primes.push(secret_uint(&secret_member(map, "p")?, bits)?);
            primes.push(secret_uint(&secret_member(map, "q")?, bits)?);
        }
        let key = RsaPrivateKey::from_components(n_uint, e_uint, d_uint, primes)
            .map_err(|_| Error::InvalidSigningKey("the RSA private key is inconsistent"))?;
        if present != 0 {
            let inconsistent = Error::InvalidSigningKey("dp, dq or qi do not match the primes");
            let (Some(dp), Some(dq), Some(qi)) = (key.dp(), key.dq(), key.crt_coefficient()) else {
                return Err(inconsistent);
            };
            let ok = ct_eq_be(
                &secret_member(map, "dp")?,
                &Zeroizing::new(dp.to_be_bytes()),
            ) & ct_eq_be(
                &secret_member(map, "dq")?,
                &Zeroizing::new(dq.to_be_bytes()),
            ) & ct_eq_be(
                &secret_member(map, "qi")?,
                &Zeroizing::new(qi.to_be_bytes()),
            );
            if !ok {
                return Err(inconsistent);
            }
        }
        Ok(Secret::Rsa(Box::new(key)))
    }

    fn rsa_checked(key: RsaPrivateKey) -> Result<Secret, Error> {
        let bits = jwk::bit_len(&key.n().to_be_bytes_trimmed_vartime());
        if bits < MIN_RSA_BITS {
            return Err(Error::WeakRsaKey { bits });
        }
        if bits > crate::limits::MAX_RSA_BITS {
            return Err(Error::InvalidSigningKey(
                "RSA modulus is larger than 8192 bits",
            ));
        }
        Ok(Secret::Rsa(Box::new(key)))
    }

    pub(super) fn secret_from_pem(label: &str, pem: &str, alg: Algorithm) -> Result<Secret, Error> {
        use crate::crypto::keyfile::{self, OID_P256, OID_P384, OID_P521};
        use Algorithm::*;
        let wrong = Error::InvalidSigningKey("the PEM key does not fit alg");
        let der = |what: &'static str| {
            keyfile::pem_body(pem, label).map_err(|_| Error::InvalidSigningKey(what))
        };
        match (alg, label) {
            (ES256 | ES384 | ES512, "PRIVATE KEY" | "EC PRIVATE KEY") => {
                let (oid, pkcs8, sec1) = match alg {
                    ES256 => (
                        OID_P256,
                        "not a PKCS#8 P-256 private key",
                        "not a SEC1 P-256 private key",
                    ),
                    ES384 => (
                        OID_P384,
                        "not a PKCS#8 P-384 private key",
                        "not a SEC1 P-384 private key",
                    ),
                    _ => (
                        OID_P521,
                        "not a PKCS#8 P-521 private key",
                        "not a SEC1 P-521 private key",
                    ),
                };
                let pkcs8_label = label == "PRIVATE KEY";
                let what = if pkcs8_label { pkcs8 } else { sec1 };
                let der = der(what)?;
                if pkcs8_label {
                    ec_from_pkcs8(&der, oid)
                } else {
                    ec_from_sec1(&der, oid)
                }
                .map_err(|_| Error::InvalidSigningKey(what))
            }
            (RS256 | RS384 | RS512 | PS256 | PS384 | PS512, "PRIVATE KEY") => {
                let what = "not a PKCS#8 RSA private key (of 1024 to 8192 bits)";
                let der = der(what)?;
                let key = keyfile::pkcs8(&der)
                    .and_then(|info| {
                        info.check_rsa()?;
                        rsa_from_pkcs1(info.private_key)
                    })
                    .map_err(|_| Error::InvalidSigningKey(what))?;
                rsa_checked(key)
            }
            (RS256 | RS384 | RS512 | PS256 | PS384 | PS512, "RSA PRIVATE KEY") => {
                let what = "not a PKCS#1 RSA private key (of 1024 to 8192 bits)";
                let der = der(what)?;
                rsa_checked(rsa_from_pkcs1(&der).map_err(|_| Error::InvalidSigningKey(what))?)
            }
            (EdDSA, "PRIVATE KEY") => {
                let what = "not a PKCS#8 Ed25519 private key";
                let der = der(what)?;
                ed25519_from_pkcs8(&der).map_err(|_| Error::InvalidSigningKey(what))
            }
            _ => Err(wrong),
        }
    }

    use crate::crypto::keyfile::Malformed;

    /// The ECDSA key of `curve` from a PKCS#8 document (an `id-ecPublicKey` key wrapping
    /// a SEC1 structure).
    fn ec_from_pkcs8(der: &[u8], curve: &[u8]) -> Result<Secret, Malformed> {
        let info = crate::crypto::keyfile::pkcs8(der)?;
        if info.curve()? != curve {
            return Err(Malformed);
        }
        let secret = ec_from_sec1(info.private_key, curve)?;
        // A public key outside the SEC1 structure must match as well.
        match info.public_key {
            Some(given) if !ec_public_matches(&secret, given) => Err(Malformed),
            _ => Ok(secret),
        }
    }

    /// The ECDSA key of `curve` from a SEC1 `ECPrivateKey`; its curve, when named, must be
    /// `curve` and its public key, when given, must be the private key's.
    fn ec_from_sec1(der: &[u8], curve: &[u8]) -> Result<Secret, Malformed> {
        let key = crate::crypto::keyfile::sec1(der)?;
        if key.curve.is_some_and(|c| c != curve) {
            return Err(Malformed);
        }
        use crate::crypto::keyfile::{OID_P256, OID_P384, OID_P521};
        let d = key.private_key;
        let secret = match curve {
            c if c == OID_P256 => p256::ecdsa::SigningKey::from_slice(d).map(Secret::P256),
            c if c == OID_P384 => p384::ecdsa::SigningKey::from_slice(d).map(Secret::P384),
            c if c == OID_P521 => p521::ecdsa::SigningKey::from_slice(d).map(Secret::P521),
            _ => return Err(Malformed),
        }
        .map_err(|_| Malformed)?;
        match key.public_key {
            Some(given) if !ec_public_matches(&secret, given) => Err(Malformed),
            _ => Ok(secret),
        }
    }

    /// Whether `given` (a SEC1 point, compressed or not) is the public key of `secret`.
    /// Comparing encodings spares decompressing a point (a field square root).
    fn ec_public_matches(secret: &Secret, given: &[u8]) -> bool {
        macro_rules! matches_point {
            ($k:expr) => {{
                let vk = $k.verifying_key();
                given == vk.to_sec1_point(false).as_bytes()
                    || given == vk.to_sec1_point(true).as_bytes()
            }};
        }
        match secret {
            Secret::P256(k) => matches_point!(k),
            Secret::P384(k) => matches_point!(k),
            Secret::P521(k) => matches_point!(k),
            _ => false,
        }
    }

    /// A two-prime PKCS#1 `RSAPrivateKey`. Like the `rsa` crate's decoder, the key is
    /// rebuilt from n, e, d, p and q (which `from_components` checks against each other);
    /// the stored CRT values are not used.
    fn rsa_from_pkcs1(der: &[u8]) -> Result<RsaPrivateKey, Malformed> {
        let [n, e, d, p, q, ..] = crate::crypto::keyfile::pkcs1(der)?;
        let bits = u32::try_from(n.len() * 8).map_err(|_| Malformed)?;
        let uint = |v: &[u8]| BoxedUint::from_be_slice(v, bits).map_err(|_| Malformed);
        let e = crate::crypto::rustcrypto::boxed_uint(e).ok_or(Malformed)?;
        RsaPrivateKey::from_components(uint(n)?, e, uint(d)?, vec![uint(p)?, uint(q)?])
            .map_err(|_| Malformed)
    }

    /// An Ed25519 key from PKCS#8 (RFC 8410); a public key, when given, must match.
    fn ed25519_from_pkcs8(der: &[u8]) -> Result<Secret, Malformed> {
        let info = crate::crypto::keyfile::pkcs8(der)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(info.ed25519_seed()?);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        match info.public_key {
            Some(given) if given != key.verifying_key().as_bytes() => Err(Malformed),
            _ => Ok(Secret::Ed25519(key)),
        }
    }

    #[cfg(feature = "getrandom")]
    pub(super) fn generate(alg: Algorithm) -> Result<Secret, Error> {
        use p256::elliptic_curve::Generate as _;
        use Algorithm::*;
        match alg {
            ES256 => p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                .map(Secret::P256)
                .map_err(|_| Error::Rng),
            ES384 => p384::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                .map(Secret::P384)
                .map_err(|_| Error::Rng),
            ES512 => p521::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                .map(Secret::P521)
                .map_err(|_| Error::Rng),
            EdDSA => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut_slice()).map_err(|_| Error::Rng)?;
                Ok(Secret::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                    &seed,
                )))
            }
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => {
                let mut os = |buf: &mut [u8]| getrandom::fill(buf).map_err(|_| Error::Rng);
                let bits = u32::try_from(MIN_RSA_BITS).map_err(|_| Error::Rng)?;
                crate::crypto::rsa_keygen::generate(&mut os, bits).map(|k| Secret::Rsa(Box::new(k)))
            }
        }
    }

    // ---- properties --------------------------------------------------------------------

    pub(super) fn fits(secret: &Secret, alg: Algorithm) -> bool {
        use Algorithm::*;
        matches!(
            (secret, alg),
            (Secret::P256(_), ES256)
                | (Secret::P384(_), ES384)
                | (Secret::P521(_), ES512)
                | (Secret::Ed25519(_), EdDSA)
                | (
                    Secret::Rsa(_),
                    RS256 | RS384 | RS512 | PS256 | PS384 | PS512
                )
        )
    }

    pub(super) fn default_alg(secret: &Secret) -> Algorithm {
        match secret {
            Secret::P256(_) => Algorithm::ES256,
            Secret::P384(_) => Algorithm::ES384,
            Secret::P521(_) => Algorithm::ES512,
            Secret::Rsa(_) => Algorithm::RS256,
            Secret::Ed25519(_) => Algorithm::EdDSA,
        }
    }

    /// Splits an uncompressed SEC1 point `04 || x || y` into its coordinates.
    fn split_point(sec1: &[u8], len: usize) -> (Vec<u8>, Vec<u8>) {
        let x = sec1.get(1..1 + len).unwrap_or_default().to_vec();
        let y = sec1.get(1 + len..1 + 2 * len).unwrap_or_default().to_vec();
        (x, y)
    }

    /// The public material of an ECDSA signing key of curve `$curve`.
    macro_rules! ec_public {
        ($k:expr, $curve:ident) => {{
            let vk = *$k.verifying_key();
            let len = EcCurve::$curve.coordinate_len();
            let (x, y) = split_point(vk.to_sec1_point(false).as_bytes(), len);
            Material::Ec {
                curve: EcCurve::$curve,
                x,
                y,
                key: EcVerifyingKey::$curve(vk),
            }
        }};
    }

    pub(super) fn public_material(secret: &Secret) -> Material {
        match secret {
            Secret::P256(k) => ec_public!(k, P256),
            Secret::P384(k) => ec_public!(k, P384),
            Secret::P521(k) => ec_public!(k, P521),
            Secret::Rsa(k) => {
                let public = k.to_public_key();
                let n = public.n().to_be_bytes_trimmed_vartime().into_vec();
                Material::Rsa {
                    bits: jwk::bit_len(&n),
                    n,
                    e: public.e().to_be_bytes_trimmed_vartime().into_vec(),
                    key: public,
                }
            }
            Secret::Ed25519(k) => {
                let vk = k.verifying_key();
                Material::Ed25519 {
                    x: vk.to_bytes(),
                    key: vk,
                }
            }
        }
    }

    /// Base64url of a secret big-endian integer, minimal (leading zero octets dropped).
    fn secret_b64_minimal(be: &[u8]) -> String {
        let start = be
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(be.len().saturating_sub(1));
        Base64UrlUnpadded::encode_string(be.get(start..).unwrap_or_default())
    }

    pub(super) fn write_private_members(m: &mut Map, secret: &Secret) {
        match secret {
            Secret::P256(k) => {
                m.insert("d", Base64UrlUnpadded::encode_string(&k.to_bytes()));
            }
            Secret::P384(k) => {
                m.insert("d", Base64UrlUnpadded::encode_string(&k.to_bytes()));
            }
            Secret::P521(k) => {
                m.insert("d", Base64UrlUnpadded::encode_string(&k.to_bytes()));
            }
            Secret::Ed25519(k) => {
                m.insert(
                    "d",
                    Base64UrlUnpadded::encode_string(&Zeroizing::new(k.to_bytes())[..]),
                );
            }
            Secret::Rsa(k) => {
                let enc = |v: &BoxedUint| secret_b64_minimal(&Zeroizing::new(v.to_be_bytes()));
                m.insert("d", enc(k.d()));
                if let [p, q] = k.primes() {
                    m.insert("p", enc(p.as_ref()));
                    m.insert("q", enc(q.as_ref()));
                }
                if let (Some(dp), Some(dq), Some(qi)) = (k.dp(), k.dq(), k.crt_coefficient()) {
                    m.insert("dp", enc(dp));
                    m.insert("dq", enc(dq));
                    m.insert("qi", enc(&qi));
                }
            }
        }
    }

    // ---- signing -------------------------------------------------------------------------

    /// Adapts a caller's fill function to the generator interface of the `rsa` crate.
    struct FnRng<'a, 'b>(&'a mut FillRandom<'b>);

    impl TryRng for FnRng<'_, '_> {
        type Error = Error;
        fn try_next_u32(&mut self) -> Result<u32, Error> {
            let mut b = [0u8; 4];
            (self.0)(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Error> {
            let mut b = [0u8; 8];
            (self.0)(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Error> {
            (self.0)(dst)
        }
    }

    impl TryCryptoRng for FnRng<'_, '_> {}

    fn rsa_sign(
        key: &RsaPrivateKey,
        alg: Algorithm,
        msg: &[u8],
        rng: Option<FillRandom<'_>>,
    ) -> Result<Vec<u8>, Error> {
        use Algorithm::*;
        let mut holder = rng;
        let mut fn_rng = holder.as_mut().map(FnRng);
        let rng = fn_rng.as_mut();
        let is_pss = matches!(alg, PS256 | PS384 | PS512);
        if is_pss && rng.is_none() {
            return Err(Error::Rng);
        }
        let result = match alg {
            RS256 => Pkcs1v15Sign::new::<Sha256>().sign(rng, key, &Sha256::digest(msg)),
            RS384 => Pkcs1v15Sign::new::<Sha384>().sign(rng, key, &Sha384::digest(msg)),
            RS512 => Pkcs1v15Sign::new::<Sha512>().sign(rng, key, &Sha512::digest(msg)),
            PS256 => Pss::<Sha256>::new().sign(rng, key, &Sha256::digest(msg)),
            PS384 => Pss::<Sha384>::new().sign(rng, key, &Sha384::digest(msg)),
            PS512 => Pss::<Sha512>::new().sign(rng, key, &Sha512::digest(msg)),
            _ => return Err(Error::InvalidSigningKey("alg does not fit the key type")),
        };
        result.map_err(|e| match e {
            rsa::Error::Rng => Error::Rng,
            _ => Error::InvalidSigningKey("RSA signing failed"),
        })
    }

    /// A deterministic (RFC 6979) ECDSA signature in the JWS form `r || s`.
    macro_rules! ecdsa_sign {
        ($curve:ident, $k:expr, $msg:expr) => {{
            let sig: $curve::ecdsa::Signature = $k
                .try_sign($msg)
                .map_err(|_| Error::InvalidSigningKey("ECDSA signing failed"))?;
            Ok(sig.to_bytes().to_vec())
        }};
    }

    pub(super) fn sign(
        secret: &Secret,
        alg: Algorithm,
        msg: &[u8],
        rng: Option<FillRandom<'_>>,
    ) -> Result<Vec<u8>, Error> {
        let unfit = Error::InvalidSigningKey("alg does not fit the key type");
        match (secret, alg) {
            (Secret::P256(k), Algorithm::ES256) => ecdsa_sign!(p256, k, msg),
            (Secret::P384(k), Algorithm::ES384) => ecdsa_sign!(p384, k, msg),
            (Secret::P521(k), Algorithm::ES512) => ecdsa_sign!(p521, k, msg),
            (Secret::Ed25519(k), Algorithm::EdDSA) => {
                Ok(ed25519_dalek::Signer::sign(k, msg).to_bytes().to_vec())
            }
            (Secret::Rsa(k), _) => rsa_sign(k, alg, msg, rng),
            _ => Err(unfit),
        }
    }
}
