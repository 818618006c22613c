//! Native benchmarks of ssf-core: decode, full verify + validate (ES256, RS256, PS256) with
//! each crypto provider, signing, and the `jsonwebtoken` crate verifying the same tokens.
//!
//! Run through `scripts/bench.sh` (`make bench`), which reads Criterion's estimates and
//! writes BENCHMARKS.md. By hand: `cargo bench -p ssf-core --features ring,getrandom,ec-tables`.
//! `SSF_BENCH_QUICK=1` shortens every measurement (for smoke runs).

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ssf_core::crypto::{CryptoProvider, RustCrypto};
use ssf_core::json::{self, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::set::{self, Profile, VerifyOptions};
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;

const NOW: i64 = 1_700_000_000;
const ISS: &str = "https://idp.example.com/";
const AUD: &str = "https://sp.example.com/caep";

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A typical SSF SET: one CAEP session-revoked event about an email subject, with
/// audience, txn and the event's optional members (about 600 bytes signed with ES256).
fn claims() -> Map {
    let text = format!(
        r#"{{"iss":"{ISS}","jti":"756E69717565206964656E746966696572","iat":{NOW},"aud":"{AUD}","txn":"8675309","sub_id":{{"format":"email","email":"alice@example.com"}},"events":{{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{{"event_timestamp":1699999990,"initiating_entity":"policy","reason_admin":{{"en":"Landspeed Policy Violation: C076E82F"}},"reason_user":{{"en":"Access attempt from multiple regions.","es-410":"Intento de acceso desde varias regiones."}}}}}}}}"#
    );
    match json::parse(text.as_bytes(), ssf_core::error::Part::Document).expect("claims JSON") {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

struct Case {
    alg: Algorithm,
    key: SigningKey,
    token: String,
    keys: JwkSet,
    jwt_key: jsonwebtoken::DecodingKey,
}

fn case(alg: Algorithm, pem: &str, kid: &str) -> Case {
    let key = SigningKey::from_pkcs8_pem(&data(pem), alg)
        .expect("test key")
        .with_kid(kid.into());
    let token = ssf_core::builder::sign_claims(&claims(), &key, Profile::SSF).expect("sign");
    let mut m = Map::new();
    m.insert("keys", vec![Value::Object(key.public_jwk_map())]);
    let keys = JwkSet::from_map(&m).expect("jwks");
    let public = key.public_jwk_map();
    let b64 = |name: &str| public.get_str(name).expect("jwk member");
    let jwt_key = match alg {
        Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_components(b64("x"), b64("y")),
        _ => jsonwebtoken::DecodingKey::from_rsa_components(b64("n"), b64("e")),
    }
    .expect("jsonwebtoken key");
    Case {
        alg,
        key,
        token,
        keys,
        jwt_key,
    }
}

fn opts() -> VerifyOptions {
    let mut o = VerifyOptions::new(NOW);
    o.issuer = Some(ISS.into());
    o.audience = Some(AUD.into());
    o
}

fn jwt_validation(alg: Algorithm) -> jsonwebtoken::Validation {
    let alg = match alg {
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        _ => jsonwebtoken::Algorithm::PS256,
    };
    let mut v = jsonwebtoken::Validation::new(alg);
    // A SET has no `exp`: the same checks ours makes that jsonwebtoken knows about.
    v.required_spec_claims = HashSet::from(["iss".to_string(), "aud".to_string()]);
    v.validate_exp = false;
    v.set_issuer(&[ISS]);
    v.set_audience(&[AUD]);
    v
}

fn providers() -> Vec<(&'static str, &'static dyn CryptoProvider)> {
    #[allow(unused_mut)]
    let mut list: Vec<(&'static str, &'static dyn CryptoProvider)> =
        vec![("rustcrypto", &RustCrypto)];
    #[cfg(feature = "ring")]
    list.push(("ring", &ssf_core::crypto::Ring));
    list
}

fn benches(c: &mut Criterion) {
    let cases = [
        case(Algorithm::ES256, "p256.pem", "ec-1"),
        case(Algorithm::RS256, "rsa2048.pem", "rsa-1"),
        case(Algorithm::PS256, "rsa2048.pem", "rsa-pss-1"),
    ];
    let o = opts();
    // Every path must accept the tokens before it is timed.
    for k in &cases {
        for (name, p) in providers() {
            set::verify_with(&k.token, &k.keys, &o, p)
                .unwrap_or_else(|e| panic!("{name} {:?}: {e}", k.alg));
        }
        jsonwebtoken::decode::<HashMap<String, serde_json::Value>>(
            &k.token,
            &k.jwt_key,
            &jwt_validation(k.alg),
        )
        .expect("jsonwebtoken accepts the token");
    }

    let mut g = c.benchmark_group("decode");
    g.bench_function("inspect", |b| {
        b.iter(|| set::inspect(black_box(&cases[0].token), None).expect("inspect"))
    });
    g.bench_function("inspect_with_opts", |b| {
        b.iter(|| set::inspect(black_box(&cases[0].token), Some(&o)).expect("inspect"))
    });
    g.finish();

    let mut g = c.benchmark_group("verify");
    for k in &cases {
        let alg = k.alg.name();
        for (name, p) in providers() {
            g.bench_function(format!("{alg}/{name}"), |b| {
                b.iter(|| set::verify_with(black_box(&k.token), &k.keys, &o, p).expect("verify"))
            });
        }
        let v = jwt_validation(k.alg);
        g.bench_function(format!("{alg}/jsonwebtoken"), |b| {
            b.iter(|| {
                jsonwebtoken::decode::<HashMap<String, serde_json::Value>>(
                    black_box(&k.token),
                    &k.jwt_key,
                    &v,
                )
                .expect("jsonwebtoken")
            })
        });
    }
    g.finish();

    // The signature check alone (no decode, no claims), to split verify's cost.
    let mut g = c.benchmark_group("signature");
    for k in &cases {
        let (input, sig) = k.token.rsplit_once('.').expect("compact JWS");
        let sig = ssf_core::base64url::decode(sig.as_bytes()).expect("signature");
        let jwk = &k.keys.keys()[0];
        for (name, p) in providers() {
            g.bench_function(format!("{}/{name}", k.alg.name()), |b| {
                b.iter(|| {
                    p.verify(k.alg, jwk, black_box(input.as_bytes()), &sig)
                        .expect("sig")
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("sign");
    let claims = claims();
    for k in &cases {
        g.bench_function(k.alg.name(), |b| {
            b.iter(|| {
                ssf_core::builder::sign_claims(black_box(&claims), &k.key, Profile::SSF)
                    .expect("sign")
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    let quick = std::env::var_os("SSF_BENCH_QUICK").is_some();
    Criterion::default()
        .warm_up_time(Duration::from_millis(if quick { 100 } else { 300 }))
        .measurement_time(Duration::from_millis(if quick { 300 } else { 1500 }))
        .sample_size(if quick { 10 } else { 30 })
        .without_plots()
}

criterion_group! {
    name = set_benches;
    config = config();
    targets = benches
}
criterion_main!(set_benches);
