//! Strict base64url without padding (RFC 7515 section 2, RFC 4648 section 5).
//!
//! Decoding is canonical: padding, whitespace, characters outside the URL-safe alphabet,
//! impossible lengths and non-zero trailing bits are all refused, so every byte string has
//! exactly one accepted encoding and a token cannot be altered without changing its bytes.

use alloc::string::String;
use alloc::vec::Vec;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    }))
}

/// Decodes canonical unpadded base64url; `None` if `input` is not exactly that.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut chunks = input.chunks_exact(4);
    for c in &mut chunks {
        let n =
            (sextet(c[0])? << 18) | (sextet(c[1])? << 12) | (sextet(c[2])? << 6) | sextet(c[3])?;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    match *chunks.remainder() {
        [] => {}
        [a, b] => {
            let (a, b) = (sextet(a)?, sextet(b)?);
            if b & 0x0f != 0 {
                return None;
            }
            out.push(((a << 2) | (b >> 4)) as u8);
        }
        [a, b, c] => {
            let (a, b, c) = (sextet(a)?, sextet(b)?, sextet(c)?);
            if c & 0x03 != 0 {
                return None;
            }
            out.push(((a << 2) | (b >> 4)) as u8);
            out.push((((b & 0x0f) << 4) | (c >> 2)) as u8);
        }
        _ => return None,
    }
    Some(out)
}

/// Encodes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    encode_into(&mut out, input);
    out
}

/// Appends the unpadded base64url encoding of `input` to `out`.
pub fn encode_into(out: &mut String, input: &[u8]) {
    let mut chunks = input.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for shift in [18, 12, 6, 0] {
            out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.push(ALPHABET[(n >> 18) as usize & 63] as char);
            out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.push(ALPHABET[(n >> 18) as usize & 63] as char);
            out.push(ALPHABET[(n >> 12) as usize & 63] as char);
            out.push(ALPHABET[(n >> 6) as usize & 63] as char);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_lengths() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..40 {
            let e = encode(&data[..n]);
            assert_eq!(decode(e.as_bytes()).unwrap(), &data[..n]);
        }
        assert_eq!(encode(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn refuses_non_canonical() {
        for bad in [
            "QQ==", "QR", "QUF", "A", "QU=F", "QU+F", "QU/F", "QU F", "QUJD\n",
        ] {
            // "QR" and "QUF" carry non-zero trailing bits: canonical forms are "QQ" and "QUE".
            assert_eq!(decode(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(decode(b"QQ").unwrap(), b"A");
        assert_eq!(decode(b"QUE").unwrap(), b"AA");
    }
}
