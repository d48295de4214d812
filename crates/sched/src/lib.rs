//! Tandem's scheduling engine. Pure: no I/O, no clock, no knowledge of the
//! rest of Tandem. Times are local minutes ([`Minute`]); durations and
//! slack are working minutes of a [`Calendar`].

pub mod calendar;
pub mod cpm;
pub mod graph;
pub mod level;
pub mod montecarlo;
pub mod network;
mod plain;
pub mod synthetic;
pub mod time;

pub use calendar::{Calendar, CalendarError, Shifts, Week};
pub use cpm::{Schedule, ScheduleError, finish_and_critical, schedule, schedule_general, schedule_with};
pub use graph::{Graph, GraphError};
pub use network::{Constraint, Lag, Link, LinkType, Manual, ManualKind, Network, Progress, Task, TaskIx};
pub use time::{DAY, Minute};
