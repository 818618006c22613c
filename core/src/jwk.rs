//! JSON Web Keys (RFC 7517, RFC 7518 section 6, RFC 8037) and key selection.
//!
//! A [`Jwk`] is a *public* signature key, parsed strictly once and then used for any
//! number of verifications: with the `rustcrypto` feature the ready-to-use verifying key
//! is built at parse time, so a verification never decodes or validates the key again.
//!
//! Supported key types: `RSA` (modulus of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits),
//! `EC` on `P-256`, `P-384` and `P-521`, and `OKP` on `Ed25519`. A symmetric `oct` key is never a
//! [`Jwk`], so no code path can verify with a secret taken from a key set.
//!
//! A JWK given as a public key that carries private members (`d`, `p`, `q`, `dp`, `dq`,
//! `qi`, `oth`, or the symmetric `k`) is refused with [`Error::InvalidJwk`]: a private key
//! published in a key set has been disclosed, so anybody can sign with it, and verifying
//! with it would accept forgeries. Use [`crate::signing::SigningKey`] for private keys.
//!
//! A [`JwkSet`] keeps the keys it can use and remembers why it skipped the others, so that
//! a token naming a skipped key gets the precise reason (for example
//! [`Error::WeakRsaKey`]) instead of a vague "unknown kid".

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use crate::alg::Algorithm;
use crate::base64url;
use crate::error::{Error, Part};
use crate::json::{self, Map, Value};
use crate::limits::{MAX_JWKS_KEYS, MAX_JWKS_LEN, MAX_KEY_CANDIDATES, MAX_RSA_BITS, MIN_RSA_BITS};

/// Largest public exponent accepted (2^33 - 1, the bound common RSA libraries use).
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// Members that only a private (or symmetric) JWK has.
pub(crate) const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The elliptic curve of an `EC` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// NIST P-256 (secp256r1), for ES256.
    P256,
    /// NIST P-384 (secp384r1), for ES384.
    P384,
    /// NIST P-521 (secp521r1), for ES512.
    P521,
}

impl EcCurve {
    /// The JOSE `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }

    /// Parses an exact `crv` name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "P-256" => Some(EcCurve::P256),
            "P-384" => Some(EcCurve::P384),
            "P-521" => Some(EcCurve::P521),
            _ => None,
        }
    }

    /// Length in octets of one coordinate (and of a private scalar): the field size
    /// rounded up to whole octets, so 66 for P-521's 521 bits (RFC 7518 section 6.2.1.2).
    pub const fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// The one JWS algorithm that uses this curve.
    pub const fn algorithm(self) -> Algorithm {
        match self {
            EcCurve::P256 => Algorithm::ES256,
            EcCurve::P384 => Algorithm::ES384,
            EcCurve::P521 => Algorithm::ES512,
        }
    }
}

/// The public key material of a [`Jwk`], borrowed, for providers that do their own
/// arithmetic (all integers big-endian, minimal; coordinates full length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyParams<'a> {
    /// An RSA public key.
    Rsa {
        /// The modulus.
        n: &'a [u8],
        /// The public exponent.
        e: &'a [u8],
    },
    /// An elliptic-curve public key (uncompressed affine coordinates).
    Ec {
        /// The curve.
        curve: EcCurve,
        /// The x coordinate.
        x: &'a [u8],
        /// The y coordinate.
        y: &'a [u8],
    },
    /// An Ed25519 public key (RFC 8032 encoding).
    Ed25519 {
        /// The 32-octet public key.
        x: &'a [u8],
    },
}

/// Key material as parsed, plus (with `rustcrypto`) the ready-to-use verifying key.
#[derive(Clone)]
pub(crate) enum Material {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        bits: usize,
        #[cfg(feature = "rustcrypto")]
        key: rsa::RsaPublicKey,
    },
    Ec {
        curve: EcCurve,
        x: Vec<u8>,
        y: Vec<u8>,
        #[cfg(feature = "rustcrypto")]
        key: crate::crypto::rustcrypto::EcVerifyingKey,
    },
    Ed25519 {
        x: [u8; 32],
        #[cfg(feature = "rustcrypto")]
        key: ed25519_dalek::VerifyingKey,
    },
}

/// A parsed public JSON Web Key usable for JWS signature verification.
///
/// Build one with [`Jwk::from_map`] or [`Jwk::from_json`] (or get one from a
/// [`JwkSet`]); check that it may verify a given algorithm with [`Jwk::check_alg`].
#[derive(Clone)]
pub struct Jwk {
    material: Material,
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
    members: Map,
}

impl Jwk {
    /// Parses a public JWK from its JSON object, strictly (see the module documentation).
    ///
    /// Errors: [`Error::InvalidJwk`] for anything malformed or unsupported (including
    /// `kty` `oct` and private members), [`Error::WeakRsaKey`] for an RSA modulus below
    /// [`MIN_RSA_BITS`].
    pub fn from_map(map: &Map) -> Result<Jwk, Error> {
        let kty = match map.get("kty") {
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return Err(Error::InvalidJwk("kty is not a string")),
            None => return Err(Error::InvalidJwk("kty is missing")),
        };
        if kty == "oct" {
            return Err(Error::InvalidJwk(
                "a symmetric (oct) key cannot verify a public-key signature",
            ));
        }
        if PRIVATE_MEMBERS.iter().any(|m| map.contains_key(m)) {
            return Err(Error::InvalidJwk("private key material in a public JWK"));
        }
        let kid = opt_string(map, "kid", "kid is not a string")?;
        let alg = opt_string(map, "alg", "alg is not a string")?;
        let use_ = opt_string(map, "use", "use is not a string")?;
        let key_ops = key_ops(map)?;
        let material = match kty {
            "RSA" => parse_rsa(map)?,
            "EC" => parse_ec(map)?,
            "OKP" => parse_okp(map)?,
            _ => return Err(Error::InvalidJwk("unsupported kty")),
        };
        Ok(Jwk {
            material,
            kid,
            alg,
            use_,
            key_ops,
            members: map.clone(),
        })
    }

    /// Parses a public JWK from JSON text.
    pub fn from_json(json: &str) -> Result<Jwk, Error> {
        if json.len() > MAX_JWKS_LEN {
            return Err(Error::TooLarge {
                what: "JWK",
                limit: MAX_JWKS_LEN,
            });
        }
        Jwk::from_map(&json::parse_object(json.as_bytes(), Part::Document)?)
    }

    /// Builds a key from material that is already valid (used by signing keys).
    pub(crate) fn from_material(material: Material, kid: Option<String>, alg: Algorithm) -> Jwk {
        let mut members = Map::new();
        write_public_members(&mut members, &material);
        if let Some(k) = &kid {
            members.insert("kid", k.as_str());
        }
        members.insert("use", "sig");
        members.insert("alg", alg.name());
        Jwk {
            material,
            kid,
            alg: Some(alg.name().into()),
            use_: Some("sig".into()),
            key_ops: None,
            members,
        }
    }

    /// The key ID (`kid`), if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's own `alg` member, if present and a known signature algorithm.
    ///
    /// (`Ed25519`, the fully-specified name of RFC 9864, is reported as
    /// [`Algorithm::EdDSA`].) A key whose `alg` names anything else can never be used:
    /// [`Jwk::check_alg`] refuses it for every algorithm.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg.as_deref().and_then(|a| match a {
            "Ed25519" => Some(Algorithm::EdDSA),
            _ => Algorithm::from_name(a),
        })
    }

    /// The key's `alg` member as written, if any.
    pub fn alg_member(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The key's `use` member, if any.
    pub fn key_use(&self) -> Option<&str> {
        self.use_.as_deref()
    }

    /// The key's `key_ops` member, if any.
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// The key type (`kty`): `RSA`, `EC` or `OKP`.
    pub fn kty(&self) -> &'static str {
        match self.material {
            Material::Rsa { .. } => "RSA",
            Material::Ec { .. } => "EC",
            Material::Ed25519 { .. } => "OKP",
        }
    }

    /// The modulus size in bits of an RSA key (`None` for other key types).
    pub fn rsa_bits(&self) -> Option<usize> {
        match self.material {
            Material::Rsa { bits, .. } => Some(bits),
            _ => None,
        }
    }

    /// The public key material.
    pub fn params(&self) -> KeyParams<'_> {
        match &self.material {
            Material::Rsa { n, e, .. } => KeyParams::Rsa { n, e },
            Material::Ec { curve, x, y, .. } => KeyParams::Ec {
                curve: *curve,
                x,
                y,
            },
            Material::Ed25519 { x, .. } => KeyParams::Ed25519 { x },
        }
    }

    #[cfg_attr(not(feature = "rustcrypto"), allow(dead_code))]
    pub(crate) fn material(&self) -> &Material {
        &self.material
    }

    /// The JWK's members as given (a public JWK never holds private members).
    pub fn to_map(&self) -> Map {
        self.members.clone()
    }

    /// The RFC 7638 thumbprint input: the required public members in lexicographic order,
    /// as compact JSON.
    pub fn thumbprint_input(&self) -> String {
        let mut m = Map::new();
        match &self.material {
            Material::Rsa { n, e, .. } => {
                m.insert("e", base64url::encode(e));
                m.insert("kty", "RSA");
                m.insert("n", base64url::encode(n));
            }
            Material::Ec { curve, x, y, .. } => {
                m.insert("crv", curve.name());
                m.insert("kty", "EC");
                m.insert("x", base64url::encode(x));
                m.insert("y", base64url::encode(y));
            }
            Material::Ed25519 { x, .. } => {
                m.insert("crv", "Ed25519");
                m.insert("kty", "OKP");
                m.insert("x", base64url::encode(x));
            }
        }
        Value::Object(m).to_json()
    }

    /// The RFC 7638 JWK thumbprint with SHA-256, base64url-encoded.
    pub fn thumbprint(&self) -> String {
        base64url::encode(&Sha256::digest(self.thumbprint_input().as_bytes()))
    }

    /// Whether this key may verify a JWS signed with `alg`.
    ///
    /// The key type and curve must fit `alg` (an RSA key only for `RS*` / `PS*`, a P-256
    /// key only for ES256, a P-384 key only for ES384, a P-521 key only for ES512, an
    /// Ed25519 key only for EdDSA); the key's `alg`, if present, must name `alg`; its
    /// `use`, if present, must be `sig`; and its `key_ops`, if present, must include
    /// `verify`. Every failure is [`Error::KeyMismatch`].
    pub fn check_alg(&self, alg: Algorithm) -> Result<(), Error> {
        check_type(&self.material, alg)?;
        if let Some(own) = self.alg.as_deref() {
            let same = own == alg.name() || (alg == Algorithm::EdDSA && own == "Ed25519");
            if !same {
                return Err(Error::KeyMismatch("the key's alg names another algorithm"));
            }
        }
        if let Some(u) = self.use_.as_deref() {
            if u != "sig" {
                return Err(Error::KeyMismatch("the key's use is not sig"));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|o| o == "verify") {
                return Err(Error::KeyMismatch(
                    "the key's key_ops do not include verify",
                ));
            }
        }
        Ok(())
    }
}

fn check_type(material: &Material, alg: Algorithm) -> Result<(), Error> {
    use Algorithm::*;
    match (material, alg) {
        (Material::Rsa { .. }, RS256 | RS384 | RS512 | PS256 | PS384 | PS512) => Ok(()),
        (Material::Ec { curve, .. }, ES256 | ES384 | ES512) => {
            if curve.algorithm() == alg {
                Ok(())
            } else {
                Err(Error::KeyMismatch("the EC key's curve does not fit alg"))
            }
        }
        (Material::Ed25519 { .. }, EdDSA) => Ok(()),
        (Material::Rsa { .. }, _) => Err(Error::KeyMismatch("an RSA key cannot verify this alg")),
        (Material::Ec { .. }, _) => Err(Error::KeyMismatch("an EC key cannot verify this alg")),
        (Material::Ed25519 { .. }, _) => {
            Err(Error::KeyMismatch("an Ed25519 key cannot verify this alg"))
        }
    }
}

impl PartialEq for Jwk {
    /// Two keys are equal when their members are (same key, same metadata).
    fn eq(&self, other: &Jwk) -> bool {
        self.members == other.members
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Jwk");
        d.field("kty", &self.kty());
        match &self.material {
            Material::Rsa { bits, .. } => {
                d.field("bits", bits);
            }
            Material::Ec { curve, .. } => {
                d.field("crv", &curve.name());
            }
            Material::Ed25519 { .. } => {
                d.field("crv", &"Ed25519");
            }
        }
        d.field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.use_)
            .field("thumbprint", &self.thumbprint())
            .finish()
    }
}

/// Writes the public members of `material` (kty, crv, n/e or x/y) into `m`.
pub(crate) fn write_public_members(m: &mut Map, material: &Material) {
    match material {
        Material::Rsa { n, e, .. } => {
            m.insert("kty", "RSA");
            m.insert("n", base64url::encode(n));
            m.insert("e", base64url::encode(e));
        }
        Material::Ec { curve, x, y, .. } => {
            m.insert("kty", "EC");
            m.insert("crv", curve.name());
            m.insert("x", base64url::encode(x));
            m.insert("y", base64url::encode(y));
        }
        Material::Ed25519 { x, .. } => {
            m.insert("kty", "OKP");
            m.insert("crv", "Ed25519");
            m.insert("x", base64url::encode(x));
        }
    }
}

// ---- member parsing ----------------------------------------------------------------------

fn opt_string(map: &Map, name: &str, wrong: &'static str) -> Result<Option<String>, Error> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::InvalidJwk(wrong)),
    }
}

fn key_ops(map: &Map) -> Result<Option<Vec<String>>, Error> {
    let Some(v) = map.get("key_ops") else {
        return Ok(None);
    };
    let items = v
        .as_array()
        .ok_or(Error::InvalidJwk("key_ops is not an array"))?;
    let ops = items
        .iter()
        .map(|item| {
            item.as_str()
                .map(String::from)
                .ok_or(Error::InvalidJwk("key_ops holds a non-string"))
        })
        .collect::<Result<Vec<String>, Error>>()?;
    // RFC 7517 section 4.3: duplicate values MUST NOT be present. Sorted, not scanned per
    // value: a hostile key set can list thousands.
    let mut sorted: Vec<&str> = ops.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::InvalidJwk("key_ops repeats a value"));
    }
    Ok(Some(ops))
}

/// Messages for one base64url member: (missing, not a string, not base64url).
type MemberMessages = (&'static str, &'static str, &'static str);

fn member_messages(name: &str) -> MemberMessages {
    match name {
        "n" => ("n is missing", "n is not a string", "n is not base64url"),
        "e" => ("e is missing", "e is not a string", "e is not base64url"),
        "x" => ("x is missing", "x is not a string", "x is not base64url"),
        "y" => ("y is missing", "y is not a string", "y is not base64url"),
        "crv" => (
            "crv is missing",
            "crv is not a string",
            "crv is not base64url",
        ),
        _ => (
            "a member is missing",
            "a member is not a string",
            "a member is not base64url",
        ),
    }
}

/// A required base64url member, decoded (public values only: this decoder is not
/// constant-time).
pub(crate) fn b64_member(map: &Map, name: &str) -> Result<Vec<u8>, Error> {
    let (missing, not_string, not_b64) = member_messages(name);
    match map.get(name) {
        None => Err(Error::InvalidJwk(missing)),
        Some(Value::String(s)) => base64url::decode(s.as_bytes()).ok_or(Error::InvalidJwk(not_b64)),
        Some(_) => Err(Error::InvalidJwk(not_string)),
    }
}

/// A required string member.
pub(crate) fn str_member<'m>(map: &'m Map, name: &str) -> Result<&'m str, Error> {
    let (missing, not_string, _) = member_messages(name);
    match map.get(name) {
        None => Err(Error::InvalidJwk(missing)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::InvalidJwk(not_string)),
    }
}

/// Bit length of a minimal big-endian unsigned integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(&b) => (be.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// Checks the RSA public members and returns the modulus size in bits.
///
/// RFC 7518 section 2 (Base64urlUInt): integers use the minimum number of octets, so a
/// leading zero octet is refused.
pub(crate) fn check_rsa_public(n: &[u8], e: &[u8]) -> Result<usize, Error> {
    match n.first() {
        None | Some(0) => {
            return Err(Error::InvalidJwk(
                "n is not a minimal big-endian integer (empty or leading zero octet)",
            ))
        }
        Some(_) => {}
    }
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err(Error::WeakRsaKey { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::InvalidJwk("RSA modulus is larger than 8192 bits"));
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(Error::InvalidJwk("RSA modulus is even"));
    }
    match e.first() {
        None | Some(0) => {
            return Err(Error::InvalidJwk(
                "e is not a minimal big-endian integer (empty or leading zero octet)",
            ))
        }
        Some(_) => {}
    }
    if e.len() > 8 {
        return Err(Error::InvalidJwk("RSA public exponent is too large"));
    }
    let e_val = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if e_val < 3 || e_val & 1 == 0 {
        return Err(Error::InvalidJwk(
            "RSA public exponent must be odd and at least 3",
        ));
    }
    if e_val > MAX_RSA_EXPONENT {
        return Err(Error::InvalidJwk("RSA public exponent is too large"));
    }
    Ok(bits)
}

fn parse_rsa(map: &Map) -> Result<Material, Error> {
    let n = b64_member(map, "n")?;
    let e = b64_member(map, "e")?;
    let bits = check_rsa_public(&n, &e)?;
    #[cfg(feature = "rustcrypto")]
    let key = crate::crypto::rustcrypto::rsa_public_key(&n, &e)?;
    Ok(Material::Rsa {
        n,
        e,
        bits,
        #[cfg(feature = "rustcrypto")]
        key,
    })
}

fn parse_ec(map: &Map) -> Result<Material, Error> {
    let curve = EcCurve::from_name(str_member(map, "crv")?).ok_or(Error::InvalidJwk(
        "unsupported EC curve (P-256, P-384 and P-521 are supported)",
    ))?;
    let x = b64_member(map, "x")?;
    let y = b64_member(map, "y")?;
    // RFC 7518 section 6.2.1.2 / 6.2.1.3: full coordinate length, no more, no less.
    if x.len() != curve.coordinate_len() || y.len() != curve.coordinate_len() {
        return Err(Error::InvalidJwk(
            "EC coordinates must be exactly the curve's size",
        ));
    }
    ec_material(curve, x, y)
}

/// Builds EC material, validating the point (on the curve, not the identity) when a
/// curve implementation is compiled in.
pub(crate) fn ec_material(curve: EcCurve, x: Vec<u8>, y: Vec<u8>) -> Result<Material, Error> {
    #[cfg(feature = "rustcrypto")]
    let key = crate::crypto::rustcrypto::ec_verifying_key(curve, &x, &y)?;
    Ok(Material::Ec {
        curve,
        x,
        y,
        #[cfg(feature = "rustcrypto")]
        key,
    })
}

fn parse_okp(map: &Map) -> Result<Material, Error> {
    if str_member(map, "crv")? != "Ed25519" {
        return Err(Error::InvalidJwk(
            "unsupported OKP curve (Ed25519 is supported)",
        ));
    }
    let x: [u8; 32] = b64_member(map, "x")?
        .try_into()
        .map_err(|_| Error::InvalidJwk("an Ed25519 x must be 32 octets"))?;
    ed25519_material(x)
}

/// Builds Ed25519 material, validating the point when a curve implementation is compiled in.
pub(crate) fn ed25519_material(x: [u8; 32]) -> Result<Material, Error> {
    #[cfg(feature = "rustcrypto")]
    let key = crate::crypto::rustcrypto::ed25519_verifying_key(&x)?;
    Ok(Material::Ed25519 {
        x,
        #[cfg(feature = "rustcrypto")]
        key,
    })
}

// ---- key sets ----------------------------------------------------------------------------

/// A JWK Set (RFC 7517 section 5): the usable keys, and the reasons the others were skipped.
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<(Option<String>, Error)>,
}

impl JwkSet {
    /// Parses a JWK Set document (at most [`MAX_JWKS_LEN`] bytes).
    pub fn from_json(json: &str) -> Result<JwkSet, Error> {
        if json.len() > MAX_JWKS_LEN {
            return Err(Error::TooLarge {
                what: "JWK Set",
                limit: MAX_JWKS_LEN,
            });
        }
        JwkSet::from_map(&json::parse_object(json.as_bytes(), Part::Document)?)
    }

    /// Reads a JWK Set object: its `keys` member must be an array of at most
    /// [`MAX_JWKS_KEYS`] entries.
    ///
    /// Entries that are not usable keys (unsupported `kty` or curve, `oct`, weak RSA,
    /// malformed) do not make the set fail: they are skipped and listed in
    /// [`JwkSet::skipped`].
    pub fn from_map(map: &Map) -> Result<JwkSet, Error> {
        let entries = match map.get("keys") {
            Some(Value::Array(a)) => a,
            Some(_) => return Err(Error::InvalidJwk("the JWK Set keys member is not an array")),
            None => return Err(Error::InvalidJwk("the JWK Set has no keys member")),
        };
        if entries.len() > MAX_JWKS_KEYS {
            return Err(Error::TooLarge {
                what: "JWK Set keys",
                limit: MAX_JWKS_KEYS,
            });
        }
        let mut set = JwkSet::default();
        for entry in entries {
            let Some(obj) = entry.as_object() else {
                set.skipped
                    .push((None, Error::InvalidJwk("a JWK Set entry is not an object")));
                continue;
            };
            match Jwk::from_map(obj) {
                Ok(k) => set.keys.push(k),
                Err(e) => set.skipped.push((obj.get_str("kid").map(String::from), e)),
            }
        }
        Ok(set)
    }

    /// A set of keys that are already parsed.
    pub fn from_keys(keys: Vec<Jwk>) -> JwkSet {
        JwkSet {
            keys,
            skipped: Vec::new(),
        }
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The entries that were skipped, with their `kid` (if they had a string one) and why.
    pub fn skipped(&self) -> &[(Option<String>, Error)] {
        &self.skipped
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The set as a JWK Set object (usable keys only).
    pub fn to_map(&self) -> Map {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| Value::Object(k.to_map()))
            .collect();
        let mut m = Map::new();
        m.insert("keys", keys);
        m
    }

    /// Every usable key that fits `kid` (when given) and `alg` (see [`Jwk::check_alg`]),
    /// in document order.
    pub fn candidates<'s>(
        &'s self,
        kid: Option<&'s str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &'s Jwk> + 's {
        self.keys
            .iter()
            .filter(move |k| kid.is_none_or(|want| k.kid() == Some(want)))
            .filter(move |k| k.check_alg(alg).is_ok())
    }

    /// Chooses the key that verifies a JWS with header `kid` and `alg`.
    ///
    /// With a `kid`: the first key with that `kid` that passes [`Jwk::check_alg`]. When
    /// none passes, the reason is precise: the error of a skipped entry with that `kid`
    /// (say [`Error::WeakRsaKey`]) if there is one, else the [`Error::KeyMismatch`] of
    /// the first key with that `kid`, else [`Error::UnknownKid`].
    ///
    /// Without a `kid`: the only key that passes [`Jwk::check_alg`]; zero or several are
    /// [`Error::NoUsableKey`].
    ///
    /// Keys sharing one `kid` are legitimate during rotation; when several fit, the first
    /// is returned, and [`JwkSet::candidates`] lists them all for callers that prefer to
    /// try each. Verification uses [`JwkSet::select_candidates`], which tries every key
    /// that fits a token without `kid`.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Jwk, Error> {
        match kid {
            Some(want) => {
                let mut first_err = None;
                for k in self.keys.iter().filter(|k| k.kid() == Some(want)) {
                    match k.check_alg(alg) {
                        Ok(()) => return Ok(k),
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                if let Some((_, e)) = self
                    .skipped
                    .iter()
                    .find(|(k, _)| k.as_deref() == Some(want))
                {
                    return Err(e.clone());
                }
                Err(first_err.unwrap_or_else(|| Error::UnknownKid(want.into())))
            }
            None => {
                let mut fits = self.keys.iter().filter(|k| k.check_alg(alg).is_ok());
                match (fits.next(), fits.next()) {
                    (Some(k), None) => Ok(k),
                    _ => Err(Error::NoUsableKey),
                }
            }
        }
    }

    /// The keys a verifier tries, in this order, for a JWS with header `kid` and `alg`.
    ///
    /// With a `kid`: exactly the one key [`JwkSet::select`] chooses (same errors). Without
    /// a `kid`: every key that passes [`Jwk::check_alg`], in document order, since during
    /// a rotation a transmitter may sign with either of two keys and name neither. None is
    /// [`Error::NoUsableKey`]; more than [`MAX_KEY_CANDIDATES`] is
    /// [`Error::TooManyKeyCandidates`], decided before any signature is checked, so a
    /// verifier never does more than that many checks for one token and never accepts a
    /// token only because it happened to be signed by one of the first few keys.
    ///
    /// The list is never empty.
    pub fn select_candidates(&self, kid: Option<&str>, alg: Algorithm) -> Result<Vec<&Jwk>, Error> {
        if kid.is_some() {
            return self.select(kid, alg).map(|k| alloc::vec![k]);
        }
        let mut fits = self.candidates(None, alg);
        let found: Vec<&Jwk> = fits.by_ref().take(MAX_KEY_CANDIDATES).collect();
        if fits.next().is_some() {
            return Err(Error::TooManyKeyCandidates {
                limit: MAX_KEY_CANDIDATES,
            });
        }
        if found.is_empty() {
            return Err(Error::NoUsableKey);
        }
        Ok(found)
    }
}
