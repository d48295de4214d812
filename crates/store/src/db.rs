//! The connection pool and transactions.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;

use crate::{Result, StoreError, migrations};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A database URL without its password, safe to print: the one after the
/// user name and a `password=` parameter both become `***`.
pub fn redact(url: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &base[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &base[..s + 3], &base[at..]),
                None => base.to_owned(),
            }
        }
        _ => base.to_owned(),
    };
    match query {
        None => base,
        Some(q) => {
            let params: Vec<String> = q
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => p.to_owned(),
                })
                .collect();
            format!("{base}?{}", params.join("&"))
        }
    }
}

/// Tandem's database: a pool for reads and one for writes, one backend,
/// migrated on open.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// On SQLite a single connection, so writers queue in order for it
    /// instead of polling SQLite's lock with growing sleeps; on PostgreSQL
    /// the same pool as reads.
    pub(crate) writer: AnyPool,
    backend: Backend,
    /// Where a PostgreSQL listener connects (`live`); none on SQLite.
    pub(crate) listen_url: Option<ListenUrl>,
    /// The numbers of people whose events came before (`analytics`).
    pub(crate) people: std::sync::Arc<crate::analytics::PeopleCache>,
    /// Rate-limit counters on SQLite (`rates`).
    pub(crate) rates: std::sync::Arc<crate::rates::MemoryRates>,
}

/// One connection pool's use, for metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    pub name: &'static str,
    /// Connections open.
    pub size: u32,
    /// Of which idle.
    pub idle: usize,
    pub max: u32,
}

/// A database URL kept to open more connections; never printed whole.
#[derive(Clone)]
pub(crate) struct ListenUrl(pub(crate) String);

impl std::fmt::Debug for ListenUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;

impl Store {
    /// Connects to `url` (`sqlite://FILE` or `postgres://…`), creating a
    /// SQLite file when missing, and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Db)?;
        // SQLite: WAL so readers never block the writer; foreign keys
        // enforced; a writer outside this process is waited for, not failed.
        // The writer keeps 64 MiB of pages and its statement journals in
        // memory: a batch of events touches more index pages than the
        // default 2 MiB holds (ingest 62,000 → see BENCHMARKS.md).
        let sqlite = |connections, writer: bool| {
            AnyPoolOptions::new().max_connections(connections).after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                    )
                    .await?;
                    if writer {
                        conn.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;").await?;
                    }
                    Ok(())
                })
            })
        };
        let timeout = Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS * 2);
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let writer = sqlite(1, true).acquire_timeout(timeout).connect_with(options.clone()).await?;
                // Each connection is a thread of its own: more readers than
                // cores only crowd out the writer's thread (mixed load p99
                // 25 → 18 ms on two cores with four instead of eight).
                let readers = std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).clamp(4, 16));
                (sqlite(readers as u32, false).acquire_timeout(timeout).connect_with(options).await?, writer)
            }
            Backend::Postgres => {
                let pool =
                    AnyPoolOptions::new().max_connections(16).acquire_timeout(timeout).connect_with(options).await?;
                (pool.clone(), pool)
            }
        };
        let listen_url = (backend == Backend::Postgres).then(|| ListenUrl(url.clone()));
        Ok(Store { pool, writer, backend, listen_url, people: Default::default(), rates: Default::default() })
    }

    /// Applies the migrations this binary carries that the database lacks;
    /// refuses a database a newer Tandem migrated.
    pub async fn migrate(&self) -> Result<()> {
        let plan = self.migration_plan().await?;
        if !plan.unknown.is_empty() {
            return Err(StoreError::NewerSchema(plan.unknown));
        }
        migrations::migrator(self.backend).run(&self.writer).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How the connection pools stand: `read` and, on SQLite, its one
    /// `write` connection (on PostgreSQL both are one pool).
    pub fn pools(&self) -> Vec<PoolUse> {
        let of = |name, p: &AnyPool| PoolUse {
            name,
            size: p.size(),
            idle: p.num_idle(),
            max: p.options().get_max_connections(),
        };
        match self.backend {
            Backend::Sqlite => vec![of("read", &self.pool), of("write", &self.writer)],
            Backend::Postgres => vec![of("shared", &self.pool)],
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at
    /// once, so two writers queue instead of deadlocking on upgrade.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        Ok(tx)
    }

    /// The database's own consistency check: `ok` when all is well.
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend {
            Backend::Sqlite => {
                let s: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.pool).await?;
                Ok(s)
            }
            Backend::Postgres => {
                // PostgreSQL recovers from its WAL on start; reading every
                // table end to end finds a page it could not.
                for t in crate::backup::TABLES {
                    let sql = format!("SELECT COUNT(*) FROM {t}");
                    let _: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&self.pool).await?;
                }
                Ok("ok".into())
            }
        }
    }

    /// Closes the pool, waiting for connections to return.
    /// Gives the room of deleted rows back (SQLite shrinks its file;
    /// PostgreSQL marks it reusable).
    pub async fn vacuum(&self) -> Result<()> {
        sqlx::query("VACUUM").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(Backend::of_url("sqlite://tandem.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert!(Backend::of_url("mysql://x").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("postgres://u@h/db?sslmode=require&password=s3cret"),
            "postgres://u@h/db?sslmode=require&password=***"
        );
    }
}
