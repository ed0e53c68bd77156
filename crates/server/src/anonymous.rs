//! Connections not logged in (yet), counted per client IP, so one address cannot hold the
//! server's connections without ever logging in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
pub struct Anonymous {
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    max_per_ip: usize,
}

/// One anonymous connection's place; given back when dropped (at login or disconnect).
#[derive(Debug)]
pub struct AnonymousSlot {
    counts: Arc<Anonymous>,
    ip: IpAddr,
}

impl Anonymous {
    pub fn new(max_per_ip: usize) -> Arc<Anonymous> {
        Arc::new(Anonymous {
            per_ip: Mutex::new(HashMap::new()),
            max_per_ip,
        })
    }

    /// A place for a new anonymous connection from `ip`; `None` when `ip` has its cap already.
    pub fn enter(self: &Arc<Self>, ip: IpAddr) -> Option<AnonymousSlot> {
        let mut map = self.per_ip.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(ip).or_insert(0);
        if *count >= self.max_per_ip {
            return None;
        }
        *count += 1;
        Some(AnonymousSlot {
            counts: Arc::clone(self),
            ip,
        })
    }

    pub fn count(&self, ip: IpAddr) -> usize {
        let map = self.per_ip.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for AnonymousSlot {
    fn drop(&mut self) {
        let mut map = self
            .counts
            .per_ip
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ip_has_its_own_cap_and_slots_come_back() {
        let counts = Anonymous::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = counts.enter(a);
        let second = counts.enter(a);
        assert!(first.is_some() && second.is_some());
        assert!(counts.enter(a).is_none());
        assert!(counts.enter(b).is_some());
        drop(first);
        assert_eq!(counts.count(a), 1);
        assert!(counts.enter(a).is_some());
    }
}
