//! The one error type of the crate.
//!
//! Every failure names exactly what went wrong ([`Error`]), maps to the RFC 8935 / SSF
//! delivery error code a receiver must answer with ([`Error::code`]), and has a stable,
//! machine-readable reason string ([`Error::reason`]) that never changes between releases.

use alloc::string::String;
use core::fmt;

/// The RFC 8935 error code registry, plus SSF's `invalid_state`.
///
/// This is the `err` member of a push error response or of a poll `setErrs` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrCode {
    /// The request body cannot be parsed as a SET, or an event payload violates its definition.
    InvalidRequest,
    /// A signing key is invalid or unacceptable, or the signature does not verify.
    InvalidKey,
    /// The SET issuer is not valid for this recipient.
    InvalidIssuer,
    /// The SET audience does not match this recipient.
    InvalidAudience,
    /// The recipient could not authenticate the transmitter.
    AuthenticationFailed,
    /// The transmitter is not authorized to send this SET to this recipient.
    AccessDenied,
    /// A verification event's `state` does not match what the receiver expected (SSF).
    InvalidState,
}

impl ErrCode {
    /// The registered string value, as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrCode::InvalidRequest => "invalid_request",
            ErrCode::InvalidKey => "invalid_key",
            ErrCode::InvalidIssuer => "invalid_issuer",
            ErrCode::InvalidAudience => "invalid_audience",
            ErrCode::AuthenticationFailed => "authentication_failed",
            ErrCode::AccessDenied => "access_denied",
            ErrCode::InvalidState => "invalid_state",
        }
    }

    /// Parses a registered value; unknown values are `None` (the registry is case-sensitive).
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "invalid_request" => ErrCode::InvalidRequest,
            "invalid_key" => ErrCode::InvalidKey,
            "invalid_issuer" => ErrCode::InvalidIssuer,
            "invalid_audience" => ErrCode::InvalidAudience,
            "authentication_failed" => ErrCode::AuthenticationFailed,
            "access_denied" => ErrCode::AccessDenied,
            "invalid_state" => ErrCode::InvalidState,
            _ => return None,
        })
    }
}

impl fmt::Display for ErrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of a compact JWS an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The protected header (first segment).
    Header,
    /// The payload (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
    /// A JSON document that is not part of a token (a JWK Set, a wire message).
    Document,
}

impl Part {
    const fn as_str(self) -> &'static str {
        match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
            Part::Document => "document",
        }
    }
}

/// Everything that can go wrong while decoding, verifying, validating or signing.
///
/// Variants carry the context needed for a precise message; [`Error::reason`] is the stable
/// identifier to match on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ---- framing and JSON --------------------------------------------------------------
    /// The input exceeds a named size limit (see [`crate::limits`]).
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit, in bytes (or items).
        limit: usize,
    },
    /// Not a compact JWS: it must be exactly three dot-separated segments.
    Malformed(&'static str),
    /// A segment is not canonical unpadded base64url.
    Base64 {
        /// The segment.
        part: Part,
    },
    /// A JSON text is syntactically invalid (or not valid UTF-8).
    Json {
        /// Where.
        part: Part,
        /// Byte offset of the problem.
        offset: usize,
        /// What was wrong.
        detail: &'static str,
    },
    /// A JSON object repeats a member name.
    DuplicateMember {
        /// Where.
        part: Part,
        /// The repeated name.
        name: String,
    },
    /// JSON nesting deeper than [`crate::limits::MAX_JSON_DEPTH`].
    TooDeep {
        /// Where.
        part: Part,
    },
    /// A JSON number is too long or outside the range its use allows.
    NumberOutOfRange {
        /// Where.
        part: Part,
    },
    /// Text follows the end of the JSON value.
    TrailingData {
        /// Where.
        part: Part,
    },
    /// A JSON value that must be an object is not one.
    NotAnObject {
        /// Where.
        part: Part,
    },

    // ---- JOSE header --------------------------------------------------------------------
    /// `alg` is `none` (in any casing): unsecured tokens are never accepted.
    AlgNone,
    /// `alg` is an HMAC algorithm: never accepted for public-key verification.
    AlgHmac(String),
    /// `alg` is missing or not a string.
    AlgMissing,
    /// `alg` is not on the allow-list (of the library, the caller or the key).
    AlgNotAllowed(String),
    /// The header has a `crit` member: no extensions are understood, so it is rejected.
    CritUnsupported,
    /// The header has no `typ`.
    TypMissing,
    /// The header `typ` is not `secevent+jwt`.
    TypWrong(String),
    /// A header member has the wrong JSON type.
    HeaderMember(&'static str),

    // ---- keys -------------------------------------------------------------------------------
    /// No key in the set matches the token's `kid`.
    UnknownKid(String),
    /// No key in the set fits the token: it has no `kid` and no key fits its `alg` (or,
    /// from [`crate::jwk::JwkSet::select`], several do and that one cannot choose).
    NoUsableKey,
    /// A JWK is malformed or unsupported.
    InvalidJwk(&'static str),
    /// An RSA key is smaller than [`crate::limits::MIN_RSA_BITS`].
    WeakRsaKey {
        /// The modulus size in bits.
        bits: usize,
    },
    /// The key's `alg`, `use` or `key_ops` forbid this use, or its type does not fit `alg`.
    KeyMismatch(&'static str),
    /// The signature does not verify with the selected key.
    BadSignature,
    /// The private key could not be parsed or cannot sign with the requested algorithm.
    InvalidSigningKey(&'static str),
    /// The crypto provider does not implement this algorithm.
    UnsupportedAlgorithm(String),
    /// Randomness was needed and is not available.
    Rng,
    /// The token has no `kid` and more keys fit its `alg` than are ever tried
    /// ([`crate::limits::MAX_KEY_CANDIDATES`]).
    TooManyKeyCandidates {
        /// The limit that was exceeded.
        limit: usize,
    },

    // ---- SET claims (RFC 8417, SSF 1.0 profile) ---------------------------------------------
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an invalid value.
    InvalidClaim(&'static str),
    /// The SET carries a `sub` claim (SSF forbids it).
    SubPresent,
    /// The SET carries an `exp` claim (SSF forbids it).
    ExpPresent,
    /// `events` is an empty object.
    EventsEmpty,
    /// The SET has more events than the profile allows.
    TooManyEvents,
    /// `sub_id` is absent (SSF 1.0 section 3.1 requires it at the top level).
    SubIdMissing,
    /// A subject identifier is invalid.
    InvalidSubject(String),
    /// An event payload violates its definition.
    InvalidEvent {
        /// The event type URI.
        uri: String,
        /// What was wrong (for example `credential_type missing`).
        detail: String,
    },
    /// `iss` is not the expected issuer.
    WrongIssuer(String),
    /// `aud` does not contain the expected audience.
    WrongAudience,
    /// `iat` is later than now plus the allowed clock skew.
    IssuedInFuture,
    /// `iat` is older than the caller's maximum age.
    TooOld,
    /// A verification event's `state` differs from the expected value.
    StateMismatch,
    /// An event names no subject: no top-level `sub_id`, and no `subject` of its own.
    SubjectMissing {
        /// The event type URI.
        uri: String,
    },
    /// RISC identifier-changed or identifier-recycled about a subject that is neither an
    /// email address nor a phone number (RISC 1.0 says it MUST be one of them).
    IdentifierSubject {
        /// The event type URI.
        uri: String,
        /// The subject's format.
        format: String,
    },
    /// The SET breaks a requirement its profile adds to SSF 1.0 (the CAEP interoperability
    /// profile's RS256, `reason_admin`); [`Error::reason`] is the rule's code.
    ProfileRule {
        /// The rule broken.
        rule: crate::profile::Rule,
        /// What was found.
        detail: String,
    },

    // ---- access tokens (RFC 9068) -----------------------------------------------------------
    /// The header `typ` of an access token is missing or not `at+jwt` (RFC 9068 section
    /// 2.1); holds what was sent.
    AccessTokenTyp(Option<String>),
    /// `exp` has passed, beyond the allowed clock skew.
    Expired,
    /// `nbf` is later than now plus the allowed clock skew.
    NotYetValid,
    /// The token's `scope` lacks a scope the caller requires (holds the one missing).
    InsufficientScope(String),

    // ---- wire messages (RFC 8935 / 8936 bodies, SSF management API) -------------------------
    /// A push / poll / stream-management message is malformed or breaks an SSF rule.
    InvalidMessage {
        /// Which message (for example `poll request`).
        what: &'static str,
        /// What was wrong, naming the member (for example `maxEvents must be ...`).
        detail: String,
    },
    /// A transmitter's answer to one of the receiver's calls (`wire::client`) failed or
    /// broke a rule.
    UpstreamAnswer {
        /// Which call (for example `stream creation`).
        call: &'static str,
        /// The HTTP status of the answer (0: not sent).
        status: u16,
        /// What was wrong.
        detail: String,
    },
}

impl Error {
    /// The RFC 8935 `err` code a receiver answers with for this failure.
    pub fn code(&self) -> ErrCode {
        use Error::*;
        match self {
            TooLarge { .. }
            | Malformed(_)
            | Base64 { .. }
            | Json { .. }
            | DuplicateMember { .. }
            | TooDeep { .. }
            | NumberOutOfRange { .. }
            | TrailingData { .. }
            | NotAnObject { .. }
            | TypMissing
            | TypWrong(_)
            | HeaderMember(_)
            | CritUnsupported
            | MissingClaim(_)
            | InvalidClaim(_)
            | SubPresent
            | ExpPresent
            | EventsEmpty
            | TooManyEvents
            | SubIdMissing
            | InvalidSubject(_)
            | InvalidEvent { .. }
            | IssuedInFuture
            | TooOld
            | SubjectMissing { .. }
            | IdentifierSubject { .. }
            | Rng
            | AccessTokenTyp(_)
            | Expired
            | NotYetValid
            | InvalidMessage { .. }
            | UpstreamAnswer { .. } => ErrCode::InvalidRequest,
            AlgNone
            | AlgHmac(_)
            | AlgMissing
            | AlgNotAllowed(_)
            | UnknownKid(_)
            | NoUsableKey
            | InvalidJwk(_)
            | WeakRsaKey { .. }
            | KeyMismatch(_)
            | BadSignature
            | InvalidSigningKey(_)
            | UnsupportedAlgorithm(_)
            | TooManyKeyCandidates { .. } => ErrCode::InvalidKey,
            WrongIssuer(_) => ErrCode::InvalidIssuer,
            WrongAudience => ErrCode::InvalidAudience,
            StateMismatch => ErrCode::InvalidState,
            InsufficientScope(_) => ErrCode::AccessDenied,
            ProfileRule { rule, .. } => match rule {
                crate::profile::Rule::Rs256Required => ErrCode::InvalidKey,
                _ => ErrCode::InvalidRequest,
            },
        }
    }

    /// Whether the key set has no key for this token ([`Error::UnknownKid`] or
    /// [`Error::NoUsableKey`]): the one failure that fetching the issuer's keys again can
    /// cure (say after a rotation), unlike a key that was found and refused.
    pub const fn is_key_not_found(&self) -> bool {
        matches!(self, Error::UnknownKid(_) | Error::NoUsableKey)
    }

    /// A stable, fine-grained reason code (snake_case), for logs, metrics and tests.
    pub fn reason(&self) -> &'static str {
        use Error::*;
        match self {
            TooLarge { .. } => "too_large",
            Malformed(_) => "malformed_jws",
            Base64 { .. } => "invalid_base64",
            Json { .. } => "invalid_json",
            DuplicateMember { .. } => "duplicate_member",
            TooDeep { .. } => "too_deep",
            NumberOutOfRange { .. } => "number_out_of_range",
            TrailingData { .. } => "trailing_data",
            NotAnObject { .. } => "not_an_object",
            AlgNone => "alg_none",
            AlgHmac(_) => "alg_hmac",
            AlgMissing => "alg_missing",
            AlgNotAllowed(_) => "alg_not_allowed",
            CritUnsupported => "crit_unsupported",
            TypMissing => "typ_missing",
            TypWrong(_) => "typ_wrong",
            HeaderMember(_) => "invalid_header",
            UnknownKid(_) => "unknown_kid",
            NoUsableKey => "no_usable_key",
            InvalidJwk(_) => "invalid_jwk",
            WeakRsaKey { .. } => "weak_key",
            KeyMismatch(_) => "key_mismatch",
            BadSignature => "bad_signature",
            InvalidSigningKey(_) => "invalid_signing_key",
            UnsupportedAlgorithm(_) => "unsupported_alg",
            Rng => "rng_unavailable",
            TooManyKeyCandidates { .. } => "too_many_key_candidates",
            MissingClaim(_) => "missing_claim",
            InvalidClaim(_) => "invalid_claim",
            SubPresent => "sub_present",
            ExpPresent => "exp_present",
            EventsEmpty => "events_empty",
            TooManyEvents => "too_many_events",
            SubIdMissing => "sub_id_missing",
            InvalidSubject(_) => "invalid_subject",
            InvalidEvent { .. } => "invalid_event",
            WrongIssuer(_) => "wrong_issuer",
            WrongAudience => "wrong_audience",
            IssuedInFuture => "iat_in_future",
            TooOld => "too_old",
            StateMismatch => "state_mismatch",
            InvalidMessage { .. } => "invalid_message",
            UpstreamAnswer { .. } => "upstream_answer",
            AccessTokenTyp(_) => "access_token_typ",
            Expired => "expired",
            NotYetValid => "not_yet_valid",
            InsufficientScope(_) => "insufficient_scope",
            SubjectMissing { .. } => "subject_missing",
            IdentifierSubject { .. } => "identifier_subject_format",
            ProfileRule { rule, .. } => rule.code(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Error::*;
        match self {
            TooLarge { what, limit } => write!(f, "{what} exceeds the limit of {limit}"),
            Malformed(why) => write!(f, "not a compact JWS: {why}"),
            Base64 { part } => write!(f, "{} is not canonical unpadded base64url", part.as_str()),
            Json {
                part,
                offset,
                detail,
            } => write!(
                f,
                "{} is not valid JSON at byte {offset}: {detail}",
                part.as_str()
            ),
            DuplicateMember { part, name } => {
                write!(f, "{} repeats the member name {name:?}", part.as_str())
            }
            TooDeep { part } => write!(f, "{} nests JSON too deeply", part.as_str()),
            NumberOutOfRange { part } => {
                write!(
                    f,
                    "{} holds a number that is too long or out of range",
                    part.as_str()
                )
            }
            TrailingData { part } => write!(f, "{} has data after its JSON value", part.as_str()),
            NotAnObject { part } => write!(f, "{} is not a JSON object", part.as_str()),
            AlgNone => f.write_str("alg \"none\" (unsecured JWS) is never accepted"),
            AlgHmac(a) => write!(f, "HMAC alg {a:?} is never accepted with public keys"),
            AlgMissing => f.write_str("the header has no alg"),
            AlgNotAllowed(a) => write!(f, "alg {a:?} is not allowed"),
            CritUnsupported => {
                f.write_str("the header has a crit member; no extension is supported")
            }
            TypMissing => f.write_str(
                "the header has no typ; a SET must have typ secevent+jwt (SSF 1.0 section 4)",
            ),
            TypWrong(t) => write!(f, "typ {t:?} is not secevent+jwt"),
            HeaderMember(m) => write!(f, "header member {m} has the wrong type"),
            UnknownKid(k) => write!(f, "no key with kid {k:?}"),
            NoUsableKey => f.write_str("the token has no kid and no single key fits it"),
            InvalidJwk(why) => write!(f, "invalid JWK: {why}"),
            WeakRsaKey { bits } => write!(
                f,
                "RSA key of {bits} bits is below the minimum of {}",
                crate::limits::MIN_RSA_BITS
            ),
            KeyMismatch(why) => write!(f, "key cannot be used here: {why}"),
            BadSignature => f.write_str("signature does not verify"),
            InvalidSigningKey(why) => write!(f, "invalid signing key: {why}"),
            UnsupportedAlgorithm(a) => {
                write!(f, "algorithm {a:?} is not supported by this provider")
            }
            Rng => f.write_str("no random number generator available"),
            TooManyKeyCandidates { limit } => write!(
                f,
                "the token has no kid and more than {limit} keys fit it; give the keys kids"
            ),
            MissingClaim(c) => write!(f, "required claim {c} is missing"),
            InvalidClaim(c) => write!(f, "claim {c} has an invalid value"),
            SubPresent => f.write_str("a SET must not carry a sub claim (SSF 1.0 section 4)"),
            ExpPresent => f.write_str("a SET must not carry an exp claim (SSF 1.0 section 4)"),
            EventsEmpty => f.write_str("events must hold at least one event"),
            TooManyEvents => f.write_str("events holds more events than allowed"),
            SubIdMissing => {
                f.write_str("sub_id is required at the top level (SSF 1.0 section 3.1)")
            }
            InvalidSubject(why) => write!(f, "invalid subject identifier: {why}"),
            InvalidEvent { uri, detail } => write!(f, "event {uri}: {detail}"),
            WrongIssuer(i) => write!(f, "issuer {i:?} is not the expected issuer"),
            WrongAudience => f.write_str("aud does not contain the expected audience"),
            IssuedInFuture => f.write_str("iat is in the future beyond the allowed clock skew"),
            TooOld => f.write_str("iat is older than the allowed maximum age"),
            StateMismatch => f.write_str("verification state does not match"),
            InvalidMessage { what, detail } => write!(f, "invalid {what}: {detail}"),
            UpstreamAnswer { call, detail, .. } => write!(f, "upstream {call}: {detail}"),
            AccessTokenTyp(None) => f.write_str(
                "the header has no typ; an access token must have typ at+jwt (RFC 9068 \
                 section 2.1)",
            ),
            AccessTokenTyp(Some(t)) => write!(f, "typ {t:?} is not at+jwt (RFC 9068 section 2.1)"),
            Expired => f.write_str("the token has expired (exp is past, beyond the clock skew)"),
            NotYetValid => f.write_str("the token is not valid yet (nbf is in the future)"),
            InsufficientScope(s) => write!(f, "the token's scope does not include {s:?}"),
            SubjectMissing { uri } => write!(
                f,
                "event {uri} names no subject: there is no top-level sub_id and no subject \
                 in the event"
            ),
            IdentifierSubject { uri, format } => write!(
                f,
                "event {uri}: RISC 1.0 says the subject of this event is an email address or \
                 phone number, not {format}"
            ),
            ProfileRule { rule, detail } => {
                write!(f, "{detail}: {} ({})", rule.summary(), rule.source())
            }
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_not_found_is_exactly_unknown_kid_and_no_usable_key() {
        assert!(Error::UnknownKid("k1".into()).is_key_not_found());
        assert!(Error::NoUsableKey.is_key_not_found());
        for other in [
            Error::BadSignature,
            Error::WeakRsaKey { bits: 1024 },
            Error::KeyMismatch("x"),
            Error::InvalidJwk("x"),
            Error::AlgNotAllowed("HS256".into()),
        ] {
            assert!(!other.is_key_not_found(), "{other:?}");
        }
    }
}
