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

/// The signature scheme of an [`Algorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// ECDSA, signatures in the JWS form `r || s` (RFC 7518 section 3.4).
    Ecdsa,
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15,
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss,
    /// EdDSA over Ed25519 (RFC 8037).
    EdDsa,
}

/// The hash function an [`Algorithm`] signs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// The WebCrypto name: `SHA-256`, `SHA-384`, `SHA-512`.
    pub const fn webcrypto_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }

    /// The OpenSSL / Node `crypto` name: `sha256`, `sha384`, `sha512`.
    pub const fn openssl_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha384 => "sha384",
            HashAlg::Sha512 => "sha512",
        }
    }
}

/// What each algorithm is made of: the one table the worker's WebCrypto calls, the npm
/// package's host crypto and core's own providers read (RFC 7518 section 3, RFC 8037).
impl Algorithm {
    /// Its signature scheme.
    pub const fn scheme(self) -> Scheme {
        match self {
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => Scheme::Ecdsa,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => Scheme::RsaPkcs1v15,
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => Scheme::RsaPss,
            Algorithm::EdDSA => Scheme::EdDsa,
        }
    }

    /// The hash it signs over (`None` for EdDSA, which hashes internally).
    pub const fn hash(self) -> Option<HashAlg> {
        Some(match self {
            Algorithm::ES256 | Algorithm::RS256 | Algorithm::PS256 => HashAlg::Sha256,
            Algorithm::ES384 | Algorithm::RS384 | Algorithm::PS384 => HashAlg::Sha384,
            Algorithm::ES512 | Algorithm::RS512 | Algorithm::PS512 => HashAlg::Sha512,
            Algorithm::EdDSA => return None,
        })
    }

    /// The RSA-PSS salt length in bytes: the hash length (RFC 7518 section 3.5).
    pub const fn pss_salt_len(self) -> Option<usize> {
        match (self.scheme(), self.hash()) {
            (Scheme::RsaPss, Some(h)) => Some(h.output_len()),
            _ => None,
        }
    }

    /// The curve of an ECDSA or EdDSA algorithm, by its JOSE / WebCrypto name (`P-256`,
    /// `P-384`, `P-521`, `Ed25519`).
    pub const fn curve(self) -> Option<&'static str> {
        match self {
            Algorithm::ES256 => Some("P-256"),
            Algorithm::ES384 => Some("P-384"),
            Algorithm::ES512 => Some("P-521"),
            Algorithm::EdDSA => Some("Ed25519"),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_rfc_7518() {
        for alg in Algorithm::ALL {
            let name = alg.name();
            let bits = &name[2..];
            match alg.hash() {
                Some(h) => assert_eq!(h.output_len() * 8, bits.parse::<usize>().unwrap(), "{name}"),
                None => assert_eq!(alg, Algorithm::EdDSA),
            }
            assert_eq!(
                alg.pss_salt_len().is_some(),
                name.starts_with("PS"),
                "{name}"
            );
            assert_eq!(
                alg.curve().is_some(),
                matches!(alg.scheme(), Scheme::Ecdsa | Scheme::EdDsa)
            );
        }
        assert_eq!(Algorithm::PS384.pss_salt_len(), Some(48));
        assert_eq!(Algorithm::ES512.curve(), Some("P-521"));
        assert_eq!(
            Algorithm::ES512.hash().map(HashAlg::webcrypto_name),
            Some("SHA-512")
        );
        assert_eq!(
            Algorithm::RS384.hash().map(HashAlg::openssl_name),
            Some("sha384")
        );
    }
}
