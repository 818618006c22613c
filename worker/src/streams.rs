//! The receivers' index of stream ids, in KV (binding `SSF_KV`).
//!
//! Key `owner:{hex(receiver_id)}:{stream_id}`: an empty marker, listed by prefix to find a
//! receiver's streams (the receiver id is hex-encoded so no id can be a prefix of
//! another's). The index only finds candidates: every stream is then read from its own
//! Durable Object, which checks the owner, so KV's lag (up to about 60 s between
//! locations) can delay a stream's appearance in a list, never show a deleted one or
//! another receiver's.
//!
//! Stream ids are 128 random bits (32 hex digits).

use worker::kv::KvStore;
use worker::Env;

use crate::config::KV_BINDING;
use crate::http::ApiError;

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

/// A stream id as we mint them (so anything else is an unknown stream, without a lookup).
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub struct StreamIndex {
    kv: KvStore,
}

impl StreamIndex {
    pub fn new(env: &Env) -> Result<Self, ApiError> {
        Ok(StreamIndex {
            kv: env.kv(KV_BINDING)?,
        })
    }

    pub async fn add(&self, owner: &str, id: &str) -> Result<(), ApiError> {
        self.kv
            .put(&format!("{}{id}", owner_prefix(owner)), "")
            .map_err(kv_err)?
            .execute()
            .await
            .map_err(kv_err)
    }

    pub async fn remove(&self, owner: &str, id: &str) -> Result<(), ApiError> {
        self.kv
            .delete(&format!("{}{id}", owner_prefix(owner)))
            .await
            .map_err(kv_err)
    }

    /// The ids of every stream of `owner` the index knows.
    pub async fn list(&self, owner: &str) -> Result<Vec<String>, ApiError> {
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
        Ok(ids)
    }
}

pub fn kv_err(e: worker::kv::KvError) -> ApiError {
    worker::console_error!("KV error: {e:?}");
    ApiError::internal("storage unavailable")
}
