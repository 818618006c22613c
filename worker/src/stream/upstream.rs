//! The stream's side of a registration at its upstream (DESIGN section 10): what the
//! upstream's own SETs say about the registration, and polling the upstream on the alarm.
//!
//! **Poll registrations.** The alarm sends one RFC 8936 long poll (`maxEvents` 100,
//! `returnImmediately` false) at a time. Every SET in the answer goes through the push
//! path's checks ([`SsfQueue::accept`]): the good ones are stored, then acknowledged in the
//! next request; the bad ones are reported there in `setErrs` with their `err` and
//! `description` and not acknowledged; a SET that cannot be judged now (the source's keys
//! unreachable, the queue full) is neither, so the upstream delivers it again. What is to
//! be acknowledged is kept in the object's storage before the next request is sent, so a
//! restart loses nothing (at worst a SET comes again and is a duplicate `jti`). Upstream
//! errors back off from `SSF_UPSTREAM_RETRY_SECONDS` doubling up to
//! `SSF_PUSH_MAX_BACKOFF_SECONDS`, and mark the registration `failing` until a poll
//! succeeds again.
//!
//! **Access tokens** (client credentials) are kept until shortly before they expire; a
//! `401` from the upstream fetches a new one once and retries.

use ssf_core::events::Event;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::set::Set;
use ssf_core::wire::client::{poll_request, read_poll};
use ssf_core::wire::upstream::UpstreamAuth;
use ssf_core::wire::{PollRequest, PushError};

use super::SsfQueue;
use crate::config::{
    knob, PUSH_MAX_BACKOFF_SECONDS, UPSTREAM_POLL_INTERVAL_SECONDS, UPSTREAM_POLL_SECONDS,
    UPSTREAM_RETRY_SECONDS,
};
use crate::http::now_ms;
use crate::upstream::{fetch_token, send, Link, UpstreamError};

/// Meta keys.
const PENDING_KEY: &str = "upstream_pending";
const FAILURES_KEY: &str = "upstream_failures";
const NEXT_KEY: &str = "upstream_next_at";
const TOKEN_KEY: &str = "upstream_token";
/// Most SETs asked for per poll (DESIGN section 10).
const MAX_EVENTS: u32 = 100;
/// Used when a token endpoint gives no `expires_in`.
const DEFAULT_TOKEN_SECONDS: u64 = 300;

impl SsfQueue {
    /// The stream's registration, if it has one.
    pub(super) fn link(&self) -> worker::Result<Option<Link>> {
        Ok(self
            .settings()?
            .and_then(|s| s.rec.upstream.as_ref().and_then(Link::from_value)))
    }

    /// A SET the upstream sent (pushed or polled, already verified): the verification we
    /// asked for marks the registration `verified`; a stream-updated sets
    /// `upstream_status`.
    pub(super) fn note_upstream_set(&self, set: &Set) -> worker::Result<()> {
        let Some(link) = self.link()? else {
            return Ok(());
        };
        for event in &set.claims.events {
            match event {
                Event::Verification(v)
                    if v.state.is_some() && v.state == link.verification_state =>
                {
                    self.meta_set("upstream_verified", "1")?;
                    self.update_registration(|r| {
                        r.insert("state", "verified");
                        r.remove("error");
                    })?;
                }
                Event::StreamUpdated(u) => {
                    let status = u.status.as_str().to_string();
                    self.update_registration(|r| {
                        r.insert("upstream_status", status.as_str());
                    })?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Changes `source.registration` in the stored configuration (a no-op change is not
    /// written).
    pub(super) fn update_registration(&self, change: impl FnOnce(&mut Map)) -> worker::Result<()> {
        let Some(settings) = self.settings()? else {
            return Ok(());
        };
        let mut rec = settings.rec.clone();
        let Some(Value::Object(source)) = rec.config.get_mut("source") else {
            return Ok(());
        };
        let mut registration = source
            .get("registration")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let before = Value::Object(registration.clone());
        change(&mut registration);
        let after = Value::Object(registration);
        if after.to_json() == before.to_json() {
            return Ok(());
        }
        let mut f = Map::new();
        f.insert("what", "registration");
        for member in ["state", "upstream_status", "error"] {
            if let Some(v) = after.get(member) {
                f.insert(member, v.clone());
            }
        }
        source.insert("registration", after);
        self.write_record(&rec)?;
        self.record_activity("upstream", f);
        Ok(())
    }

    /// When the upstream is to be polled next (`None`: not a poll registration, or the
    /// stream is disabled).
    pub(super) fn upstream_poll_at(&self) -> worker::Result<Option<i64>> {
        let Some(link) = self.link()? else {
            return Ok(None);
        };
        if link.poll_endpoint.is_none() || self.status()? == "disabled" {
            return Ok(None);
        }
        Ok(Some(
            self.meta_get(NEXT_KEY)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ))
    }

    /// Sets the alarm for the next upstream poll (after a change that may start polling).
    pub(super) async fn arm_upstream_poll(&self) -> worker::Result<()> {
        match self.upstream_poll_at()? {
            Some(at) => self.arm_at(at).await,
            None => Ok(()),
        }
    }

    /// `{"set": {...}, "remove": [...]}` -> `{"result": "ok"}`: a change of
    /// `source.registration` the worker made (an error of a call it made upstream).
    pub(super) fn registration_change(&self, body: &Map) -> worker::Result<Value> {
        let set = body
            .get("set")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let remove: Vec<String> = body
            .get("remove")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        self.update_registration(|r| {
            for (k, v) in set.iter() {
                r.insert(k, v.clone());
            }
            for k in &remove {
                r.remove(k);
            }
        })?;
        let mut m = Map::new();
        m.insert("result", "ok");
        Ok(Value::Object(m))
    }

    /// One poll of the upstream, if one is due.
    pub(super) async fn poll_upstream(&self) -> worker::Result<()> {
        let now = now_ms();
        if self.upstream_poll_at()?.is_none_or(|at| at > now) {
            return Ok(());
        }
        let Some(link) = self.link()? else {
            return Ok(());
        };
        let next = match self.poll_once(&link).await {
            Ok(busy) => {
                self.meta_set(FAILURES_KEY, "0")?;
                let verified = self.meta_get("upstream_verified")?.is_some();
                self.update_registration(|r| {
                    if r.get_str("state") == Some("failing") {
                        r.insert("state", if verified { "verified" } else { "registered" });
                        r.remove("error");
                    }
                })?;
                let pause = if busy {
                    0
                } else {
                    self.ms(
                        "SSF_UPSTREAM_POLL_INTERVAL_SECONDS",
                        UPSTREAM_POLL_INTERVAL_SECONDS,
                    )
                };
                now_ms() + pause
            }
            Err(e) => {
                let failures = self
                    .meta_get(FAILURES_KEY)?
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0)
                    + 1;
                self.meta_set(FAILURES_KEY, &failures.to_string())?;
                let message = e.0;
                worker::console_warn!("upstream poll failed ({failures} in a row): {message}");
                self.update_registration(|r| {
                    r.insert("state", "failing");
                    r.insert("error", message.as_str());
                })?;
                now_ms() + self.upstream_backoff_ms(failures)
            }
        };
        self.meta_set(NEXT_KEY, &next.to_string())?;
        Ok(())
    }

    fn upstream_backoff_ms(&self, failures: u32) -> i64 {
        let first = self
            .ms("SSF_UPSTREAM_RETRY_SECONDS", UPSTREAM_RETRY_SECONDS)
            .max(1);
        let most = self.ms("SSF_PUSH_MAX_BACKOFF_SECONDS", PUSH_MAX_BACKOFF_SECONDS);
        first
            .saturating_mul(1i64 << failures.saturating_sub(1).min(20))
            .min(most.max(first))
    }

    /// Sends the pending acknowledgements and errors, stores what comes back, and keeps
    /// the next acknowledgements. `Ok(true)` when there may be more right away.
    async fn poll_once(&self, link: &Link) -> Result<bool, UpstreamError> {
        let endpoint = link.poll_endpoint.as_deref().unwrap_or_default();
        let pending = self.pending_replies().map_err(storage)?;
        let mut request = PollRequest::new()
            .with_max_events(MAX_EVENTS)
            .with_return_immediately(false);
        for jti in pending
            .get("ack")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(j) = jti.as_str() {
                request = request.with_ack(j);
            }
        }
        if let Some(errs) = pending.get("setErrs").and_then(Value::as_object) {
            for (jti, e) in errs.iter() {
                if let Ok(e) = PushError::from_value(e) {
                    request = request.with_set_err(jti, e);
                }
            }
        }
        let timeout = knob(
            &self.env,
            "SSF_UPSTREAM_POLL_SECONDS",
            UPSTREAM_POLL_SECONDS,
        ) + 5;
        let mut auth = self.upstream_authorization(link, false).await?;
        let mut got = send(
            &self.env,
            "poll",
            &poll_request(endpoint, &auth, &request),
            Some(timeout),
        )
        .await?;
        if got.status == 401 && matches!(link.register.auth, UpstreamAuth::ClientCredentials(_)) {
            auth = self.upstream_authorization(link, true).await?;
            got = send(
                &self.env,
                "poll",
                &poll_request(endpoint, &auth, &request),
                Some(timeout),
            )
            .await?;
        }
        let answer = read_poll(got.status, &got.body)?;
        // The replies were delivered with this request.
        let settings = self.settings().map_err(storage)?;
        let mut acks: Vec<Value> = Vec::new();
        let mut errs = Map::new();
        if let Some(settings) = settings {
            for (jti, token) in &answer.sets {
                match self.accept(&settings, token).await {
                    Ok(()) => acks.push(jti.as_str().into()),
                    // Cannot be judged now: neither acknowledged nor refused.
                    Err(e) if e.status == 429 || e.status >= 500 => {}
                    Err(e) => {
                        self.record_rejection(&e, Some(token));
                        let mut m = Map::new();
                        m.insert("err", e.err);
                        m.insert("description", e.description.as_str());
                        errs.insert(jti.as_str(), Value::Object(m));
                    }
                }
            }
        }
        let busy = !answer.sets.is_empty() || answer.has_more();
        let mut replies = Map::new();
        replies.insert("ack", Value::Array(acks));
        replies.insert("setErrs", Value::Object(errs));
        self.meta_set(PENDING_KEY, &Value::Object(replies).to_json())
            .map_err(storage)?;
        Ok(busy)
    }

    fn pending_replies(&self) -> worker::Result<Map> {
        Ok(self
            .meta_get(PENDING_KEY)?
            .and_then(|t| parse_object(t.as_bytes(), ssf_core::error::Part::Document).ok())
            .unwrap_or_default())
    }

    /// The `Authorization` value for the upstream: the bearer token, or an access token
    /// kept until shortly before it expires (`fresh`: fetch a new one regardless).
    async fn upstream_authorization(
        &self,
        link: &Link,
        fresh: bool,
    ) -> Result<String, UpstreamError> {
        let c = match &link.register.auth {
            UpstreamAuth::Bearer(t) => return Ok(format!("Bearer {t}")),
            UpstreamAuth::ClientCredentials(c) => c,
        };
        let now = now_ms();
        if !fresh {
            let kept = self
                .meta_get(TOKEN_KEY)
                .map_err(storage)?
                .and_then(|t| parse_object(t.as_bytes(), ssf_core::error::Part::Document).ok());
            if let Some(m) = kept {
                if let (Some(a), Some(until)) = (
                    m.get_str("authorization"),
                    m.get("refresh_at").and_then(Value::as_i64),
                ) {
                    if now < until {
                        return Ok(a.to_string());
                    }
                }
            }
        }
        let (authorization, expires_in) = fetch_token(&self.env, c).await?;
        let life_ms = (expires_in.unwrap_or(DEFAULT_TOKEN_SECONDS) as i64).saturating_mul(1000);
        // Renewed a little before it expires: 30 s early, or a quarter of a short life.
        let refresh_at = now + life_ms - (life_ms / 4).min(30_000);
        let mut m = Map::new();
        m.insert("authorization", authorization.as_str());
        m.insert("refresh_at", refresh_at);
        self.meta_set(TOKEN_KEY, &Value::Object(m).to_json())
            .map_err(storage)?;
        Ok(authorization)
    }
}

fn storage(e: worker::Error) -> UpstreamError {
    UpstreamError(format!("storage: {e}"))
}
