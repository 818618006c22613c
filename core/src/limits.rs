//! Named limits on untrusted input. Every one is enforced before the work it bounds.

/// Largest compact SET accepted, in bytes (the worker's push body limit is the same).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;
/// Deepest JSON nesting accepted (objects and arrays), in any token part or document.
pub const MAX_JSON_DEPTH: usize = 32;
/// Longest JSON number text accepted, in bytes.
pub const MAX_NUMBER_LEN: usize = 40;
/// Largest JWK Set document accepted, in bytes.
pub const MAX_JWKS_LEN: usize = 256 * 1024;
/// Most keys accepted in one JWK Set.
pub const MAX_JWKS_KEYS: usize = 100;
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (bounds the cost of one verification).
pub const MAX_RSA_BITS: usize = 8192;
/// Most events accepted in one SET (RFC 8417 allows several facets of one change).
pub const MAX_EVENTS: usize = 16;
/// Most keys tried for one SET without `kid`: during a rotation a transmitter's key set
/// holds the old and the new key and a SET may name neither, so each key that fits the
/// SET's `alg` is tried, in key-set order. More candidates than this are refused
/// ([`crate::Error::TooManyKeyCandidates`]) before any signature check, rather than
/// silently trying only some of them: each try costs a full signature check, and a key set
/// that is that ambiguous needs `kid`s, not a bigger loop.
pub const MAX_KEY_CANDIDATES: usize = 4;
