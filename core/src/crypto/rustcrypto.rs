//! The pure-Rust provider, built on the RustCrypto crates (`p256`, `p384`, `p521`, `rsa`,
//! `sha2`)
//! and `ed25519-dalek`. `no_std`, no `unsafe` of its own, and it works in wasm.
//!
//! The verifying keys are built once, when a [`Jwk`] is parsed, by the functions of this
//! module; [`RustCrypto::verify`] only hashes and checks.

use p256::ecdsa::signature::Verifier as _;
use rsa::traits::SignatureScheme as _;
use rsa::{BoxedUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::CryptoProvider;
use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwk::{EcCurve, Jwk, Material};
use crate::limits::{MAX_RSA_BITS, MIN_RSA_BITS};

/// The RustCrypto signature provider. Implements every [`Algorithm`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

/// A parsed elliptic-curve verifying key.
#[derive(Clone, Debug)]
pub(crate) enum EcVerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

/// A big-endian unsigned integer as a `BoxedUint` whose precision covers all its octets.
pub(crate) fn boxed_uint(be: &[u8]) -> Option<BoxedUint> {
    let bits = u32::try_from(be.len().checked_mul(8)?).ok()?;
    BoxedUint::from_be_slice(be, bits.max(64)).ok()
}

/// Builds the RSA verifying key of a JWK whose members passed the structural checks.
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, Error> {
    let (Some(n), Some(e)) = (boxed_uint(n), boxed_uint(e)) else {
        return Err(Error::InvalidJwk("invalid RSA public key"));
    };
    RsaPublicKey::new_with_size_limits(n, e, MIN_RSA_BITS..=MAX_RSA_BITS)
        .map_err(|_| Error::InvalidJwk("invalid RSA public key"))
}

/// Builds an EC verifying key from affine coordinates of the full length; refuses points
/// that are not on the curve and the identity.
pub(crate) fn ec_verifying_key(
    curve: EcCurve,
    x: &[u8],
    y: &[u8],
) -> Result<EcVerifyingKey, Error> {
    use p256::elliptic_curve::point::AffineCoordinates as _;
    // From the coordinates rather than a SEC1 encoding: the same on-curve check, without
    // linking point decompression (a field square root per curve) into the wasm.
    let bad = Error::InvalidJwk("the EC point is not on the curve");
    // The same steps for each curve crate: a generic function would need the whole
    // elliptic-curve trait stack spelled out as bounds.
    macro_rules! from_coordinates {
        ($curve:ident, $variant:ident) => {{
            let (Ok(x), Ok(y)) = (
                $curve::FieldBytes::try_from(x),
                $curve::FieldBytes::try_from(y),
            ) else {
                return Err(bad);
            };
            // Also refuses a coordinate that is not below the field prime (for P-521, a
            // 66-octet value with any of the top 7 bits set).
            Option::from($curve::AffinePoint::from_coordinates(&x, &y))
                .and_then(|p| $curve::ecdsa::VerifyingKey::from_affine(p).ok())
                .map(EcVerifyingKey::$variant)
                .ok_or(bad)
        }};
    }
    match curve {
        EcCurve::P256 => from_coordinates!(p256, P256),
        EcCurve::P384 => from_coordinates!(p384, P384),
        EcCurve::P521 => from_coordinates!(p521, P521),
    }
}

/// Builds an Ed25519 verifying key; refuses encodings that are not a curve point and
/// points of small order (weak keys, for which forgeries are trivial).
pub(crate) fn ed25519_verifying_key(x: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey, Error> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(x)
        .map_err(|_| Error::InvalidJwk("x is not a valid Ed25519 public key"))?;
    if key.is_weak() {
        return Err(Error::InvalidJwk("the Ed25519 public key has small order"));
    }
    Ok(key)
}

/// ECDSA verification of a JWS signature: exactly `r || s` of the curve's size (64, 96 or
/// 132 octets), r and s in [1, n - 1] (`from_slice` refuses anything else).
macro_rules! ecdsa_verify {
    ($curve:ident, $key:expr, $msg:expr, $sig:expr) => {
        $curve::ecdsa::Signature::from_slice($sig)
            .map_err(|_| Error::BadSignature)
            .and_then(|sig| $key.verify($msg, &sig).map_err(|_| Error::BadSignature))
    };
}

fn ed25519(key: &ed25519_dalek::VerifyingKey, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    let bytes: &[u8; 64] = sig.try_into().map_err(|_| Error::BadSignature)?;
    let sig = ed25519_dalek::Signature::from_bytes(bytes);
    // Strict: refuses a non-canonical S and small-order R or A (RFC 8032 section 5.1.7).
    key.verify_strict(msg, &sig)
        .map_err(|_| Error::BadSignature)
}

/// The hash of `msg` for an RSA algorithm, and the matching schemes.
fn rsa_verify(key: &RsaPublicKey, alg: Algorithm, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    // RFC 8017 section 8.2.2 step 1 / 8.1.2 step 1: the signature is exactly k octets.
    if sig.len() != rsa::traits::PublicKeyParts::size(key) {
        return Err(Error::BadSignature);
    }
    let result = match alg {
        Algorithm::RS256 => Pkcs1v15Sign::new::<Sha256>().verify(key, &Sha256::digest(msg), sig),
        Algorithm::RS384 => Pkcs1v15Sign::new::<Sha384>().verify(key, &Sha384::digest(msg), sig),
        Algorithm::RS512 => Pkcs1v15Sign::new::<Sha512>().verify(key, &Sha512::digest(msg), sig),
        // Pss::new: MGF1 with the same hash, salt length = hash length (RFC 7518 3.5).
        Algorithm::PS256 => Pss::<Sha256>::new().verify(key, &Sha256::digest(msg), sig),
        Algorithm::PS384 => Pss::<Sha384>::new().verify(key, &Sha384::digest(msg), sig),
        Algorithm::PS512 => Pss::<Sha512>::new().verify(key, &Sha512::digest(msg), sig),
        _ => return Err(Error::KeyMismatch("an RSA key cannot verify this alg")),
    };
    result.map_err(|_| Error::BadSignature)
}

impl CryptoProvider for RustCrypto {
    fn verify(
        &self,
        alg: Algorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        key.check_alg(alg)?;
        match (key.material(), alg) {
            (
                Material::Ec {
                    key: EcVerifyingKey::P256(k),
                    ..
                },
                Algorithm::ES256,
            ) => ecdsa_verify!(p256, k, signing_input, signature),
            (
                Material::Ec {
                    key: EcVerifyingKey::P384(k),
                    ..
                },
                Algorithm::ES384,
            ) => ecdsa_verify!(p384, k, signing_input, signature),
            (
                Material::Ec {
                    key: EcVerifyingKey::P521(k),
                    ..
                },
                Algorithm::ES512,
            ) => ecdsa_verify!(p521, k, signing_input, signature),
            (Material::Rsa { key, .. }, _) => rsa_verify(key, alg, signing_input, signature),
            (Material::Ed25519 { key, .. }, Algorithm::EdDSA) => {
                ed25519(key, signing_input, signature)
            }
            // check_alg has refused every other combination already.
            _ => Err(Error::KeyMismatch("the key type does not fit alg")),
        }
    }

    fn supports(&self, _alg: Algorithm) -> bool {
        true
    }
}
