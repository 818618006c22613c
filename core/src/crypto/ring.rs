//! The `ring` provider (feature `ring`, native targets only).
//!
//! `ring` takes public keys as octets and validates them on every call, so this provider
//! reads the key members the [`Jwk`] already decoded and checked; its arithmetic is
//! assembly-optimised and about three times faster than the pure-Rust provider.

use ::ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey, VerificationAlgorithm};
use alloc::vec::Vec;

use super::CryptoProvider;
use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwk::{EcCurve, Jwk, KeyParams};

/// The `ring` signature provider. Implements every [`Algorithm`] but ES512: `ring` has
/// no P-521, so ES512 is [`Error::UnsupportedAlgorithm`] here (use the RustCrypto
/// provider for it).
#[derive(Clone, Copy, Debug, Default)]
pub struct Ring;

fn rsa_params(alg: Algorithm) -> Option<&'static signature::RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

fn unparsed(
    alg: &'static dyn VerificationAlgorithm,
    key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    UnparsedPublicKey::new(alg, key)
        .verify(msg, sig)
        .map_err(|_| Error::BadSignature)
}

fn sec1_uncompressed(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(1 + x.len() + y.len());
    p.push(0x04);
    p.extend_from_slice(x);
    p.extend_from_slice(y);
    p
}

impl CryptoProvider for Ring {
    fn verify(
        &self,
        alg: Algorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if !self.supports(alg) {
            return Err(Error::UnsupportedAlgorithm(alg.name().into()));
        }
        key.check_alg(alg)?;
        match (key.params(), alg) {
            (KeyParams::Rsa { n, e }, _) => {
                let params = rsa_params(alg)
                    .ok_or(Error::KeyMismatch("an RSA key cannot verify this alg"))?;
                if signature.len() != n.len() {
                    return Err(Error::BadSignature);
                }
                RsaPublicKeyComponents { n, e }
                    .verify(params, signing_input, signature)
                    .map_err(|_| Error::BadSignature)
            }
            (
                KeyParams::Ec {
                    curve: EcCurve::P256,
                    x,
                    y,
                },
                Algorithm::ES256,
            ) => unparsed(
                &signature::ECDSA_P256_SHA256_FIXED,
                &sec1_uncompressed(x, y),
                signing_input,
                signature,
            ),
            (
                KeyParams::Ec {
                    curve: EcCurve::P384,
                    x,
                    y,
                },
                Algorithm::ES384,
            ) => unparsed(
                &signature::ECDSA_P384_SHA384_FIXED,
                &sec1_uncompressed(x, y),
                signing_input,
                signature,
            ),
            (KeyParams::Ed25519 { x }, Algorithm::EdDSA) => {
                unparsed(&signature::ED25519, x, signing_input, signature)
            }
            _ => Err(Error::KeyMismatch("the key type does not fit alg")),
        }
    }

    fn supports(&self, alg: Algorithm) -> bool {
        alg != Algorithm::ES512
    }
}
