//! SQL for administration. Runs unchanged on SQLite and PostgreSQL.

use super::{AUDIT_PAGE_SIZE, AuditEntry, AuditPage, GrantView, StaffMember, StaffOverview};
use crate::auth::roles::Role;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit;
use crate::validation::{Field, Invalid, Problem};
use leptos_i18n::Locale as _;
use sqlx::FromRow;

#[derive(FromRow)]
struct GrantRow {
    id: i64,
    user_id: i64,
    display_name: String,
    role: String,
    scope: Option<String>,
}

/// Everyone holding a role, and the areas and themes roles can be scoped to
/// (the town, as the home page lists it), named in the reader's locale
/// where a translation exists.
#[tracing::instrument(skip(db))]
pub async fn roles_overview(db: &Db, locale: Locale) -> Result<StaffOverview, AppError> {
    let lang = locale.as_str();
    // Joins on primary keys; roles is small (staff only).
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT r.id, r.user_id, u.display_name, r.role,
                COALESCE(an.name, ao.name, tn.name, tt.name) AS scope
         FROM roles r
         JOIN users u ON u.id = r.user_id
         LEFT JOIN areas a ON a.id = r.area_id
         LEFT JOIN area_names an ON an.area_id = a.id AND an.locale = $1
         LEFT JOIN area_names ao ON ao.area_id = a.id AND ao.locale = a.source_locale
         LEFT JOIN themes th ON th.id = r.theme_id
         LEFT JOIN theme_texts tn ON tn.theme_id = th.id AND tn.locale = $1
         LEFT JOIN theme_texts tt ON tt.theme_id = th.id AND tt.locale = th.source_locale
         ORDER BY u.display_name_key, r.role, r.id",
    )
    .bind(lang)
    .fetch_all(db.pool())
    .await?;
    let mut staff: Vec<StaffMember> = Vec::new();
    for row in rows {
        let Some(role) = Role::parse(&row.role) else {
            continue;
        };
        let grant = GrantView {
            id: row.id,
            role,
            scope: row.scope,
        };
        match staff.last_mut() {
            Some(member) if member.user_id == row.user_id => member.grants.push(grant),
            _ => staff.push(StaffMember {
                user_id: row.user_id,
                display_name: row.display_name,
                grants: vec![grant],
            }),
        }
    }
    Ok(StaffOverview {
        staff,
        town: crate::taxonomy::db::town_overview(db, locale).await?,
    })
}

/// A role to grant: who, which role, and its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant<'a> {
    pub account: &'a str,
    pub role: Role,
    pub area_id: Option<i64>,
    pub theme_id: Option<i64>,
}

/// Grants a role (granting one already held changes nothing), audited.
/// An unknown account, area or theme is refused on its field.
#[tracing::instrument(skip(db, client_hash))]
pub async fn grant_role(
    db: &Db,
    granted_by: i64,
    grant: &NewGrant<'_>,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let user_id = account_named(&mut tx, grant.account).await?;
    let scope_exists: bool = match (grant.area_id, grant.theme_id) {
        (Some(area), None) => sqlx::query_scalar::<_, i64>("SELECT id FROM areas WHERE id = $1")
            .bind(area)
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
        (None, Some(theme)) => sqlx::query_scalar::<_, i64>("SELECT id FROM themes WHERE id = $1")
            .bind(theme)
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
        _ => true,
    };
    if !scope_exists {
        return Err(Invalid::new(Field::Scope, Problem::Unknown).into());
    }
    // Uses roles_grant.
    let held: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM roles WHERE user_id = $1 AND role = $2
         AND COALESCE(area_id, 0) = COALESCE($3, 0) AND COALESCE(theme_id, 0) = COALESCE($4, 0)",
    )
    .bind(user_id)
    .bind(grant.role.as_str())
    .bind(grant.area_id)
    .bind(grant.theme_id)
    .fetch_optional(&mut *tx)
    .await?;
    if held.is_some() {
        return Ok(());
    }
    let id = crate::auth::db::insert_grant_in(
        &mut tx,
        user_id,
        grant.role,
        (grant.area_id, grant.theme_id),
        Some(granted_by),
    )
    .await?;
    let target = format!(
        "user:{user_id} role:{} grant:{id}{}",
        grant.role.as_str(),
        scope_label(grant.area_id, grant.theme_id)
    );
    let entry = audit::Entry {
        actor: Some(granted_by),
        action: audit::Action::RoleGrant,
        target: &target,
        client_hash,
    };
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The account whose display name is `name` (any case), or an
/// [`Field::Account`] error.
async fn account_named(conn: &mut sqlx::AnyConnection, name: &str) -> Result<i64, AppError> {
    // Uses the UNIQUE index on display_name_key.
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE display_name_key = $1")
        .bind(crate::auth::db::name_key(name.trim()))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.ok_or(Invalid::new(Field::Account, Problem::Unknown))?)
}

/// Turns off two-step sign-in for the account named `account` (a lost
/// phone, and no recovery code left) and ends all its sessions, so that it
/// signs in again with its password and enrols anew. Audited.
#[tracing::instrument(skip(db, client_hash))]
pub async fn reset_two_factor(
    db: &Db,
    admin_id: i64,
    account: &str,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let user_id = account_named(&mut tx, account).await?;
    for statement in [
        "DELETE FROM totp_credentials WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM sessions WHERE user_id = $1",
    ] {
        sqlx::query(statement)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let target = format!("user:{user_id}");
    let entry = audit::Entry {
        actor: Some(admin_id),
        action: audit::Action::TwoFactorReset,
        target: &target,
        client_hash,
    };
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

fn scope_label(area_id: Option<i64>, theme_id: Option<i64>) -> String {
    match (area_id, theme_id) {
        (Some(area), _) => format!(" area:{area}"),
        (_, Some(theme)) => format!(" theme:{theme}"),
        _ => String::new(),
    }
}

/// Revokes a grant, audited. An admin cannot revoke their own admin role,
/// so that Parley always keeps at least the admin doing the revoking.
#[tracing::instrument(skip(db, client_hash))]
pub async fn revoke_role(
    db: &Db,
    revoked_by: i64,
    grant_id: i64,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let grant: Option<(i64, String, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT user_id, role, area_id, theme_id FROM roles WHERE id = $1")
            .bind(grant_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (user_id, role, area_id, theme_id) = grant.ok_or(AppError::NotFound)?;
    if user_id == revoked_by && role == Role::Admin.as_str() {
        return Err(AppError::Forbidden);
    }
    sqlx::query("DELETE FROM roles WHERE id = $1")
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
    let target = format!(
        "user:{user_id} role:{role} grant:{grant_id}{}",
        scope_label(area_id, theme_id)
    );
    let entry = audit::Entry {
        actor: Some(revoked_by),
        action: audit::Action::RoleRevoke,
        target: &target,
        client_hash,
    };
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The audit log filter, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<ActorFilter>,
    pub action: Option<String>,
    /// Milliseconds, inclusive.
    pub from: Option<i64>,
    /// Milliseconds, exclusive.
    pub until: Option<i64>,
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorFilter {
    Id(i64),
    Name(String),
}

#[derive(FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor: Option<i64>,
    actor_name: Option<String>,
    action: String,
    target: String,
    client_hash: String,
}

/// One page of the audit log, newest first (keyset on id).
#[tracing::instrument(skip(db))]
pub async fn audit_page(db: &Db, query: &AuditQuery) -> Result<AuditPage, AppError> {
    let actor_id = match &query.actor {
        Some(ActorFilter::Id(id)) => Some(*id),
        Some(ActorFilter::Name(name)) => {
            let id: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE display_name_key = $1")
                    .bind(crate::auth::db::name_key(name))
                    .fetch_optional(db.pool())
                    .await?;
            // A name nobody holds matches no entry (a deleted account's
            // entries are found by its number).
            Some(id.unwrap_or(-1))
        }
        None => None,
    };
    let limit = i64::try_from(AUDIT_PAGE_SIZE).unwrap_or(50) + 1;
    // Each filter is optional: `$n IS NULL OR …`. The primary key orders;
    // audit_log_actor_at and audit_log_action_at serve the usual filters.
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT l.id, l.at, l.actor, u.display_name AS actor_name, l.action, l.target, l.client_hash
         FROM audit_log l LEFT JOIN users u ON u.id = l.actor
         WHERE ($1 IS NULL OR l.actor = $1)
           AND ($2 IS NULL OR l.action = $2)
           AND ($3 IS NULL OR l.at >= $3)
           AND ($4 IS NULL OR l.at < $4)
           AND ($5 IS NULL OR l.id < $5)
         ORDER BY l.id DESC
         LIMIT $6",
    )
    .bind(actor_id)
    .bind(query.action.as_deref())
    .bind(query.from)
    .bind(query.until)
    .bind(query.before)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let more = rows.len() > AUDIT_PAGE_SIZE;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(AUDIT_PAGE_SIZE)
        .map(|row| AuditEntry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            actor_name: row.actor_name,
            action: row.action,
            target: row.target,
            client_hash: row.client_hash,
        })
        .collect();
    // The actions Parley writes, rather than a DISTINCT over the whole log.
    let mut actions: Vec<String> = audit::Action::ALL
        .iter()
        .map(|action| action.as_str().to_owned())
        .collect();
    actions.sort();
    Ok(AuditPage {
        next_before: if more {
            entries.last().map(|entry| entry.id)
        } else {
            None
        },
        entries,
        actions,
    })
}
