//! Helpers shared by the fuzz targets: fixed keys, the input layouts of the targets that
//! take a selector byte, and the property checks several targets make.
//!
//! Input layouts (the seed generator, `seeds/generate.mjs`, writes the same):
//! * `events`: byte 0 picks the event type URI ([`event_uri`]), the rest is the payload JSON;
//!   for a selector past the catalogue, the URI is the text up to the first `\n`.
//! * `wire`: byte 0 picks the message type ([`WIRE_KINDS`], modulo its length), the rest is
//!   the message JSON.

use std::fmt::Debug;

use ssf_core::events::catalog;
use ssf_core::json::Value;

/// The message types of the `wire` target, in selector order.
pub const WIRE_KINDS: &[&str] = &[
    "create_stream",    // 0 CreateStreamRequest (+ into_config)
    "update_stream",    // 1 UpdateStreamRequest (+ apply_patch, apply_replace)
    "stream_config",    // 2 StreamConfig
    "stream_list",      // 3 StreamConfig::list_from_value
    "stream_status",    // 4 StreamStatus
    "add_subject",      // 5 AddSubjectRequest
    "remove_subject",   // 6 RemoveSubjectRequest
    "verification",     // 7 VerificationRequest
    "poll_request",     // 8 PollRequest
    "poll_response",    // 9 PollResponse
    "push_error",       // 10 PushError (RFC 8935 error body, poll setErrs entry)
    "problem_details",  // 11 ProblemDetails (RFC 9457)
    "transmitter_meta", // 12 TransmitterMetadata
];

/// The event type URI that selector `sel` of the `events` target stands for: the
/// catalogue's URIs for `0..n`, their legacy `http:` spellings for `n..2n`, `None` above.
pub fn event_uri(sel: u8) -> Option<String> {
    let cat = catalog();
    let i = usize::from(sel);
    if i < cat.len() {
        Some(cat[i].uri.to_string())
    } else if i < 2 * cat.len() {
        Some(cat[i - cat.len()].uri.replacen("https:", "http:", 1))
    } else {
        None
    }
}

/// Public keys a fuzzed token can be verified with: the P-256 key of the duo-labs SET
/// vector and the RSA key of the i2goSignals vector (their `kid`s), and the RFC 8037
/// Ed25519 key that [`SIGNING_JWK`] signs with.
pub const VERIFY_JWKS: &str = r#"{"keys":[
 {"kty":"EC","crv":"P-256","kid":"transmitter-ES256-001","alg":"ES256","x":"YJ0AaXbOH8wcB1FLXiqXj2zGSfciIb_-x-i9B5Ica7Q","y":"bll4Myk4oui5P8kCzaMzgxlEV9q7tECVcpcVACJzWNU"},
 {"kty":"RSA","kid":"golden-kid","alg":"RS256","n":"5GpbAPufi3nVHyaTE4e1m_zzwgZ7q2vzWmiVFhRPqjt63tYA-0tjR3NCP3b4Y4QqARgmeOgC14EHevPwnVvijmKJiwE3swTi0Z9S3dC29xOVqh5yzEq5QBvfthWLA3ULivbF_bgPm5KgVzZ--XOCH0KpaEw0NM8zaWviMspqHvKX5GEU0O-73dC_FFM1cVBfvW7pLc8UaBhl3SNkIXZ2kG2TCTf2b4f51YsgFx87bYCJwP500hp7qbZsB53TSUQ5lyiA1W9aPQmciZ-xzRol7kLg9wXcynz-cxr2B764FkVdtkU0kGshXY8wQGEpbvcfy9yO_dnR17evV1l7O9zrXQ","e":"AQAB"},
 {"kty":"OKP","crv":"Ed25519","kid":"fuzz-ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
]}"#;

/// The RFC 8037 appendix A.1 Ed25519 private key (published test key).
pub const SIGNING_JWK: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"fuzz-ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

/// Standard (padded) base64, to wrap fuzzed DER into PEM.
pub fn base64_std(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                out.push(A[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The decode -> encode -> decode property of a message type: what `from` accepts, `to`
/// writes back as exactly the input value (the wire types keep unknown members and member
/// order), and that output reads back as an equal message.
pub fn round_trip<T, E>(
    what: &str,
    input: &Value,
    from: impl Fn(&Value) -> Result<T, E>,
    to: impl Fn(&T) -> Value,
) -> Option<T>
where
    T: PartialEq + Debug,
    E: Debug,
{
    let first = from(input).ok()?;
    let out = to(&first);
    assert_eq!(
        &out, input,
        "{what}: to_value does not give back the value read"
    );
    let again = from(&out).unwrap_or_else(|e| panic!("{what}: its own output is refused: {e:?}"));
    assert_eq!(
        first, again,
        "{what}: decode -> encode -> decode changed the message"
    );
    Some(first)
}
