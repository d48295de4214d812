//! Throw-away databases for test suites: one fresh PostgreSQL database per
//! test, so tests run in parallel without seeing each other's rows.

use sqlx::Executor;

use crate::{Result, Store, StoreError};

/// Creates an empty database named `name` on the server `admin_url` points
/// at, and returns the URL of the new database.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> Result<String> {
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(StoreError::BadUrl(format!("database name {name}")));
    }
    let admin = Store::connect(admin_url).await?;
    admin.pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).await?;
    admin.close().await;
    Ok(with_database(admin_url, name))
}

/// Drops a database made by [`create_postgres_database`].
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> Result<()> {
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(StoreError::BadUrl(format!("database name {name}")));
    }
    let admin = Store::connect(admin_url).await?;
    admin.pool.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).await?;
    admin.close().await;
    Ok(())
}

/// `admin_url` with its database path replaced by `name`.
pub fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(super::with_database("postgres://h/db?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
    }
}
