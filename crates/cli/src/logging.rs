//! Log lines on stderr, for people (text) or for collectors (JSON, one
//! object per line), and the database's query times for the metrics.

use std::io::IsTerminal;
use std::sync::Arc;

use tandem_app::metrics::Metrics;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: colours on a terminal.
    Text,
    /// One JSON object per line: `timestamp`, `level`, the event's fields
    /// (`message`; on access lines `request_id`, `method`, `route`,
    /// `status`, `duration_ms`, `user_id`), `target` and the request's
    /// `span`.
    Json,
}

/// Installs the process's logger. With `metrics`, every statement's time
/// as the database driver reports it goes to the metrics too.
pub fn init(format: Format, filter: &str, metrics: Option<Arc<Metrics>>) -> Result<(), String> {
    let filter = EnvFilter::try_new(filter).map_err(|e| format!("--log-filter {filter}: {e}"))?;
    let lines = match format {
        Format::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .boxed(),
        Format::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    // The driver reports each statement at debug level under its own
    // target; this filter lets only those through to the timer, whatever
    // the log filter says.
    let queries = metrics.map(|m| QueryTimes(m).with_filter(EnvFilter::new("sqlx::query=debug")));
    tracing_subscriber::registry()
        .with(lines.with_filter(filter))
        .with(queries)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))
}

/// Records the `elapsed_secs` of sqlx's statement events.
struct QueryTimes(Arc<Metrics>);

impl<S: Subscriber> Layer<S> for QueryTimes {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut seconds = Elapsed(None);
        event.record(&mut seconds);
        if let Some(s) = seconds.0 {
            self.0.query(s);
        }
    }
}

struct Elapsed(Option<f64>);

impl Visit for Elapsed {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
