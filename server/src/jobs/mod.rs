//! Background work the server process runs beside the requests.

pub mod analysis;
pub mod focus_groups;
pub mod outbox;
