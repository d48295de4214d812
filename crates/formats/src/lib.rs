//! Tandem's file formats. Pure: every parser takes bytes and returns values
//! or errors that say what and where; sizes, depths and counts are bounded.

pub mod jira;
pub mod mspdi;
pub mod text;
pub mod trello;
