//! Tandem's scheduling engine. Pure: no I/O, no clock, no knowledge of the
//! rest of Tandem. Times are local minutes ([`Minute`]); durations and
//! slack are working minutes of a [`Calendar`].

pub mod calendar;
pub mod time;

pub use calendar::{Calendar, CalendarError, Shifts};
pub use time::{DAY, Minute};
