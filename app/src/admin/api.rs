//! Server functions for administration. Each starts with
//! `require_role(Need::Admin)`.

use super::{AuditFilter, AuditPage, StaffOverview};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Everyone holding a role, and the scopes roles can take.
#[server]
pub async fn roles_overview(locale: Locale) -> Result<StaffOverview, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::Admin).await?;
    super::db::roles_overview(&crate::db::db()?, locale).await
}

/// Grants `role` to the account named `account`: a moderator needs an
/// `area`, a policymaker a `theme`, an admin neither. Audited.
#[server]
pub async fn grant_role(
    locale: Locale,
    account: String,
    role: String,
    area: String,
    theme: String,
) -> Result<(), AppError> {
    use crate::auth::roles::{Need, Role, require_role};
    use crate::validation::{Field, Invalid, Problem, optional_id};

    let admin = require_role(Need::Admin).await?;
    let role = Role::parse(&role).ok_or(Invalid::new(Field::Scope, Problem::Malformed))?;
    let id = |text: &str| optional_id(text, Field::Scope);
    let (area_id, theme_id) = match (role, id(&area)?, id(&theme)?) {
        (Role::Moderator, Some(area), _) => (Some(area), None),
        (Role::Policymaker, _, Some(theme)) => (None, Some(theme)),
        (Role::Admin, _, _) => (None, None),
        _ => return Err(Invalid::new(Field::Scope, Problem::Empty).into()),
    };
    if account.trim().is_empty() {
        return Err(Invalid::new(Field::Account, Problem::Empty).into());
    }
    let grant = super::db::NewGrant {
        account: &account,
        role,
        area_id,
        theme_id,
    };
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::grant_role(&crate::db::db()?, admin.id, &grant, &client_hash).await?;
    tracing::info!(admin = admin.id, role = role.as_str(), "role granted");
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/roles"));
    Ok(())
}

/// Revokes one grant. An admin cannot revoke their own admin role. Audited.
#[server]
pub async fn revoke_role(locale: Locale, grant: i64) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};

    let admin = require_role(Need::Admin).await?;
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::revoke_role(&crate::db::db()?, admin.id, grant, &client_hash).await?;
    tracing::info!(admin = admin.id, grant, "role revoked");
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/roles"));
    Ok(())
}

/// Turns off two-step sign-in for the account named `account`, who lost
/// their phone and their recovery codes, and signs it out everywhere.
/// Audited.
#[server]
pub async fn reset_two_factor(locale: Locale, account: String) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};
    use crate::validation::{Field, Invalid, Problem};

    let admin = require_role(Need::Admin).await?;
    if account.trim().is_empty() {
        return Err(Invalid::new(Field::Account, Problem::Empty).into());
    }
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::reset_two_factor(&crate::db::db()?, admin.id, &account, &client_hash).await?;
    tracing::info!(admin = admin.id, "two-step sign-in reset");
    leptos_axum::redirect(&crate::locale::page_path(locale, "admin/roles"));
    Ok(())
}

/// One page of the audit log, filtered by actor, action and dates.
#[server]
pub async fn audit_log(filter: AuditFilter) -> Result<AuditPage, AppError> {
    use super::db::{ActorFilter, AuditQuery};
    use crate::auth::roles::{Need, require_role};
    require_role(Need::Admin).await?;
    let (from, until) = crate::validation::optional_days(&filter.from, &filter.to)?;
    let actor = match filter.actor.trim() {
        "" => None,
        text => Some(match text.parse() {
            Ok(id) => ActorFilter::Id(id),
            Err(_) => ActorFilter::Name(text.to_owned()),
        }),
    };
    let query = AuditQuery {
        actor,
        action: Some(filter.action.trim().to_owned()).filter(|action| !action.is_empty()),
        from,
        until,
        before: filter.before,
    };
    super::db::audit_page(&crate::db::db()?, &query).await
}
