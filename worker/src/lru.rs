//! A small least-recently-used map for the per-isolate caches: bounded, so that keys chosen
//! by many tenants (or by an attacker) cannot grow an isolate's memory.

use std::collections::HashMap;

/// At most `cap` entries; inserting into a full map drops the least recently used one.
pub struct Lru<V> {
    map: HashMap<String, (V, u64)>,
    tick: u64,
    cap: usize,
}

impl<V: Clone> Lru<V> {
    pub fn new(cap: usize) -> Self {
        Lru {
            map: HashMap::new(),
            tick: 0,
            cap: cap.max(1),
        }
    }

    fn next(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The entry for `key`, now the most recently used.
    pub fn get(&mut self, key: &str) -> Option<V> {
        let t = self.next();
        let e = self.map.get_mut(key)?;
        e.1 = t;
        Some(e.0.clone())
    }

    pub fn insert(&mut self, key: &str, value: V) {
        let t = self.next();
        if !self.map.contains_key(key) && self.map.len() >= self.cap {
            // Linear in the cap (a few hundred): cheaper than keeping an order structure for
            // a cache that is written once per fetch.
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.map.remove(&k);
            }
        }
        self.map.insert(key.to_string(), (value, t));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Lru;

    #[test]
    fn bounded_and_least_recently_used_goes_first() {
        let mut c = Lru::new(3);
        for k in ["a", "b", "c"] {
            c.insert(k, k.to_string());
        }
        assert_eq!(c.get("a").as_deref(), Some("a")); // a is now the most recent
        c.insert("d", "d".into());
        assert_eq!(c.len(), 3);
        assert!(c.get("b").is_none(), "b was the least recently used");
        assert!(c.get("a").is_some() && c.get("c").is_some() && c.get("d").is_some());
        c.insert("a", "a2".into());
        assert_eq!(c.len(), 3, "replacing an entry evicts nothing");
        assert_eq!(c.get("a").as_deref(), Some("a2"));
        for i in 0..1000 {
            c.insert(&format!("k{i}"), String::new());
        }
        assert_eq!(c.len(), 3);
    }
}
