//! SQL for accounts and sessions. Runs unchanged on SQLite and PostgreSQL.

use super::domain::{DisplayName, EmailAddress};
use super::roles::{Grant, Role};
use super::session::{LIFETIME, PRIVILEGED_IDLE, SEEN_EVERY, token_hash};
use super::{AccountSummary, MyData};
use crate::db::Db;
use crate::error::AppError;
use crate::security::{audit, now_millis};
use crate::validation::{Field, Invalid, Problem};
use sqlx::FromRow;

/// The account itself: name, address, password hash, sessions, roles,
/// two-step credentials and reset links.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "account",
    tables: &[
        crate::personal_data::Table {
            name: "users",
            personal: &["display_name", "display_name_key", "email", "password_hash"],
            other: &["id", "created_at"],
        },
        crate::personal_data::Table {
            name: "sessions",
            personal: &["token_hash", "user_id"],
            other: &[
                "created_at",
                "expires_at",
                "stage",
                "second_factor_at",
                "last_seen_at",
            ],
        },
        crate::personal_data::Table {
            name: "roles",
            personal: &["user_id", "granted_by"],
            other: &["id", "role", "area_id", "theme_id", "granted_at"],
        },
        crate::personal_data::Table {
            name: "totp_credentials",
            personal: &["user_id", "secret"],
            other: &["created_at", "confirmed_at", "last_step"],
        },
        crate::personal_data::Table {
            name: "recovery_codes",
            personal: &["user_id", "code_hash"],
            other: &["used_at"],
        },
        crate::personal_data::Table {
            name: "password_resets",
            personal: &["token_hash", "user_id"],
            other: &["created_at", "expires_at", "used_at"],
        },
    ],
    export: crate::personal_data::Export::By(|conn, subject| {
        Box::pin(export_account(conn, subject))
    }),
    erase: &[],
    // Roles, two-step credentials and reset links go with the row
    // (`ON DELETE CASCADE`).
    unlink: &[
        "DELETE FROM sessions WHERE user_id = {account}",
        "UPDATE roles SET granted_by = NULL WHERE granted_by = {account}",
        "DELETE FROM users WHERE id = {account}",
    ],
    erase_by: None,
};

async fn export_account(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
) -> Result<serde_json::Value, AppError> {
    let Some(user) = subject.account else {
        return Ok(serde_json::Value::Null);
    };
    let mut section = crate::personal_data::named_rows(
        conn,
        subject,
        &[
        (
            "account",
            "SELECT display_name, email, created_at FROM users WHERE id = {account}",
        ),
        // Uses sessions_user.
        (
            "sessions",
            "SELECT created_at, expires_at FROM sessions WHERE user_id = {account} ORDER BY created_at",
        ),
        (
            "roles",
            "SELECT role, area_id, theme_id, granted_at FROM roles WHERE user_id = {account} ORDER BY id",
        ),
        ],
    )
    .await?;
    if let Some(account) = section.get_mut("account") {
        *account = account.get(0).cloned().unwrap_or_default();
    }
    section.insert(
        "two_step_sign_in".to_owned(),
        two_factor_on(&mut *conn, user).await?.into(),
    );
    Ok(serde_json::Value::Object(section))
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

/// How a login is compared with stored e-mail addresses: parsed like them
/// (the domain in lower case) when it is one.
fn email_key(login: &str) -> String {
    EmailAddress::parse(login).map_or_else(
        |_| login.trim().to_owned(),
        |email| email.as_str().to_owned(),
    )
}

/// Creates the account; a name or e-mail already in use is refused as
/// [`Problem::Taken`] on that field. The account counts against `rules`
/// (sign-ups per address) in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn insert_user(
    db: &Db,
    user: &NewUser<'_>,
    rules: &[crate::security::rate_limit::Rule],
) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let id = insert_user_in(&mut tx, user).await?;
    crate::security::rate_limit::take(&mut tx, rules, now_millis()).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`insert_user`] inside the caller's transaction (the command line and
/// the demo data create accounts together with their roles).
pub async fn insert_user_in(
    conn: &mut sqlx::AnyConnection,
    user: &NewUser<'_>,
) -> Result<i64, AppError> {
    let key = name_key(user.display_name.as_str());
    let email = user.email.map(EmailAddress::as_str);
    // Uses the UNIQUE indexes on display_name_key and email.
    let name_taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name_key = $1")
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await?;
    if name_taken.is_some() {
        return Err(Invalid::new(Field::DisplayName, Problem::Taken).into());
    }
    if let Some(email) = email {
        let email_taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
        if email_taken.is_some() {
            return Err(Invalid::new(Field::Email, Problem::Taken).into());
        }
    }
    sqlx::query_scalar(
        "INSERT INTO users (display_name, display_name_key, email, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.display_name.as_str())
    .bind(&key)
    .bind(email)
    .bind(user.password_hash)
    .bind(now_millis())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match e {
        // Lost a race with another sign-up of the same name.
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::from(Invalid::new(Field::DisplayName, Problem::Taken))
        }
        other => AppError::from(other),
    })
}

/// Records a grant of `role` (scoped to an area or a theme) inside the
/// caller's transaction; `granted_by` is `None` for the command line.
pub async fn insert_grant_in(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    role: Role,
    scope: (Option<i64>, Option<i64>),
    granted_by: Option<i64>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO roles (user_id, role, area_id, theme_id, granted_by, granted_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(scope.0)
    .bind(scope.1)
    .bind(granted_by)
    .bind(now_millis())
    .fetch_one(&mut *conn)
    .await?)
}

/// The account a resident signs in to, by display name or e-mail address:
/// its id and password hash.
#[tracing::instrument(skip_all)]
pub async fn find_for_sign_in(db: &Db, login: &str) -> Result<Option<(i64, String)>, AppError> {
    let login = login.trim();
    // Uses the UNIQUE indexes on display_name_key and email.
    Ok(sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE display_name_key = $1 OR email = $2",
    )
    .bind(name_key(login))
    .bind(email_key(login))
    .fetch_optional(db.pool())
    .await?)
}

/// How far a session has come: an account with two-step sign-in waits at
/// `Password` until its code is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Password,
    Complete,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Complete => "complete",
        }
    }
}

/// The session a token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub user_id: i64,
    pub display_name: String,
    pub stage: Stage,
    /// Whether this session proved the second factor.
    pub second_factor: bool,
}

/// Stores a new session for `user_id` under the hash of `token`.
#[tracing::instrument(skip(db, token))]
pub async fn create_session(
    db: &Db,
    user_id: i64,
    token: &str,
    stage: Stage,
    second_factor: bool,
) -> Result<(), AppError> {
    let now = now_millis();
    let lifetime = i64::try_from(LIFETIME.as_millis()).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, stage, second_factor_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $3)",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(lifetime))
    .bind(stage.as_str())
    .bind(second_factor.then_some(now))
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

#[derive(FromRow)]
struct SessionRow {
    user_id: i64,
    display_name: String,
    stage: String,
    second_factor_at: Option<i64>,
    last_seen_at: Option<i64>,
}

/// The unexpired session `token` opens, if any: one of an account holding
/// a role also ends after [`PRIVILEGED_IDLE`] unused. A session used is
/// marked seen (at most every [`SEEN_EVERY`]).
#[tracing::instrument(skip_all)]
pub async fn session_for_token(db: &Db, token: &str) -> Result<Option<SessionState>, AppError> {
    let now = now_millis();
    let idle = i64::try_from(PRIVILEGED_IDLE.as_millis()).unwrap_or(i64::MAX);
    let hash = token_hash(token);
    // Uses the sessions primary key and roles_grant (user_id first).
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, s.stage, s.second_factor_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2
           AND (COALESCE(s.last_seen_at, s.created_at) > $3
                OR NOT EXISTS (SELECT 1 FROM roles r WHERE r.user_id = u.id))",
    )
    .bind(&hash)
    .bind(now)
    .bind(now.saturating_sub(idle))
    .fetch_optional(db.pool())
    .await?;
    let Some(SessionRow {
        user_id,
        display_name,
        stage,
        second_factor_at,
        last_seen_at,
    }) = row
    else {
        return Ok(None);
    };
    let every = i64::try_from(SEEN_EVERY.as_millis()).unwrap_or(i64::MAX);
    if last_seen_at.is_none_or(|seen| now.saturating_sub(seen) >= every) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(SessionState {
        user_id,
        display_name,
        stage: if stage == Stage::Complete.as_str() {
            Stage::Complete
        } else {
            Stage::Password
        },
        second_factor: second_factor_at.is_some(),
    }))
}

/// Ends every session of `user_id` but the one of `keep`, if any.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn end_other_sessions(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.map(token_hash).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct GrantRow {
    id: i64,
    role: String,
    area_id: Option<i64>,
    theme_id: Option<i64>,
}

/// The roles granted to `user_id`, with their scopes.
#[tracing::instrument(skip(executor))]
pub async fn grants_of<'e, E>(executor: E, user_id: i64) -> Result<Vec<Grant>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    // Uses roles_grant (user_id first).
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT id, role, area_id, theme_id FROM roles WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Grant {
                id: row.id,
                role: Role::parse(&row.role)?,
                area_id: row.area_id,
                theme_id: row.theme_id,
            })
        })
        .collect())
}

/// The distinct roles of `user_id`, for the navigation.
pub async fn roles_of(db: &Db, user_id: i64) -> Result<Vec<Role>, AppError> {
    let mut roles: Vec<Role> = grants_of(db.pool(), user_id)
        .await?
        .into_iter()
        .map(|grant| grant.role)
        .collect();
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// An account's TOTP credential.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TotpRow {
    pub secret: String,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

#[tracing::instrument(skip(db))]
pub async fn totp_of(db: &Db, user_id: i64) -> Result<Option<TotpRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT secret, confirmed_at, last_step FROM totp_credentials WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Starts or resumes an enrolment and returns the secret to show: the
/// pending secret when there is one (so that a reload or a refused code
/// does not invalidate what the authenticator app already holds), else
/// `fresh_secret`. The recovery codes are replaced by `recovery_hashes`
/// each time, since only the last ones shown are known to the resident.
/// Returns `None`, changing nothing, when two-step sign-in is confirmed.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn start_enrolment(
    db: &Db,
    user_id: i64,
    fresh_secret: &str,
    recovery_hashes: &[String],
) -> Result<Option<String>, AppError> {
    let mut tx = db.begin().await?;
    let existing: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT secret, confirmed_at FROM totp_credentials WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let secret = match existing {
        Some((_, Some(_confirmed))) => return Ok(None),
        Some((pending, None)) => pending,
        None => {
            sqlx::query(
                "INSERT INTO totp_credentials (user_id, secret, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(fresh_secret)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
            fresh_secret.to_owned()
        }
    };
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(secret))
}

/// Confirms the pending enrolment with the accepted time step, and audits
/// it. (The caller then rotates the session to one that proved the second
/// factor.)
#[tracing::instrument(skip(db, client_hash))]
pub async fn confirm_enrolment(
    db: &Db,
    user_id: i64,
    step: i64,
    client_hash: &str,
) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE totp_credentials SET confirmed_at = $1, last_step = $2
         WHERE user_id = $3 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::WrongCode);
    }
    audit_own(&mut tx, user_id, audit::Action::TwoFactorEnrol, client_hash).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that `step` was used, if it is newer than the last one used:
/// `false` means the code was already used (or there is no confirmed
/// credential). The compare-and-set makes a replay fail even when two
/// requests race.
#[tracing::instrument(skip(db))]
pub async fn use_totp_step(db: &Db, user_id: i64, step: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE totp_credentials SET last_step = $1
         WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses up a recovery code: `false` when it is unknown or already used.
#[tracing::instrument(skip(db, code_hash))]
pub async fn use_recovery_code(db: &Db, user_id: i64, code_hash: &str) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL
           AND EXISTS (SELECT 1 FROM totp_credentials t
                       WHERE t.user_id = $2 AND t.confirmed_at IS NOT NULL)",
    )
    .bind(now_millis())
    .bind(user_id)
    .bind(code_hash)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Everything stored about `user_id` (and the participations it
/// claimed), one section per feature of the register of personal data,
/// for the resident's download; the reading is audited in the same
/// transaction.
#[tracing::instrument(skip(db, client_hash))]
pub async fn export_user(db: &Db, user_id: i64, client_hash: &str) -> Result<MyData, AppError> {
    let mut tx = db.begin().await?;
    let subject = crate::personal_data::Subject::account(&mut tx, user_id).await?;
    let sections = crate::personal_data::export(&mut tx, &subject).await?;
    audit_own(
        &mut tx,
        user_id,
        audit::Action::PersonalDataExport,
        client_hash,
    )
    .await?;
    tx.commit().await?;
    Ok(MyData {
        exported_at: now_millis(),
        sections,
    })
}

/// Deletes the account and walks the register of personal data: every
/// feature erases or unlinks what it holds about the account and the
/// participations it claimed (`how`: keep the contributions, anonymised,
/// or erase their texts too). The audit log keeps that account number
/// such-and-such was deleted, and nothing personal.
#[tracing::instrument(skip(db, client_hash))]
pub async fn delete_user(
    db: &Db,
    user_id: i64,
    how: crate::personal_data::Erasure,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let subject = crate::personal_data::Subject::account(&mut tx, user_id).await?;
    crate::personal_data::erase(&mut tx, &subject, how).await?;
    audit_own(&mut tx, user_id, audit::Action::AccountDelete, client_hash).await?;
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
    let two_factor = two_factor_on(db.pool(), user_id).await?;
    Ok(AccountSummary {
        display_name,
        email,
        created_at,
        two_factor,
        grants: grants_of(db.pool(), user_id).await?,
    })
}

/// Audits `action` done by the account on itself (`target` `user:{id}`),
/// in the caller's transaction.
async fn audit_own(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    action: audit::Action,
    client_hash: &str,
) -> Result<(), AppError> {
    let target = format!("user:{user_id}");
    let entry = audit::Entry {
        actor: Some(user_id),
        action,
        target: &target,
        client_hash,
    };
    audit::record(conn, &entry).await
}

/// Whether the account has confirmed two-step sign-in.
async fn two_factor_on<'e, E>(executor: E, user_id: i64) -> Result<bool, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let confirmed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT confirmed_at FROM totp_credentials WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(executor)
            .await?;
    Ok(confirmed.flatten().is_some())
}

/// How long a password reset link works.
pub const RESET_LIFETIME_MILLIS: i64 = 60 * 60 * 1000;

/// The account a password reset is asked for, by display name or e-mail
/// address, with the e-mail address the link goes to; `None` when there is
/// no such account or it has no e-mail address.
#[tracing::instrument(skip_all)]
pub async fn find_for_reset(db: &Db, login: &str) -> Result<Option<(i64, String)>, AppError> {
    let login = login.trim();
    // Uses the UNIQUE indexes on display_name_key and email.
    Ok(sqlx::query_as(
        "SELECT id, email FROM users
         WHERE (display_name_key = $1 OR email = $2) AND email IS NOT NULL",
    )
    .bind(name_key(login))
    .bind(email_key(login))
    .fetch_optional(db.pool())
    .await?)
}

/// Stores a reset token (its hash) for `user_id` and queues the message
/// that carries it, in one transaction.
#[tracing::instrument(skip(db, token, message))]
pub async fn create_reset(
    db: &Db,
    user_id: i64,
    token: &str,
    message: &crate::mail::Message<'_>,
) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(RESET_LIFETIME_MILLIS))
    .execute(&mut *tx)
    .await?;
    crate::mail::db::enqueue(&mut *tx, message).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses up the reset token and sets the new password, ending every session
/// of the account; audited. An unknown, used or expired token is
/// [`AppError::ExpiredLink`] and changes nothing.
#[tracing::instrument(skip_all)]
pub async fn consume_reset(
    db: &Db,
    token: &str,
    password_hash: &str,
    client_hash: &str,
) -> Result<i64, AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    let user_id: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(AppError::ExpiredLink);
    };
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    end_other_sessions(&mut tx, user_id, None).await?;
    // One link used voids the others still in a mailbox.
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    audit_own(&mut tx, user_id, audit::Action::PasswordReset, client_hash).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// The stored password hash of `user_id`.
#[tracing::instrument(skip(db))]
pub async fn password_hash_of(db: &Db, user_id: i64) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?,
    )
}

/// Sets (or, with `None`, removes) the account's e-mail address; one used
/// by another account is refused as [`Problem::Taken`]. Audited.
#[tracing::instrument(skip(db, email, client_hash))]
pub async fn set_email(
    db: &Db,
    user_id: i64,
    email: Option<&EmailAddress>,
    client_hash: &str,
) -> Result<(), AppError> {
    let email = email.map(EmailAddress::as_str);
    let mut tx = db.begin().await?;
    if let Some(email) = email {
        // Uses the UNIQUE index on email.
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND id <> $2")
                .bind(email)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(Invalid::new(Field::Email, Problem::Taken).into());
        }
    }
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
        .bind(email)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            // Lost a race with another account taking the same address.
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AppError::from(Invalid::new(Field::Email, Problem::Taken))
            }
            other => AppError::from(other),
        })?;
    audit_own(&mut tx, user_id, audit::Action::EmailChange, client_hash).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password hash and ends every other session of the account
/// (the one of `current_token` stays signed in). Audited.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn set_password(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    current_token: &str,
    client_hash: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    end_other_sessions(&mut tx, user_id, Some(current_token)).await?;
    audit_own(&mut tx, user_id, audit::Action::PasswordChange, client_hash).await?;
    tx.commit().await?;
    Ok(())
}
