//! The event type URIs of SSF 1.0, CAEP 1.0 and RISC 1.0.

/// Base of the SSF event type URIs.
pub const SSF_BASE: &str = "https://schemas.openid.net/secevent/ssf/event-type/";
/// Base of the CAEP event type URIs.
pub const CAEP_BASE: &str = "https://schemas.openid.net/secevent/caep/event-type/";
/// Base of the RISC event type URIs.
pub const RISC_BASE: &str = "https://schemas.openid.net/secevent/risc/event-type/";

/// SSF verification.
pub const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";
/// SSF stream updated.
pub const STREAM_UPDATED: &str =
    "https://schemas.openid.net/secevent/ssf/event-type/stream-updated";

/// CAEP session revoked.
pub const SESSION_REVOKED: &str =
    "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
/// CAEP token claims change.
pub const TOKEN_CLAIMS_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
/// CAEP credential change.
pub const CREDENTIAL_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/credential-change";
/// CAEP assurance level change.
pub const ASSURANCE_LEVEL_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/assurance-level-change";
/// CAEP device compliance change.
pub const DEVICE_COMPLIANCE_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/device-compliance-change";
/// CAEP session established.
pub const SESSION_ESTABLISHED: &str =
    "https://schemas.openid.net/secevent/caep/event-type/session-established";
/// CAEP session presented.
pub const SESSION_PRESENTED: &str =
    "https://schemas.openid.net/secevent/caep/event-type/session-presented";
/// CAEP risk level change.
pub const RISK_LEVEL_CHANGE: &str =
    "https://schemas.openid.net/secevent/caep/event-type/risk-level-change";

/// RISC account credential change required.
pub const ACCOUNT_CREDENTIAL_CHANGE_REQUIRED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required";
/// RISC account purged.
pub const ACCOUNT_PURGED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/account-purged";
/// RISC account disabled.
pub const ACCOUNT_DISABLED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
/// RISC account enabled.
pub const ACCOUNT_ENABLED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/account-enabled";
/// RISC identifier changed.
pub const IDENTIFIER_CHANGED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/identifier-changed";
/// RISC identifier recycled.
pub const IDENTIFIER_RECYCLED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/identifier-recycled";
/// RISC credential compromise.
pub const CREDENTIAL_COMPROMISE: &str =
    "https://schemas.openid.net/secevent/risc/event-type/credential-compromise";
/// RISC opt in.
pub const OPT_IN: &str = "https://schemas.openid.net/secevent/risc/event-type/opt-in";
/// RISC opt out initiated.
pub const OPT_OUT_INITIATED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/opt-out-initiated";
/// RISC opt out cancelled.
pub const OPT_OUT_CANCELLED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/opt-out-cancelled";
/// RISC opt out effective.
pub const OPT_OUT_EFFECTIVE: &str =
    "https://schemas.openid.net/secevent/risc/event-type/opt-out-effective";
/// RISC recovery activated.
pub const RECOVERY_ACTIVATED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/recovery-activated";
/// RISC recovery information changed.
pub const RECOVERY_INFORMATION_CHANGED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/recovery-information-changed";
/// RISC sessions revoked (deprecated in favour of CAEP session revoked).
pub const SESSIONS_REVOKED: &str =
    "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked";

/// OAuth token-revoked, from the OAuth event types draft of the RISC working group: not
/// part of SSF, CAEP or RISC 1.0, but what Google's Cross-Account Protection sends when a
/// token it issued is revoked. Decoded as an unknown event, recognised by name.
pub const OAUTH_TOKEN_REVOKED: &str =
    "https://schemas.openid.net/secevent/oauth/event-type/token-revoked";
/// OAuth tokens-revoked (every token of the subject), from the same draft.
pub const OAUTH_TOKENS_REVOKED: &str =
    "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked";

/// Whether `name` is an absolute URI (RFC 3986 section 4.3: a scheme, `:`, and a
/// non-empty rest), as RFC 8417 section 2.2 requires of the member names of `events`.
/// Only the shape is checked: `urn:`, `tag:` and `https:` names all pass; whitespace,
/// control characters and relative references do not.
pub fn is_absolute_uri(name: &str) -> bool {
    let Some((scheme, rest)) = name.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_must_be_absolute_uris() {
        for ok in [
            SESSION_REVOKED,
            "urn:example:event",
            "tag:example.com,2026:x",
            "http://example.com/e",
        ] {
            assert!(is_absolute_uri(ok), "{ok}");
        }
        for bad in [
            "",
            "custom event",
            "/relative/path",
            "relative",
            ":no-scheme",
            "1http://x",
            "urn:",
            "https://example.com/a b",
            "urn:x\n",
        ] {
            assert!(!is_absolute_uri(bad), "{bad:?}");
        }
    }
}
