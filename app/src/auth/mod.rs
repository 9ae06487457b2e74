//! Accounts: sign up, sign in, sign out, and the session that remembers a
//! signed-in resident. Sessions live in the database (both backends) so that
//! every server process shares them.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;

use serde::{Deserialize, Serialize};

/// The signed-in resident, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub display_name: String,
}
