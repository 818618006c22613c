//! `source.register`: a receiver asking a node to register itself at the upstream
//! transmitter (the receiver's side of SSF done by the node), and the registration's state
//! as the node reports it.
//!
//! ```json
//! "source": {"issuer": "https://idp.example.com/",
//!            "register": {"delivery": "push" | "poll",
//!                         "auth": {"bearer": "TOKEN"}
//!                               | {"client_credentials": {"token_endpoint", "client_id",
//!                                                        "client_secret", "scope"?}},
//!                         "configuration_url"?: URL}}
//! ```
//!
//! `jwks` / `jwks_uri` / `audience` are not given: they come from the upstream's discovery
//! document and its answer to the stream creation. The secrets (the bearer token, the
//! client secret) are write-only: [`Register::redacted`] is what reads show.
//!
//! ```
//! use ssf_core::json::parse;
//! use ssf_core::wire::upstream::{Register, UpstreamDelivery};
//!
//! let v = parse(br#"{"delivery": "poll", "auth": {"client_credentials": {
//!     "token_endpoint": "https://as.example.com/token", "client_id": "rp",
//!     "client_secret": "s3cret"}}}"#, ssf_core::error::Part::Document)?;
//! let r = Register::from_value(&v)?;
//! assert_eq!(r.delivery, UpstreamDelivery::Poll);
//! assert!(!r.redacted().to_json().contains("s3cret"));
//! # Ok::<(), ssf_core::Error>(())
//! ```

use alloc::string::{String, ToString};

use crate::error::Error;
use crate::json::{Map, Value};

use super::client::ClientCredentials;
use super::{invalid, Obj};

const WHAT: &str = "source.register";

/// How the upstream delivers to the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpstreamDelivery {
    /// The upstream pushes to the stream's push endpoint (RFC 8935).
    Push,
    /// The node polls the upstream (RFC 8936).
    Poll,
}

impl UpstreamDelivery {
    /// `push` or `poll`.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamDelivery::Push => "push",
            UpstreamDelivery::Poll => "poll",
        }
    }
}

/// How the node authenticates to the upstream's API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpstreamAuth {
    /// A static bearer token.
    Bearer(String),
    /// OAuth 2.0 client credentials.
    ClientCredentials(ClientCredentials),
}

/// A validated `source.register`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Register {
    /// Push or poll.
    pub delivery: UpstreamDelivery,
    /// The credentials for the upstream's API.
    pub auth: UpstreamAuth,
    /// Where the upstream's discovery document is, when not at the issuer's well-known URL.
    pub configuration_url: Option<String>,
}

impl Register {
    /// Reads `source.register` strictly (unknown members refused: a misspelt member is
    /// not silently ignored where credentials are concerned).
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        if let Some(name) = obj
            .extra(&["delivery", "auth", "configuration_url"])
            .keys()
            .next()
        {
            return Err(obj.err(name, "is not a member of source.register"));
        }
        let delivery = match obj.get("delivery") {
            Some(Value::String(s)) if s == "push" => UpstreamDelivery::Push,
            Some(Value::String(s)) if s == "poll" => UpstreamDelivery::Poll,
            _ => return Err(obj.err("delivery", "must be \"push\" or \"poll\"")),
        };
        let auth = read_auth(obj.required("auth")?)?;
        Ok(Register {
            delivery,
            auth,
            configuration_url: obj.opt_nonempty("configuration_url")?,
        })
    }

    /// What a read shows: `auth` reduced to `{"type": "bearer"}` or `{"type":
    /// "client_credentials", "client_id", "token_endpoint"}`; no secret.
    pub fn redacted(&self) -> Value {
        let mut auth = Map::new();
        match &self.auth {
            UpstreamAuth::Bearer(_) => {
                auth.insert("type", "bearer");
            }
            UpstreamAuth::ClientCredentials(c) => {
                auth.insert("type", "client_credentials");
                auth.insert("client_id", c.client_id.as_str());
                auth.insert("token_endpoint", c.token_endpoint.as_str());
                if let Some(s) = &c.scope {
                    auth.insert("scope", s.as_str());
                }
            }
        }
        self.with_auth(auth)
    }

    /// The object around `auth` (in the order a receiver writes it).
    fn with_auth(&self, auth: Map) -> Value {
        let mut m = Map::new();
        m.insert("delivery", self.delivery.as_str());
        m.insert("auth", Value::Object(auth));
        if let Some(u) = &self.configuration_url {
            m.insert("configuration_url", u.as_str());
        }
        Value::Object(m)
    }

    /// The whole object, secrets included (for the node's own storage only).
    pub fn to_value(&self) -> Value {
        let auth = match &self.auth {
            UpstreamAuth::Bearer(t) => {
                let mut m = Map::new();
                m.insert("bearer", t.as_str());
                m
            }
            UpstreamAuth::ClientCredentials(c) => {
                let mut cc = Map::new();
                cc.insert("token_endpoint", c.token_endpoint.as_str());
                cc.insert("client_id", c.client_id.as_str());
                cc.insert("client_secret", c.client_secret.as_str());
                if let Some(s) = &c.scope {
                    cc.insert("scope", s.as_str());
                }
                let mut m = Map::new();
                m.insert("client_credentials", Value::Object(cc));
                m
            }
        };
        self.with_auth(auth)
    }

    /// The URLs the node will call, for the caller's URL policy.
    pub fn urls(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let token = match &self.auth {
            UpstreamAuth::ClientCredentials(c) => Some((
                "auth.client_credentials.token_endpoint",
                c.token_endpoint.as_str(),
            )),
            UpstreamAuth::Bearer(_) => None,
        };
        self.configuration_url
            .as_deref()
            .map(|u| ("configuration_url", u))
            .into_iter()
            .chain(token)
    }
}

fn read_auth(value: &Value) -> Result<UpstreamAuth, Error> {
    let obj = Obj::new(value, "source.register.auth")?;
    match (obj.get("bearer"), obj.get("client_credentials")) {
        (Some(_), None) if obj.extra(&["bearer"]).is_empty() => {
            Ok(UpstreamAuth::Bearer(obj.req_nonempty("bearer")?))
        }
        (None, Some(cc)) if obj.extra(&["client_credentials"]).is_empty() => {
            let c = Obj::new(cc, "source.register.auth.client_credentials")?;
            let known = ["token_endpoint", "client_id", "client_secret", "scope"];
            if let Some(name) = c.extra(&known).keys().next() {
                return Err(c.err(name, "is not a member of client_credentials"));
            }
            Ok(UpstreamAuth::ClientCredentials(ClientCredentials {
                token_endpoint: c.req_nonempty("token_endpoint")?,
                client_id: c.req_nonempty("client_id")?,
                client_secret: c.req_nonempty("client_secret")?,
                scope: c.opt_nonempty("scope")?,
            }))
        }
        _ => Err(invalid(
            WHAT,
            "auth must be exactly one of {\"bearer\": TOKEN} and {\"client_credentials\": {...}}"
                .to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn the_stored_form_reads_back_and_the_read_form_holds_no_secret() {
        for text in [
            &br#"{"delivery": "push", "auth": {"bearer": "t0ken"}, "configuration_url": "https://i/c"}"#[..],
            br#"{"delivery": "poll", "auth": {"client_credentials": {"token_endpoint": "https://as/t",
                "client_id": "rp", "client_secret": "s3cret", "scope": "ssf"}}}"#,
        ] {
            let r = Register::from_value(&parse(text, crate::error::Part::Document).unwrap()).unwrap();
            assert_eq!(Register::from_value(&r.to_value()).unwrap(), r);
            let shown = r.redacted().to_json();
            assert!(!shown.contains("t0ken") && !shown.contains("s3cret"), "{shown}");
            assert!(Register::from_value(&r.redacted()).is_err(), "a read is not a registration");
        }
    }
}
