//! Finding a task by its UID.

use std::collections::HashMap;

/// Each task's index by its UID. UIDs are usually numbered from 0 or 1
/// with few gaps, so a plain array serves them (a hash table is kept for
/// scattered ones): links look their predecessors up millions of times
/// in a large plan.
pub(super) enum Uids {
    Dense { min: i64, index: Vec<u32> },
    Sparse(HashMap<i64, u32>),
}

impl Uids {
    /// From the UIDs in task order (unique: the reader refuses repeats).
    pub(super) fn new(uids: impl Iterator<Item = i64> + Clone) -> Uids {
        let n = uids.clone().count();
        let (min, max) = uids.clone().fold((i64::MAX, i64::MIN), |(a, b), u| (a.min(u), b.max(u)));
        let span = max.checked_sub(min).and_then(|d| usize::try_from(d).ok()).and_then(|d| d.checked_add(1));
        match span {
            Some(span) if span <= n.saturating_mul(4).max(1024) => {
                let mut index = vec![u32::MAX; span];
                for (i, u) in uids.enumerate() {
                    // u - min is within 0..span by the fold above.
                    index[(u - min) as usize] = i as u32;
                }
                Uids::Dense { min, index }
            }
            _ => Uids::Sparse(uids.enumerate().map(|(i, u)| (u, i as u32)).collect()),
        }
    }

    pub(super) fn get(&self, uid: i64) -> Option<u32> {
        match self {
            Uids::Dense { min, index } => {
                let at = usize::try_from(uid.checked_sub(*min)?).ok()?;
                index.get(at).copied().filter(|&i| i != u32::MAX)
            }
            Uids::Sparse(map) => map.get(&uid).copied(),
        }
    }
}
