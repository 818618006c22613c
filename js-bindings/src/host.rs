//! The host crypto provider: signature arithmetic done by the JavaScript runtime.
//!
//! In Node (and workerd with `nodejs_compat`) the JS layer passes an object whose
//! `verify(alg, keyIndex, signingInput, signature)` calls `crypto.verify` with a cached
//! `KeyObject` and answers `1` (valid), `0` (invalid) or anything else ("cannot do this
//! one": the key could not be imported, the call threw). Core has already parsed the
//! token, applied the header rules and selected the key (its `alg`, `use`, size); the host
//! is asked only whether the bytes verify. Anything other than a clear yes or no falls
//! back to the pure-Rust provider, so the verdict never depends on the runtime.

use core::cell::RefCell;

use ssf_core::crypto::{default_provider, CryptoProvider};
use ssf_core::jwk::{Jwk, JwkSet, KeyParams};
use ssf_core::{Algorithm, Error};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The JS object that does host signature checks.
    pub type HostVerifier;

    /// `verify(alg, keyIndex, signingInput, signature) -> 1 | 0 | other`. The byte views
    /// point into wasm memory and are only valid during the call.
    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &HostVerifier,
        alg: &str,
        key_index: u32,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<JsValue, JsValue>;
}

thread_local! {
    // wasm32 is single-threaded; the provider trait must be Send + Sync, which a JS
    // handle is not, so the handle lives here for the duration of one verification.
    static HOST: RefCell<Option<HostVerifier>> = const { RefCell::new(None) };
}

/// A provider that asks the host first and falls back to the pure-Rust one.
struct HostProvider<'a> {
    keys: &'a JwkSet,
}

impl CryptoProvider for HostProvider<'_> {
    fn verify(
        &self,
        alg: Algorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        // A signature of the wrong size for this key is left to core's own provider,
        // which refuses it by JWS encoding rules; the host only sees well-formed ones.
        if Some(signature.len()) != signature_len(key) || key.check_alg(alg).is_err() {
            return default_provider().verify(alg, key, signing_input, signature);
        }
        let index = self
            .keys
            .keys()
            .iter()
            .position(|k| core::ptr::eq(k, key))
            .and_then(|i| u32::try_from(i).ok());
        let verdict = match index {
            Some(i) => HOST.with(|h| {
                h.borrow()
                    .as_ref()
                    .and_then(|host| host.verify(alg.name(), i, signing_input, signature).ok())
                    .and_then(|v| v.as_f64())
            }),
            None => None,
        };
        match verdict {
            Some(1.0) => Ok(()),
            Some(0.0) => Err(Error::BadSignature),
            _ => default_provider().verify(alg, key, signing_input, signature),
        }
    }

    fn supports(&self, alg: Algorithm) -> bool {
        // The same algorithms in every runtime: the host only makes them faster.
        default_provider().supports(alg)
    }
}

/// The JWS signature size for `key` (RFC 7518 section 3, RFC 8037 section 3.1).
fn signature_len(key: &Jwk) -> Option<usize> {
    match key.params() {
        KeyParams::Rsa { .. } => key.rsa_bits().map(|b| b.div_ceil(8)),
        KeyParams::Ec { curve, .. } => Some(2 * curve.coordinate_len()),
        KeyParams::Ed25519 { .. } => Some(64),
        _ => None,
    }
}

/// Runs `f` with a provider backed by `host`, for keys of `keys`.
pub(crate) fn with_host<T>(
    host: HostVerifier,
    keys: &JwkSet,
    f: impl FnOnce(&dyn CryptoProvider) -> T,
) -> T {
    HOST.with(|h| *h.borrow_mut() = Some(host));
    let out = f(&HostProvider { keys });
    HOST.with(|h| *h.borrow_mut() = None);
    out
}
