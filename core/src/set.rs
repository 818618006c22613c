//! Security Event Tokens: the claims model, validation (RFC 8417 and the SSF 1.0 profile),
//! verification and inspection.
//!
//! The profile rules are written once, in `read_claims`. Verification stops at the first
//! rule broken and returns it as an [`Error`]; inspection ([`inspect`]) runs the same rules,
//! keeps going, and lists every problem as an [`Issue`].
//!
//! ```
//! use ssf_core::{jwk::JwkSet, set::{verify, VerifyOptions}};
//! # fn demo(token: &str, jwks_json: &str) -> Result<(), ssf_core::Error> {
//! let keys = JwkSet::from_json(jwks_json)?;
//! let mut opts = VerifyOptions::new(1_700_000_000); // now, in seconds: no_std has no clock
//! opts.issuer = Some("https://idp.example.com/".into());
//! opts.audience = Some("https://sp.example.com/caep".into());
//! let set = verify(token, &keys, &opts)?;
//! for event in &set.claims.events {
//!     println!("{} about {:?}", event.uri(), set.claims.sub_id.as_ref().map(|s| s.describe()));
//! }
//! # Ok(()) }
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::alg::Algorithm;
use crate::crypto::{default_provider, CryptoProvider};
use crate::error::Error;
use crate::events::Event;
use crate::issue::{Issue, Severity};
use crate::json::{Map, Value};
use crate::jwk::JwkSet;
pub use crate::jws::SignatureVerdict;
use crate::jws::{CompactJws, Header};
use crate::subject::SubjectId;

pub use crate::profile::{Profile, Rule};

/// Latest `iat`/`toe` accepted as a NumericDate: 9999-12-31T23:59:59Z. Anything later is
/// not a date but an attack on arithmetic.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// Default tolerance for clocks running ahead, in seconds.
pub const DEFAULT_CLOCK_SKEW: u64 = 300;

/// What a verifier expects. Build with [`VerifyOptions::new`] and set the fields you need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The current time, seconds since the epoch.
    pub now: i64,
    /// Expected `iss`, compared exactly. `None` accepts any issuer (only sensible when the
    /// key set belongs to a single issuer).
    pub issuer: Option<String>,
    /// An audience `aud` must contain. `None` skips the check.
    pub audience: Option<String>,
    /// Algorithms accepted. `None` accepts every asymmetric algorithm the provider
    /// supports; HMAC and `none` are never accepted either way.
    pub algorithms: Option<Vec<Algorithm>>,
    /// How far `iat` may lie in the future, in seconds.
    pub clock_skew: u64,
    /// If set, refuse SETs whose `iat` is older than this many seconds. SETs have no
    /// `exp`, and paused streams deliver late, so there is no default.
    pub max_age: Option<u64>,
    /// Structural rules.
    pub profile: Profile,
}

impl VerifyOptions {
    /// Options for the SSF profile at time `now`, with the default clock skew and no
    /// issuer or audience expectation.
    pub fn new(now: i64) -> Self {
        VerifyOptions {
            now,
            issuer: None,
            audience: None,
            algorithms: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_age: None,
            profile: Profile::SSF,
        }
    }
}

/// The claims of a SET, typed. `raw` holds every claim as sent, unknown ones included.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// `iss`.
    pub iss: String,
    /// `jti`.
    pub jti: String,
    /// `iat`, seconds since the epoch.
    pub iat: i64,
    /// `aud`, as a list (a single string becomes one item).
    pub aud: Vec<String>,
    /// `txn`, if present.
    pub txn: Option<String>,
    /// `toe`, if present.
    pub toe: Option<i64>,
    /// `sub_id`, if present.
    pub sub_id: Option<SubjectId>,
    /// The events, in document order.
    pub events: Vec<Event>,
    /// Every claim as sent.
    pub raw: Map,
}

impl Claims {
    /// The events' type URIs, in order.
    pub fn event_uris(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(Event::uri)
    }
}

/// A verified (or, from [`inspect`], merely decoded) SET.
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    /// The protected header.
    pub header: Header,
    /// The claims.
    pub claims: Claims,
    /// What the profile rules noted without refusing the SET (warnings and notes, each with
    /// its JSON Pointer path), e.g. an event claim of an unexpected type that the event
    /// type leaves open. From [`inspect`], the errors are in [`Inspection::issues`] instead.
    pub warnings: Vec<Issue>,
}

/// Verifies `token` against `keys` with the default crypto provider, then validates it.
pub fn verify(token: &str, keys: &JwkSet, opts: &VerifyOptions) -> Result<Set, Error> {
    verify_with(token, keys, opts, default_provider())
}

/// [`verify`] with a chosen crypto provider.
///
/// Order of checks: framing and header (size, base64url, JSON, `alg` allowed, no `crit`,
/// `typ`), key selection, signature, then the claims. Claims are not interpreted before
/// the signature has been checked.
///
/// A token without `kid` is checked against each key that fits its `alg`, in key-set
/// order, at most [`MAX_KEY_CANDIDATES`](crate::limits::MAX_KEY_CANDIDATES) of them (see
/// [`JwkSet::select_candidates`]); the first that verifies wins, and when none does the
/// error is [`Error::BadSignature`].
pub fn verify_with(
    token: &str,
    keys: &JwkSet,
    opts: &VerifyOptions,
    provider: &dyn CryptoProvider,
) -> Result<Set, Error> {
    let pending = begin_verify(token, keys, opts)?;
    let verified = pending.check_with(provider)?;
    pending.finish_with_candidate(verified, opts)
}

/// Verification split around the signature check, for callers whose cryptography is
/// asynchronous (WebCrypto in Workers and browsers) and so cannot sit behind the
/// synchronous [`CryptoProvider`] trait.
///
/// [`begin_verify`] applies every rule [`verify_with`] applies before the signature
/// (framing, header, `alg` allow-list, key selection and the keys' fitness for `alg`) and
/// hands back what the signature check needs; the caller checks the signature under each
/// of [`PendingSignature::candidates`] in turn, stopping at the first that verifies, and
/// [`PendingSignature::finish_with_candidate`] takes the result and applies the claim
/// rules. Same checks, same order, same errors as [`verify_with`].
///
/// A token with a `kid` has exactly one candidate (then [`PendingSignature::key`] and
/// [`PendingSignature::finish`] are enough); one without `kid` has one per key that fits
/// its `alg`, at most [`MAX_KEY_CANDIDATES`](crate::limits::MAX_KEY_CANDIDATES).
///
/// ```
/// use ssf_core::set::{begin_verify, VerifyOptions};
/// # fn check(_alg: ssf_core::Algorithm, _key: &ssf_core::jwk::Jwk, _input: &[u8], _sig: &[u8]) -> bool { false }
/// # fn demo(token: &str, keys: &ssf_core::jwk::JwkSet) -> Result<(), ssf_core::Error> {
/// let opts = VerifyOptions::new(1_700_000_000);
/// let pending = begin_verify(token, keys, &opts)?;
/// // e.g. `await crypto.subtle.verify(...)` in a Worker, once per candidate
/// let verified = pending.candidates().iter().position(|key| {
///     check(pending.algorithm(), key, pending.signing_input(), pending.signature())
/// });
/// let set = pending.finish_with_candidate(verified, &opts)?;
/// # let _ = set; Ok(()) }
/// ```
pub fn begin_verify<'t, 'k>(
    token: &'t str,
    keys: &'k JwkSet,
    opts: &VerifyOptions,
) -> Result<PendingSignature<'t, 'k>, Error> {
    PendingSignature::begin(token, keys, opts.algorithms.as_deref(), |header, alg| {
        if opts.profile.requires_typ() || header.typ.is_some() {
            header.check_set_typ()?;
        }
        profile_alg(opts.profile, alg)
    })
}

/// A SET whose framing and header passed and whose candidate keys are chosen, waiting
/// for its signature to be checked. See [`begin_verify`]; the accessors are those of
/// [`jws::PendingSignature`](crate::jws::PendingSignature), shared with access tokens.
pub type PendingSignature<'t, 'k> = crate::jws::PendingSignature<'t, 'k, Set>;

impl PendingSignature<'_, '_> {
    /// Takes the verdict for [`PendingSignature::key`] and, if valid, applies every claim
    /// rule. With several candidates use [`PendingSignature::finish_with_candidate`].
    pub fn finish(self, verdict: SignatureVerdict, opts: &VerifyOptions) -> Result<Set, Error> {
        self.finish_with_candidate(verdict.as_candidate(), opts)
    }

    /// Takes the index into [`PendingSignature::candidates`] of the key under which the
    /// signature verified (`None`: under none of them) and, if there is one, applies
    /// every claim rule. An index outside the list is [`Error::BadSignature`] like `None`:
    /// only a key that was a candidate can make the signature valid.
    pub fn finish_with_candidate(
        self,
        verified: Option<usize>,
        opts: &VerifyOptions,
    ) -> Result<Set, Error> {
        let (header, raw) = self.into_verified(verified)?;
        let mut report = Report::strict();
        let claims = read_claims(raw, Some(opts), opts.profile, &mut report);
        match (report.first_error, claims) {
            (Some(e), _) => Err(e),
            (None, Some(claims)) => Ok(Set {
                header,
                claims,
                // Strict mode keeps nothing but warnings.
                warnings: report.issues,
            }),
            // read_claims yields claims whenever it reports no error.
            (None, None) => Err(Error::MissingClaim("events")),
        }
    }
}

/// The algorithm a profile requires, if any (checked when verifying and when signing).
pub(crate) fn profile_alg(profile: Profile, alg: Algorithm) -> Result<(), Error> {
    if profile.has(Rule::Rs256Required) && alg != Algorithm::RS256 {
        return Err(Error::ProfileRule {
            rule: Rule::Rs256Required,
            detail: format!("alg is {}", alg.name()),
        });
    }
    Ok(())
}

/// Collects problems: in strict mode only the first error matters; in inspection mode
/// everything is kept.
struct Report {
    keep_all: bool,
    first_error: Option<Error>,
    issues: Vec<Issue>,
}

impl Report {
    fn strict() -> Self {
        Report {
            keep_all: false,
            first_error: None,
            issues: Vec::new(),
        }
    }

    fn collecting() -> Self {
        Report {
            keep_all: true,
            ..Report::strict()
        }
    }

    fn error(&mut self, e: Error, path: &str) {
        if self.keep_all {
            self.issues.push(Issue::from_error(&e, path));
        }
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
    }

    /// Warnings are kept in both modes: a verified SET carries them.
    fn warn(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// Whether to continue checking: strict mode stops at the first error.
    fn go_on(&self) -> bool {
        self.keep_all || self.first_error.is_none()
    }
}

fn claim_path(name: &str) -> String {
    format!("/claims/{name}")
}

/// A required non-empty string claim.
fn required_string(raw: &Map, name: &'static str, report: &mut Report) -> Option<String> {
    match raw.get(name) {
        None => report.error(Error::MissingClaim(name), &claim_path(name)),
        Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
        Some(_) => report.error(Error::InvalidClaim(name), &claim_path(name)),
    }
    None
}

/// Reads a NumericDate (RFC 7519 section 2): a non-negative number of seconds. Fractions
/// are allowed by the RFC and truncated; values beyond [`MAX_NUMERIC_DATE`] are refused.
pub fn numeric_date(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    let secs = match n.as_i64() {
        Some(i) => i,
        None => {
            let f = n.as_f64()?;
            if !(0.0..=MAX_NUMERIC_DATE as f64).contains(&f) {
                return None;
            }
            f as i64
        }
    };
    (0..=MAX_NUMERIC_DATE).contains(&secs).then_some(secs)
}

fn optional_date(raw: &Map, name: &'static str, report: &mut Report) -> Option<i64> {
    let v = raw.get(name)?;
    let d = numeric_date(v);
    if d.is_none() {
        report.error(Error::InvalidClaim(name), &claim_path(name));
    }
    d
}

fn audiences(raw: &Map, report: &mut Report) -> Vec<String> {
    match raw.get("aud").map(audience_list) {
        None => Vec::new(),
        Some(Ok(list)) => list,
        Some(Err(e)) => {
            report.error(e, "/claims/aud");
            Vec::new()
        }
    }
}

/// An `aud` value as a list: a string, or a non-empty array of strings (RFC 7519
/// section 4.1.3).
pub(crate) fn audience_list(v: &Value) -> Result<Vec<String>, Error> {
    match v {
        Value::String(s) => Ok(alloc::vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<String>>>()
            .ok_or(Error::InvalidClaim("aud")),
        _ => Err(Error::InvalidClaim("aud")),
    }
}

/// The profile rules on a claims set, in one place.
///
/// With `opts`, the caller's expectations (issuer, audience, clock) are checked too.
/// Returns the typed claims when the structure allows building them (even if an
/// expectation failed, in collecting mode).
fn read_claims(
    raw: Map,
    opts: Option<&VerifyOptions>,
    profile: Profile,
    report: &mut Report,
) -> Option<Claims> {
    let iss = required_string(&raw, "iss", report);
    let iat = match raw.get("iat") {
        None => {
            report.error(Error::MissingClaim("iat"), "/claims/iat");
            None
        }
        Some(_) => optional_date(&raw, "iat", report),
    };
    let jti = required_string(&raw, "jti", report);
    if raw.contains_key("sub") {
        report.error(Error::SubPresent, "/claims/sub");
    }
    if raw.contains_key("exp") {
        report.error(Error::ExpPresent, "/claims/exp");
    }
    let aud = audiences(&raw, report);
    let toe = optional_date(&raw, "toe", report);
    let txn = match raw.get("txn") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            // RFC 8417 section 2.2 types txn as a string, as iss and jti.
            report.error(Error::InvalidClaim("txn"), "/claims/txn");
            None
        }
    };
    if !report.go_on() {
        return None;
    }
    let sub_id = read_subject(&raw, profile, report);
    let events = read_events(&raw, profile, report);
    for event in events.iter().flatten() {
        check_event_subject(event, sub_id.as_ref(), profile, report);
    }
    if let (Some(opts), Some(iss), Some(iat)) = (opts, iss.as_deref(), iat) {
        check_expectations(opts, profile, iss, &aud, iat, report);
    }
    Some(Claims {
        iss: iss?,
        jti: jti?,
        iat: iat?,
        aud,
        txn,
        toe,
        sub_id,
        events: events?,
        raw,
    })
}

fn read_subject(raw: &Map, profile: Profile, report: &mut Report) -> Option<SubjectId> {
    match raw.get("sub_id") {
        None => {
            if !profile.has(Rule::SubjectInEvent) && !profile.has(Rule::SubjectOptional) {
                report.error(Error::SubIdMissing, "/claims/sub_id");
            } else {
                report.warn(Issue::warning(
                    "sub_id_missing",
                    "no top-level sub_id: SSF 1.0 requires one",
                    "/claims/sub_id",
                ));
            }
            None
        }
        Some(v) => match SubjectId::from_value(v) {
            Ok((s, issues)) => {
                for i in issues {
                    report.warn(prefix_path(i, "/claims/sub_id"));
                }
                Some(s)
            }
            Err(e) => {
                report.error(e, "/claims/sub_id");
                None
            }
        },
    }
}

fn read_events(raw: &Map, profile: Profile, report: &mut Report) -> Option<Vec<Event>> {
    let events = match raw.get("events") {
        None => {
            report.error(Error::MissingClaim("events"), "/claims/events");
            return None;
        }
        Some(Value::Object(m)) => m,
        Some(_) => {
            report.error(Error::InvalidClaim("events"), "/claims/events");
            return None;
        }
    };
    if events.is_empty() {
        report.error(Error::EventsEmpty, "/claims/events");
        return None;
    }
    if events.len() > profile.max_events() {
        report.error(Error::TooManyEvents, "/claims/events");
        if !report.go_on() {
            return None;
        }
    } else if events.len() > 1 {
        report.warn(Issue::warning(
            "multiple_events",
            "SSF 1.0 says a SET should carry a single event",
            "/claims/events",
        ));
    }
    let mut out = Vec::with_capacity(events.len());
    for (uri, payload) in events.iter() {
        match Event::parse(uri, payload) {
            Ok((ev, mut issues)) => {
                timestamp_issues(payload, profile, &mut issues);
                // The path is built only when there is something to report under it.
                if !issues.is_empty() {
                    let path = event_path(uri);
                    for i in issues {
                        match profile_refusal(&i, profile) {
                            Some(e) => report.error(e, &path),
                            None => report.warn(prefix_path(i, &path)),
                        }
                    }
                }
                out.push(ev);
            }
            Err(e) => {
                report.error(e, &event_path(uri));
                if !report.go_on() {
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// An event issue that `profile` turns into a refusal.
fn profile_refusal(issue: &Issue, profile: Profile) -> Option<Error> {
    match issue.code {
        "interop_reason_admin" if profile.has(Rule::ReasonAdminRequired) => {
            Some(Error::ProfileRule {
                rule: Rule::ReasonAdminRequired,
                detail: "reason_admin is missing or empty".into(),
            })
        }
        _ => None,
    }
}

/// An `event_timestamp` at or beyond this many seconds (the year 5138) is taken for
/// milliseconds: as milliseconds it is any date after March 1973.
const MILLISECONDS_FROM: f64 = 100_000_000_000.0;

/// Notes an `event_timestamp` given in milliseconds: read as seconds under
/// [`Rule::MillisecondTimestamps`], only reported elsewhere.
fn timestamp_issues(payload: &Value, profile: Profile, issues: &mut Vec<Issue>) {
    let Some(ts) = payload.get("event_timestamp").and_then(Value::as_number) else {
        return;
    };
    let Some(ms) = ts.as_f64().filter(|f| *f >= MILLISECONDS_FROM) else {
        return;
    };
    let message = if profile.has(Rule::MillisecondTimestamps) {
        format!(
            "event_timestamp is in milliseconds; read as {} seconds since the epoch",
            (ms / 1000.0) as i64
        )
    } else {
        format!(
            "event_timestamp {} looks like milliseconds, where CAEP 1.0 section 2 says seconds \
             (the okta profile reads it as milliseconds)",
            ms as i64
        )
    };
    issues.push(Issue::warning(
        "event_timestamp_milliseconds",
        message,
        "/event_timestamp",
    ));
}

/// The `event_timestamp` of an event payload in seconds, as `profile` reads it
/// (milliseconds converted under [`Rule::MillisecondTimestamps`]).
pub fn event_timestamp(payload: &Value, profile: Profile) -> Option<i64> {
    let n = payload.get("event_timestamp")?.as_number()?;
    let f = n.as_f64()?;
    if f >= MILLISECONDS_FROM && profile.has(Rule::MillisecondTimestamps) {
        return numeric_date(&Value::from((f / 1000.0) as i64));
    }
    numeric_date(&Value::Number(n.clone()))
}

/// The subject rules for one event: it must name a subject unless the profile lets it
/// go without (SSF verification and stream-updated are about the stream, and need none);
/// RISC identifier events are about an email address or phone number.
fn check_event_subject(
    event: &Event,
    sub_id: Option<&SubjectId>,
    profile: Profile,
    report: &mut Report,
) {
    let path = event_path(event.uri());
    let legacy = event.legacy_subject();
    let about_stream = matches!(event, Event::Verification(_) | Event::StreamUpdated(_));
    if sub_id.is_none() && legacy.is_none() && !about_stream {
        // An event type outside the catalogue keeps a malformed subject as sent; where
        // that subject is the SET's only one, say what is wrong with it.
        let sent = event.to_value();
        let unreadable = sent
            .get("subject")
            .and_then(|v| SubjectId::from_legacy_value(v).err());
        let needs_one = profile.has(Rule::SubjectInEvent) && !profile.has(Rule::SubjectOptional);
        if let (Some(e), true) = (unreadable, needs_one) {
            report.error(e, &format!("{path}/subject"));
        } else if profile.has(Rule::SubjectOptional) {
            report.warn(Issue::warning(
                "subject_missing",
                "the event names no subject (no sub_id, no subject in the event)",
                path.as_str(),
            ));
        } else if profile.has(Rule::SubjectInEvent) {
            let uri = event.uri().into();
            report.error(Error::SubjectMissing { uri }, &path);
        }
    }
    for issue in event.check_subject(sub_id) {
        let strict = !profile.has(Rule::IdentifierSubjectAdvisory);
        match sub_id.or(legacy.as_ref()) {
            Some(subject) if strict && issue.code == "identifier_subject_format" => {
                let (uri, format) = (event.uri().into(), subject.format().into());
                report.error(Error::IdentifierSubject { uri, format }, &path);
            }
            _ => report.warn(prefix_path(issue, &path)),
        }
    }
}

/// Whether `iss` is `expected`, or under [`Rule::IssuerTrailingSlash`] differs from it only
/// by a trailing `/`.
fn issuer_matches(expected: &str, iss: &str, profile: Profile) -> bool {
    if expected == iss {
        return true;
    }
    fn bare(s: &str) -> &str {
        s.strip_suffix('/').unwrap_or(s)
    }
    profile.has(Rule::IssuerTrailingSlash) && bare(expected) == bare(iss)
}

fn check_expectations(
    opts: &VerifyOptions,
    profile: Profile,
    iss: &str,
    aud: &[String],
    iat: i64,
    report: &mut Report,
) {
    if let Some(expected) = opts.issuer.as_deref() {
        if !issuer_matches(expected, iss, profile) {
            report.error(Error::WrongIssuer(iss.to_string()), "/claims/iss");
        }
    }
    if let Some(expected) = opts.audience.as_deref() {
        if !aud.iter().any(|a| a == expected) {
            report.error(Error::WrongAudience, "/claims/aud");
        }
    }
    let skew = i64::try_from(opts.clock_skew).unwrap_or(i64::MAX);
    if iat > opts.now.saturating_add(skew) {
        report.error(Error::IssuedInFuture, "/claims/iat");
    }
    if let Some(max_age) = opts.max_age {
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        if opts.now.saturating_sub(iat) > max_age {
            report.error(Error::TooOld, "/claims/iat");
        }
    }
}

/// Escapes a JSON-pointer token (RFC 6901): `~` as `~0`, `/` as `~1`.
fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The path of the issues about event `uri` (`/claims/events/<escaped uri>`), so that
/// callers can tell which issues belong to which event.
pub fn event_path(uri: &str) -> String {
    format!("/claims/events/{}", pointer_escape(uri))
}

fn prefix_path(mut issue: Issue, prefix: &str) -> Issue {
    issue.path = format!("{prefix}{}", issue.path);
    issue
}

/// Validates a claims set against a profile without any signature or expectation: what a
/// signer checks before signing.
pub fn check_claims(raw: &Map, profile: Profile) -> Result<Claims, Error> {
    let mut report = Report::strict();
    let claims = read_claims(raw.clone(), None, profile, &mut report);
    match (report.first_error, claims) {
        (Some(e), _) => Err(e),
        (None, Some(c)) => Ok(c),
        (None, None) => Err(Error::MissingClaim("events")),
    }
}

/// What [`inspect`] found: everything readable, and every problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// The protected header.
    pub header: Header,
    /// The claims as sent.
    pub claims: Map,
    /// The typed SET, when its structure allowed building one.
    pub set: Option<Set>,
    /// The subject, from `sub_id` or else a legacy in-event `subject`.
    pub subject: Option<SubjectId>,
    /// Every problem, in the order found. Errors mean verification would fail.
    pub issues: Vec<Issue>,
}

impl Inspection {
    /// Whether no error-level issue was found (a signature is never checked here).
    pub fn is_valid_structure(&self) -> bool {
        !self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// Decodes a compact SET without checking its signature and explains it: header and
/// claims, typed events, the subject, and every problem found by the same rules
/// [`verify`] applies (with `opts`, also the caller's issuer, audience and clock).
///
/// Fails only when `token` is not a compact JWS with JSON header and payload objects.
pub fn inspect(token: &str, opts: Option<&VerifyOptions>) -> Result<Inspection, Error> {
    let jws = CompactJws::parse(token)?;
    let raw = jws.claims()?;
    let profile = opts.map_or(Profile::SSF, |o| o.profile);
    let mut report = Report::collecting();
    header_issues(&jws.header, opts, profile, &mut report);
    let claims = read_claims(raw.clone(), opts, profile, &mut report);
    let subject = claims
        .as_ref()
        .and_then(|c| c.sub_id.clone())
        .or_else(|| legacy_subject(claims.as_ref()));
    let set = claims.map(|claims| Set {
        header: jws.header.clone(),
        claims,
        warnings: report
            .issues
            .iter()
            .filter(|i| i.severity != Severity::Error)
            .cloned()
            .collect(),
    });
    Ok(Inspection {
        header: jws.header,
        claims: raw,
        set,
        subject,
        issues: report.issues,
    })
}

/// The first in-event `subject` of a legacy SET, when there is no `sub_id`.
fn legacy_subject(claims: Option<&Claims>) -> Option<SubjectId> {
    claims?.events.iter().find_map(Event::legacy_subject)
}

fn header_issues(
    header: &Header,
    opts: Option<&VerifyOptions>,
    profile: Profile,
    report: &mut Report,
) {
    match header.algorithm() {
        Ok(alg) => {
            if let Some(allowed) = opts.and_then(|o| o.algorithms.as_ref()) {
                if !allowed.contains(&alg) {
                    report.error(Error::AlgNotAllowed(alg.name().into()), "/header/alg");
                }
            }
        }
        Err(e) => report.error(e, "/header/alg"),
    }
    if header.has_crit {
        report.error(Error::CritUnsupported, "/header/crit");
    }
    if profile.requires_typ() || header.typ.is_some() {
        if let Err(e) = header.check_set_typ() {
            report.error(e, "/header/typ");
        }
    }
    if let Ok(alg) = header.algorithm() {
        if let Err(e) = profile_alg(profile, alg) {
            report.error(e, "/header/alg");
        }
    }
    for member in ["jku", "x5u", "jwk", "x5c"] {
        if header.raw.contains_key(member) {
            report.warn(Issue::warning(
                "header_key_ignored",
                format!("header member {member} is never used to find the verification key"),
                format!("/header/{member}"),
            ));
        }
    }
    if header.kid.is_none() {
        report.warn(Issue::info(
            "kid_missing",
            "no kid: a verifier can only use a key set with one matching key",
            "/header",
        ));
    }
}
