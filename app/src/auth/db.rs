//! SQL for accounts and sessions. Runs unchanged on SQLite and PostgreSQL.

use super::domain::{DisplayName, EmailAddress};
use super::session::{LIFETIME, token_hash};
use super::{AccountSummary, MyData, SessionRecord, Viewer};
use crate::db::Db;
use crate::error::AppError;
use crate::security::{audit, now_millis};
use crate::validation::{Field, Invalid, Problem};
use sqlx::FromRow;

/// Every column that holds a resident's personal data. `export_user` and
/// `delete_user` must cover each one, and the account-deletion test checks
/// every column listed here: a new personal column goes here first.
pub const PERSONAL_DATA: &[(&str, &str)] = &[("users", "display_name"), ("users", "email")];

#[derive(FromRow)]
struct Credentials {
    id: i64,
    display_name: String,
    password_hash: String,
}

pub struct NewUser<'a> {
    pub display_name: &'a DisplayName,
    pub email: Option<&'a EmailAddress>,
    pub password_hash: &'a str,
}

/// How a name is compared: case-folded, so "Amina" and "amina" are one.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Creates the account; a name or e-mail already in use is refused as
/// [`Problem::Taken`] on that field.
#[tracing::instrument(skip_all)]
pub async fn insert_user(db: &Db, user: &NewUser<'_>) -> Result<i64, AppError> {
    let key = name_key(user.display_name.as_str());
    let email = user.email.map(EmailAddress::as_str);
    let mut tx = db.pool().begin().await?;
    // Uses the UNIQUE indexes on display_name_key and email.
    let name_taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name_key = $1")
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
    if name_taken.is_some() {
        return Err(Invalid::new(Field::DisplayName, Problem::Taken).into());
    }
    if let Some(email) = email {
        let email_taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
        if email_taken.is_some() {
            return Err(Invalid::new(Field::Email, Problem::Taken).into());
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (display_name, display_name_key, email, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.display_name.as_str())
    .bind(&key)
    .bind(email)
    .bind(user.password_hash)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match e {
        // Lost a race with another sign-up of the same name.
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::from(Invalid::new(Field::DisplayName, Problem::Taken))
        }
        other => AppError::from(other),
    })?;
    tx.commit().await?;
    Ok(id)
}

/// The account a resident signs in to, by display name or e-mail address,
/// with its password hash.
#[tracing::instrument(skip_all)]
pub async fn find_for_sign_in(db: &Db, login: &str) -> Result<Option<(Viewer, String)>, AppError> {
    let login = login.trim();
    let row: Option<Credentials> = sqlx::query_as(
        "SELECT id, display_name, password_hash FROM users WHERE display_name_key = $1 OR email = $2",
    )
    .bind(name_key(login))
    .bind(login)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|row| {
        (
            Viewer {
                id: row.id,
                display_name: row.display_name,
            },
            row.password_hash,
        )
    }))
}

/// Stores a new session for `user_id` under the hash of `token`.
#[tracing::instrument(skip_all)]
pub async fn create_session(db: &Db, user_id: i64, token: &str) -> Result<(), AppError> {
    let now = now_millis();
    let lifetime = i64::try_from(LIFETIME.as_millis()).unwrap_or(i64::MAX);
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(token))
        .bind(user_id)
        .bind(now)
        .bind(now.saturating_add(lifetime))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the session of `token` (sign-out, or rotation at sign-in).
#[tracing::instrument(skip_all)]
pub async fn delete_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The resident whose unexpired session `token` is.
#[tracing::instrument(skip_all)]
pub async fn viewer_for_session(db: &Db, token: &str) -> Result<Option<Viewer>, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now_millis())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, display_name)| Viewer { id, display_name }))
}

/// Everything stored about `user_id`, for the resident's download; the
/// reading is audited in the same transaction.
#[tracing::instrument(skip(db, client_hash))]
pub async fn export_user(db: &Db, user_id: i64, client_hash: &str) -> Result<MyData, AppError> {
    let mut tx = db.pool().begin().await?;
    let (display_name, email, created_at): (String, Option<String>, i64) =
        sqlx::query_as("SELECT display_name, email, created_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    // Uses sessions_user.
    let sessions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT created_at, expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    let target = format!("user:{user_id}");
    let entry = audit::Entry {
        actor: Some(user_id),
        action: "personal_data.export",
        target: &target,
        client_hash,
    };
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(MyData {
        display_name,
        email,
        created_at,
        sessions: sessions
            .into_iter()
            .map(|(created_at, expires_at)| SessionRecord {
                created_at,
                expires_at,
            })
            .collect(),
    })
}

/// Deletes the account: its row with every personal column in
/// [`PERSONAL_DATA`], and its sessions. The audit log keeps
/// that account number such-and-such was deleted, and nothing personal.
#[tracing::instrument(skip(db, client_hash))]
pub async fn delete_user(db: &Db, user_id: i64, client_hash: &str) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let target = format!("user:{user_id}");
    let entry = audit::Entry {
        actor: Some(user_id),
        action: "account.delete",
        target: &target,
        client_hash,
    };
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The resident's own account, for their account page.
#[tracing::instrument(skip(db))]
pub async fn account_summary(db: &Db, user_id: i64) -> Result<AccountSummary, AppError> {
    let (display_name, email, created_at): (String, Option<String>, i64) =
        sqlx::query_as("SELECT display_name, email, created_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?;
    Ok(AccountSummary {
        display_name,
        email,
        created_at,
    })
}
