//! The one integration-test binary. Every story that touches a database
//! runs against SQLite, and again against PostgreSQL when
//! `TANDEM_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accounts;
mod analytics;
mod api_conventions;
mod architecture;
mod backup;
mod browser;
mod browser_analytics;
mod browser_fields;
mod browser_forms;
mod browser_import;
mod browser_integrations;
mod browser_keyboard;
mod browser_live;
mod browser_plan;
mod browser_rituals;
mod browser_search;
mod browser_tour;
mod changes;
mod cli;
mod cluster;
mod config_file;
mod control;
mod crash;
mod custom_fields;
mod decisions;
mod delivery;
mod deploy_files;
mod docs_links;
mod fed_metrics;
mod feeds;
mod hostile;
mod imports;
mod interchange;
mod lists;
mod live;
mod mail;
mod members;
mod mywork;
mod notifications;
mod ops;
mod product;
mod project;
mod project_rights;
mod rate_limits;
mod rights;
mod rituals;
mod schedule_cmd;
mod search;
mod sheet;
mod sso;
mod syncs;
mod upgrade;
mod views;
mod webhooks;
