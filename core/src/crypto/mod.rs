//! Signature providers: who does the arithmetic of a JWS signature check.
//!
//! The rules (which algorithms exist, which key fits which algorithm, how a JWS signature
//! is encoded) live in this crate and never depend on the provider; a provider only
//! answers "does this signature verify under this key". This mirrors how rustls-webpki
//! takes a list of signature verification algorithms from its caller.
//!
//! Built in:
//! - [`RustCrypto`] (feature `rustcrypto`, the default): pure Rust, `no_std`, works in
//!   wasm. Uses the verifying key that [`Jwk`] parsed once.
//! - `Ring` (feature `ring`, native targets only): the `ring` crate's assembly-optimised
//!   arithmetic, about three times faster; [`default_provider`] prefers it when present.
//!   It has no P-521: ES512 is [`Error::UnsupportedAlgorithm`] there.
//!
//! Encodings, as JWS defines them (RFC 7518 section 3): ECDSA signatures are `r || s`,
//! each the full size of the curve order (64 octets for ES256, 96 for ES384, 132 for
//! ES512); RSA
//! signatures are exactly as long as the modulus; RSASSA-PSS uses MGF1 with the same hash
//! and a salt as long as the hash; Ed25519 signatures are 64 octets. Anything else is
//! [`Error::BadSignature`].

use crate::alg::Algorithm;
use crate::error::Error;
use crate::jwk::Jwk;

#[cfg(feature = "rustcrypto")]
pub(crate) mod keyfile;
#[cfg(all(feature = "rustcrypto", feature = "getrandom"))]
pub(crate) mod rsa_keygen;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;
#[cfg(feature = "rustcrypto")]
pub use rustcrypto::RustCrypto;

#[cfg(all(feature = "ring", not(target_family = "wasm")))]
mod ring;
#[cfg(all(feature = "ring", not(target_family = "wasm")))]
pub use self::ring::Ring;

/// Verifies JWS signatures.
///
/// Implementations must call [`Jwk::check_alg`] before anything else (the built-in ones
/// do; [`verify`] does it too), must return [`Error::BadSignature`] for every signature
/// that does not verify (wrong length, out-of-range values, wrong key), and must never
/// panic on any input.
pub trait CryptoProvider: Send + Sync {
    /// Verifies `signature` over `signing_input` (the ASCII `header.payload` of a compact
    /// JWS) with `key` under `alg`.
    fn verify(
        &self,
        alg: Algorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error>;

    /// Whether this provider implements `alg`.
    fn supports(&self, alg: Algorithm) -> bool;
}

/// Checks that `provider` supports `alg` and that `key` fits it, then verifies.
///
/// This is the one entry point the JWS verification path uses; the extra checks cost
/// nothing and keep a third-party provider from skipping them.
pub fn verify(
    provider: &dyn CryptoProvider,
    alg: Algorithm,
    key: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    if !provider.supports(alg) {
        return Err(Error::UnsupportedAlgorithm(alg.name().into()));
    }
    key.check_alg(alg)?;
    provider.verify(alg, key, signing_input, signature)
}

/// A provider that implements nothing: every call is [`Error::UnsupportedAlgorithm`].
///
/// It is the default provider of a build without any crypto feature.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCrypto;

impl CryptoProvider for NoCrypto {
    fn verify(&self, alg: Algorithm, _: &Jwk, _: &[u8], _: &[u8]) -> Result<(), Error> {
        Err(Error::UnsupportedAlgorithm(alg.name().into()))
    }

    fn supports(&self, _: Algorithm) -> bool {
        false
    }
}

/// `Ring` for what it implements, [`RustCrypto`] for the rest (ES512: `ring` has no
/// P-521), so that turning the faster provider on never turns an algorithm off.
#[cfg(all(feature = "ring", feature = "rustcrypto", not(target_family = "wasm")))]
struct RingThenRustCrypto;

#[cfg(all(feature = "ring", feature = "rustcrypto", not(target_family = "wasm")))]
impl CryptoProvider for RingThenRustCrypto {
    fn verify(
        &self,
        alg: Algorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if Ring.supports(alg) {
            Ring.verify(alg, key, signing_input, signature)
        } else {
            RustCrypto.verify(alg, key, signing_input, signature)
        }
    }

    fn supports(&self, alg: Algorithm) -> bool {
        Ring.supports(alg) || RustCrypto.supports(alg)
    }
}

/// The provider to use when the caller names none.
///
/// `Ring` when the `ring` feature is on and the target is native (it is the faster one;
/// with `rustcrypto` on too, [`RustCrypto`] does what `ring` cannot, ES512), else
/// [`RustCrypto`] when the `rustcrypto` feature is on (the default), else [`NoCrypto`].
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(all(feature = "ring", feature = "rustcrypto", not(target_family = "wasm")))]
    {
        &RingThenRustCrypto
    }
    #[cfg(all(
        feature = "ring",
        not(feature = "rustcrypto"),
        not(target_family = "wasm")
    ))]
    {
        &Ring
    }
    #[cfg(all(
        feature = "rustcrypto",
        not(all(feature = "ring", not(target_family = "wasm")))
    ))]
    {
        &RustCrypto
    }
    #[cfg(all(
        not(feature = "rustcrypto"),
        not(all(feature = "ring", not(target_family = "wasm")))
    ))]
    {
        &NoCrypto
    }
}
