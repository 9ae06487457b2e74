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

/// What the account page shows the resident about their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub display_name: String,
    pub email: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// Everything Parley holds about a resident, as they download it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub display_name: String,
    pub email: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub sessions: Vec<SessionRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub created_at: i64,
    pub expires_at: i64,
}

/// The signed-in resident, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub display_name: String,
}
