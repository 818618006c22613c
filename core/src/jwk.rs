//! JSON Web Keys (RFC 7517) and key selection. (Being written: see the contract below.)
//!
//! CONTRACT (owned by the crypto helper; other modules rely on exactly this):
//! - `pub struct Jwk` : a parsed public JWK. `Jwk::from_map(&Map) -> Result<Jwk, Error>`,
//!   `jwk.kid() -> Option<&str>`, `jwk.to_map() -> Map` (public members, as given),
//!   `jwk.thumbprint() -> String` (RFC 7638, base64url SHA-256),
//!   `jwk.check_alg(Algorithm) -> Result<(), Error>` (kty/crv fit alg; key `alg`/`use`/`key_ops` allow it).
//! - `pub struct JwkSet` : `JwkSet::from_json(&str) -> Result<JwkSet, Error>`,
//!   `JwkSet::from_map(&Map)`, `keys() -> &[Jwk]`,
//!   `select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Jwk, Error>`.
