//! Compact JWS (RFC 7515 section 7.1): strict splitting and a typed protected header.

use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

use crate::alg::Algorithm;
use crate::base64url;
use crate::crypto::CryptoProvider;
use crate::error::{Error, Part};
use crate::json::{self, Map, Value};
use crate::jwk::{Jwk, JwkSet};
use crate::limits::MAX_TOKEN_LEN;

/// The JOSE `typ` of a SET (RFC 8417 section 2.3).
pub const SET_TYP: &str = "secevent+jwt";
/// The media type of a SET, also accepted as `typ` (RFC 7515 allows the long form).
pub const SET_MEDIA_TYPE: &str = "application/secevent+jwt";

/// The JOSE `typ` of a JWT access token (RFC 9068 section 2.1).
pub const AT_TYP: &str = "at+jwt";
/// The media type of a JWT access token, also accepted as `typ`.
pub const AT_MEDIA_TYPE: &str = "application/at+jwt";

/// The `alg` member as found in a header: either a usable algorithm or what was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderAlg {
    /// A known asymmetric algorithm.
    Known(Algorithm),
    /// Anything else (`none`, HMAC, unknown); kept so decoders can explain it.
    Other(String),
}

/// A protected header, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// `alg`.
    pub alg: HeaderAlg,
    /// `kid`, if present.
    pub kid: Option<String>,
    /// `typ`, if present.
    pub typ: Option<String>,
    /// `cty`, if present.
    pub cty: Option<String>,
    /// Whether `crit` is present (it is then always rejected by verification).
    pub has_crit: bool,
    /// The header as sent, every member included (`jku`, `x5u`, `jwk`... are kept here and
    /// never used to find a key).
    pub raw: Map,
}

impl Header {
    /// Reads the typed members out of a header object.
    ///
    /// Fails only when a member has the wrong JSON type; semantic checks (`alg` allowed,
    /// `typ` right, no `crit`) are separate so that a decoder can still show the token.
    pub fn from_map(raw: Map) -> Result<Self, Error> {
        let opt_str = |name: &'static str| -> Result<Option<String>, Error> {
            match raw.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::HeaderMember(name)),
            }
        };
        let alg = match raw.get("alg") {
            Some(Value::String(s)) => match Algorithm::from_name(s) {
                Some(a) => HeaderAlg::Known(a),
                None => HeaderAlg::Other(s.clone()),
            },
            Some(_) => return Err(Error::HeaderMember("alg")),
            None => return Err(Error::AlgMissing),
        };
        Ok(Header {
            alg,
            kid: opt_str("kid")?,
            typ: opt_str("typ")?,
            cty: opt_str("cty")?,
            has_crit: raw.contains_key("crit"),
            raw,
        })
    }

    /// The algorithm, or the precise reason it can never be used.
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            HeaderAlg::Known(a) => Ok(*a),
            HeaderAlg::Other(s) => Algorithm::from_header(s),
        }
    }

    /// Whether `typ` names a SET (`secevent+jwt`, or the full media type; media type names
    /// are case-insensitive per RFC 7515 section 4.1.9).
    pub fn is_set_typ(&self) -> bool {
        self.typ_is(SET_TYP, SET_MEDIA_TYPE)
    }

    /// Whether `typ` names a JWT access token (`at+jwt`, or the full media type).
    pub fn is_access_token_typ(&self) -> bool {
        self.typ_is(AT_TYP, AT_MEDIA_TYPE)
    }

    fn typ_is(&self, short: &str, media_type: &str) -> bool {
        self.typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(short) || t.eq_ignore_ascii_case(media_type))
    }

    /// The checks every verification makes on the header: a usable `alg`, no `crit`.
    pub fn check_for_verification(&self) -> Result<Algorithm, Error> {
        let alg = self.algorithm()?;
        if self.has_crit {
            return Err(Error::CritUnsupported);
        }
        Ok(alg)
    }

    /// The SET typing rule of SSF 1.0 section 4 (`typ` must be `secevent+jwt`).
    pub fn check_set_typ(&self) -> Result<(), Error> {
        match &self.typ {
            None => Err(Error::TypMissing),
            Some(_) if self.is_set_typ() => Ok(()),
            Some(t) => Err(Error::TypWrong(t.clone())),
        }
    }

    /// The typing rule of RFC 9068 section 4 (`typ` must be `at+jwt`): what keeps a SET, an
    /// ID token or any other JWT of the same issuer from passing as an access token.
    pub fn check_access_token_typ(&self) -> Result<(), Error> {
        if self.is_access_token_typ() {
            Ok(())
        } else {
            Err(Error::AccessTokenTyp(self.typ.clone()))
        }
    }
}

/// A compact JWS split and decoded, its signature not yet checked.
#[derive(Clone, Debug)]
pub struct CompactJws<'a> {
    /// The parsed protected header.
    pub header: Header,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers.
    pub signing_input: &'a [u8],
    /// The decoded signature.
    pub signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    /// Splits and decodes `token`. Leading and trailing ASCII whitespace is tolerated (an
    /// HTTP body often ends in a newline); anything else outside the grammar is refused.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
        if token.len() > MAX_TOKEN_LEN {
            return Err(Error::TooLarge {
                what: "token",
                limit: MAX_TOKEN_LEN,
            });
        }
        let bytes = token.as_bytes();
        let d1 = next_dot(bytes, 0);
        let d2 = d1.and_then(|d| next_dot(bytes, d + 1));
        let d3 = d2.and_then(|d| next_dot(bytes, d + 1));
        let (d1, d2) = match (d1, d2, d3) {
            (Some(a), Some(b), None) => (a, b),
            (Some(_), Some(_), Some(_)) => {
                return Err(Error::Malformed(
                    "more than three segments (JWE or trailing data?)",
                ))
            }
            _ => return Err(Error::Malformed("fewer than three segments")),
        };
        let (h, p, s) = (&bytes[..d1], &bytes[d1 + 1..d2], &bytes[d2 + 1..]);
        if h.is_empty() {
            return Err(Error::Malformed("empty header segment"));
        }
        let header_bytes = base64url::decode(h).ok_or(Error::Base64 { part: Part::Header })?;
        let header = Header::from_map(json::parse_object(&header_bytes, Part::Header)?)?;
        let payload = base64url::decode(p).ok_or(Error::Base64 {
            part: Part::Payload,
        })?;
        let signature = base64url::decode(s).ok_or(Error::Base64 {
            part: Part::Signature,
        })?;
        Ok(CompactJws {
            header,
            payload,
            signing_input: &bytes[..d2],
            signature,
        })
    }

    /// The payload parsed as a JSON object (the JWT claims set).
    pub fn claims(&self) -> Result<Map, Error> {
        json::parse_object(&self.payload, Part::Payload)
    }
}

/// The outcome of a signature check done outside core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVerdict {
    /// The signature verifies under the selected key.
    Valid,
    /// It does not (or could not be checked: treat every doubt as invalid).
    Invalid,
}

impl SignatureVerdict {
    /// `Valid` for `true`.
    pub fn from_bool(valid: bool) -> Self {
        if valid {
            SignatureVerdict::Valid
        } else {
            SignatureVerdict::Invalid
        }
    }

    /// The candidate index this verdict stands for when there is a single candidate.
    pub(crate) fn as_candidate(self) -> Option<usize> {
        (self == SignatureVerdict::Valid).then_some(0)
    }
}

/// A compact JWS whose framing and header passed and whose candidate keys are chosen,
/// waiting for its signature to be checked: the step every verified-JWT profile shares.
///
/// `T` is what the profile makes of the token once its signature verified
/// ([`crate::set::Set`] or [`crate::access_token::AccessToken`]). Carrying it in the type
/// means a token admitted under one profile's header rules (its `typ`) can only be
/// finished under the same profile's claim rules. Each profile adds its own `finish`
/// methods; see [`crate::set::begin_verify`] and [`crate::access_token::begin_verify`].
#[derive(Debug)]
pub struct PendingSignature<'t, 'k, T> {
    jws: CompactJws<'t>,
    alg: Algorithm,
    /// The first candidate (kept apart so that [`PendingSignature::key`] needs no index).
    key: &'k Jwk,
    /// Every candidate, `key` first; never empty.
    candidates: Vec<&'k Jwk>,
    profile: PhantomData<fn() -> T>,
}

impl<'t, 'k, T> PendingSignature<'t, 'k, T> {
    /// The rules every profile applies before the signature, in this order: framing,
    /// a usable `alg` and no `crit`, the caller's allow-list, the profile's own header
    /// rules (`profile_rules`, e.g. its `typ`), then key selection and each candidate's
    /// fitness for `alg`.
    pub(crate) fn begin(
        token: &'t str,
        keys: &'k JwkSet,
        allowed: Option<&[Algorithm]>,
        profile_rules: impl FnOnce(&Header, Algorithm) -> Result<(), Error>,
    ) -> Result<Self, Error> {
        let jws = CompactJws::parse(token)?;
        let alg = jws.header.check_for_verification()?;
        if allowed.is_some_and(|list| !list.contains(&alg)) {
            return Err(Error::AlgNotAllowed(alg.name().into()));
        }
        profile_rules(&jws.header, alg)?;
        let candidates = keys.select_candidates(jws.header.kid.as_deref(), alg)?;
        let Some(&key) = candidates.first() else {
            // select_candidates never returns an empty list; stay total anyway.
            return Err(Error::NoUsableKey);
        };
        for k in &candidates {
            k.check_alg(alg)?;
        }
        Ok(PendingSignature {
            jws,
            alg,
            key,
            candidates,
            profile: PhantomData,
        })
    }

    /// The header's algorithm, already checked against the allow-list and the keys.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The first candidate key: with a `kid`, or when only one key fits, the key the
    /// signature must verify under. With several candidates, try each of
    /// [`PendingSignature::candidates`] instead.
    pub fn key(&self) -> &'k Jwk {
        self.key
    }

    /// The keys to try, in order (never empty; one when the token has a `kid`).
    pub fn candidates(&self) -> &[&'k Jwk] {
        &self.candidates
    }

    /// The bytes the signature covers (`header.payload`, ASCII).
    pub fn signing_input(&self) -> &[u8] {
        self.jws.signing_input
    }

    /// The decoded signature, in JWS form (ECDSA as `r || s`, RFC 7518 section 3.4).
    pub fn signature(&self) -> &[u8] {
        &self.jws.signature
    }

    /// Checks the signature with `provider` under each candidate in turn and returns the
    /// index of the first under which it verifies (`None`: under none).
    pub fn check_with(&self, provider: &dyn CryptoProvider) -> Result<Option<usize>, Error> {
        if !provider.supports(self.alg) {
            return Err(Error::UnsupportedAlgorithm(self.alg.name().into()));
        }
        for (index, key) in self.candidates.iter().enumerate() {
            let checked = crate::crypto::verify(
                provider,
                self.alg,
                key,
                self.jws.signing_input,
                &self.jws.signature,
            );
            match checked {
                Ok(()) => return Ok(Some(index)),
                // Another candidate may still verify; anything else is not about this key.
                Err(Error::BadSignature) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// The header and the parsed claims, once `verified` names a candidate: an index
    /// outside the list is [`Error::BadSignature`] like `None`, since only a key that was
    /// a candidate can make the signature valid. Claims are not parsed before that.
    pub(crate) fn into_verified(self, verified: Option<usize>) -> Result<(Header, Map), Error> {
        if verified.is_none_or(|i| i >= self.candidates.len()) {
            return Err(Error::BadSignature);
        }
        let claims = self.jws.claims()?;
        Ok((self.jws.header, claims))
    }
}

/// The position of the first `.` in `bytes` at or after `from`.
///
/// Tokens run to hundreds of bytes and every byte is looked at, so this tests eight at a
/// time: a byte of `word ^ DOTS` is zero exactly where `word` has a dot, and the
/// `(x - 0x01..) & !x & 0x80..` test flags the lowest zero byte exactly (a borrow can only
/// add false flags above a true one).
fn next_dot(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const DOTS: u64 = u64::from_le_bytes([b'.'; 8]);
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut base = from;
    for w in &mut words {
        let mut le = [0u8; 8];
        le.copy_from_slice(w);
        let x = u64::from_le_bytes(le) ^ DOTS;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'.')
        .map(|i| base + i)
}

/// Builds the signing input `BASE64URL(header) . BASE64URL(payload)` for `header` and
/// `payload` serialized as compact JSON.
pub fn signing_input(header: &Map, payload: &Map) -> String {
    let mut s = base64url::encode(Value::Object(header.clone()).to_json().as_bytes());
    s.push('.');
    base64url::encode_into(&mut s, Value::Object(payload.clone()).to_json().as_bytes());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(header: &str, payload: &str, sig: &[u8]) -> String {
        let mut t = base64url::encode(header.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(payload.as_bytes()));
        t.push('.');
        t.push_str(&base64url::encode(sig));
        t
    }

    #[test]
    fn splits_and_types_header() {
        let t = tok(
            r#"{"alg":"ES256","kid":"k1","typ":"secevent+jwt"}"#,
            "{}",
            b"sig",
        );
        let j = CompactJws::parse(&t).unwrap();
        assert_eq!(j.header.alg, HeaderAlg::Known(Algorithm::ES256));
        assert_eq!(j.header.kid.as_deref(), Some("k1"));
        assert!(j.header.is_set_typ());
        assert_eq!(j.signature, b"sig");
        assert_eq!(j.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn refuses_bad_shapes() {
        let good = tok(r#"{"alg":"ES256"}"#, "{}", b"s");
        assert!(matches!(CompactJws::parse("a.b"), Err(Error::Malformed(_))));
        assert!(matches!(
            CompactJws::parse(&(good.clone() + ".x")),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            CompactJws::parse(&(good.clone() + "=")),
            Err(Error::Base64 {
                part: Part::Signature
            })
        ));
        let t = tok(r#"{"alg":"ES256","alg":"none"}"#, "{}", b"s");
        assert!(matches!(
            CompactJws::parse(&t),
            Err(Error::DuplicateMember { .. })
        ));
        let t = tok(r#"["alg"]"#, "{}", b"s");
        assert!(matches!(
            CompactJws::parse(&t),
            Err(Error::NotAnObject { part: Part::Header })
        ));
        let t = tok(r#"{"alg":1}"#, "{}", b"s");
        assert_eq!(
            CompactJws::parse(&t).unwrap_err(),
            Error::HeaderMember("alg")
        );
        let big = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(
            CompactJws::parse(&big),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn names_dangerous_algs() {
        for none in ["none", "None", "NONE", "nOnE"] {
            let t = tok(&alloc::format!(r#"{{"alg":"{none}"}}"#), "{}", b"");
            let j = CompactJws::parse(&t).unwrap();
            assert_eq!(j.header.check_for_verification(), Err(Error::AlgNone));
        }
        let t = tok(r#"{"alg":"HS256"}"#, "{}", b"x");
        let j = CompactJws::parse(&t).unwrap();
        assert_eq!(
            j.header.check_for_verification(),
            Err(Error::AlgHmac("HS256".into()))
        );
        let t = tok(r#"{"alg":"ES256","crit":["b64"]}"#, "{}", b"x");
        let j = CompactJws::parse(&t).unwrap();
        assert_eq!(
            j.header.check_for_verification(),
            Err(Error::CritUnsupported)
        );
    }
}
