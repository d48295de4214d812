//! MS Project XML (MSPDI): read, write, and convert to the engine's network.

mod convert;
mod model;
mod read;
mod report;
mod values;
mod write;

pub use convert::{Converted, Options, TaskInfo, to_network};
pub use model::*;
pub use read::{FieldError, Limits, MspdiError, read, read_with};
pub use report::{ProjectDates, Report, TaskRow, schedule_report};
pub use write::write;
