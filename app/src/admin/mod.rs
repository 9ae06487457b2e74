//! Administration (`/{l}/admin/…`): granting and revoking roles, and
//! reading the audit log. Every server function here requires an admin
//! who proved the second factor.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use crate::auth::roles::Role;
use crate::taxonomy::TownOverview;
use serde::{Deserialize, Serialize};

/// An account holding at least one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub user_id: i64,
    pub display_name: String,
    pub grants: Vec<GrantView>,
}

/// One grant as the roles page shows it: the scope by name, in the
/// reader's language where a translation exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i64,
    pub role: Role,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub staff: Vec<StaffMember>,
    /// The areas and themes roles can be scoped to.
    pub town: TownOverview,
}

/// What the audit log page filters by, as typed in its form (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// A display name or an account number.
    pub actor: String,
    pub action: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// Show entries older than this id (the next page).
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: String,
    pub client_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// The actions Parley records, for the filter.
    pub actions: Vec<String>,
    /// The id to pass as `before` for the next page, if there is one.
    pub next_before: Option<i64>,
}

/// How many audit entries a page shows.
pub const AUDIT_PAGE_SIZE: usize = 50;
