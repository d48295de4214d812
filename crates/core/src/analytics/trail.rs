//! A trail: who did one event on one day and when, packed for the funnel
//! to read millions of events without a row each. Eight bytes an event:
//! the person's number and the milliseconds from the UTC midnight of the
//! day's number (a zone's day lies within ±14 hours of it), both
//! little-endian.

use super::days::DAY_MS;

const MARK: usize = 8;

/// One event in a trail: the person's number and the instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub person: u32,
    pub at: i64,
}

/// The bytes of `marks` on `day`; `None` when an instant lies more than
/// 24 days from the day (never for an event the product's zone put on
/// that day).
pub fn to_bytes(day: i32, marks: &[Mark]) -> Option<Vec<u8>> {
    let base = i64::from(day) * DAY_MS;
    let mut out = Vec::with_capacity(marks.len() * MARK);
    for m in marks {
        let offset = i32::try_from(m.at - base).ok()?;
        out.extend_from_slice(&m.person.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
    }
    Some(out)
}

/// The events of a trail's bytes on `day`, in the order written (a
/// trailing partial mark is ignored).
pub fn marks(day: i32, bytes: &[u8]) -> impl Iterator<Item = Mark> + '_ {
    let base = i64::from(day) * DAY_MS;
    bytes.chunks_exact(MARK).map(move |c| Mark {
        person: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
        at: base + i64::from(i32::from_le_bytes([c[4], c[5], c[6], c[7]])),
    })
}

/// Events a trail's bytes hold.
pub fn len(bytes: &[u8]) -> usize {
    bytes.len() / MARK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trails_read_back_what_was_written() {
        let day = 20_600;
        let base = i64::from(day) * DAY_MS;
        let written = [
            Mark { person: 7, at: base - 14 * 3_600_000 },
            Mark { person: u32::MAX, at: base + 38 * 3_600_000 },
            Mark { person: 0, at: base },
        ];
        let bytes = to_bytes(day, &written).unwrap();
        assert_eq!((bytes.len(), len(&bytes)), (24, 3));
        assert_eq!(marks(day, &bytes).collect::<Vec<_>>(), written);
        assert_eq!(marks(day, &bytes[..20]).count(), 2, "a torn mark is not read");
        assert!(to_bytes(day, &[Mark { person: 1, at: base + 30 * DAY_MS }]).is_none());
    }
}
