//! Building and signing SETs.
//!
//! ```
//! # #[cfg(feature = "getrandom")] {
//! use ssf_core::{builder::SetBuilder, events::Event, signing::SigningKey, subject::SubjectId, Algorithm};
//! let key = SigningKey::generate(Algorithm::ES256).unwrap().with_kid("k1".into());
//! let token = SetBuilder::new("https://idp.example.com/", "4d3559ec67504aaba65d40b0363faad8", 1_700_000_000)
//!     .audience("https://sp.example.com/caep")
//!     .subject(&SubjectId::opaque("dMTlD|1600802906337.16"))
//!     .event(&Event::from_parts(
//!         "https://schemas.openid.net/secevent/caep/event-type/session-revoked",
//!         Default::default(),
//!     ).unwrap())
//!     .sign(&key)
//!     .unwrap();
//! assert_eq!(token.split('.').count(), 3);
//! # }
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::base64url;
use crate::error::Error;
use crate::events::Event;
use crate::json::{Map, Value};
use crate::jws::{signing_input, SET_TYP};
use crate::set::{check_claims, Profile};
use crate::signing::SigningKey;
use crate::subject::SubjectId;
use crate::Algorithm;

/// Builds a SET claims set member by member, in the conventional order
/// (`iss`, `jti`, `iat`, `aud`, `txn`, `toe`, `sub_id`, `events`, then extra claims).
#[derive(Clone, Debug)]
pub struct SetBuilder {
    claims: Map,
    events: Map,
    extra: Map,
}

impl SetBuilder {
    /// Starts a SET from its three required envelope claims.
    pub fn new(iss: &str, jti: &str, iat: i64) -> Self {
        let mut claims = Map::new();
        claims.insert("iss", iss);
        claims.insert("jti", jti);
        claims.insert("iat", iat);
        SetBuilder {
            claims,
            events: Map::new(),
            extra: Map::new(),
        }
    }

    /// Sets `aud` to one audience (a JSON string).
    pub fn audience(mut self, aud: &str) -> Self {
        self.claims.insert("aud", aud);
        self
    }

    /// Sets `aud` to several audiences (a JSON array).
    pub fn audiences<'a>(mut self, aud: impl IntoIterator<Item = &'a str>) -> Self {
        let list: Vec<Value> = aud.into_iter().map(Value::from).collect();
        self.claims.insert("aud", list);
        self
    }

    /// Sets `txn`.
    pub fn txn(mut self, txn: &str) -> Self {
        self.claims.insert("txn", txn);
        self
    }

    /// Sets `toe`.
    pub fn toe(mut self, toe: i64) -> Self {
        self.claims.insert("toe", toe);
        self
    }

    /// Sets the top-level `sub_id`.
    pub fn subject(mut self, subject: &SubjectId) -> Self {
        self.claims.insert("sub_id", subject.to_value());
        self
    }

    /// Adds an event (a second event of the same type replaces the first).
    pub fn event(mut self, event: &Event) -> Self {
        self.events.insert(event.uri(), event.to_value());
        self
    }

    /// Adds any other claim. Profile rules are applied when the SET is built, so a
    /// forbidden claim such as `sub` or `exp` makes [`SetBuilder::build`] fail.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The claims set, checked against the SSF profile.
    pub fn build(self) -> Result<Map, Error> {
        self.build_for(Profile::SSF)
    }

    /// The claims set, checked against `profile`.
    pub fn build_for(self, profile: Profile) -> Result<Map, Error> {
        let mut claims = self.claims;
        claims.insert("events", self.events);
        for (k, v) in self.extra {
            claims.insert(k, v);
        }
        check_claims(&claims, profile)?;
        Ok(claims)
    }

    /// Builds the claims set (SSF profile) and signs it with `key`.
    pub fn sign(self, key: &SigningKey) -> Result<String, Error> {
        sign_claims(&self.build()?, key, Profile::SSF)
    }
}

/// Signs an existing claims set after checking it against `profile` (and the key's
/// algorithm against what the profile requires, such as RS256 for `caep-interop`). The header is
/// `{"alg", "kid" (if the key has one), "typ": "secevent+jwt"}`.
pub fn sign_claims(claims: &Map, key: &SigningKey, profile: Profile) -> Result<String, Error> {
    let unsigned = prepare_set(claims, key, profile)?;
    let signature = key.sign(unsigned.signing_input())?;
    unsigned.finish(&signature)
}

/// Signs `claims` as a compact JWS with header `{"alg", "kid" (if the key has one), "typ"}`:
/// the one signer behind every profile, which checks its claims before calling it.
pub(crate) fn sign_compact(typ: &str, claims: &Map, key: &SigningKey) -> Result<String, Error> {
    let unsigned = unsigned_compact(typ, claims, key);
    let signature = key.sign(unsigned.signing_input())?;
    unsigned.finish(&signature)
}

fn unsigned_compact(typ: &str, claims: &Map, key: &SigningKey) -> UnsignedSet {
    let mut header = Map::new();
    header.insert("alg", key.alg().name());
    if let Some(kid) = key.kid() {
        header.insert("kid", kid);
    }
    header.insert("typ", typ);
    UnsignedSet {
        input: signing_input(&header, claims),
        alg: key.alg(),
    }
}

/// A SET checked and ready to be signed by the host's own cryptography (a runtime's
/// WebCrypto, an HSM): [`UnsignedSet::signing_input`] is what to sign with the key it was
/// prepared for, [`UnsignedSet::finish`] attaches the signature.
///
/// ```
/// # #[cfg(feature = "getrandom")] {
/// use ssf_core::builder::{prepare_set, SetBuilder};
/// use ssf_core::set::Profile;
/// use ssf_core::signing::SigningKey;
/// use ssf_core::Algorithm;
///
/// let key = SigningKey::generate(Algorithm::ES256)?;
/// let claims = SetBuilder::new("https://tx.example.com", "j-1", 1_700_000_000)
///     .audience("rp")
///     .subject(&ssf_core::subject::SubjectId::opaque("stream-1"))
///     .event(&ssf_core::events::Event::verification(None))
///     .build()?;
/// let unsigned = prepare_set(&claims, &key, Profile::SSF)?;
/// let signature = key.sign(unsigned.signing_input())?; // or the host's crypto
/// let token = unsigned.finish(&signature)?;
/// assert_eq!(token.split('.').count(), 3);
/// # }
/// # Ok::<(), ssf_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct UnsignedSet {
    input: String,
    alg: Algorithm,
}

impl UnsignedSet {
    /// The JWS signing input (`base64url(header) "." base64url(claims)`).
    pub fn signing_input(&self) -> &[u8] {
        self.input.as_bytes()
    }

    /// The algorithm the signature must be made with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The compact SET. An ECDSA signature must be the JWS form, `r || s` of the curve's
    /// size (as WebCrypto gives it): anything else is refused rather than sent.
    pub fn finish(self, signature: &[u8]) -> Result<String, Error> {
        let expected = match self.alg {
            Algorithm::ES256 => Some(64),
            Algorithm::ES384 => Some(96),
            Algorithm::ES512 => Some(132),
            Algorithm::EdDSA => Some(64),
            _ => None,
        };
        if signature.is_empty() || expected.is_some_and(|n| n != signature.len()) {
            return Err(Error::InvalidSigningKey(
                "the signature made for this SET has the wrong length",
            ));
        }
        let mut token = self.input;
        token.push('.');
        base64url::encode_into(&mut token, signature);
        Ok(token)
    }
}

/// [`sign_claims`] in two steps, for a host that signs with its own cryptography: checks
/// `claims` against `profile` and the key's algorithm, and returns what to sign.
pub fn prepare_set(claims: &Map, key: &SigningKey, profile: Profile) -> Result<UnsignedSet, Error> {
    check_claims(claims, profile)?;
    crate::set::profile_alg(profile, key.alg())?;
    Ok(unsigned_compact(SET_TYP, claims, key))
}

#[cfg(all(test, feature = "getrandom"))]
mod tests {
    use super::*;
    use crate::events::Event;

    fn claims() -> Map {
        SetBuilder::new("https://tx.example.com", "j-1", 1_700_000_000)
            .audience("rp")
            .subject(&SubjectId::opaque("stream-1"))
            .event(&Event::verification(None))
            .build()
            .unwrap()
    }

    #[test]
    fn a_host_signature_of_the_wrong_size_is_refused_not_sent() {
        let key = SigningKey::generate(Algorithm::ES256).unwrap();
        let unsigned = prepare_set(&claims(), &key, Profile::SSF).unwrap();
        assert_eq!(unsigned.algorithm(), Algorithm::ES256);
        for bad in [&[][..], &[0u8; 63][..], &[0u8; 72][..]] {
            assert!(unsigned.clone().finish(bad).is_err(), "{} bytes", bad.len());
        }
        // Two steps give what one gives: the same header and claims, a verifying signature.
        let signature = key.sign(unsigned.signing_input()).unwrap();
        let token = unsigned.finish(&signature).unwrap();
        let one_step = sign_claims(&claims(), &key, Profile::SSF).unwrap();
        assert_eq!(
            token.rsplit_once('.').unwrap().0,
            one_step.rsplit_once('.').unwrap().0
        );
    }

    #[test]
    fn prepare_applies_the_profile_like_sign_does() {
        let key = SigningKey::generate(Algorithm::ES256).unwrap();
        // caep-interop requires RS256.
        assert!(prepare_set(&claims(), &key, Profile::CAEP_INTEROP).is_err());
        assert!(sign_claims(&claims(), &key, Profile::CAEP_INTEROP).is_err());
    }
}
