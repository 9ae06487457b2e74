//! Server functions for anonymous participation, and the helpers later
//! features call when a visitor contributes without an account.

use super::Participation;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The participant cookie: a device token, kept for two years.
#[cfg(feature = "ssr")]
const COOKIE: &str = "parley_participant";
/// A private link just created, shown once on the next page and then
/// forgotten.
#[cfg(feature = "ssr")]
const NEW_LINK_COOKIE: &str = "parley_new_link";
#[cfg(feature = "ssr")]
const COOKIE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(2 * 365 * 24 * 60 * 60);

/// What the private-link page shows. A link created just before is shown
/// once, and its cookie cleared.
#[server]
pub async fn participation_status() -> Result<Participation, AppError> {
    let db = crate::db::db()?;
    let cookies = crate::auth::session::private_cookies()?;
    let headers = crate::auth::api::request_headers();
    claim_for_viewer(&db).await?;
    let participant = current_participant(&db).await?;
    let claimed = match (participant, crate::auth::api::current_session().await?) {
        (Some(participant), Some(session)) => {
            super::db::is_claimed_by(&db, participant, session.user_id).await?
        }
        _ => false,
    };
    let new_link = headers.and_then(|headers| cookies.read_named(&headers, NEW_LINK_COOKIE));
    if new_link.is_some() {
        crate::auth::api::set_cookie(&cookies.clear_named(NEW_LINK_COOKIE));
    }
    Ok(Participation {
        participating: participant.is_some(),
        claimed,
        new_link: new_link.filter(|_| participant.is_some()).map(|token| {
            match crate::security::public_origin() {
                Ok(origin) => format!("{}/{token}", origin.0),
                Err(_) => token,
            }
        }),
    })
}

/// Creates (or replaces) the private link of this device's participation,
/// starting one if the device has none, and shows it once.
#[server]
pub async fn create_private_link(locale: Locale) -> Result<(), AppError> {
    let db = crate::db::db()?;
    let participant = participant_for_contribution(&db).await?;
    let token = crate::auth::session::new_token()?;
    super::db::set_private_link(&db, participant, &token).await?;
    // Only the path travels in the cookie; the page adds the origin.
    let path = format!(
        "{}/{token}",
        crate::locale::page_path(locale, "restore").trim_start_matches('/')
    );
    let cookies = crate::auth::session::private_cookies()?;
    crate::auth::api::set_cookie(&cookies.set_named(
        NEW_LINK_COOKIE,
        &path,
        std::time::Duration::from_secs(600),
    ));
    tracing::info!(participant, "private link created");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me/private-link"));
    Ok(())
}

/// Makes this device carry the participation whose private link holds
/// `token`. Limited per client address, like sign-in.
#[server]
pub async fn restore_participation(locale: Locale, token: String) -> Result<(), AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};

    let db = crate::db::db()?;
    let bucket = format!(
        "restore:ip:{}",
        crate::security::address_key()?.hash_current()
    );
    let at = rate_limit::hit(&db, &[Rule::new(bucket.clone(), Limit::SIGN_IN)]).await?;
    let device_token = crate::auth::session::new_token()?;
    let Some(participant) = super::db::restore(&db, token.trim(), &device_token).await? else {
        return Err(AppError::ExpiredLink);
    };
    rate_limit::forgive(&db, &bucket, at).await?;
    crate::auth::api::set_cookie(&crate::auth::session::private_cookies()?.set_named(
        COOKIE,
        &device_token,
        COOKIE_LIFETIME,
    ));
    tracing::info!(participant, "participation restored on another device");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me/private-link"));
    Ok(())
}

/// The participant this device carries, if any.
#[cfg(feature = "ssr")]
pub async fn current_participant(db: &crate::db::Db) -> Result<Option<i64>, AppError> {
    let cookies = crate::auth::session::private_cookies()?;
    match crate::auth::api::request_headers()
        .and_then(|headers| cookies.read_named(&headers, COOKIE))
    {
        Some(token) => super::db::participant_for_token(db, &token).await,
        None => Ok(None),
    }
}

/// The participant a contribution without an account is recorded under:
/// the one this device carries, or a new one whose token the response
/// hands to the device.
#[cfg(feature = "ssr")]
pub async fn participant_for_contribution(db: &crate::db::Db) -> Result<i64, AppError> {
    if let Some(participant) = current_participant(db).await? {
        return Ok(participant);
    }
    let token = crate::auth::session::new_token()?;
    let participant = super::db::create_participant(db, &token).await?;
    crate::auth::api::set_cookie(&crate::auth::session::private_cookies()?.set_named(
        COOKIE,
        &token,
        COOKIE_LIFETIME,
    ));
    Ok(participant)
}

/// Who a contribution is recorded under: the signed-in account, else the
/// device's anonymous participation ([`participant_for_contribution`]).
#[cfg(feature = "ssr")]
pub async fn contributor(
    db: &crate::db::Db,
) -> Result<crate::input::contribute::Contributor, AppError> {
    use crate::input::contribute::Contributor;

    match crate::auth::api::current_session().await? {
        Some(session) => {
            claim_for_viewer(db).await?;
            Ok(Contributor::Account(session.user_id))
        }
        None => Ok(Contributor::Participant(
            participant_for_contribution(db).await?,
        )),
    }
}

/// Claims this device's anonymous participation for the signed-in
/// account (its sign-in complete, second factor included), unless another
/// account claimed it first. Called where a participation is read or
/// written, so that what a resident wrote before signing in is theirs from
/// the first page they open after: the accounts room need not know about
/// participations.
#[cfg(feature = "ssr")]
pub async fn claim_for_viewer(db: &crate::db::Db) -> Result<(), AppError> {
    let Some(session) = crate::auth::api::current_session().await? else {
        return Ok(());
    };
    let user_id = session.user_id;
    let cookies = crate::auth::session::private_cookies()?;
    if let Some(token) =
        crate::auth::api::request_headers().and_then(|headers| cookies.read_named(&headers, COOKIE))
        && super::db::claim(db, &token, user_id).await?
    {
        tracing::info!(user_id, "anonymous participation claimed");
    }
    Ok(())
}
