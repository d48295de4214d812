use thiserror::Error;

/// What can go wrong in the store, by kind rather than by backend.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or integrity rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller's version is not the stored one; nothing was written.
    #[error("version mismatch: the stored version is {current}")]
    Stale { current: i64 },
    #[error("unsupported database URL `{0}`: expected sqlite://… or postgres://…")]
    BadUrl(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database was migrated by a newer Tandem: this one would not
    /// understand it, so it does not touch it.
    #[error(
        "the database has migrations this Tandem does not know ({}): a newer version made it; run that version, or restore the backup taken before the upgrade",
        .0.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    )]
    NewerSchema(Vec<i64>),
    /// An edit applied inside the transaction broke a rule of the domain;
    /// nothing was written.
    #[error("{0}")]
    Invalid(#[from] tandem_core::validate::Invalid),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A backup file that cannot be restored; nothing was written.
    #[error("backup: {0}")]
    BadBackup(String),
    /// Writing a backup failed.
    #[error("writing: {0}")]
    Io(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // SQLite does not name the violated constraint, so map by kind.
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict("an object with that identity already exists".into())
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                StoreError::Conflict("a referenced object does not exist".into())
            }
            _ => StoreError::Db(e),
        }
    }
}
