//! What an admin's Prometheus scrapes from `GET /metrics`: requests and
//! their latency, the database pools and query time, the schedule cache,
//! the outboxes (mail, webhooks) and the open live-update streams.
//!
//! Counters and histograms move as work happens, in this process; the
//! figures that are states (pool use, queue depth, open streams) are read
//! when scraped. Names follow Prometheus' conventions: a `tandem_` prefix,
//! base units (seconds), `_total` on counters.

use std::time::Duration;

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use tandem_store::Store;

/// Request and query buckets from a millisecond to ten seconds: a page
/// answers in milliseconds, a large plan's schedule in a second or two.
const SECONDS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The server's metrics. Built once per process; if the collectors could
/// not be built (a bad name: caught by this module's test) nothing is
/// recorded and `/metrics` says it is unavailable.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Option<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    query_seconds: Histogram,
    schedule_hits: prometheus::IntCounter,
    schedule_computations: prometheus::IntCounter,
    schedule_seconds: Histogram,
    outbox_attempts: IntCounterVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGaugeVec,
    outbox_waiting: IntGaugeVec,
    outbox_failed: IntGaugeVec,
    live_streams: IntGauge,
    rate_limited: IntCounterVec,
}

/// How one outbox attempt ended.
#[derive(Debug, Clone, Copy)]
pub enum Attempt {
    Delivered,
    /// Failed (tried again later, or given up on: `outbox_failed` counts those).
    Failed,
}

impl Attempt {
    pub fn of(delivered: bool) -> Attempt {
        if delivered { Attempt::Delivered } else { Attempt::Failed }
    }

    fn label(self) -> &'static str {
        match self {
            Attempt::Delivered => "delivered",
            Attempt::Failed => "failed",
        }
    }
}

/// Which outbox.
#[derive(Debug, Clone, Copy)]
pub enum Queue {
    Mail,
    Webhooks,
}

impl Queue {
    fn label(self) -> &'static str {
        match self {
            Queue::Mail => "mail",
            Queue::Webhooks => "webhooks",
        }
    }
}

impl Metrics {
    /// Every collector, registered.
    pub fn new() -> Metrics {
        match Inner::new() {
            Ok(inner) => Metrics { inner: Some(inner) },
            Err(e) => {
                tracing::error!("metrics unavailable: {e}");
                Metrics { inner: None }
            }
        }
    }

    /// One answered request: its method, route template (never the path
    /// itself, which may hold a secret), status and time taken.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Some(m) = &self.inner {
            m.requests.with_label_values(&[method, route, status.to_string().as_str()]).inc();
            m.request_seconds.with_label_values(&[method, route]).observe(took.as_secs_f64());
        }
    }

    /// A query's time, as the database driver reports it.
    pub fn query(&self, seconds: f64) {
        if let Some(m) = &self.inner {
            m.query_seconds.observe(seconds);
        }
    }

    /// A schedule answered from the cache.
    pub fn schedule_hit(&self) {
        if let Some(m) = &self.inner {
            m.schedule_hits.inc();
        }
    }

    /// A schedule computed (the plan read and scheduled), and how long it took.
    pub fn schedule_computed(&self, took: Duration) {
        if let Some(m) = &self.inner {
            m.schedule_computations.inc();
            m.schedule_seconds.observe(took.as_secs_f64());
        }
    }

    /// One attempt to send from an outbox.
    pub fn outbox_attempt(&self, queue: Queue, attempt: Attempt) {
        if let Some(m) = &self.inner {
            m.outbox_attempts.with_label_values(&[queue.label(), attempt.label()]).inc();
        }
    }

    /// A request refused for going past a rate limit (`scope`: what was limited).
    pub fn rate_limited(&self, scope: &str) {
        if let Some(m) = &self.inner {
            m.rate_limited.with_label_values(&[scope]).inc();
        }
    }

    /// The text a scrape receives, with the states read now: the pools,
    /// the outboxes (from the database, so every server reports the same
    /// queue) and `open_streams`. `None`: metrics are unavailable.
    pub async fn render(&self, store: &Store, open_streams: usize) -> Option<String> {
        let m = self.inner.as_ref()?;
        for p in store.pools() {
            let busy = i64::from(p.size).saturating_sub(p.idle as i64).max(0);
            m.pool_connections.with_label_values(&[p.name, "busy"]).set(busy);
            m.pool_connections.with_label_values(&[p.name, "idle"]).set(p.idle as i64);
            m.pool_max.with_label_values(&[p.name]).set(i64::from(p.max));
        }
        match store.outbox_counts().await {
            Ok(counts) => {
                for c in counts {
                    m.outbox_waiting.with_label_values(&[c.queue]).set(c.waiting);
                    m.outbox_failed.with_label_values(&[c.queue]).set(c.failed);
                }
            }
            // A scrape still answers; the queue figures keep their last value.
            Err(e) => tracing::warn!("metrics: outbox counts: {e}"),
        }
        m.live_streams.set(i64::try_from(open_streams).unwrap_or(i64::MAX));
        TextEncoder::new().encode_to_string(&m.registry.gather()).ok()
    }
}

impl Inner {
    fn new() -> Result<Inner, prometheus::Error> {
        let registry = Registry::new_custom(Some("tandem".to_owned()), None)?;
        let requests = registered(
            &registry,
            IntCounterVec::new(
                Opts::new("http_requests_total", "HTTP requests answered, by method, route template and status."),
                &["method", "route", "status"],
            ),
        )?;
        let request_seconds = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "http_request_duration_seconds",
                    "Time to answer an HTTP request, by route template.",
                )
                .buckets(SECONDS.to_vec()),
                &["method", "route"],
            ),
        )?;
        let query_seconds = registered(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new(
                    "db_query_duration_seconds",
                    "Time each database statement took, as the driver reports it.",
                )
                .buckets(SECONDS.to_vec()),
            ),
        )?;
        let schedule_hits = registered(
            &registry,
            prometheus::IntCounter::new(
                "schedule_cache_hits_total",
                "Schedules answered from the cache (the plan unchanged since computed).",
            ),
        )?;
        let schedule_computations = registered(
            &registry,
            prometheus::IntCounter::new(
                "schedule_computations_total",
                "Schedules computed: the plan read and scheduled because it changed or was not cached.",
            ),
        )?;
        let schedule_seconds = registered(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new("schedule_computation_duration_seconds", "Time to read and schedule a plan.")
                    .buckets(SECONDS.to_vec()),
            ),
        )?;
        let outbox_attempts = registered(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "outbox_attempts_total",
                    "Attempts to send mail or webhook deliveries by this server, by how they ended.",
                ),
                &["queue", "outcome"],
            ),
        )?;
        let pool_connections = registered(
            &registry,
            IntGaugeVec::new(
                Opts::new("db_pool_connections", "Database connections open, busy or idle, per pool."),
                &["pool", "state"],
            ),
        )?;
        let pool_max = registered(
            &registry,
            IntGaugeVec::new(Opts::new("db_pool_max_connections", "The most connections each pool opens."), &["pool"]),
        )?;
        let outbox_waiting = registered(
            &registry,
            IntGaugeVec::new(
                Opts::new("outbox_waiting", "Mail and webhook deliveries waiting to be sent (all servers)."),
                &["queue"],
            ),
        )?;
        let outbox_failed = registered(
            &registry,
            IntGaugeVec::new(
                Opts::new("outbox_failed", "Mail and webhook deliveries kept as failed for good (all servers)."),
                &["queue"],
            ),
        )?;
        let live_streams = registered(
            &registry,
            IntGauge::new("live_streams", "Live-update (server-sent event) streams open on this server."),
        )?;
        let rate_limited = registered(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "rate_limited_total",
                    "Requests refused with 429 for going past a rate limit, by what was limited.",
                ),
                &["scope"],
            ),
        )?;
        let build = registered(
            &registry,
            IntGaugeVec::new(Opts::new("build_info", "Always 1; the labels say which Tandem runs."), &["version"]),
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Ok(Inner {
            registry,
            requests,
            request_seconds,
            query_seconds,
            schedule_hits,
            schedule_computations,
            schedule_seconds,
            outbox_attempts,
            pool_connections,
            pool_max,
            outbox_waiting,
            outbox_failed,
            live_streams,
            rate_limited,
        })
    }
}

/// `made`, registered in `registry`; the handle to record with.
fn registered<C>(registry: &Registry, made: Result<C, prometheus::Error>) -> Result<C, prometheus::Error>
where
    C: prometheus::core::Collector + Clone + 'static,
{
    let c = made?;
    registry.register(Box::new(c.clone()))?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collector_registers() {
        let m = Metrics::new();
        assert!(m.inner.is_some(), "a collector's name or labels are invalid");
        m.request("GET", "/api/v1/me", 200, Duration::from_millis(3));
        let text =
            TextEncoder::new().encode_to_string(&m.inner.as_ref().map(|i| i.registry.gather()).unwrap_or_default());
        let text = text.unwrap_or_default();
        assert!(
            text.contains(r#"tandem_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains("tandem_build_info{version="), "{text}");
    }
}
