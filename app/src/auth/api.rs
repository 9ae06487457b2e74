//! Server functions for accounts. Each parses its input into domain types,
//! applies the rate limits, and makes its calls into `db`.

use super::{AccountSummary, Enrolment, MyData, Viewer};
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
    use crate::security::rate_limit::{self, Rule};

    let display_name = DisplayName::parse(&display_name)?;
    let email = if email.trim().is_empty() {
        None
    } else {
        Some(EmailAddress::parse(&email)?)
    };
    let password = Password::parse(&password)?;
    let db = crate::db::db()?;
    // Accounts created per address: counted in the transaction that
    // creates the account (a refused name does not count).
    let rule = Rule::new(
        format!(
            "signup:ip:{}",
            crate::security::address_key()?.hash_current()
        ),
        rate_limit::SignUpLimit::current(),
    );
    if rate_limit::is_full(&db, &rule).await? {
        return Err(AppError::TooManyRequests {
            retry_after_secs: rule.limit.window.as_secs(),
        });
    }
    let password_hash = super::password::hash(password).await?;
    let new_user = super::db::NewUser {
        display_name: &display_name,
        email: email.as_ref(),
        password_hash: &password_hash,
    };
    let user_id = super::db::insert_user(&db, &new_user, &[rule]).await?;
    start_session(&db, user_id, super::db::Stage::Complete, false).await?;
    tracing::info!(user_id, "account created");
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// Signs in by display name or e-mail address. Five failed attempts per
/// account, or per client address, in 15 minutes lock further attempts.
/// Every attempt is counted before its password is checked (atomically:
/// a burst of guesses cannot all pass), and forgiven when it succeeds.
#[server]
pub async fn sign_in(locale: Locale, login: String, password: String) -> Result<(), AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};

    let db = crate::db::db()?;
    let key = crate::security::address_key()?;
    let (user_id, stored) = super::db::find_for_sign_in(&db, &login).await?.unzip();
    // One bucket per account, whichever login names it; a login that
    // names no account is limited by its keyed hash, never stored as typed.
    let account_bucket = match user_id {
        Some(id) => format!("signin:account:{id}"),
        None => format!(
            "signin:login:{}",
            key.hash_text(&super::db::name_key(login.trim()))
        ),
    };
    let address_bucket = format!("signin:ip:{}", key.hash_current());
    let at = rate_limit::hit(
        &db,
        &[
            Rule::new(account_bucket.clone(), Limit::SIGN_IN),
            Rule::new(address_bucket.clone(), Limit::SIGN_IN),
        ],
    )
    .await?;
    let matches = super::password::verify(password, stored).await?;
    let Some(user_id) = user_id.filter(|_| matches) else {
        return Err(AppError::WrongCredentials);
    };
    rate_limit::reset(&db, &account_bucket).await?;
    rate_limit::forgive(&db, &address_bucket, at).await?;
    let two_factor = super::db::totp_of(&db, user_id)
        .await?
        .is_some_and(|totp| totp.confirmed_at.is_some());
    if two_factor {
        start_session(&db, user_id, super::db::Stage::Password, false).await?;
        tracing::info!(user_id, "password accepted, waiting for the second factor");
        leptos_axum::redirect(&crate::locale::page_path(locale, "signin/code"));
    } else {
        start_session(&db, user_id, super::db::Stage::Complete, false).await?;
        tracing::info!(user_id, "signed in");
        leptos_axum::redirect(&crate::locale::home_path(locale));
    }
    Ok(())
}

/// The second step of signing in to an account with two-step sign-in: a
/// code from the authenticator app, or one of the recovery codes. The
/// session is rotated once the code is accepted. Limited like sign-in.
#[server]
pub async fn sign_in_code(locale: Locale, code: String) -> Result<(), AppError> {
    use super::db::Stage;
    use crate::security::rate_limit::{self, Limit, Rule};

    let db = crate::db::db()?;
    let (_token, session) = request_session(&db)
        .await?
        .filter(|(_, session)| session.stage == Stage::Password)
        .ok_or(AppError::SignInRequired)?;
    let bucket = format!("second_factor:account:{}", session.user_id);
    rate_limit::hit(&db, &[Rule::new(bucket.clone(), Limit::SIGN_IN)]).await?;
    if !second_factor_accepted(&db, session.user_id, &code).await? {
        return Err(AppError::WrongCode);
    }
    rate_limit::reset(&db, &bucket).await?;
    start_session(&db, session.user_id, Stage::Complete, true).await?;
    tracing::info!(
        user_id = session.user_id,
        "signed in with the second factor"
    );
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// The enrolment page's offer: the pending secret as text and QR code, and
/// a fresh set of recovery codes; or [`Enrolment::Done`].
#[server]
pub async fn two_factor_enrolment() -> Result<Enrolment, AppError> {
    use super::two_factor;

    let session = current_session().await?.ok_or(AppError::SignInRequired)?;
    let db = crate::db::db()?;
    let fresh_secret = two_factor::new_secret()?;
    let recovery_codes = two_factor::new_recovery_codes()?;
    let key = crate::security::address_key()?;
    let hashes: Vec<String> = recovery_codes
        .iter()
        .map(|code| two_factor::recovery_hash(&key, code))
        .collect();
    let Some(secret) =
        super::db::start_enrolment(&db, session.user_id, &fresh_secret, &hashes).await?
    else {
        return Ok(Enrolment::Done);
    };
    let uri = two_factor::otpauth_uri(&secret, &session.display_name);
    let qr_svg = two_factor::qr_svg(&uri)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the enrolment QR code failed")))?;
    let spaced = secret
        .as_bytes()
        .chunks(4)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Enrolment::Offer {
        secret: spaced,
        qr_svg,
        recovery_codes,
    })
}

/// Confirms enrolment with a first code from the authenticator app. The
/// session is rotated to one that proved the second factor. Audited. Then
/// back to `next`, the page that asked for the second factor, if any.
#[server]
pub async fn confirm_two_factor(
    locale: Locale,
    code: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};

    let db = crate::db::db()?;
    let session = current_session().await?.ok_or(AppError::SignInRequired)?;
    let bucket = format!("second_factor:account:{}", session.user_id);
    rate_limit::hit(&db, &[Rule::new(bucket.clone(), Limit::SIGN_IN)]).await?;
    let pending = super::db::totp_of(&db, session.user_id)
        .await?
        .filter(|totp| totp.confirmed_at.is_none());
    let step = pending.and_then(|totp| {
        super::two_factor::accept(&totp.secret, &code, unix_secs(), totp.last_step)
    });
    let Some(step) = step else {
        return Err(AppError::WrongCode);
    };
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::confirm_enrolment(&db, session.user_id, step, &client_hash).await?;
    rate_limit::reset(&db, &bucket).await?;
    // A privilege change: the session that proved the second factor is a
    // new one, and every other session (perhaps an intruder's, the reason
    // for turning two-step sign-in on) ends.
    super::db::end_other_sessions(&mut *db.pool().acquire().await?, session.user_id, None).await?;
    start_session(&db, session.user_id, super::db::Stage::Complete, true).await?;
    tracing::info!(user_id = session.user_id, "two-step sign-in set up");
    let back = next.as_deref().and_then(crate::locale::local_return);
    leptos_axum::redirect(
        &back.map_or_else(|| crate::locale::page_path(locale, "me"), str::to_owned),
    );
    Ok(())
}

/// Ends the current session, here and in the database.
#[server]
pub async fn sign_out(locale: Locale) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let cookie = super::session::private_cookies()?;
    if let Some(token) = request_headers().and_then(|headers| cookie.read(&headers)) {
        super::db::delete_session(&db, &token).await?;
    }
    set_cookie(&cookie.clear());
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// Sends a password reset link to the account's e-mail address. The
/// answer is the same whether or not such an account exists, so that it
/// cannot be used to find out who has an account. Limited per client
/// address and per account.
#[server]
pub async fn request_password_reset(locale: Locale, login: String) -> Result<(), AppError> {
    use crate::i18n::td_string;
    use crate::security::rate_limit::{self, Limit, Rule};

    let db = crate::db::db()?;
    let address_bucket = format!(
        "reset:ip:{}",
        crate::security::address_key()?.hash_current()
    );
    rate_limit::hit(&db, &[Rule::new(address_bucket, Limit::PASSWORD_RESET)]).await?;
    if let Some((user_id, email)) = super::db::find_for_reset(&db, &login).await? {
        // A full account bucket sends nothing, but answers like the rest:
        // refusing would tell that the account exists.
        let account_bucket = format!("reset:account:{user_id}");
        match rate_limit::hit(&db, &[Rule::new(account_bucket, Limit::PASSWORD_RESET)]).await {
            Err(AppError::TooManyRequests { .. }) => {
                leptos_axum::redirect(&crate::locale::page_path(locale, "forgot/sent"));
                return Ok(());
            }
            other => other?,
        };
        let token = super::session::new_token()?;
        let link = format!(
            "{}{}/{token}",
            crate::security::public_origin()?.0,
            crate::locale::page_path(locale, "reset")
        );
        let subject = td_string!(locale, auth.reset_mail_subject).to_string();
        let body = format!(
            "{}\n\n{link}\n\n{}",
            td_string!(locale, auth.reset_mail_body),
            td_string!(locale, auth.reset_mail_ignore)
        );
        let message = crate::mail::Message {
            recipient: &email,
            subject: &subject,
            body: &body,
            user_id: Some(user_id),
        };
        super::db::create_reset(&db, user_id, &token, &message).await?;
        tracing::info!(user_id, "password reset link queued");
    }
    leptos_axum::redirect(&crate::locale::page_path(locale, "forgot/sent"));
    Ok(())
}

/// Sets a new password with a reset link's token: single-use, valid for an
/// hour. Every session of the account ends. Audited.
#[server]
pub async fn reset_password(
    locale: Locale,
    token: String,
    password: String,
) -> Result<(), AppError> {
    let password = super::domain::Password::parse(&password)?;
    let db = crate::db::db()?;
    let password_hash = super::password::hash(password).await?;
    let client_hash = crate::security::address_key()?.hash_current();
    let user_id = super::db::consume_reset(&db, token.trim(), &password_hash, &client_hash).await?;
    tracing::info!(user_id, "password reset");
    leptos_axum::redirect(&crate::locale::page_path(locale, "signin"));
    Ok(())
}

/// The signed-in resident, if any.
#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    let Some(session) = current_session().await? else {
        return Ok(None);
    };
    let db = crate::db::db()?;
    Ok(Some(Viewer {
        id: session.user_id,
        display_name: session.display_name,
        roles: super::db::roles_of(&db, session.user_id).await?,
    }))
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

/// Sets or removes the signed-in resident's e-mail address (empty removes
/// it; without one, a forgotten password cannot be reset), after checking
/// the current password: the address is where a reset link goes, so
/// changing it is as strong as the password. Audited.
#[server]
pub async fn change_email(
    locale: Locale,
    email: String,
    current_password: String,
) -> Result<(), AppError> {
    let email = if email.trim().is_empty() {
        None
    } else {
        Some(super::domain::EmailAddress::parse(&email)?)
    };
    let db = crate::db::db()?;
    let (_, session) = prove_password(&db, current_password).await?;
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::set_email(&db, session.user_id, email.as_ref(), &client_hash).await?;
    tracing::info!(user_id = session.user_id, "e-mail address changed");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me"));
    Ok(())
}

/// The signed-in session (second step included) whose account's password
/// is `password`, with its token. Guessing here is guessing at sign-in:
/// the account's sign-in bucket limits both.
#[cfg(feature = "ssr")]
async fn prove_password(
    db: &crate::db::Db,
    password: String,
) -> Result<(String, super::db::SessionState), AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};

    let (token, session) = request_session(db)
        .await?
        .filter(|(_, session)| session.stage == super::db::Stage::Complete)
        .ok_or(AppError::SignInRequired)?;
    let bucket = format!("signin:account:{}", session.user_id);
    let at = rate_limit::hit(db, &[Rule::new(bucket.clone(), Limit::SIGN_IN)]).await?;
    let stored = super::db::password_hash_of(db, session.user_id).await?;
    if !super::password::verify(password, Some(stored)).await? {
        return Err(AppError::WrongCredentials);
    }
    rate_limit::forgive(db, &bucket, at).await?;
    Ok((token, session))
}

/// Changes the signed-in resident's password after checking the current
/// one (limited like sign-in). Every other session of the account ends.
/// Audited.
#[server]
pub async fn change_password(
    locale: Locale,
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let new_password = super::domain::Password::parse(&new_password)?;
    let db = crate::db::db()?;
    let (token, session) = prove_password(&db, current_password).await?;
    let new_hash = super::password::hash(new_password).await?;
    let client_hash = crate::security::address_key()?.hash_current();
    super::db::set_password(&db, session.user_id, &new_hash, &token, &client_hash).await?;
    tracing::info!(user_id = session.user_id, "password changed");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me"));
    Ok(())
}

/// Deletes the signed-in resident's account at once, after they typed their
/// password (someone at an unattended, signed-in computer cannot); with
/// `erase_contributions`, everything they wrote goes too (otherwise it
/// stays, anonymised: forum posts signed "former resident", feedback and
/// comments linked to nobody). Audited.
#[server]
pub async fn delete_account(
    locale: Locale,
    password: String,
    erase_contributions: Option<String>,
) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let (_, session) = prove_password(&db, password).await?;
    let client_hash = crate::security::address_key()?.hash_current();
    let how = if erase_contributions.is_some() {
        crate::personal_data::Erasure::Erase
    } else {
        crate::personal_data::Erasure::Unlink
    };
    super::db::delete_user(&db, session.user_id, how, &client_hash).await?;
    set_cookie(&super::session::private_cookies()?.clear());
    tracing::info!(user_id = session.user_id, "account deleted");
    leptos_axum::redirect(&crate::locale::home_path(locale));
    Ok(())
}

/// The signed-in resident, or [`AppError::SignInRequired`].
#[cfg(feature = "ssr")]
pub async fn require_viewer() -> Result<Viewer, AppError> {
    current_viewer().await?.ok_or(AppError::SignInRequired)
}

/// The signed-in session of the request (past any second step), if any.
#[cfg(feature = "ssr")]
pub async fn current_session() -> Result<Option<super::db::SessionState>, AppError> {
    let db = crate::db::db()?;
    Ok(request_session(&db)
        .await?
        .map(|(_, session)| session)
        .filter(|session| session.stage == super::db::Stage::Complete))
}

/// The session token the request carries and the session it opens, at
/// whatever stage.
#[cfg(feature = "ssr")]
async fn request_session(
    db: &crate::db::Db,
) -> Result<Option<(String, super::db::SessionState)>, AppError> {
    let cookie = super::session::private_cookies()?;
    let Some(token) = request_headers().and_then(|headers| cookie.read(&headers)) else {
        return Ok(None);
    };
    Ok(super::db::session_for_token(db, &token)
        .await?
        .map(|session| (token, session)))
}

/// Whether `code` (a TOTP code or a recovery code) proves the second
/// factor of `user_id`; a code is used up by proving it.
#[cfg(feature = "ssr")]
async fn second_factor_accepted(
    db: &crate::db::Db,
    user_id: i64,
    code: &str,
) -> Result<bool, AppError> {
    use super::two_factor;

    if two_factor::is_recovery_code(code) {
        let hash = two_factor::recovery_hash(&crate::security::address_key()?, code);
        return super::db::use_recovery_code(db, user_id, &hash).await;
    }
    let confirmed = super::db::totp_of(db, user_id)
        .await?
        .filter(|totp| totp.confirmed_at.is_some());
    match confirmed
        .and_then(|totp| two_factor::accept(&totp.secret, code, unix_secs(), totp.last_step))
    {
        Some(step) => super::db::use_totp_step(db, user_id, step).await,
        None => Ok(false),
    }
}

#[cfg(feature = "ssr")]
fn unix_secs() -> u64 {
    u64::try_from(crate::security::now_millis() / 1000).unwrap_or(0)
}

/// Rotates the session: whatever session the request carried is ended, and
/// a fresh token is issued, so a token known before sign-in is useless after.
#[cfg(feature = "ssr")]
async fn start_session(
    db: &crate::db::Db,
    user_id: i64,
    stage: super::db::Stage,
    second_factor: bool,
) -> Result<(), AppError> {
    let cookie = super::session::private_cookies()?;
    if let Some(old) = request_headers().and_then(|headers| cookie.read(&headers)) {
        super::db::delete_session(db, &old).await?;
    }
    let token = super::session::new_token()?;
    super::db::create_session(db, user_id, &token, stage, second_factor).await?;
    set_cookie(&cookie.set(&token));
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) fn request_headers() -> Option<http::HeaderMap> {
    use_context::<http::request::Parts>().map(|parts| parts.headers)
}

#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
