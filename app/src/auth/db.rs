//! SQL for accounts and sessions. Runs unchanged on SQLite and PostgreSQL.

use super::Viewer;
use super::domain::{DisplayName, EmailAddress};
use super::session::{LIFETIME, token_hash};
use crate::db::Db;
use crate::error::AppError;
use crate::security::now_millis;
use crate::validation::{Field, Invalid, Problem};
use sqlx::FromRow;

/// Every column that holds a resident's personal data. Export and deletion
/// of an account walk this list, so a new personal column goes here.
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
