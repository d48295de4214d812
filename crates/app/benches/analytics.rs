//! Product analytics at scale on SQLite: events ingested through the same
//! use case as `POST /ingest/events` (JSON batches of 10,000, checked,
//! numbered, rolled up), then the figures a product manager reads: a year
//! of DAU/WAU/MAU, a 12-week retention table, a 3-step funnel over 30 days;
//! and the bytes each event costs once only the roll-ups are kept.
//!
//! `cargo bench -p tandem-app --bench analytics` (100,000 people, 5,000,000
//! events over a year); `TANDEM_BENCH_PEOPLE=1000000
//! TANDEM_BENCH_EVENTS=50000000` for the scale. Events arrive in
//! time order, as an app sends them; their mix is the one of the
//! generator script (`scripts/analytics-events.py`).

// A benchmark stops at the first thing that fails, saying what it was.
#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tandem_app::App;
use tandem_app::access::InProduct;
use tandem_app::ops::analytics::{self as ops, NewKey, RetentionAsk, Shape};
use tandem_core::model::Day;
use tandem_core::{Millis, Role};
use tandem_sched::synthetic::SplitMix64;
use tandem_store::Store;
use tandem_store::product::{NewProduct, ProductScope};

const NAMES: [&str; 6] = ["opened", "searched", "added_to_cart", "paid", "exported", "invited"];
const WEIGHTS: [u64; 6] = [40, 25, 15, 8, 7, 5];
const DAY_MS: i64 = 86_400_000;
/// Events a request carries.
const BATCH: usize = 10_000;
/// 2026-01-01T00:00:00Z.
const START_MS: i64 = 1_767_225_600_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The shared seeded generator, with the draws of the events' mix.
struct Rng(SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.rand(n)
    }
    /// Most people now and then, a few heavy users often (as the script).
    fn person(&mut self, people: u64) -> u64 {
        if self.below(10) < 7 {
            self.below(people)
        } else {
            let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
            ((1.0 - u).powf(-1.0 / 1.2) as u64) % people
        }
    }
    fn name(&mut self) -> &'static str {
        let mut r = self.below(100);
        for (n, w) in NAMES.iter().zip(WEIGHTS) {
            if r < w {
                return n;
            }
            r -= w;
        }
        NAMES[0]
    }
}

/// One day's events, in time order.
fn day_events(rng: &mut Rng, day: i64, per_day: u64, people: u64, seq: &mut u64) -> Vec<Value> {
    let mut ats: Vec<i64> = (0..per_day).map(|_| START_MS + day * DAY_MS + rng.below(DAY_MS as u64) as i64).collect();
    ats.sort_unstable();
    ats.into_iter()
        .map(|at| {
            *seq += 1;
            let person = rng.person(people);
            json!({
                "event": rng.name(),
                "distinct_id": format!("user-{person}"),
                "timestamp": at,
                "uuid": format!("e-{seq}"),
                "properties": {"plan": if person.is_multiple_of(7) { "pro" } else { "free" }},
            })
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

async fn timed<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        all.push(t.elapsed());
    }
    median(all)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let people = env("TANDEM_BENCH_PEOPLE", 100_000);
    let events = env("TANDEM_BENCH_EVENTS", 5_000_000);
    let days = 365i64;
    let dir = std::env::temp_dir().join(format!("tandem-analytics-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let file = dir.join("bench.db");
    let store = Store::open(&format!("sqlite://{}", file.display())).await.expect("a store");
    store.migrate().await.expect("migrations");
    let settings = tandem_app::Settings {
        ingest_per_minute: i64::MAX,
        analytics_raw_days: 800,
        ..tandem_app::Settings::default()
    };
    let clock = std::sync::Arc::new(tandem_app::clock::ShiftedClock::default());
    // "Now" is the last day's evening: every event is in the past.
    clock.set(Millis(START_MS + days * DAY_MS - 3_600_000));
    let app = App { clock: clock.clone(), ..App::new(store, settings) };
    let now = app.clock.now();
    let user = app.store.create_user("bench@example.com", "Bench", "x", now).await.expect("a user");
    let ws = app.store.create_workspace("Bench", "BEN", Some(user.id), now).await.expect("a workspace");
    let new = NewProduct {
        key: "APP".into(),
        name: "App".into(),
        vision: String::new(),
        strategy: String::new(),
        owner_id: user.id,
        default_framework: tandem_core::scoring::Framework::Rice,
    };
    let product = app.store.create_product(user.id, ws.id, &new, now).await.expect("a product");
    let a = InProduct {
        user_id: user.id,
        role: Role::Admin,
        scope: ProductScope { workspace_id: ws.id, product_id: product.id, owner_id: user.id },
        matrix: tandem_core::decision::Matrix::default(),
    };
    let key = ops::create_key(&app, &a, NewKey { name: "bench".into() }).await.expect("a key").record;

    // Ingest, a day at a time; only the ingest calls are timed.
    println!("ingesting {events} events from {people} people over {days} days (batches of 10,000)…");
    let mut rng = Rng(SplitMix64(1));
    let mut seq = 0u64;
    let per_day = events / days as u64;
    let mut spent = Duration::ZERO;
    let mut sent = 0u64;
    let mut pending: Vec<Value> = Vec::with_capacity(2 * BATCH);
    for day in 0..days {
        pending.extend(day_events(&mut rng, day, per_day, people, &mut seq));
        let last_day = day == days - 1;
        while pending.len() >= BATCH || (last_day && !pending.is_empty()) {
            let rest = pending.split_off(BATCH.min(pending.len()));
            let body = json!({ "batch": std::mem::replace(&mut pending, rest) });
            let n = body["batch"].as_array().map_or(0, Vec::len) as u64;
            let t = Instant::now();
            let answer = ops::ingest(&app, &key, Shape::Batch, &body).await.expect("ingest");
            spent += t.elapsed();
            assert_eq!(answer.accepted as u64, n, "every event accepted");
            sent += n;
        }
        if day % 30 == 29 || last_day {
            println!(
                "  day {:>3}/{days}: {sent} events, {:.0} events/s so far",
                day + 1,
                sent as f64 / spent.as_secs_f64()
            );
        }
    }
    let rate = sent as f64 / spent.as_secs_f64();

    let last = Day(tandem_core::analytics::date_of(tandem_core::analytics::day_of(now, &jiff::tz::TimeZone::UTC)));
    let back = |n: i64| Day(last.0.checked_sub(jiff::Span::new().days(n)).unwrap_or(last.0));
    let year = timed(10, || ops::active(&app, &a, Some(back(days - 1)), Some(last), None)).await;
    let ask = RetentionAsk { periods: Some(12), to: Some(last), ..RetentionAsk::default() };
    let retention = timed(10, || ops::retention(&app, &a, ask.clone())).await;
    let funnel =
        timed(5, || ops::funnel(&app, &a, "opened,added_to_cart,paid", Some(14), (Some(back(29)), Some(last)))).await;

    // Storage once rolled up: the raw events dropped, the file compacted.
    app.store.analytics_drop_raw_before(product.id, i32::MAX).await.expect("raw events dropped");
    app.store.vacuum().await.expect("vacuum");
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!();
    println!("| measure | result |");
    println!("| --- | --- |");
    println!("| ingest, batches of 10,000 | {rate:.0} events/s |");
    println!("| a year of DAU/WAU/MAU | {:.1} ms |", year.as_secs_f64() * 1e3);
    println!("| 12-week retention table | {:.1} ms |", retention.as_secs_f64() * 1e3);
    println!("| 3-step funnel over 30 days | {:.1} ms |", funnel.as_secs_f64() * 1e3);
    println!("| storage once rolled up | {:.2} bytes/event ({bytes} bytes) |", bytes as f64 / sent as f64);
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
