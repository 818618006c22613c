//! Compact JWS splitting and the protected header.
//!
//! What parses splits exactly at its two dots: the signing input is the text before the
//! second dot, the payload and signature re-encode to their segments, the header segment
//! decodes to the header's `raw` object, and the typed header is rebuilt from `raw` alike.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::base64url;
use ssf_core::error::Part;
use ssf_core::json;
use ssf_core::jws::{signing_input, CompactJws, Header};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(jws) = CompactJws::parse(text) else {
        return;
    };
    let token = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(
        segments.len(),
        3,
        "parsed a token that is not three segments"
    );
    assert_eq!(
        jws.signing_input,
        token[..segments[0].len() + 1 + segments[1].len()].as_bytes()
    );
    assert_eq!(
        base64url::encode(&jws.payload),
        segments[1],
        "payload segment"
    );
    assert_eq!(
        base64url::encode(&jws.signature),
        segments[2],
        "signature segment"
    );
    let header_bytes = base64url::decode(segments[0].as_bytes()).expect("header segment decodes");
    let raw = json::parse_object(&header_bytes, Part::Header).expect("header segment parses");
    assert_eq!(raw, jws.header.raw, "header raw members");
    assert_eq!(
        Header::from_map(raw).as_ref(),
        Ok(&jws.header),
        "typed header rebuilt from raw"
    );
    let _ = jws.header.algorithm();
    let _ = jws.header.check_for_verification();
    let _ = jws.header.check_set_typ();
    // Re-serialising header and payload gives a token that splits to the same values.
    if let Ok(claims) = jws.claims() {
        let input = signing_input(&jws.header.raw, &claims);
        let again = format!("{input}.{}", segments[2]);
        let parsed = CompactJws::parse(&again).expect("re-encoded token parses");
        assert_eq!(parsed.header, jws.header);
        assert_eq!(parsed.claims().as_ref(), Ok(&claims));
        assert_eq!(parsed.signature, jws.signature);
    }
});
