//! The numbers of people and event names already seen, kept in memory: a
//! batch of events mostly names people seen before, and asking the
//! database for each was a third of the time of a batch.
//!
//! Products and event names are never deleted, so a name's number stays.
//! A number never changes while its person exists; only forgetting one
//! removes it (and SQLite may then give the number to someone new). Each
//! forgetting counts up the product's `people_forgotten`, which every batch
//! reads in its transaction: when it moved, this server's numbers of the
//! product are dropped first. (A forgetting on another server between that
//! read and the batch's insert fails the batch's foreign key; the batch is
//! then stored again, reading the count anew.)

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard};

use tandem_core::Id;

/// The most numbers kept (about 40 bytes each): past it the cache starts
/// again empty.
const MAX_WORDS: usize = 1 << 21;

/// What a kept number stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Person,
    Name,
}

/// Numbers by product, kind and a 128-bit hash of the word (two keyed
/// hashes: a false match is never expected, and the text is not kept).
#[derive(Default)]
pub(crate) struct PeopleCache {
    keys: (RandomState, RandomState),
    numbers: Mutex<Numbers>,
}

#[derive(Default)]
struct Numbers {
    by_word: HashMap<(i64, Kind, u128), i64>,
    /// Each product's `people_forgotten` when its numbers were read.
    forgotten: HashMap<i64, i64>,
}

impl Numbers {
    /// Whether the numbers kept for the product are of this count of
    /// forgettings; when not, they are dropped and the count kept.
    fn current(&mut self, product: i64, forgotten: i64) -> bool {
        match self.forgotten.insert(product, forgotten) {
            Some(was) if was == forgotten => true,
            None => true,
            Some(_) => {
                self.by_word.retain(|k, _| k.0 != product || k.1 != Kind::Person);
                false
            }
        }
    }
}

impl std::fmt::Debug for PeopleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PeopleCache({} numbers)", self.numbers().by_word.len())
    }
}

impl PeopleCache {
    fn key(&self, kind: Kind, product: Id, word: &str) -> (i64, Kind, u128) {
        let (a, b) = (self.keys.0.hash_one(word), self.keys.1.hash_one(word));
        (product.0, kind, u128::from(a) << 64 | u128::from(b))
    }

    fn numbers(&self) -> MutexGuard<'_, Numbers> {
        // A panic elsewhere while holding it leaves whole entries only.
        self.numbers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The numbers of `words` that are known, and the words that are not;
    /// `forgotten` is the product's count of forgettings as just read.
    pub(crate) fn split<'a>(
        &self,
        (kind, product): (Kind, Id),
        forgotten: i64,
        words: &[&'a str],
    ) -> (HashMap<String, i64>, Vec<&'a str>) {
        let keys: Vec<(i64, Kind, u128)> = words.iter().map(|d| self.key(kind, product, d)).collect();
        let mut numbers = self.numbers();
        numbers.current(product.0, forgotten);
        let mut known = HashMap::with_capacity(words.len());
        let mut unknown = Vec::new();
        for (d, k) in words.iter().zip(keys) {
            match numbers.by_word.get(&k) {
                Some(n) => {
                    known.insert((*d).to_owned(), *n);
                }
                None => unknown.push(*d),
            }
        }
        (known, unknown)
    }

    /// Keeps numbers read or made by a committed transaction that read
    /// `forgotten` as the product's count of forgettings.
    pub(crate) fn learn<'a>(
        &self,
        (kind, product): (Kind, Id),
        forgotten: i64,
        pairs: impl Iterator<Item = (&'a str, i64)>,
    ) {
        let pairs: Vec<((i64, Kind, u128), i64)> = pairs.map(|(d, n)| (self.key(kind, product, d), n)).collect();
        let mut numbers = self.numbers();
        if !numbers.current(product.0, forgotten) {
            return;
        }
        if numbers.by_word.len() + pairs.len() > MAX_WORDS {
            numbers.by_word.clear();
        }
        numbers.by_word.extend(pairs);
    }

    /// Drops a product's numbers (after a batch met a number forgotten
    /// elsewhere).
    pub(crate) fn forget_product(&self, product: Id) {
        let mut numbers = self.numbers();
        numbers.by_word.retain(|k, _| k.0 != product.0);
        numbers.forgotten.remove(&product.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_kept_per_product_until_forgotten() {
        let c = PeopleCache::default();
        let (p, q) = (Id(1), Id(2));
        let (p, q, n) = ((Kind::Person, p), (Kind::Person, q), (Kind::Name, p));
        c.learn(p, 0, [("ana", 10), ("ben", 11)].into_iter());
        c.learn(q, 3, [("ana", 20)].into_iter());
        c.learn(n, 0, [("ana", 30)].into_iter());
        let (known, unknown) = c.split(p, 0, &["ana", "cy", "ben"]);
        assert_eq!((known.get("ana"), known.get("ben"), unknown), (Some(&10), Some(&11), vec!["cy"]));
        assert_eq!(c.split(q, 3, &["ana"]).0.get("ana"), Some(&20));
        assert_eq!(c.split(n, 0, &["ana"]).0.get("ana"), Some(&30), "an event named like a person");
        // Someone of p was forgotten (here or elsewhere): p's people start
        // again, its event names stay.
        assert_eq!(c.split(p, 1, &["ana"]).1, vec!["ana"]);
        assert_eq!(c.split(n, 1, &["ana"]).0.get("ana"), Some(&30));
        c.learn(p, 0, [("ana", 10)].into_iter());
        assert!(c.split(p, 1, &["ana"]).0.is_empty(), "numbers read before the forgetting are not kept");
        assert_eq!(c.split(q, 3, &["ana"]).0.get("ana"), Some(&20), "another product's ana stays");
        c.forget_product(Id(2));
        assert!(c.split(q, 3, &["ana"]).0.is_empty());
    }
}

#[cfg(test)]
mod servers {
    use tandem_core::Millis;
    use tandem_core::analytics::{DAY_MS, Event};

    use crate::Store;
    use crate::analytics::{DayEvent, IngestLimits, IngestOutcome, Ingested};

    /// Two servers on one database: one forgets a person whose number the
    /// other keeps; the other's next batch of that person's events is
    /// stored, under a new number.
    #[tokio::test]
    async fn a_number_forgotten_by_another_server_is_not_used() {
        let (one, key, dir) = crate::analytics::scratch("people").await;
        let two = Store::open(&format!("sqlite://{}", dir.join("a.db").display())).await.unwrap();
        let product = key.product_id;
        let day = 20_600;
        let now = Millis(i64::from(day) * DAY_MS + 50_000_000);
        let batch = [DayEvent {
            event: Event {
                name: "opened".into(),
                distinct_id: "ana".into(),
                at: Millis(i64::from(day) * DAY_MS + 40_000_000),
                properties: "{}".into(),
                uuid: None,
            },
            day,
        }];
        let limits = IngestLimits { per_minute: 100, keep_from: 0 };
        let stored = IngestOutcome::Stored(Ingested { accepted: 1, duplicates: 0 });
        assert_eq!(one.ingest(&key, &batch, limits, now).await.unwrap(), stored);
        let first: i64 = sqlx::query_scalar("SELECT id FROM analytics_people").fetch_one(&one.pool).await.unwrap();
        assert_eq!(
            one.people.split((super::Kind::Person, product), 0, &["ana"]).0.get("ana"),
            Some(&first),
            "kept after the batch"
        );

        let admin = two.create_user("two@example.com", "Two", "x", now).await.unwrap();
        two.forget_person(admin.id, product, "ana", now).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM analytics_people").fetch_one(&one.pool).await.unwrap();
        assert_eq!(left, 0, "forgotten");
        // Another person takes the forgotten number (SQLite gives the
        // highest number plus one): ana's events must not become theirs.
        let ben = DayEvent { event: Event { distinct_id: "ben".into(), ..batch[0].event.clone() }, day };
        assert_eq!(one.ingest(&key, &[ben], limits, now).await.unwrap(), stored);
        assert_eq!(one.ingest(&key, &batch, limits, now).await.unwrap(), stored);
        let again: Vec<(i64, String)> = sqlx::query_as("SELECT id, distinct_id FROM analytics_people ORDER BY id")
            .fetch_all(&one.pool)
            .await
            .unwrap();
        assert_eq!(again.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(), ["ben", "ana"], "{again:?} first {first}");
        assert_eq!(again[0].0, first, "ben has ana's old number: {again:?}");
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM analytics_events WHERE person_id = $1")
            .bind(again[1].0)
            .fetch_one(&one.pool)
            .await
            .unwrap();
        assert_eq!(events, 1);
        one.close().await;
        two.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
