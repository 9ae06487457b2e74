//! Background work the server process runs beside the requests.

pub mod outbox;
