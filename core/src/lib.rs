//! # ssf-core
//!
//! Security Event Tokens (RFC 8417) for the OpenID Shared Signals Framework 1.0, with the
//! CAEP 1.0 and RISC 1.0 event profiles, subject identifiers (RFC 9493) and the push
//! (RFC 8935), poll (RFC 8936) and SSF stream management wire types; and, on the same
//! verification path, the JWT access tokens (RFC 9068) that guard an SSF API
//! ([`access_token`]).
//!
//! Input is untrusted: tokens are parsed strictly into types, and every failure is an
//! [`Error`] that names what went wrong, maps to its RFC 8935 `err` code and carries a
//! stable reason string. The crate does no I/O and reads no clock: time is passed in.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod access_token;
pub mod alg;
pub mod base64url;
pub mod builder;
pub mod crypto;
pub mod error;
pub mod events;
pub mod filter;
pub mod issue;
pub mod json;
pub mod jwk;
pub mod jws;
pub mod limits;
pub mod profile;
pub mod set;
pub mod signing;
pub mod subject;
pub mod wire;

pub use alg::Algorithm;
pub use error::{ErrCode, Error};

/// The README's Rust examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
