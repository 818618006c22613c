//! Private keys for signing. (Being written: see the contract below.)
//!
//! CONTRACT: `pub struct SigningKey`; `SigningKey::from_jwk(&str)`, `from_jwk_map(&Map)`,
//! `from_pkcs8_pem(&str, alg: Algorithm)`, `alg() -> Algorithm`, `kid() -> Option<&str>`,
//! `with_kid(self, String) -> Self`, `public_jwk() -> Map`, `sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error>`,
//! and with feature `getrandom`: `SigningKey::generate(alg) -> Result<SigningKey, Error>`, `to_jwk_map() -> Map` (private).
