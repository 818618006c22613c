//! RSA key generation from random probable primes.
//!
//! Not a FIPS 186-5 conformant generator (it follows none of appendix A.1's procedures step
//! by step and is not validated); it borrows two of FIPS 186-5's bounds, the distance
//! between `p` and `q` and the error probability of the primality tests.
//!
//! Our own instead of `rsa`'s, which goes through `crypto-primes`: that crate's 53 KB
//! table of precomputed small-prime reciprocals and its Lucas test were the largest
//! single item of the npm package's wasm. Here the small primes are sieved at run time
//! and candidates are tested with Miller-Rabin on the Montgomery arithmetic that RSA
//! signing already needs.
//!
//! Each prime: a random odd number of exactly `bits` bits with its two top bits set (so
//! that the product of two has exactly `2 * bits` bits), stepped by 2 until it has no
//! small factor, `p - 1` is prime to `e`, and it passes Miller-Rabin to base 2 and then
//! to [`RANDOM_BASES`] random bases. For random 1024-bit candidates the chance that a
//! composite survives that many rounds is far below 2^-100 (Damgard, Landrock and
//! Pomerance 1993), which is the bound FIPS 186 sets for RSA primes.
//!
//! Timing: the sieve and the rejection of composites are variable-time, as in every
//! common implementation; they reveal only how many candidates were discarded. The
//! exponentiations use constant-time Montgomery arithmetic.

use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::BoxedUint;
use rsa::RsaPrivateKey;
use zeroize::Zeroizing;

use crate::error::Error;

/// Miller-Rabin rounds with random bases after the base-2 round.
const RANDOM_BASES: usize = 7;
/// Trial division by the primes below this bound.
const SIEVE_LIMIT: usize = 1 << 13;
/// Candidates stepped through from one random start before drawing a new one.
const STEPS: u32 = 1 << 12;
const E: u32 = 65_537;

/// Random bytes from the caller; fails only if the source fails.
pub(crate) type Fill<'a> = &'a mut dyn FnMut(&mut [u8]) -> Result<(), Error>;

/// A two-prime RSA key with modulus of exactly `bits` bits (a multiple of 16) and
/// public exponent 65537.
pub(crate) fn generate(fill: Fill<'_>, bits: u32) -> Result<RsaPrivateKey, Error> {
    let half = bits / 2;
    let small = small_primes();
    loop {
        let p = prime(fill, half, &small)?;
        let q = prime(fill, half, &small)?;
        // |p - q| > 2^(bits/2 - 100), the distance FIPS 186-5 requires of RSA primes.
        let diff = Zeroizing::new(if p > q {
            p.wrapping_sub(&q)
        } else {
            q.wrapping_sub(&p)
        });
        if diff.bit_width_vartime() <= half - 100 {
            continue;
        }
        let e = BoxedUint::from(u64::from(E));
        let key = RsaPrivateKey::from_p_q(p, q, e)
            .map_err(|_| Error::InvalidSigningKey("RSA key generation failed"))?;
        return Ok(key);
    }
}

/// The odd primes below [`SIEVE_LIMIT`] (sieve of Eratosthenes).
fn small_primes() -> Vec<u32> {
    let mut composite = vec![false; SIEVE_LIMIT];
    let mut primes = Vec::new();
    for n in (3..SIEVE_LIMIT).step_by(2) {
        if composite[n] {
            continue;
        }
        primes.push(n as u32);
        let mut m = n * n;
        while m < SIEVE_LIMIT {
            composite[m] = true;
            m += 2 * n;
        }
    }
    primes
}

/// `n mod m` for big-endian `n` and a small `m`.
fn rem_small(be: &[u8], m: u32) -> u32 {
    be.iter().fold(0u32, |r, &b| ((r << 8) | u32::from(b)) % m)
}

fn prime(fill: Fill<'_>, bits: u32, small: &[u32]) -> Result<BoxedUint, Error> {
    let len = (bits / 8) as usize;
    loop {
        let mut start = Zeroizing::new(vec![0u8; len]);
        fill(&mut start)?;
        if let Some(top) = start.first_mut() {
            *top |= 0xc0;
        }
        if let Some(low) = start.last_mut() {
            *low |= 1;
        }
        // Residues of the start; candidate k is start + 2k.
        let residues: Zeroizing<Vec<u32>> =
            Zeroizing::new(small.iter().map(|&m| rem_small(&start, m)).collect());
        let e_residue = rem_small(&start, E);
        let base = Zeroizing::new(BoxedUint::from_be_slice(&start, bits).map_err(|_| Error::Rng)?);
        for k in 0..STEPS {
            let step = 2 * k;
            let has_small_factor = small
                .iter()
                .zip(residues.iter())
                .any(|(&m, &r)| (r + step % m) % m == 0);
            // p - 1 must be prime to e (e is prime): p mod e != 1.
            if has_small_factor || (e_residue + step % E) % E == 1 {
                continue;
            }
            let offset =
                BoxedUint::from_be_slice(&step.to_be_bytes(), bits).map_err(|_| Error::Rng)?;
            // Zeroized when dropped: a rejected candidate is random secret material too.
            let candidate = Zeroizing::new(base.wrapping_add(&offset));
            // The step must not carry out of the top two bits.
            if candidate.bit_width_vartime() != bits || !candidate.bit_vartime(bits - 2) {
                break;
            }
            if probably_prime(fill, &candidate, bits)? {
                return Ok((*candidate).clone());
            }
        }
    }
}

/// Miller-Rabin to base 2, then to [`RANDOM_BASES`] random bases in [2, n - 2].
fn probably_prime(fill: Fill<'_>, n: &BoxedUint, bits: u32) -> Result<bool, Error> {
    let Some(odd) = n.to_odd().into_option() else {
        return Ok(false);
    };
    let params = BoxedMontyParams::new(odd);
    let one = BoxedUint::one_with_precision(bits);
    let two = one.wrapping_add(&one);
    let n_minus_1 = n.wrapping_sub(&one);
    let s = n_minus_1.trailing_zeros();
    let d = n_minus_1.shr_vartime(s).ok_or(Error::Rng)?;
    let witness = |a: BoxedUint| -> bool {
        let mut x = BoxedMontyForm::new(a, &params).pow(&d).retrieve();
        if x == one || x == n_minus_1 {
            return true;
        }
        for _ in 1..s {
            x = BoxedMontyForm::new(x, &params).square().retrieve();
            if x == n_minus_1 {
                return true;
            }
            if x == one {
                return false;
            }
        }
        false
    };
    if !witness(two.clone()) {
        return Ok(false);
    }
    // Bases are drawn with the bit length of n, so that at least half are in range.
    let width = n.bit_width_vartime();
    let mut bytes = Zeroizing::new(vec![0u8; width.div_ceil(8) as usize]);
    let mut done = 0;
    while done < RANDOM_BASES {
        fill(&mut bytes)?;
        if let Some(top) = bytes.first_mut() {
            *top &= 0xff >> ((8 - width % 8) % 8);
        }
        let a = BoxedUint::from_be_slice(&bytes, bits).map_err(|_| Error::Rng)?;
        if a < two || a >= n_minus_1 {
            continue;
        }
        if !witness(a) {
            return Ok(false);
        }
        done += 1;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sieve_and_residues() {
        let p = small_primes();
        assert_eq!(&p[..5], &[3, 5, 7, 11, 13]);
        assert_eq!(p.last(), Some(&8191));
        assert_eq!(p.len(), 1027);
        assert_eq!(rem_small(&[0x01, 0x00], 7), 256 % 7);
        assert_eq!(rem_small(&[0xff; 8], 65_537), (u64::MAX % 65_537) as u32);
    }

    fn counter_rng() -> impl FnMut(&mut [u8]) -> Result<(), Error> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            Ok(())
        }
    }

    #[test]
    fn miller_rabin_tells_primes_from_composites() {
        let mut rng = counter_rng();
        let big = |be: &[u8]| BoxedUint::from_be_slice(be, 64).unwrap();
        // 2^61 - 1 is prime; 3215031751 = 151 * 751 * 28351 is a strong pseudoprime to
        // bases 2, 3, 5 and 7; a Carmichael number 561 * 2^k + ... is composite.
        let m61 = big(&((1u64 << 61) - 1).to_be_bytes());
        assert!(probably_prime(&mut rng, &m61, 64).unwrap());
        let spsp = big(&3_215_031_751u64.to_be_bytes());
        assert!(!probably_prime(&mut rng, &spsp, 64).unwrap());
        let carmichael = big(&41_041u64.to_be_bytes());
        assert!(!probably_prime(&mut rng, &carmichael, 64).unwrap());
    }

    #[test]
    fn generated_keys_have_the_requested_size() {
        use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
        let mut rng = counter_rng();
        let key = generate(&mut rng, 1024).unwrap();
        assert_eq!(key.n().bit_width_vartime(), 1024);
        assert_eq!(key.primes().len(), 2);
        key.validate().unwrap();
        // Signing uses the primes (CRT): with a composite one the signature would not
        // verify under n and e.
        let digest = [7u8; 32];
        let scheme = rsa::Pkcs1v15Sign::new_unprefixed();
        let sig = key.sign(scheme.clone(), &digest).unwrap();
        key.to_public_key().verify(scheme, &digest, &sig).unwrap();
    }
}
