//! Stream records in KV (binding `SSF_KV`).
//!
//! Keys:
//! - `stream:{stream_id}`: the record (JSON, see [`StreamRecord`]).
//! - `owner:{hex(receiver_id)}:{stream_id}`: an empty marker, listed by prefix to find a
//!   receiver's streams. The receiver id is hex-encoded so no id can be a prefix of another's.
//!
//! Stream ids are 128 random bits (32 hex digits). Every lookup made for a caller checks that
//! the record's owner is that caller; anything else is answered exactly like a stream that
//! does not exist (`404`).

use ssf_core::json::{parse_object, Map, Value};
use worker::kv::KvStore;
use worker::Env;

use crate::config::KV_BINDING;
use crate::http::ApiError;

/// A stream as stored.
#[derive(Clone, Debug)]
pub struct StreamRecord {
    pub id: String,
    /// The receiver id (from `SSF_TOKENS`) that owns the stream.
    pub owner: String,
    /// The stored stream configuration: receiver-supplied members, `aud`,
    /// `events_supported`, `events_delivered`, `delivery.method`, and the `source`
    /// extension. Members that depend on the serving origin (`iss`, `delivery.endpoint_url`,
    /// `push`) are filled in when the configuration is read.
    pub config: Map,
    /// The exact `Authorization` header value the upstream must send on push.
    pub push_authorization: String,
    /// Subjects added with the add-subject endpoint.
    pub subjects_added: Vec<Value>,
    /// Subjects removed with the remove-subject endpoint.
    pub subjects_removed: Vec<Value>,
}

impl StreamRecord {
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        m.insert("id", self.id.as_str());
        m.insert("owner", self.owner.as_str());
        m.insert("config", Value::Object(self.config.clone()));
        m.insert("push_authorization", self.push_authorization.as_str());
        m.insert("subjects_added", Value::Array(self.subjects_added.clone()));
        m.insert(
            "subjects_removed",
            Value::Array(self.subjects_removed.clone()),
        );
        Value::Object(m).to_json()
    }

    pub fn from_json(s: &str) -> Option<StreamRecord> {
        let m = parse_object(s.as_bytes(), ssf_core::error::Part::Document).ok()?;
        let arr = |k: &str| {
            m.get(k)
                .and_then(Value::as_array)
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        Some(StreamRecord {
            id: m.get_str("id")?.to_string(),
            owner: m.get_str("owner")?.to_string(),
            config: m.get("config")?.as_object()?.clone(),
            push_authorization: m.get_str("push_authorization")?.to_string(),
            subjects_added: arr("subjects_added"),
            subjects_removed: arr("subjects_removed"),
        })
    }
}

pub struct Streams {
    kv: KvStore,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn owner_prefix(owner: &str) -> String {
    format!("owner:{}:", hex(owner.as_bytes()))
}

/// 128 random bits as 32 lowercase hex digits.
pub fn random_id() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| ApiError::internal("no randomness"))?;
    Ok(hex(&b))
}

/// A stream id as we mint them (so anything else is an unknown stream, without a KV read).
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Streams {
    pub fn new(env: &Env) -> Result<Self, ApiError> {
        Ok(Streams {
            kv: env.kv(KV_BINDING)?,
        })
    }

    /// The stream `id`, whoever owns it (push endpoint).
    pub async fn get_any(&self, id: &str) -> Result<Option<StreamRecord>, ApiError> {
        if !is_valid_id(id) {
            return Ok(None);
        }
        let raw = self
            .kv
            .get(&format!("stream:{id}"))
            .text()
            .await
            .map_err(kv_err)?;
        Ok(raw.as_deref().and_then(StreamRecord::from_json))
    }

    /// The stream `id` if `owner` owns it, else `404`.
    pub async fn get_owned(&self, id: &str, owner: &str) -> Result<StreamRecord, ApiError> {
        match self.get_any(id).await? {
            Some(r) if r.owner == owner => Ok(r),
            _ => Err(ApiError::not_found("no such stream")),
        }
    }

    /// Stores `rec`. This isolate's cached push view of the stream is dropped after the
    /// write, so a push racing the write cannot keep the old one.
    pub async fn put(&self, rec: &StreamRecord) -> Result<(), ApiError> {
        let written = self
            .kv
            .put(&format!("stream:{}", rec.id), rec.to_json())
            .map_err(kv_err)?
            .execute()
            .await;
        crate::push::forget(&rec.id);
        written.map_err(kv_err)?;
        self.kv
            .put(&format!("{}{}", owner_prefix(&rec.owner), rec.id), "")
            .map_err(kv_err)?
            .execute()
            .await
            .map_err(kv_err)
    }

    pub async fn delete(&self, rec: &StreamRecord) -> Result<(), ApiError> {
        let deleted = self.kv.delete(&format!("stream:{}", rec.id)).await;
        crate::push::forget(&rec.id);
        deleted.map_err(kv_err)?;
        self.kv
            .delete(&format!("{}{}", owner_prefix(&rec.owner), rec.id))
            .await
            .map_err(kv_err)
    }

    /// Every stream of `owner`.
    pub async fn list(&self, owner: &str) -> Result<Vec<StreamRecord>, ApiError> {
        let prefix = owner_prefix(owner);
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = self.kv.list().prefix(prefix.clone());
            if let Some(c) = cursor.take() {
                q = q.cursor(c);
            }
            let page = q.execute().await.map_err(kv_err)?;
            for k in page.keys {
                ids.push(k.name[prefix.len()..].to_string());
            }
            if page.list_complete {
                break;
            }
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        let mut out = Vec::new();
        for id in ids {
            if let Some(r) = self.get_any(&id).await? {
                if r.owner == owner {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }
}

pub fn kv_err(e: worker::kv::KvError) -> ApiError {
    worker::console_error!("KV error: {e:?}");
    ApiError::internal("storage unavailable")
}
