//! Row → record mapping, one function per record, shared by all queries.

use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::model::Day;
use tandem_core::model::{ApiToken, Member, User, Workspace};
use tandem_core::prefs::{DateOrder, Theme};
use tandem_core::{Id, Millis, Role};

use crate::{Result, StoreError};

pub(crate) fn id(row: &AnyRow, col: &str) -> Result<Id> {
    Ok(Id(row.try_get::<i64, _>(col)?))
}

pub(crate) fn millis(row: &AnyRow, col: &str) -> Result<Millis> {
    Ok(Millis(row.try_get::<i64, _>(col)?))
}

pub(crate) fn opt_millis(row: &AnyRow, col: &str) -> Result<Option<Millis>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(Millis))
}

pub(crate) fn role(row: &AnyRow, col: &str) -> Result<Role> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e: tandem_core::role::UnknownRole| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn word<T>(row: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = row.try_get(col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: unknown value `{s}`")))
}

pub(crate) fn opt_word<T>(row: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: unknown value `{s}`")))).transpose()
}

pub(crate) fn opt_id(row: &AnyRow, col: &str) -> Result<Option<Id>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(Id))
}

pub(crate) fn day(row: &AnyRow, col: &str) -> Result<Day> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub(crate) fn opt_day(row: &AnyRow, col: &str) -> Result<Option<Day>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| s.parse().map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))).transpose()
}

/// Fails with 412 semantics unless `expected` is the stored version.
pub(crate) fn check_version(stored: i64, expected: i64) -> Result<()> {
    if stored == expected { Ok(()) } else { Err(StoreError::Stale { current: stored }) }
}

pub(crate) fn opt_local(row: &AnyRow, col: &str) -> Result<Option<tandem_core::project::LocalTime>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| s.parse().map_err(|e: tandem_core::project::BadLocalTime| StoreError::Corrupt(format!("{col}: {e}"))))
        .transpose()
}

/// The user columns every query selects, for `concat!`.
macro_rules! user_cols {
    () => {
        "u.id, u.email, u.name, u.date_order, u.theme, u.version, u.created_at, u.updated_at"
    };
}
pub(crate) use user_cols;

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: id(row, "id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        date_order: word(row, "date_order", DateOrder::parse)?,
        theme: word(row, "theme", Theme::parse)?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

macro_rules! workspace_cols {
    () => {
        "w.id, w.name, w.key, w.time_zone, w.version, w.created_at, w.updated_at"
    };
}
pub(crate) use workspace_cols;

pub(crate) fn workspace(row: &AnyRow) -> Result<Workspace> {
    Ok(Workspace {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        key: row.try_get("key")?,
        time_zone: row.try_get("time_zone")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

macro_rules! member_cols {
    () => {
        "m.id, m.workspace_id, m.user_id, u.email, u.name, m.role, m.version, m.created_at, m.updated_at"
    };
}
pub(crate) use member_cols;

pub(crate) fn member(row: &AnyRow) -> Result<Member> {
    Ok(Member {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        user_id: id(row, "user_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: role(row, "role")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

pub(crate) fn api_token(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        created_at: millis(row, "created_at")?,
        last_used_at: opt_millis(row, "last_used_at")?,
        revoked_at: opt_millis(row, "revoked_at")?,
    })
}
