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
pub mod reset_pages;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod two_factor;
pub mod two_factor_pages;

use serde::{Deserialize, Serialize};

/// What the account page shows the resident about their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub display_name: String,
    pub email: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Whether two-step sign-in is set up.
    pub two_factor: bool,
    /// The roles granted to the account, with their scopes.
    pub grants: Vec<roles::Grant>,
}

/// Everything Parley holds about a resident, as they download it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    /// When the download was made (milliseconds since the Unix epoch).
    pub exported_at: i64,
    /// One section per feature of the register of personal data.
    pub sections: serde_json::Map<String, serde_json::Value>,
}

/// The signed-in resident, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub display_name: String,
    /// The roles the account holds (without scopes), for the navigation.
    pub roles: Vec<roles::Role>,
}

/// Setting up two-step sign-in, as the enrolment page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Enrolment {
    /// Two-step sign-in is already set up.
    Done,
    /// A fresh secret to add to an authenticator app, and the recovery codes
    /// that go with it (shown once: only their hashes are kept).
    Offer {
        /// The secret in base32, in groups of four for typing.
        secret: String,
        /// The `otpauth://` address, as a QR code in SVG.
        qr_svg: String,
        recovery_codes: Vec<String>,
    },
}
