//! The stream's side of originated events (`POST /ssf/events`, DESIGN section 9): keeping
//! its entry in the directory (`crate::directory`) current, and turning an event request
//! into this stream's SET.
//!
//! The object decides by its own record, the source of truth, with the rule relayed SETs
//! follow (`EmitRequest::claims_for`, which is `StreamFilter::events_taken`), and signs the
//! SET itself: the `aud` is the stream's, and signing is spread over the targets' objects
//! rather than done in one request.

use ssf_core::json::{Map, Value};
use ssf_core::wire::EmitRequest;

use super::SsfQueue;
use crate::directory;
use crate::http::{now_ms, now_secs};
use crate::keys::signing_key;

/// Meta keys: the last sequence number published, and the stream id while a publication
/// failed (retried by the next operation on the object).
const SEQ_KEY: &str = "directory_seq";
const STALE_KEY: &str = "directory_stale";

impl SsfQueue {
    /// The directory entry of the stream as it is now: `None` when it takes no originated
    /// events (it has a `source`, is disabled, or is gone).
    fn directory_entry(&self) -> worker::Result<Option<Value>> {
        let Some(settings) = self.settings()? else {
            return Ok(None);
        };
        let rec = &settings.rec;
        if rec.config.contains_key("source") || self.status()? == "disabled" {
            return Ok(None);
        }
        let mut m = Map::new();
        m.insert(
            "events_delivered",
            rec.config
                .get("events_delivered")
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        );
        m.insert("subjects_added", Value::Array(rec.subjects_added.clone()));
        m.insert(
            "subjects_removed",
            Value::Array(rec.subjects_removed.clone()),
        );
        Ok(Some(Value::Object(m)))
    }

    /// Publishes the stream's entry after a change of its record or status, before the
    /// change is answered. On failure the stream is marked stale (retried by the next
    /// operation) and the change is answered with an error, never `2xx`.
    pub(super) async fn publish_entry(&self, stream_id: &str) -> worker::Result<()> {
        let seq = self
            .meta_get(SEQ_KEY)?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        self.meta_set(SEQ_KEY, &seq.to_string())?;
        let entry = self.directory_entry()?;
        match directory::publish(&self.env, stream_id, seq, entry).await {
            Ok(()) => {
                self.sql()
                    .exec("DELETE FROM meta WHERE key = ?", vec![STALE_KEY.into()])?;
                Ok(())
            }
            Err(e) => {
                self.meta_set(STALE_KEY, stream_id)?;
                Err(worker::Error::RustError(format!(
                    "directory publication failed: {}",
                    e.description
                )))
            }
        }
    }

    /// Publishes again when an earlier publication failed; a stream created before the
    /// directory existed publishes on its first operation.
    pub(super) async fn publish_if_stale(&self) -> worker::Result<()> {
        let stream_id = match self.meta_get(STALE_KEY)? {
            Some(id) => id,
            None if self.meta_get(SEQ_KEY)?.is_none() => match self.settings()? {
                Some(s) => s.rec.id.clone(),
                None => return Ok(()),
            },
            None => return Ok(()),
        };
        self.publish_entry(&stream_id).await
    }

    /// `{"iss", "jti", "request"}` -> `{"result": "stored" | "duplicate" | "full" |
    /// "dropped" | "not_taken", "events"?}`: signs and stores the stream's SET of an event
    /// request, if the stream takes any of its events.
    pub(super) async fn emit(&self, body: &Map) -> worker::Result<Value> {
        let (Some(iss), Some(jti), Some(request)) = (
            body.get_str("iss"),
            body.get_str("jti"),
            body.get("request"),
        ) else {
            return Err(worker::Error::RustError(
                "emit needs iss, jti and request".into(),
            ));
        };
        let request = EmitRequest::from_value(request)
            .map_err(|e| worker::Error::RustError(format!("emit request: {e}")))?;
        let not_taken = || {
            let mut m = Map::new();
            m.insert("result", "not_taken");
            Value::Object(m)
        };
        let Some(settings) = self.settings()? else {
            return Ok(not_taken());
        };
        if settings.rec.config.contains_key("source") || self.status()? == "disabled" {
            return Ok(not_taken());
        }
        let aud = audience_of(&settings.rec.config);
        let aud: Vec<&str> = aud.iter().map(String::as_str).collect();
        let claims = request
            .claims_for(&settings.filter, iss, &aud, jti, now_secs())
            .map_err(|e| worker::Error::RustError(format!("emit claims: {e}")))?;
        let Some(claims) = claims else {
            return Ok(not_taken());
        };
        let events: Vec<Value> = request
            .events_for(&settings.filter)
            .iter()
            .map(|e| Value::from(e.uri()))
            .collect();
        let key = signing_key(&self.env)
            .await
            .map_err(|e| worker::Error::RustError(e.description))?;
        let token = crate::webcrypto::sign_set(&claims, &key, ssf_core::set::Profile::SSF)
            .await
            .map_err(|e| worker::Error::RustError(format!("cannot sign: {e}")))?;
        let outcome = self.store(jti, &token, now_ms(), false)?;
        if outcome == "stored" {
            let mut f = Map::new();
            f.insert("jti", jti);
            f.insert("events", Value::Array(events.clone()));
            self.record_activity("emitted", f);
        }
        let mut m = Map::new();
        m.insert("result", outcome);
        m.insert("events", Value::Array(events));
        Ok(Value::Object(m))
    }
}

/// The stream's `aud` as a list (a string or an array in the stored configuration).
fn audience_of(config: &Map) -> Vec<String> {
    match config.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}
