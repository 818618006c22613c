//! Every request the worker sends goes through here: the `jwks_uri` of a stream's source
//! now, and every other outgoing call later (push delivery, upstream registration and
//! polling, token endpoints).
//!
//! What it guarantees, whoever the peer is:
//! - **URL policy** ([`UrlRules`]): `https` only; `http` only to a loopback host, and only
//!   when the deployment says it is local (`SSF_LOCAL`, which `make dev` and the tests
//!   set); no IP-literal host unless the deployment allows them (`SSF_ALLOW_IP_HOSTS`), and
//!   then never a loopback one outside local mode; no user information. The same rules
//!   refuse such a URL when a stream is created, so a bad URL is a `400` there rather than
//!   a failure at the first push.
//! - **No redirects.** A `3xx` answer is a failure, never followed: a key server that
//!   redirects could hand key material over from anywhere (another host, cleartext).
//! - **Bounded body.** A declared `Content-Length` over the limit is refused before
//!   reading; otherwise the body is read chunk by chunk and abandoned as soon as it passes
//!   the limit.
//! - **Timeout.** The whole exchange, body included, is aborted after the deadline.
//!
//! Hostnames are not resolved here (Workers offer no DNS API); Cloudflare's own fetch does
//! not reach private networks, which is what an IP-literal rule cannot cover.

use std::net::IpAddr;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use worker::{AbortController, Env, Fetch, Method, Request, RequestInit, RequestRedirect};

use crate::config::{flag, knob, FETCH_TIMEOUT_SECONDS};

/// Where the worker may send requests, read from the deployment's variables.
#[derive(Clone, Copy, Debug)]
pub struct UrlRules {
    /// `SSF_LOCAL`: a local deployment (`make dev`, tests): `http` to loopback allowed.
    pub local: bool,
    /// `SSF_ALLOW_IP_HOSTS`: IP-literal hosts allowed (loopback ones only when local).
    pub ip_hosts: bool,
}

impl UrlRules {
    pub fn from_env(env: &Env) -> Self {
        UrlRules {
            local: flag(env, "SSF_LOCAL"),
            ip_hosts: flag(env, "SSF_ALLOW_IP_HOSTS"),
        }
    }

    /// Core's URL policy matching these rules (core checks the syntax; [`UrlRules::check`]
    /// adds what depends on the deployment).
    pub fn core_policy(self) -> ssf_core::wire::UrlPolicy {
        if self.local {
            ssf_core::wire::UrlPolicy::AllowLoopbackHttp
        } else {
            ssf_core::wire::UrlPolicy::RequireHttps
        }
    }

    /// `Ok` if the worker may send a request to `url`; else why not, in words naming it.
    pub fn check(self, url: &str) -> Result<(), String> {
        let parsed = worker::Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!("{url:?} must not carry user information"));
        }
        if parsed.fragment().is_some() {
            return Err(format!("{url:?} must not have a fragment"));
        }
        let host = parsed.host_str().unwrap_or_default();
        let ip: Option<IpAddr> = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok();
        let loopback = match ip {
            Some(ip) => ip.is_loopback(),
            None => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
        };
        match parsed.scheme() {
            "https" => {}
            "http" if loopback && self.local => {}
            "http" if loopback => {
                return Err(format!(
                    "{url:?}: http to loopback is allowed only in a local deployment (SSF_LOCAL)"
                ))
            }
            _ => return Err(format!("{url:?} must be https")),
        }
        if loopback && !self.local {
            return Err(format!(
                "{url:?}: a loopback host is allowed only in a local deployment (SSF_LOCAL)"
            ));
        }
        if ip.is_some() && !loopback && !self.ip_hosts {
            return Err(format!(
                "{url:?}: IP-literal hosts are refused unless the deployment allows them (SSF_ALLOW_IP_HOSTS)"
            ));
        }
        Ok(())
    }
}

/// Why an outgoing request failed.
#[derive(Debug)]
pub enum FetchError {
    /// The URL is not one the worker may call.
    Refused(String),
    /// The peer answered with a redirect (never followed).
    Redirect(u16),
    /// The body is larger than the limit.
    TooLarge(usize),
    /// No complete answer within the deadline.
    Timeout(u64),
    /// Network error, or the runtime refused the request.
    Network(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Refused(why) => write!(f, "refused by the URL policy: {why}"),
            FetchError::Redirect(s) => write!(f, "answered {s} (redirects are not followed)"),
            FetchError::TooLarge(n) => write!(f, "body larger than {n} bytes"),
            FetchError::Timeout(s) => write!(f, "no answer within {s} s"),
            FetchError::Network(e) => write!(f, "network error: {e}"),
        }
    }
}

/// An answer: status and the whole (bounded) body.
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One outgoing request.
pub struct Outbound<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Option<Vec<u8>>,
    /// Largest body read from the answer.
    pub max_body: usize,
    /// Which answers' bodies are read at all (others are not waited for, whatever
    /// their size): all of them unless set.
    pub read_body: fn(u16) -> bool,
    /// Overrides `SSF_FETCH_TIMEOUT_SECONDS`.
    pub timeout_secs: Option<u64>,
}

impl<'a> Outbound<'a> {
    pub fn get(url: &'a str, max_body: usize) -> Self {
        Outbound {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: None,
            max_body,
            read_body: |_| true,
            timeout_secs: None,
        }
    }

    pub fn post(url: &'a str, body: Vec<u8>, max_body: usize) -> Self {
        Outbound {
            method: Method::Post,
            body: Some(body),
            ..Outbound::get(url, max_body)
        }
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sends the request under the deployment's rules (URL policy, no redirects, bounded
    /// body, `SSF_FETCH_TIMEOUT_SECONDS`).
    pub async fn send(self, env: &Env) -> Result<Fetched, FetchError> {
        let rules = UrlRules::from_env(env);
        let timeout = self
            .timeout_secs
            .unwrap_or_else(|| knob(env, "SSF_FETCH_TIMEOUT_SECONDS", FETCH_TIMEOUT_SECONDS))
            .max(1);
        self.send_with(rules, timeout).await
    }

    async fn send_with(self, rules: UrlRules, timeout_secs: u64) -> Result<Fetched, FetchError> {
        rules.check(self.url).map_err(FetchError::Refused)?;
        let net = |e: worker::Error| FetchError::Network(e.to_string());
        let mut init = RequestInit::new();
        init.with_method(self.method.clone());
        init.with_redirect(RequestRedirect::Manual);
        if let Some(b) = &self.body {
            init.with_body(Some(worker::js_sys::Uint8Array::from(b.as_slice()).into()));
        }
        let req = Request::new_with_init(self.url, &init).map_err(net)?;
        for (name, value) in &self.headers {
            req.headers().set(name, value).map_err(net)?;
        }
        let controller = AbortController::default();
        let signal = controller.signal();
        let (max_body, read_body) = (self.max_body, self.read_body);
        let exchange = async move {
            let mut resp = Fetch::Request(req)
                .send_with_signal(&signal)
                .await
                .map_err(net)?;
            let status = resp.status_code();
            if (300..400).contains(&status) {
                return Err(FetchError::Redirect(status));
            }
            let body = if read_body(status) {
                read_limited(&mut resp, max_body).await?
            } else {
                Vec::new()
            };
            Ok(Fetched { status, body })
        };
        let deadline = worker::Delay::from(Duration::from_secs(timeout_secs));
        match select(Box::pin(exchange), deadline).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => {
                controller.abort();
                Err(FetchError::Timeout(timeout_secs))
            }
        }
    }
}

async fn read_limited(resp: &mut worker::Response, limit: usize) -> Result<Vec<u8>, FetchError> {
    if let Some(len) = resp.headers().get("Content-Length").ok().flatten() {
        if len.trim().parse::<u64>().map_or(true, |n| n > limit as u64) {
            return Err(FetchError::TooLarge(limit));
        }
    }
    let mut out = Vec::new();
    let Ok(mut stream) = resp.stream() else {
        return Ok(out);
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| FetchError::Network(e.to_string()))?;
        if out.len() + chunk.len() > limit {
            return Err(FetchError::TooLarge(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::UrlRules;

    const PROD: UrlRules = UrlRules {
        local: false,
        ip_hosts: false,
    };
    const LOCAL: UrlRules = UrlRules {
        local: true,
        ip_hosts: false,
    };
    const IPS: UrlRules = UrlRules {
        local: false,
        ip_hosts: true,
    };

    #[test]
    fn production_refuses_cleartext_loopback_and_ip_literals() {
        assert!(PROD.check("https://idp.example.com/jwks").is_ok());
        for bad in [
            "http://idp.example.com/jwks",
            "http://127.0.0.1:9/jwks",
            "https://127.0.0.1/jwks",
            "https://127.8.9.10/jwks",
            "https://localhost/jwks",
            "https://a.localhost/jwks",
            "https://10.0.0.1/jwks",
            "https://[::1]/jwks",
            "https://[fd00::1]/jwks",
            "https://u:p@idp.example.com/",
            "https://idp.example.com/jwks#frag",
            "ftp://idp.example.com/jwks",
            "not a url",
        ] {
            assert!(PROD.check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_allows_loopback_only() {
        assert!(LOCAL.check("http://127.0.0.1:9/jwks").is_ok());
        assert!(LOCAL.check("http://localhost:9/jwks").is_ok());
        assert!(LOCAL.check("http://[::1]:9/jwks").is_ok());
        assert!(LOCAL.check("http://10.0.0.1/jwks").is_err());
        assert!(LOCAL.check("https://10.0.0.1/jwks").is_err());
        assert!(LOCAL.check("http://idp.example.com/jwks").is_err());
    }

    #[test]
    fn ip_hosts_when_allowed_but_never_loopback_outside_local() {
        assert!(IPS.check("https://10.0.0.1/jwks").is_ok());
        assert!(IPS.check("https://[fd00::1]/jwks").is_ok());
        assert!(IPS.check("http://10.0.0.1/jwks").is_err());
        assert!(IPS.check("https://127.0.0.1/jwks").is_err());
    }
}
