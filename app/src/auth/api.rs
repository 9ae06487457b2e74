//! Server functions for accounts. Each parses its input into domain types,
//! applies the rate limits, and makes its calls into `db`.

use super::{AccountSummary, MyData, Viewer};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Creates an account and signs it in. The e-mail address is optional.
#[server]
pub async fn sign_up(
    locale: Locale,
    display_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use super::domain::{DisplayName, EmailAddress, Password};
    use crate::security::rate_limit::{self, Limit};

    let display_name = DisplayName::parse(&display_name)?;
    let email = if email.trim().is_empty() {
        None
    } else {
        Some(EmailAddress::parse(&email)?)
    };
    let password = Password::parse(&password)?;
    let db = crate::db::db()?;
    let bucket = format!(
        "signup:ip:{}",
        crate::security::address_key()?.hash_current()
    );
    rate_limit::check(&db, &bucket, Limit::SIGN_UP).await?;
    let password_hash = super::password::hash(password).await?;
    let new_user = super::db::NewUser {
        display_name: &display_name,
        email: email.as_ref(),
        password_hash: &password_hash,
    };
    let user_id = super::db::insert_user(&db, &new_user).await?;
    rate_limit::record(&db, &bucket, Limit::SIGN_UP).await?;
    start_session(&db, user_id).await?;
    tracing::info!(user_id, "account created");
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// Signs in by display name or e-mail address. Five failed attempts per
/// account, or per client address, in 15 minutes lock further attempts.
#[server]
pub async fn sign_in(locale: Locale, login: String, password: String) -> Result<(), AppError> {
    use crate::security::rate_limit::{self, Limit};

    let db = crate::db::db()?;
    let account_bucket = format!("signin:account:{}", super::db::name_key(login.trim()));
    let address_bucket = format!(
        "signin:ip:{}",
        crate::security::address_key()?.hash_current()
    );
    rate_limit::check(&db, &account_bucket, Limit::SIGN_IN).await?;
    rate_limit::check(&db, &address_bucket, Limit::SIGN_IN).await?;
    let (viewer, stored) = super::db::find_for_sign_in(&db, &login).await?.unzip();
    let matches = super::password::verify(password, stored).await?;
    let Some(viewer) = viewer.filter(|_| matches) else {
        rate_limit::record(&db, &account_bucket, Limit::SIGN_IN).await?;
        rate_limit::record(&db, &address_bucket, Limit::SIGN_IN).await?;
        return Err(AppError::WrongCredentials);
    };
    rate_limit::reset(&db, &account_bucket).await?;
    start_session(&db, viewer.id).await?;
    tracing::info!(user_id = viewer.id, "signed in");
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// Ends the current session, here and in the database.
#[server]
pub async fn sign_out(locale: Locale) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let cookie = session_cookie()?;
    if let Some(token) = request_headers().and_then(|headers| cookie.read(&headers)) {
        super::db::delete_session(&db, &token).await?;
    }
    set_cookie(&cookie.clear());
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// The signed-in resident, if any.
#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    let db = crate::db::db()?;
    let cookie = session_cookie()?;
    match request_headers().and_then(|headers| cookie.read(&headers)) {
        Some(token) => super::db::viewer_for_session(&db, &token).await,
        None => Ok(None),
    }
}

/// The signed-in resident's account, for their account page; `None` when
/// nobody is signed in.
#[server]
pub async fn my_account() -> Result<Option<AccountSummary>, AppError> {
    let Some(viewer) = current_viewer().await? else {
        return Ok(None);
    };
    let db = crate::db::db()?;
    super::db::account_summary(&db, viewer.id).await.map(Some)
}

/// Everything Parley holds about the signed-in resident, as a JSON file to
/// download. Audited.
#[server(input = leptos::server_fn::codec::GetUrl)]
pub async fn export_my_data() -> Result<MyData, AppError> {
    let viewer = require_viewer().await?;
    let db = crate::db::db()?;
    let client_hash = crate::security::address_key()?.hash_current();
    let data = super::db::export_user(&db, viewer.id, &client_hash).await?;
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str("attachment; filename=\"parley-my-data.json\""),
    ) {
        response.insert_header(http::header::CONTENT_DISPOSITION, value);
    }
    Ok(data)
}

/// Deletes the signed-in resident's account at once, after they typed their
/// display name to confirm. Audited.
#[server]
pub async fn delete_account(locale: Locale, confirmation: String) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let viewer = require_viewer().await?;
    if super::db::name_key(confirmation.trim()) != super::db::name_key(&viewer.display_name) {
        return Err(Invalid::new(Field::Confirmation, Problem::Malformed).into());
    }
    let db = crate::db::db()?;
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::delete_user(&db, viewer.id, &client_hash).await?;
    set_cookie(&session_cookie()?.clear());
    tracing::info!(user_id = viewer.id, "account deleted");
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// The signed-in resident, or [`AppError::SignInRequired`].
#[cfg(feature = "ssr")]
pub async fn require_viewer() -> Result<Viewer, AppError> {
    current_viewer().await?.ok_or(AppError::SignInRequired)
}

/// Rotates the session: whatever session the request carried is ended, and
/// a fresh token is issued, so a token known before sign-in is useless after.
#[cfg(feature = "ssr")]
async fn start_session(db: &crate::db::Db, user_id: i64) -> Result<(), AppError> {
    let cookie = session_cookie()?;
    if let Some(old) = request_headers().and_then(|headers| cookie.read(&headers)) {
        super::db::delete_session(db, &old).await?;
    }
    let token = super::session::new_token().map_err(|e| {
        AppError::internal(anyhow::anyhow!("no randomness for a session token: {e}"))
    })?;
    super::db::create_session(db, user_id, &token).await?;
    set_cookie(&cookie.set(&token));
    Ok(())
}

#[cfg(feature = "ssr")]
fn session_cookie() -> Result<super::session::SessionCookie, AppError> {
    use_context::<super::session::SessionCookie>().ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("no session cookie settings in the context"))
    })
}

#[cfg(feature = "ssr")]
fn request_headers() -> Option<http::HeaderMap> {
    use_context::<http::request::Parts>().map(|parts| parts.headers)
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
