//! Accounts made from the command line and by the demo data: the first
//! admin (`parley create-admin`), and the demo accounts of every role.

use anyhow::Context as _;
use app::auth::db::{NewUser, insert_grant_in, insert_user_in};
use app::auth::domain::{DisplayName, Password};
use app::auth::roles::Role;
use app::db::Db;
use app::security::audit;

/// Why an account could not be made from what the operator typed.
#[derive(Debug, thiserror::Error)]
pub enum AccountInputError {
    #[error("the display name is not acceptable: {0}")]
    Name(app::validation::Invalid),
    #[error("the password is not acceptable (10 to 256 characters): {0}")]
    Password(app::validation::Invalid),
}

/// Creates an admin account named `name`, audited as granted by the
/// command line. Returns the account number.
pub async fn create_admin(db: &Db, name: &str, password: &str) -> anyhow::Result<i64> {
    let name = DisplayName::parse(name).map_err(AccountInputError::Name)?;
    let password = Password::parse(password).map_err(AccountInputError::Password)?;
    let hash = app::auth::password::hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    let mut tx = db.begin().await?;
    let user = NewUser {
        display_name: &name,
        email: None,
        password_hash: &hash,
    };
    let user_id = insert_user_in(&mut tx, &user).await.map_err(|e| match e {
        // The name is taken: the operator's input, like a bad name.
        app::error::AppError::Invalid(invalid) => AccountInputError::Name(invalid).into(),
        other => anyhow::anyhow!("creating the account: {other}"),
    })?;
    grant_in(&mut tx, user_id, Role::Admin, (None, None)).await?;
    tx.commit().await.context("saving the admin account")?;
    Ok(user_id)
}

/// Grants `role` inside `tx` and audits it as granted by the command line.
async fn grant_in(
    tx: &mut sqlx::AnyConnection,
    user_id: i64,
    role: Role,
    scope: (Option<i64>, Option<i64>),
) -> anyhow::Result<()> {
    let grant = insert_grant_in(tx, user_id, role, scope, None)
        .await
        .map_err(|e| anyhow::anyhow!("granting the role: {e}"))?;
    let target = format!("user:{user_id} role:{} grant:{grant}", role.as_str());
    let entry = audit::Entry {
        actor: None,
        action: audit::Action::RoleGrant,
        target: &target,
        client_hash: "command-line",
    };
    audit::record(&mut *tx, &entry)
        .await
        .map_err(|e| anyhow::anyhow!("auditing the grant: {e}"))?;
    Ok(())
}

/// One demo account: its name, password and role. The passwords are
/// public (printed by `make run` and in the README): demo data only.
pub struct DemoAccount {
    pub name: &'static str,
    pub password: &'static str,
    pub role: Option<Role>,
    /// A policymaker's themes (slugs of the demo town).
    pub themes: &'static [&'static str],
}

pub const DEMO_ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        name: "Demo Resident",
        password: "demo-resident-pass",
        role: None,
        themes: &[],
    },
    DemoAccount {
        name: "Demo Moderator",
        password: "demo-moderator-pass",
        role: Some(Role::Moderator),
        themes: &[],
    },
    DemoAccount {
        name: "Demo Policymaker",
        password: "demo-policymaker-pass",
        role: Some(Role::Policymaker),
        themes: &["public-safety", "policing-and-trust"],
    },
    DemoAccount {
        name: "Demo Organiser",
        password: "demo-organiser-pass",
        role: Some(Role::Policymaker),
        themes: &["community-cohesion", "youth"],
    },
    DemoAccount {
        name: "Demo Admin",
        password: "demo-admin-pass",
        role: Some(Role::Admin),
        themes: &[],
    },
];

/// Creates the demo accounts inside `tx`: the moderator looks after the
/// first area, each policymaker works on their themes (`themes`: the demo
/// town's, by slug).
pub async fn seed_demo_accounts(
    tx: &mut sqlx::AnyConnection,
    first_area: i64,
    themes: &std::collections::HashMap<String, i64>,
) -> anyhow::Result<()> {
    for account in &DEMO_ACCOUNTS {
        let name = DisplayName::parse(account.name).map_err(AccountInputError::Name)?;
        let password = Password::parse(account.password).map_err(AccountInputError::Password)?;
        let hash = app::auth::password::hash(password)
            .await
            .map_err(|e| anyhow::anyhow!("hashing a demo password: {e}"))?;
        let user = NewUser {
            display_name: &name,
            email: None,
            password_hash: &hash,
        };
        let user_id = insert_user_in(tx, &user)
            .await
            .map_err(|e| anyhow::anyhow!("creating a demo account: {e}"))?;
        match account.role {
            Some(Role::Moderator) => {
                grant_in(tx, user_id, Role::Moderator, (Some(first_area), None)).await?;
            }
            Some(Role::Policymaker) => {
                for slug in account.themes {
                    let theme = *themes
                        .get(*slug)
                        .ok_or_else(|| anyhow::anyhow!("no demo theme {slug}"))?;
                    grant_in(tx, user_id, Role::Policymaker, (None, Some(theme))).await?;
                }
            }
            Some(Role::Admin) => grant_in(tx, user_id, Role::Admin, (None, None)).await?,
            None => {}
        }
    }
    Ok(())
}
