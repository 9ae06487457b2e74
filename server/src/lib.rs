//! The `parley` process: settings, database, router, command line. The
//! application itself (pages, server functions) lives in the `app` crate.

pub mod accounts;
pub mod admission;
pub mod cli;
pub mod config;
pub mod copy;
pub mod database;
pub mod deadline;
pub mod feeds;
pub mod health;
pub mod html;
pub mod import;
pub mod jobs;
pub mod locale;
pub mod page_cache;
pub mod refill;
pub mod security;
pub mod seed;
pub mod startup;
pub mod stats;
pub mod survey_import;
pub mod telemetry;
