//! Signature providers. (Being written: see the contract below.)
//!
//! CONTRACT: `pub trait CryptoProvider: Send + Sync { fn verify(&self, alg: Algorithm, key: &Jwk,
//! signing_input: &[u8], signature: &[u8]) -> Result<(), Error>; fn supports(&self, alg: Algorithm) -> bool; }`
//! and `pub fn default_provider() -> &'static dyn CryptoProvider` (RustCrypto).
//! Signature providers (being written).
