//! Server functions for anonymous participation, and the helpers later
//! features call when a visitor contributes without an account.

use super::Participation;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The participant cookie: a device token, kept for the browser session,
/// or for two years when the resident ticks "remember this device".
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
    let participant = participant_for_contribution(&db, false).await?;
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
/// `token`. A device that already carries another participation keeps it
/// unless `replace` says so (a shared computer must not swap one person's
/// participation for another's unasked). Limited per client address, like
/// sign-in.
#[server]
pub async fn restore_participation(
    locale: Locale,
    token: String,
    #[server(default)] replace: String,
    #[server(default)] remember: String,
) -> Result<(), AppError> {
    use crate::security::rate_limit::{self, Limit, Rule};
    use crate::validation::{Field, Invalid, Problem};

    let db = crate::db::db()?;
    let bucket = format!(
        "restore:ip:{}",
        crate::security::address_key()?.hash_current()
    );
    let at = rate_limit::hit(&db, &[Rule::new(bucket.clone(), Limit::SIGN_IN)]).await?;
    let Some(linked) = super::db::participant_for_link(&db, token.trim()).await? else {
        return Err(AppError::ExpiredLink);
    };
    let carried = current_participant(&db).await?;
    if carried.is_some_and(|carried| carried != linked) && replace != "yes" {
        return Err(Invalid::new(Field::Confirmation, Problem::Empty).into());
    }
    let device_token = crate::auth::session::new_token()?;
    let Some(participant) = super::db::restore(&db, token.trim(), &device_token).await? else {
        return Err(AppError::ExpiredLink);
    };
    rate_limit::forgive(&db, &bucket, at).await?;
    carry(&device_token, !remember.is_empty())?;
    tracing::info!(participant, "participation restored on another device");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me/private-link"));
    Ok(())
}

/// Stops this device carrying its participation: its token is forgotten
/// here and in the database (the participation itself, and its private
/// link, stay: another device or the link still reach it).
#[server]
pub async fn forget_device(locale: Locale) -> Result<(), AppError> {
    let db = crate::db::db()?;
    if let Some(token) = device_token()? {
        super::db::forget_token(&db, &token).await?;
    }
    crate::auth::api::set_cookie(&crate::auth::session::private_cookies()?.clear_named(COOKIE));
    tracing::info!("a device forgot its participation");
    leptos_axum::redirect(&crate::locale::page_path(locale, "me/private-link"));
    Ok(())
}

/// The device token this request carries, if any.
#[cfg(feature = "ssr")]
fn device_token() -> Result<Option<String>, AppError> {
    let cookies = crate::auth::session::private_cookies()?;
    Ok(
        crate::auth::api::request_headers()
            .and_then(|headers| cookies.read_named(&headers, COOKIE)),
    )
}

/// Hands `token` to this device: for the browser session, or for two
/// years when the resident asked to be remembered.
#[cfg(feature = "ssr")]
fn carry(token: &str, remember: bool) -> Result<(), AppError> {
    let cookies = crate::auth::session::private_cookies()?;
    crate::auth::api::set_cookie(&if remember {
        cookies.set_named(COOKIE, token, COOKIE_LIFETIME)
    } else {
        cookies.set_session_named(COOKIE, token)
    });
    Ok(())
}

/// The participant this device carries, if any.
#[cfg(feature = "ssr")]
pub async fn current_participant(db: &crate::db::Db) -> Result<Option<i64>, AppError> {
    match device_token()? {
        Some(token) => super::db::participant_for_token(db, &token).await,
        None => Ok(None),
    }
}

/// The participation this device carries, if it still exists; kept for two
/// years from now when `remember`.
#[cfg(feature = "ssr")]
async fn carried_participant(db: &crate::db::Db, remember: bool) -> Result<Option<i64>, AppError> {
    let Some(token) = device_token()? else {
        return Ok(None);
    };
    let participant = super::db::participant_for_token(db, &token).await?;
    if participant.is_some() && remember {
        carry(&token, true)?;
    }
    Ok(participant)
}

/// The participant a contribution without an account is recorded under:
/// the one this device carries, or a new one whose token the response
/// hands to the device (for the browser session, or for two years when
/// `remember`).
#[cfg(feature = "ssr")]
pub async fn participant_for_contribution(
    db: &crate::db::Db,
    remember: bool,
) -> Result<i64, AppError> {
    if let Some(participant) = carried_participant(db, remember).await? {
        return Ok(participant);
    }
    let token = crate::auth::session::new_token()?;
    let participant = super::db::create_participant(db, &token).await?;
    carry(&token, remember)?;
    Ok(participant)
}

/// Who a contribution is recorded under, for a writer that makes a new
/// anonymous participation in its own transaction (the feedback form's
/// group commit): a contribution then costs one shared write, not two.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub enum Contributing {
    /// Already known: the signed-in account, or the device's participation.
    Known(crate::input::contribute::Contributor),
    /// A visitor without a participation yet: the writer creates one with
    /// this token (`participation::db::create_participant_in`), and once
    /// it is written [`hand_over`] gives the token to the device.
    New { token: String, remember: bool },
}

/// [`contributor`], except that a new anonymous participation is left to
/// the caller's writer ([`Contributing::New`]).
#[cfg(feature = "ssr")]
pub async fn contributing(db: &crate::db::Db, remember: bool) -> Result<Contributing, AppError> {
    use crate::input::contribute::Contributor;

    if crate::auth::api::current_session().await?.is_some() {
        return Ok(Contributing::Known(contributor(db, remember).await?));
    }
    if let Some(participant) = carried_participant(db, remember).await? {
        return Ok(Contributing::Known(Contributor::Participant(participant)));
    }
    Ok(Contributing::New {
        token: crate::auth::session::new_token()?,
        remember,
    })
}

/// Gives the device the token of the participation its contribution was
/// just written under, when that participation is new.
#[cfg(feature = "ssr")]
pub fn hand_over(contributing: &Contributing) -> Result<(), AppError> {
    match contributing {
        Contributing::New { token, remember } => carry(token, *remember),
        Contributing::Known(_) => Ok(()),
    }
}

/// Who a contribution is recorded under: the signed-in account, else the
/// device's anonymous participation ([`participant_for_contribution`]).
#[cfg(feature = "ssr")]
pub async fn contributor(
    db: &crate::db::Db,
    remember: bool,
) -> Result<crate::input::contribute::Contributor, AppError> {
    use crate::input::contribute::Contributor;

    match crate::auth::api::current_session().await? {
        Some(session) => {
            claim_for_viewer(db).await?;
            Ok(Contributor::Account(session.user_id))
        }
        None => Ok(Contributor::Participant(
            participant_for_contribution(db, remember).await?,
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
    if let Some(token) = device_token()?
        && super::db::claim(db, &token, user_id).await?
    {
        tracing::info!(user_id, "anonymous participation claimed");
    }
    Ok(())
}
