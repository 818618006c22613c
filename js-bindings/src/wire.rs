//! The wire messages of push, poll and the SSF management API, for the package's transport
//! layer (`receivePush`, `pushSet`, `PollClient`, `SsfClient`).
//!
//! The JS layer never declares these shapes itself: it builds a plain object, and core
//! reads it strictly and writes it back (so a request leaves the package only in a shape
//! core accepts), and every answer from a peer is read by core before the JS layer looks
//! at it (so a malformed poll response or stream configuration is refused the same way the
//! worker would refuse it).

use ssf_core::wire;
use ssf_core::Error;
use wasm_bindgen::prelude::*;

use crate::fail;

/// Reads the JSON text of a wire message of `kind` strictly and returns it as core writes
/// it (members of the input kept, in their order).
///
/// Kinds: `pollRequest`, `pollResponse`, `pushError`, `streamConfig`, `createStream`,
/// `updateStream`, `streamStatus`, `addSubject`, `removeSubject`, `verification`,
/// `metadata`, `problem`. A failure is thrown like every other one (`invalid_request`,
/// reason `invalid_message`, the message naming the member).
#[wasm_bindgen(js_name = wireMessage)]
pub fn wire_message(kind: &str, json: &str) -> Result<String, String> {
    let run = || -> Result<String, Error> {
        Ok(match kind {
            "pollRequest" => wire::PollRequest::from_json(json)?.to_json(),
            "pollResponse" => wire::PollResponse::from_json(json)?.to_json(),
            "pushError" => wire::PushError::from_json(json)?.to_json(),
            "streamConfig" => wire::StreamConfig::from_json(json)?.to_json(),
            "createStream" => wire::CreateStreamRequest::from_json(json)?.to_json(),
            "updateStream" => wire::UpdateStreamRequest::from_json(json)?.to_json(),
            "streamStatus" => wire::StreamStatus::from_json(json)?.to_json(),
            "addSubject" => wire::AddSubjectRequest::from_json(json)?.to_json(),
            "removeSubject" => wire::RemoveSubjectRequest::from_json(json)?.to_json(),
            "verification" => wire::VerificationRequest::from_json(json)?.to_json(),
            "metadata" => wire::TransmitterMetadata::from_json(json)?.to_json(),
            "problem" => wire::ProblemDetails::from_json(json)?.to_json(),
            _ => return Err(Error::InvalidClaim("wire message kind")),
        })
    };
    run().map_err(|e| fail(&e))
}

/// The SSF discovery URL of an issuer (SSF 1.0 section 7.2, the well-known path inserted
/// before the issuer's path).
#[wasm_bindgen(js_name = discoveryUrl)]
pub fn discovery_url(issuer: &str) -> Result<String, String> {
    wire::discovery_url(issuer).map_err(|e| fail(&e))
}

/// Reads the answer to a stream creation the way core's SSF client does
/// (`wire::client::Transmitter::read_created`): `200` / `201`, a stream configuration, and
/// its `iss` the transmitter's `issuer` (SSF 1.0 section 8.1.1.1).
#[wasm_bindgen(js_name = createdStream)]
pub fn created_stream(issuer: &str, status: u16, body: &str) -> Result<String, String> {
    let transmitter = wire::client::Transmitter {
        metadata: wire::TransmitterMetadata::new(issuer),
    };
    transmitter
        .read_created(status, body.as_bytes())
        .map(|c| c.to_json())
        .map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_bad_ones_fail() {
        let req = r#"{"ack":["a"],"setErrs":{"b":{"err":"invalid_key","description":"d"}},"maxEvents":5,"returnImmediately":true}"#;
        assert_eq!(wire_message("pollRequest", req).as_deref(), Ok(req));
        assert!(wire_message("pollResponse", r#"{"sets":{"j":""}}"#).is_err());
        assert!(wire_message("pollRequest", r#"{"maxEvents":-1}"#).is_err());
        assert!(wire_message("nonsense", "{}").is_err());
        assert_eq!(
            discovery_url("https://tr.example.com/issuer1/").as_deref(),
            Ok("https://tr.example.com/.well-known/ssf-configuration/issuer1")
        );
    }
}
