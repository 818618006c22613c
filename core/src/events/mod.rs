//! The event catalogue: SSF, CAEP 1.0 and RISC 1.0 events. (Being written: see the contract below.)
//!
//! CONTRACT: `pub fn catalog() -> &'static [EventType]`; `pub fn lookup(uri: &str) -> Option<&'static EventType>`
//! (also legacy aliases); `pub enum Event` typed, with `Event::parse(uri: &str, payload: &Value) ->
//! Result<(Event, Vec<Issue>), Error>`, `event.uri()`, `event.to_value() -> Value` (loses nothing),
//! `Event::Unknown { uri, payload }` for unknown types.
