//! Strict base64url without padding (RFC 7515 section 2, RFC 4648 section 5).
//!
//! Decoding is canonical: padding, whitespace, characters outside the URL-safe alphabet,
//! impossible lengths and non-zero trailing bits are all refused, so every byte string has
//! exactly one accepted encoding and a token cannot be altered without changing its bytes.

use alloc::string::String;
use alloc::vec::Vec;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks bytes outside the alphabet. Valid sextets are below 64, so one test of the top
/// two bits of four OR-ed entries rejects a whole quantum at once.
const INVALID: u8 = 0xff;

/// Byte to sextet, `INVALID` elsewhere: one load per character instead of a chain of
/// range comparisons.
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn sextet(c: u8) -> u8 {
    DECODE[usize::from(c)]
}

/// Decodes canonical unpadded base64url; `None` if `input` is not exactly that.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let tail_out = match input.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let quanta = input.len() / 4;
    // Sized exactly up front: the loop below then writes into fixed slots with no
    // capacity checks, and the buffer is never reallocated.
    let mut out = alloc::vec![0u8; quanta * 3 + tail_out];
    let (body_out, tail_slot) = out.split_at_mut(quanta * 3);
    // Eight characters (48 bits, six bytes) per step, gathered in one register. `INVALID`
    // sign-extends to all ones, and a later shift by at most 42 bits cannot move all of
    // them out of the top 16 bits, while valid input leaves those bits zero: validity
    // costs one test per step.
    let mut wide = input.chunks_exact(8);
    let mut wide_out = body_out.chunks_exact_mut(6);
    for (w, o) in (&mut wide).zip(&mut wide_out) {
        let mut n = 0u64;
        for &ch in w {
            n = (n << 6) | (sextet(ch) as i8 as u64);
        }
        if n >> 48 != 0 {
            return None;
        }
        o.copy_from_slice(&n.to_be_bytes()[2..]);
    }
    let mut src = wide.remainder().chunks_exact(4);
    for (q, o) in (&mut src).zip(wide_out.into_remainder().chunks_exact_mut(3)) {
        let (a, b, c, d) = (sextet(q[0]), sextet(q[1]), sextet(q[2]), sextet(q[3]));
        if (a | b | c | d) & 0xc0 != 0 {
            return None;
        }
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        o[0] = (n >> 16) as u8;
        o[1] = (n >> 8) as u8;
        o[2] = n as u8;
    }
    match (src.remainder(), tail_slot) {
        ([], []) => {}
        (&[a, b], [o0]) => {
            let (a, b) = (sextet(a), sextet(b));
            // Non-zero unused bits would give a second spelling of the same bytes.
            if (a | b) & 0xc0 != 0 || b & 0x0f != 0 {
                return None;
            }
            *o0 = (a << 2) | (b >> 4);
        }
        (&[a, b, c], [o0, o1]) => {
            let (a, b, c) = (sextet(a), sextet(b), sextet(c));
            if (a | b | c) & 0xc0 != 0 || c & 0x03 != 0 {
                return None;
            }
            *o0 = (a << 2) | (b >> 4);
            *o1 = (b << 4) | (c >> 2);
        }
        // Unreachable: the remainder's length fixed the tail's.
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
    out.reserve(input.len().div_ceil(3) * 4);
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
