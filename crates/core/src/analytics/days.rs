//! Days on the product's calendar, and the sets of people of a day.

use jiff::tz::TimeZone;
use roaring::RoaringBitmap;

use crate::model::Millis;

/// Milliseconds in a day (of UTC: the base a day's number stands for).
pub const DAY_MS: i64 = 86_400_000;

/// The product's calendar day of an instant, as days since 1970-01-01.
pub fn day_of(at: Millis, zone: &TimeZone) -> i32 {
    let date = jiff::Timestamp::from_millisecond(at.0)
        .map(|t| t.to_zoned(zone.clone()).date())
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    day_number(date)
}

/// Days since 1970-01-01.
pub fn day_number(d: jiff::civil::Date) -> i32 {
    let epoch = jiff::civil::date(1970, 1, 1);
    d.since(epoch).map_or(0, |span| span.get_days())
}

/// The date of a day number.
pub fn date_of(day: i32) -> jiff::civil::Date {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap_or(jiff::civil::date(1970, 1, 1))
}

/// A set of people (their numbers), as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct People(pub RoaringBitmap);

impl People {
    /// The stored form read back; unreadable bytes are no one (they are
    /// only ever written by [`People::to_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> People {
        People(RoaringBitmap::deserialize_from(bytes).unwrap_or_default())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.serialized_size());
        // Writing to a Vec cannot fail.
        let _ = self.0.serialize_into(&mut out);
        out
    }

    /// As text (base64), the way the database keeps it.
    pub fn to_text(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.to_bytes())
    }

    pub fn from_text(text: &str) -> People {
        use base64::Engine;
        People::from_bytes(&base64::engine::general_purpose::STANDARD_NO_PAD.decode(text).unwrap_or_default())
    }

    pub fn len(&self) -> u64 {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_the_products_calendar_days() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        // 23:30 UTC on 12 Jan is 00:30 on 13 Jan in Berlin.
        let at = Millis(
            jiff::civil::datetime(2027, 1, 12, 23, 30, 0, 0)
                .to_zoned(TimeZone::UTC)
                .unwrap()
                .timestamp()
                .as_millisecond(),
        );
        assert_eq!(date_of(day_of(at, &TimeZone::UTC)), jiff::civil::date(2027, 1, 12));
        assert_eq!(date_of(day_of(at, &berlin)), jiff::civil::date(2027, 1, 13));
        let mut p = People::default();
        p.0.extend([1u32, 5, 1_000_000]);
        assert_eq!(People::from_bytes(&p.to_bytes()), p);
        assert_eq!(People::from_text(&p.to_text()), p);
        assert_eq!(People::from_bytes(b"junk").len(), 0);
    }
}
