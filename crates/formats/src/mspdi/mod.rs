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
pub use report::{
    HistogramBin, LevelingReport, MonteCarloReport, MonteCarloRequest, MovedTask, ProjectDates, Report, Stamp,
    TaskCriticality, TaskRow, schedule_document, schedule_report, schedule_report_with,
};
pub use write::write;
