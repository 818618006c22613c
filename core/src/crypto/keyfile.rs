//! Private keys in PEM: PKCS#8 (RFC 5958), SEC1 (RFC 5915) and PKCS#1 (RFC 8017).
//!
//! A small DER reader of our own instead of the `der` / `pkcs8` / `sec1` / `pkcs1`
//! crates: it only needs the few structures of private keys, and it keeps about 55 KB
//! of generic decoding code out of the wasm builds. Decoding is strict DER (definite,
//! minimal lengths; nothing left over), and every value that carries key material is
//! wiped when dropped. Consistency checks (does a public key match the private one, do
//! the RSA values agree) are the caller's, where the key is built.

use alloc::vec::Vec;

use base64ct::{Base64, Encoding as _};
use zeroize::Zeroizing;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;

/// Contents octets of the algorithm OIDs we read (X.690 encoding, without tag and length).
pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub(crate) const OID_RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
pub(crate) const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
pub(crate) const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Not the structure we expected. The caller says which structure it wanted.
#[derive(Debug)]
pub(crate) struct Malformed;

type R<T> = Result<T, Malformed>;

/// The DER body of the first PEM block labelled `label` (RFC 7468: base64 between the
/// boundary lines; whitespace ignored; no headers, so no encrypted legacy PEM).
pub(crate) fn pem_body(pem: &str, label: &str) -> R<Zeroizing<Vec<u8>>> {
    let rest = pem.split_once("-----BEGIN ").ok_or(Malformed)?.1;
    let rest = rest.strip_prefix(label).ok_or(Malformed)?;
    let rest = rest.strip_prefix("-----").ok_or(Malformed)?;
    let (body, after) = rest.split_once("-----END ").ok_or(Malformed)?;
    let after = after.strip_prefix(label).ok_or(Malformed)?;
    if !after.starts_with("-----") {
        return Err(Malformed);
    }
    let mut text = Zeroizing::new(Vec::with_capacity(body.len()));
    for &b in body.as_bytes() {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            // A header line ("Proc-Type: 4,ENCRYPTED", ...) or anything else not base64.
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => text.push(b),
            _ => return Err(Malformed),
        }
    }
    let text = core::str::from_utf8(&text).map_err(|_| Malformed)?;
    Base64::decode_vec(text)
        .map(Zeroizing::new)
        .map_err(|_| Malformed)
}

/// A cursor over DER input.
pub(crate) struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Der(input)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next element, which must have tag `tag`: its contents.
    fn read(&mut self, tag: u8) -> R<&'a [u8]> {
        let (&t, rest) = self.0.split_first().ok_or(Malformed)?;
        if t != tag {
            return Err(Malformed);
        }
        let (&first, mut rest) = rest.split_first().ok_or(Malformed)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form, 1 to 3 length octets, minimal (X.690 section 10.1).
            let n = usize::from(first & 0x7f);
            if !(1..=3).contains(&n) || rest.len() < n {
                return Err(Malformed);
            }
            let (octets, tail) = rest.split_at(n);
            rest = tail;
            let len = octets
                .iter()
                .fold(0usize, |l, &b| (l << 8) | usize::from(b));
            if octets.first() == Some(&0) || len < 0x80 {
                return Err(Malformed);
            }
            len
        };
        if rest.len() < len {
            return Err(Malformed);
        }
        let (contents, tail) = rest.split_at(len);
        self.0 = tail;
        Ok(contents)
    }

    /// The next element if it has tag `tag`.
    fn optional(&mut self, tag: u8) -> R<Option<&'a [u8]>> {
        if self.peek() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless everything was read.
    fn end(&self) -> R<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// A whole input that is one element with tag `tag`: its contents.
    fn only(input: &'a [u8], tag: u8) -> R<&'a [u8]> {
        let mut d = Der(input);
        let contents = d.read(tag)?;
        d.end()?;
        Ok(contents)
    }

    /// A non-negative INTEGER as big-endian octets without the sign octet.
    fn unsigned(&mut self) -> R<&'a [u8]> {
        let v = self.read(INTEGER)?;
        match v {
            [] => Err(Malformed),
            [b, ..] if b & 0x80 != 0 => Err(Malformed),
            [0, next, ..] if next & 0x80 == 0 => Err(Malformed),
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            _ => Ok(v),
        }
    }

    /// A small INTEGER (a version number).
    fn small(&mut self) -> R<u8> {
        match self.unsigned()? {
            [v] => Ok(*v),
            _ => Err(Malformed),
        }
    }

    /// A BIT STRING without unused bits: its octets.
    fn bit_string(&mut self, tag: u8) -> R<&'a [u8]> {
        match self.read(tag)? {
            [0, octets @ ..] => Ok(octets),
            _ => Err(Malformed),
        }
    }
}

/// A PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`.
pub(crate) struct Pkcs8<'a> {
    pub algorithm: &'a [u8],
    /// The parameters element whole (tag, length, contents), if any.
    pub parameters: Option<(u8, &'a [u8])>,
    pub private_key: &'a [u8],
    pub public_key: Option<&'a [u8]>,
}

pub(crate) fn pkcs8(der: &[u8]) -> R<Pkcs8<'_>> {
    let mut d = Der::new(Der::only(der, SEQUENCE)?);
    let version = d.small()?;
    if version > 1 {
        return Err(Malformed);
    }
    let mut alg = Der::new(d.read(SEQUENCE)?);
    let algorithm = alg.read(OID)?;
    let parameters = match alg.peek() {
        None => None,
        Some(tag) => Some((tag, alg.read(tag)?)),
    };
    alg.end()?;
    let private_key = d.read(OCTET_STRING)?;
    // [0] IMPLICIT attributes, then (version 2 only) [1] IMPLICIT publicKey.
    d.optional(0xa0)?;
    let public_key = if version == 1 {
        match d.peek() {
            Some(0x81) => Some(d.bit_string(0x81)?),
            _ => None,
        }
    } else {
        None
    };
    d.end()?;
    Ok(Pkcs8 {
        algorithm,
        parameters,
        private_key,
        public_key,
    })
}

impl Pkcs8<'_> {
    /// The named curve of an `id-ecPublicKey` key.
    pub(crate) fn curve(&self) -> R<&[u8]> {
        match (self.algorithm, self.parameters) {
            (OID_EC, Some((OID, curve))) => Ok(curve),
            _ => Err(Malformed),
        }
    }

    /// Checks that this is an RSA key: `rsaEncryption` with NULL parameters or
    /// `id-RSASSA-PSS` without parameters (RFC 8017 appendix C).
    pub(crate) fn check_rsa(&self) -> R<()> {
        match (self.algorithm, self.parameters) {
            (OID_RSA, Some((NULL, []))) | (OID_RSA_PSS, None) => Ok(()),
            _ => Err(Malformed),
        }
    }

    /// The 32-octet seed of an Ed25519 key (RFC 8410: an OCTET STRING inside the
    /// privateKey OCTET STRING).
    pub(crate) fn ed25519_seed(&self) -> R<&[u8]> {
        if self.algorithm != OID_ED25519 || self.parameters.is_some() {
            return Err(Malformed);
        }
        let seed = Der::only(self.private_key, OCTET_STRING)?;
        if seed.len() != 32 {
            return Err(Malformed);
        }
        Ok(seed)
    }
}

/// A SEC1 `ECPrivateKey`.
pub(crate) struct Sec1<'a> {
    pub private_key: &'a [u8],
    /// The named curve, when given.
    pub curve: Option<&'a [u8]>,
    pub public_key: Option<&'a [u8]>,
}

pub(crate) fn sec1(der: &[u8]) -> R<Sec1<'_>> {
    let mut d = Der::new(Der::only(der, SEQUENCE)?);
    if d.small()? != 1 {
        return Err(Malformed);
    }
    let private_key = d.read(OCTET_STRING)?;
    let curve = match d.optional(0xa0)? {
        Some(params) => Some(Der::only(params, OID)?),
        None => None,
    };
    let public_key = match d.optional(0xa1)? {
        Some(key) => {
            let mut k = Der::new(key);
            let bits = k.bit_string(BIT_STRING)?;
            k.end()?;
            Some(bits)
        }
        None => None,
    };
    d.end()?;
    Ok(Sec1 {
        private_key,
        curve,
        public_key,
    })
}

/// The values of a two-prime PKCS#1 `RSAPrivateKey`, big-endian without sign octets:
/// n, e, d, p, q, dp, dq, qi.
pub(crate) fn pkcs1(der: &[u8]) -> R<[&[u8]; 8]> {
    let mut d = Der::new(Der::only(der, SEQUENCE)?);
    // Version 1 is multi-prime (otherPrimeInfos), which signing does not support.
    if d.small()? != 0 {
        return Err(Malformed);
    }
    let mut values = [&[][..]; 8];
    for v in values.iter_mut() {
        *v = d.unsigned()?;
    }
    d.end()?;
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal_and_complete() {
        assert_eq!(Der::only(&[0x04, 0x01, 0xaa], 0x04).unwrap(), &[0xaa]);
        // Long form for a short length, a leading zero length octet, a truncated value.
        assert!(Der::only(&[0x04, 0x81, 0x01, 0xaa], 0x04).is_err());
        let mut long = alloc::vec![0x04, 0x82, 0x00, 0x80];
        long.extend([0u8; 0x80]);
        assert!(Der::only(&long, 0x04).is_err());
        assert!(Der::only(&[0x04, 0x02, 0xaa], 0x04).is_err());
        assert!(Der::only(&[0x04, 0x01, 0xaa, 0x00], 0x04).is_err());
        assert!(Der::only(&[0x04, 0x80], 0x04).is_err());
    }

    #[test]
    fn integers_are_unsigned_and_minimal() {
        let int = |b: &[u8]| Der::new(b).unsigned().map(<[u8]>::to_vec);
        assert_eq!(int(&[0x02, 0x01, 0x00]).unwrap(), [0]);
        assert_eq!(int(&[0x02, 0x02, 0x00, 0x80]).unwrap(), [0x80]);
        assert!(int(&[0x02, 0x01, 0x80]).is_err());
        assert!(int(&[0x02, 0x02, 0x00, 0x7f]).is_err());
        assert!(int(&[0x02, 0x00]).is_err());
    }

    #[test]
    fn pem_needs_matching_boundaries_and_no_headers() {
        let ok = "-----BEGIN X-----\nAAEC\n-----END X-----\n";
        assert_eq!(&pem_body(ok, "X").unwrap()[..], &[0, 1, 2]);
        assert!(pem_body(ok, "Y").is_err());
        assert!(pem_body("-----BEGIN X-----\nAAEC\n-----END Y-----", "X").is_err());
        let encrypted = "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAAEC\n-----END X-----";
        assert!(pem_body(encrypted, "X").is_err());
    }
}
