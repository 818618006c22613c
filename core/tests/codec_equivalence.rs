//! The fast base64url decoder, JSON reader and JWS splitter against straightforward
//! reference versions of themselves (the byte-at-a-time code they replaced).
//!
//! Strictness is a security property: every input must get the same answer from both,
//! the same error variant and, for JSON, the same error offset. The references below are
//! deliberately naive so that they are easy to check by reading.

use proptest::prelude::*;
use ssf_core::base64url;
use ssf_core::error::{Error, Part};
use ssf_core::json::{self, Map, Value};
use ssf_core::jws::CompactJws;
use ssf_core::limits::{MAX_JSON_DEPTH, MAX_NUMBER_LEN};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---- base64url ---------------------------------------------------------------------------

fn ref_sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    }))
}

fn ref_decode(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::new();
    let mut chunks = input.chunks_exact(4);
    for c in &mut chunks {
        let n = (ref_sextet(c[0])? << 18)
            | (ref_sextet(c[1])? << 12)
            | (ref_sextet(c[2])? << 6)
            | ref_sextet(c[3])?;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    match *chunks.remainder() {
        [] => {}
        [a, b] => {
            let (a, b) = (ref_sextet(a)?, ref_sextet(b)?);
            if b & 0x0f != 0 {
                return None;
            }
            out.push(((a << 2) | (b >> 4)) as u8);
        }
        [a, b, c] => {
            let (a, b, c) = (ref_sextet(a)?, ref_sextet(b)?, ref_sextet(c)?);
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

#[test]
fn base64_every_alphabet_character_in_every_position() {
    for (i, &ch) in ALPHABET.iter().enumerate() {
        for pos in 0..4 {
            let mut q = *b"AAAA";
            q[pos] = ch;
            let n = (i as u32) << (18 - 6 * pos);
            let want = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            assert_eq!(base64url::decode(&q).as_deref(), Some(&want[..]), "{q:?}");
            // The same quantum in the eight-character path.
            let mut w = *b"AAAAAAAA";
            w[pos + 4] = ch;
            let mut want8 = vec![0, 0, 0];
            want8.extend_from_slice(&want);
            assert_eq!(base64url::decode(&w), Some(want8), "{w:?}");
        }
    }
}

#[test]
fn base64_every_byte_in_every_position_matches_the_reference() {
    // Lengths reach past two eight-character steps, a four-character step and every tail.
    for len in 0..=27usize {
        let base: Vec<u8> = (0..len).map(|i| ALPHABET[(i * 7 + 3) % 64]).collect();
        for pos in 0..len {
            for b in 0..=255u8 {
                let mut t = base.clone();
                t[pos] = b;
                assert_eq!(base64url::decode(&t), ref_decode(&t), "{t:?}");
            }
        }
    }
}

#[test]
fn base64_trailing_bits_and_impossible_lengths() {
    for (i, &ch) in ALPHABET.iter().enumerate() {
        // Two characters carry 12 bits for one byte: the last four must be zero.
        for prefix in [&b""[..], b"AAAA", b"AAAAAAAA", b"AAAAAAAAAAAA"] {
            let mut t = prefix.to_vec();
            t.extend_from_slice(&[b'Q', ch]);
            assert_eq!(base64url::decode(&t).is_some(), i & 0x0f == 0, "{t:?}");
            // Three characters carry 18 bits for two bytes: the last two must be zero.
            let mut t = prefix.to_vec();
            t.extend_from_slice(&[b'Q', b'U', ch]);
            assert_eq!(base64url::decode(&t).is_some(), i & 0x03 == 0, "{t:?}");
        }
    }
    for len in (1..64).step_by(4) {
        assert_eq!(base64url::decode(&vec![b'A'; len]), None, "length {len}");
    }
    assert_eq!(base64url::decode(b""), Some(vec![]));
}

#[test]
fn base64_round_trips_every_length() {
    let data: Vec<u8> = (0..=255u8).rev().collect();
    for n in 0..=data.len() {
        let e = base64url::encode(&data[..n]);
        assert_eq!(e.len(), n.div_ceil(3) * 4 - (3 - n % 3) % 3);
        assert_eq!(base64url::decode(e.as_bytes()).as_deref(), Some(&data[..n]));
    }
}

fn base64ish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        8 => proptest::sample::select(ALPHABET.to_vec()),
        1 => proptest::sample::select(b"=+/ .\n\0\x7f\x80\xff".to_vec()),
        1 => any::<u8>(),
    ];
    proptest::collection::vec(byte, 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn base64_matches_the_reference(input in base64ish()) {
        prop_assert_eq!(base64url::decode(&input), ref_decode(&input));
    }

    #[test]
    fn base64_round_trips(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let e = base64url::encode(&data);
        prop_assert_eq!(base64url::decode(e.as_bytes()), Some(data));
    }
}

// ---- JSON --------------------------------------------------------------------------------

/// A JSON value in a form both readers can be compared in.
#[derive(Debug, PartialEq)]
enum R {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<R>),
    Obj(Vec<(String, R)>),
}

fn from_value(v: &Value) -> R {
    match v {
        Value::Null => R::Null,
        Value::Bool(b) => R::Bool(*b),
        Value::Number(n) => R::Num(n.as_str().to_string()),
        Value::String(s) => R::Str(s.clone()),
        Value::Array(a) => R::Arr(a.iter().map(from_value).collect()),
        Value::Object(m) => R::Obj(
            m.iter()
                .map(|(k, v)| (k.to_string(), from_value(v)))
                .collect(),
        ),
    }
}

struct RefParser<'a> {
    s: &'a [u8],
    i: usize,
    part: Part,
}

fn ref_parse(input: &[u8], part: Part) -> Result<R, Error> {
    let mut p = RefParser {
        s: input,
        i: 0,
        part,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(Error::TrailingData { part });
    }
    Ok(v)
}

impl RefParser<'_> {
    fn err(&self, detail: &'static str) -> Error {
        Error::Json {
            part: self.part,
            offset: self.i,
            detail,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn lit(&mut self, lit: &[u8], v: R) -> Result<R, Error> {
        if self.s.get(self.i..self.i + lit.len()) == Some(lit) {
            self.i += lit.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<R, Error> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{' | b'[') if depth >= MAX_JSON_DEPTH => Err(Error::TooDeep { part: self.part }),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(R::Str),
            Some(b't') => self.lit(b"true", R::Bool(true)),
            Some(b'f') => self.lit(b"false", R::Bool(false)),
            Some(b'n') => self.lit(b"null", R::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<R, Error> {
        self.i += 1;
        let mut members: Vec<(String, R)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(R::Obj(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a member name"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':'"));
            }
            self.i += 1;
            self.skip_ws();
            let v = self.value(depth)?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(Error::DuplicateMember {
                    part: self.part,
                    name: key,
                });
            }
            members.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(R::Obj(members));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<R, Error> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(R::Arr(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(R::Arr(items));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<R, Error> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        let text = &self.s[start..self.i];
        if text.len() > MAX_NUMBER_LEN {
            return Err(Error::NumberOutOfRange { part: self.part });
        }
        let text = std::str::from_utf8(text).map_err(|_| self.err("invalid number"))?;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(R::Num(text.to_string())),
            _ => Err(Error::NumberOutOfRange { part: self.part }),
        }
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = (v << 4) | u16::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run_start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            let run = std::str::from_utf8(&self.s[run_start..self.i]).map_err(|e| Error::Json {
                part: self.part,
                offset: run_start + e.valid_up_to(),
                detail: "invalid UTF-8",
            })?;
            out.push_str(run);
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let c = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
        self.i += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{08}',
            b'f' => '\u{0c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                        return Err(self.err("unpaired surrogate"));
                    }
                    self.i += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("unpaired surrogate"));
                    }
                    0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.err("unpaired surrogate"));
                } else {
                    u32::from(hi)
                };
                char::from_u32(code).ok_or_else(|| self.err("invalid code point"))?
            }
            _ => return Err(self.err("invalid escape")),
        };
        out.push(ch);
        Ok(())
    }
}

fn check_json(input: &[u8]) {
    let new = json::parse(input, Part::Payload).map(|v| from_value(&v));
    let old = ref_parse(input, Part::Payload);
    assert_eq!(new, old, "{:?}", String::from_utf8_lossy(input));
}

/// Member names: listed ones (borrowed internally), unlisted ones, and listed ones
/// spelled with escapes, which must still count as the same name.
const NAMES: &[&str] = &[
    "alg",
    "kid",
    "typ",
    "crit",
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "jti",
    "txn",
    "toe",
    "sub_id",
    "events",
    "format",
    "email",
    "id",
    "x",
    "y",
    "n",
    "e",
    "en",
    "keys",
    "kty",
    "event_timestamp",
    "initiating_entity",
    "reason_admin",
    "reason_user",
    "status",
    "authorization_header",
    "unlisted",
    "is",
    "isss",
    "Iss",
    "alg ",
    "e\u{e9}",
    "",
];

#[test]
fn json_known_and_unknown_member_names() {
    for (i, a) in NAMES.iter().enumerate() {
        let doc = format!(r#"{{{}:1,"other":[{}]}}"#, Value::from(*a), Value::from(*a));
        check_json(doc.as_bytes());
        let v = json::parse(doc.as_bytes(), Part::Payload).unwrap();
        let m = v.as_object().unwrap();
        assert_eq!(m.get(a), Some(&Value::from(1)));
        assert_eq!(m.keys().next(), Some(*a));
        assert_eq!(v.to_json(), doc);
        // Equal to a map built by hand, whatever the storage of the name.
        let mut built = Map::new();
        built.insert(*a, 1);
        built.insert("other", vec![Value::from(*a)]);
        assert_eq!(m, &built);
        assert_eq!(format!("{m:?}"), format!("{built:?}"));
        assert_eq!(
            m.clone().into_iter().next(),
            Some((a.to_string(), Value::from(1)))
        );
        for b in &NAMES[i..] {
            let dup = format!(r#"{{{}:1,{}:2}}"#, Value::from(*a), Value::from(*b));
            check_json(dup.as_bytes());
        }
        // The same name again, written with escapes.
        let escaped: String = a.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        let dup = format!(r#"{{{}:1,"{escaped}":2}}"#, Value::from(*a));
        check_json(dup.as_bytes());
        assert_eq!(
            json::parse(dup.as_bytes(), Part::Header),
            Err(Error::DuplicateMember {
                part: Part::Header,
                name: a.to_string()
            })
        );
    }
}

#[test]
fn json_strings_around_word_boundaries() {
    // Every special byte at every offset of strings long enough to span several words,
    // followed by more input so that no scan runs into the end of the text.
    let specials: &[&[u8]] = &[
        b"\"",
        b"\\",
        b"\\\"",
        b"\\n",
        b"\\u00e9",
        b"\\ud83d\\ude00",
        b"\x00",
        b"\x01",
        b"\x1f",
        b"\x20",
        b"\x7f",
        b"\x80",
        b"\xff",
        "é".as_bytes(),
        "😀".as_bytes(),
        b"\xf0\x9f",
        b"\\ud800",
        b"\\udc00",
        b"\\x",
        b"!",
        b"#",
        b"[",
        b"\\/",
        b"\\b\\f\\r\\t",
    ];
    for len in 0..26 {
        for pos in 0..=len {
            for sp in specials {
                let mut s = b"[\"".to_vec();
                let body: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                s.extend_from_slice(&body[..pos]);
                s.extend_from_slice(sp);
                s.extend_from_slice(&body[pos..]);
                s.extend_from_slice(b"\",\"tail\"]");
                check_json(&s);
                // And with the string as the last thing in the input (end-of-input paths).
                let cut = s.len() - b",\"tail\"]".len();
                check_json(&s[..cut]);
                check_json(&s[1..cut]);
                check_json(&s[1..cut - 1]);
            }
        }
    }
}

#[test]
fn json_escapes_and_surrogates() {
    for text in [
        r#""\"\\\/\b\f\n\r\t""#,
        r#""\u0000\u001f\u0020\u007f\u0080\u07ff\u0800\uffff""#,
        r#""\ud83d\ude00""#,
        r#""\uD83D\uDE00""#,
        r#""\ud800\udc00\udbff\udfff""#,
        r#""\ud800""#,
        r#""\ud800x""#,
        r#""\ud800\n""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\udc00""#,
        r#""\udfff\ud800""#,
        r#""\ud83d\ude0""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\U0041""#,
        r#""\a""#,
        "\"\\",
        "\"\\u",
        "\"\\ud83d\\",
        "\"abc",
        "\"",
        "\"\t\"",
        "\"a\u{7f}\"",
    ] {
        check_json(text.as_bytes());
    }
}

#[test]
fn json_invalid_utf8_offsets() {
    for bad in [
        &b"\"\xff\""[..],
        b"\"ab\xc3\"",
        b"\"ab\xc3(\"",
        b"\"abcdefghij\xed\xa0\x80\"",
        b"\"abcdefgh\xf4\x90\x80\x80\"",
        b"\"\xc0\xaf\"",
        b"{\"k\xff\":1}",
        b"[\"ok\",\"bad\x80\"]",
        b"\xef\xbb\xbf{}",
        b"[1]\xff",
        b"[\xff]",
        b"\"abc\xe2\x82",
        b"\"abcdefghijklmnop\xe2\x82\\n\"",
        b"\"\xe2\x82\xac\xe2\x82\"",
    ] {
        check_json(bad);
    }
}

#[test]
fn json_depth_and_number_limits() {
    for depth in [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1] {
        let arrays = "[".repeat(depth) + &"]".repeat(depth);
        check_json(arrays.as_bytes());
        let objects = r#"{"a":"#.repeat(depth) + "1" + &"}".repeat(depth);
        check_json(objects.as_bytes());
        let mixed = r#"[{"iss":"#.repeat(depth / 2) + "[]" + &"}]".repeat(depth / 2);
        check_json(mixed.as_bytes());
    }
    assert!(json::parse(
        ("[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH)).as_bytes(),
        Part::Payload
    )
    .is_ok());
    for n in [MAX_NUMBER_LEN - 1, MAX_NUMBER_LEN, MAX_NUMBER_LEN + 1] {
        check_json("9".repeat(n).as_bytes());
        check_json(format!("-{}", "9".repeat(n - 1)).as_bytes());
        check_json(format!("0.{}", "1".repeat(n - 2)).as_bytes());
        check_json(format!("1e{}", "0".repeat(n - 2)).as_bytes());
    }
    for text in [
        "0",
        "-0",
        "1.5",
        "-0.0",
        "1e308",
        "1e309",
        "-1e309",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "1e-400",
        "1E+2",
        "1e+",
        "1e",
        "1.",
        ".5",
        "01",
        "-",
        "--1",
        "+1",
        "1.5e-3",
        "0e0",
        "9007199254740993",
        "1e400",
        "[1e999]",
        "123456789012345678901234567890",
        "-9223372036854775809",
        "1.0e+308",
        "12e307",
        "0.00000000000000000000000000000000001e330",
    ] {
        check_json(text.as_bytes());
    }
}

#[test]
fn json_structure_errors() {
    for text in [
        "",
        " ",
        "{",
        "}",
        "[",
        "]",
        "{}",
        "[]",
        "{,}",
        "[,]",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{1:2}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "nul",
        "nulll",
        "tru",
        "falsey",
        "null null",
        " {} ",
        "{}\n",
        "\t[\r\n]",
        "{\"a\":[{\"b\":{}}]}",
        "\u{feff}{}",
        "{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":3,\"a\":4}]}",
        "[\"\"]",
        "{\"\":1,\"\":2}",
    ] {
        check_json(text.as_bytes());
    }
}

fn json_fragments() -> impl Strategy<Value = Vec<u8>> {
    let frag = proptest::sample::select(vec![
        &b"{"[..],
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        b"\\",
        b"\\\"",
        b"\\u",
        b"d83d",
        b"de00",
        b"dc00",
        b"0041",
        b"00",
        b"a",
        b"abcdefghij",
        "é".as_bytes(),
        "😀".as_bytes(),
        b"\xff",
        b"\x80",
        b"\xe2\x82",
        b"\x01",
        b"\x1f",
        b" ",
        b"\n",
        b"\t",
        b"true",
        b"false",
        b"null",
        b"-",
        b"0",
        b"1",
        b"9",
        b".",
        b"e",
        b"E",
        b"+",
        b"99999999999999999999",
        b"\"iss\"",
        b"\"alg\"",
        b"\"x\"",
        b"\"events\"",
        b"\"unlisted\"",
        b"\\n",
        b"\\/",
        b"\\q",
    ]);
    proptest::collection::vec(frag, 0..40).prop_map(|v| v.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let name = prop_oneof![
        proptest::sample::select(NAMES.to_vec()).prop_map(String::from),
        "\\PC{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
        "[\\x00-\\x7f]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec((name.clone(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn json_fragments_match_the_reference(input in json_fragments()) {
        check_json(&input);
    }

    #[test]
    fn json_arbitrary_bytes_match_the_reference(input in proptest::collection::vec(any::<u8>(), 0..64)) {
        check_json(&input);
    }

    #[test]
    fn json_values_round_trip_and_match(v in json_value(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let text = v.to_json();
        check_json(text.as_bytes());
        prop_assert_eq!(json::parse(text.as_bytes(), Part::Payload).unwrap(), v);
        // One byte changed, and the text cut short: both readers must still agree.
        let mut bytes = text.clone().into_bytes();
        let i = cut.index(bytes.len());
        bytes[i] = byte;
        check_json(&bytes);
        check_json(&text.as_bytes()[..i]);
    }
}

// ---- JWS splitting -----------------------------------------------------------------------

/// The old splitter's answer for where the two dots are.
fn ref_dots(token: &[u8]) -> Result<(usize, usize), &'static str> {
    let mut dots = token
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    match (dots.next(), dots.next(), dots.next()) {
        (Some(a), Some(b), None) => Ok((a, b)),
        (Some(_), Some(_), Some(_)) => Err("more than three segments (JWE or trailing data?)"),
        _ => Err("fewer than three segments"),
    }
}

fn check_split(token: &str) {
    let got = CompactJws::parse(token);
    match ref_dots(token.as_bytes()) {
        Err(why) => assert_eq!(got.unwrap_err(), Error::Malformed(why), "{token}"),
        Ok((_, d2)) => {
            if let Ok(j) = got {
                assert_eq!(j.signing_input, &token.as_bytes()[..d2], "{token}");
            } else {
                assert!(
                    !matches!(got, Err(Error::Malformed(m)) if m != "empty header segment"),
                    "{token}"
                );
            }
        }
    }
}

#[test]
fn jws_dots_at_every_position() {
    let header = base64url::encode(br#"{"alg":"ES256"}"#);
    let payload = base64url::encode(b"{}");
    for len in 0..40 {
        let filler: String = (0..len).map(|i| ALPHABET[i % 64] as char).collect();
        for a in 0..=len {
            check_split(&format!("{}.{}", &filler[..a], &filler[a..]));
            for b in a..=len {
                check_split(&format!(
                    "{}.{}.{}",
                    &filler[..a],
                    &filler[a..b],
                    &filler[b..]
                ));
                check_split(&format!(
                    "{header}.{payload}.{}.{}",
                    &filler[..b],
                    &filler[b..]
                ));
            }
        }
        check_split(&filler);
        check_split(&format!("{header}.{filler}.{filler}"));
        check_split(&format!("{header}{filler}.{payload}{filler}.{filler}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn jws_split_matches_the_reference(token in "[A-Za-z0-9_.-]{0,70}") {
        check_split(&token);
    }
}
