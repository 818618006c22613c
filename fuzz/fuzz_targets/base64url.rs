//! base64url: decoding is canonical (what decodes re-encodes to exactly the input), and
//! encode -> decode gives back any byte string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::base64url;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = base64url::decode(data) {
        assert_eq!(bytes.len(), data.len() * 3 / 4, "decoded length");
        let text = base64url::encode(&bytes);
        assert_eq!(text.as_bytes(), data, "accepted a non-canonical spelling");
        assert_eq!(
            base64url::decode(text.as_bytes()).as_deref(),
            Some(&bytes[..])
        );
    }
    let text = base64url::encode(data);
    assert_eq!(text.len(), (data.len() * 4).div_ceil(3), "encoded length");
    assert!(
        !text.contains(['=', '+', '/']),
        "not unpadded base64url: {text}"
    );
    assert_eq!(
        base64url::decode(text.as_bytes()).as_deref(),
        Some(data),
        "encode -> decode"
    );
    let mut appended = String::from("x.");
    base64url::encode_into(&mut appended, data);
    assert_eq!(&appended[2..], text, "encode_into differs from encode");
});
