//! JWS algorithm identifiers (RFC 7518, RFC 8037).

use core::fmt;

use crate::error::Error;

/// An asymmetric JWS signature algorithm this crate knows.
///
/// HMAC and `none` are deliberately absent: [`Algorithm::from_header`] turns them into
/// [`Error::AlgHmac`] and [`Error::AlgNone`], so no code path can ever verify with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384 and MGF1-SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512 and MGF1-SHA-512.
    PS512,
    /// EdDSA (Ed25519).
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::EdDSA,
    ];

    /// The JOSE name.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Parses an exact (case-sensitive) JOSE name.
    pub fn from_name(name: &str) -> Option<Self> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Parses a header `alg` value, naming the dangerous ones precisely.
    ///
    /// `none` in any casing is [`Error::AlgNone`]; `HS*` in any casing is [`Error::AlgHmac`];
    /// anything else not known exactly is [`Error::AlgNotAllowed`]. `Ed25519`, the
    /// fully-specified name RFC 9864 gives EdDSA over Ed25519 (the only EdDSA curve here),
    /// is [`Algorithm::EdDSA`].
    pub fn from_header(name: &str) -> Result<Self, Error> {
        if let Some(a) = Algorithm::from_name(name) {
            return Ok(a);
        }
        if name == "Ed25519" {
            return Ok(Algorithm::EdDSA);
        }
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::AlgNone);
        }
        let upper = name.as_bytes();
        if upper.len() >= 2 && upper[..2].eq_ignore_ascii_case(b"hs") {
            return Err(Error::AlgHmac(name.into()));
        }
        Err(Error::AlgNotAllowed(name.into()))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
