//! Subject identifiers (RFC 9493, SSF 1.0 section 3). (Being written: see the contract below.)
//!
//! CONTRACT: `pub struct SubjectId` (or enum) with `SubjectId::from_value(&Value) -> Result<(SubjectId, Vec<Issue>), Error>`
//! (Err = invalid, Issues = legacy/warnings such as `subject_type`), `to_value(&self) -> Value` (loses nothing),
//! `format(&self) -> &str`, `matches(&self, other: &SubjectId) -> bool` (SSF section 8.1.3 matching),
//! `opaque(id: &str) -> SubjectId`, `describe(&self) -> String` (one line for humans).
