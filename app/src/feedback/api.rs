//! Server functions of the feedback form and its follow page.

use super::FollowedFeedback;
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Stores feedback and sends the sender to its private follow page.
/// Anyone may send feedback: a visitor's is recorded under their device's
/// anonymous participation. Limited per client address.
#[server]
pub async fn send_feedback(
    locale: Locale,
    text: String,
    area: String,
    theme: String,
    #[server(default)] remember: String,
) -> Result<(), AppError> {
    use super::FeedbackText;
    use super::db::{NewFeedback, check_choices};
    use crate::security::rate_limit::FeedbackLimit;
    use crate::validation::Field;
    use crate::validation::optional_id;

    let text = FeedbackText::parse(&text)?;
    let area = optional_id(&area, Field::Scope)?;
    let theme = optional_id(&theme, Field::Scope)?;
    let db = crate::db::db()?;
    let intake = use_context::<super::intake::Intake>().ok_or(AppError::Unavailable)?;
    let rules = FeedbackLimit::rule_for_address("feedback")?;
    check_choices(&db, area, theme).await?;
    let contributing = crate::participation::api::contributing(&db, !remember.is_empty()).await?;
    let token = crate::auth::session::new_token()?;
    let feedback = NewFeedback {
        text: text.as_str().to_owned(),
        area,
        theme,
        contributor: contributing.clone(),
        locale,
        follow_hash: crate::auth::session::token_hash(&token),
        now: crate::security::now_millis(),
    };
    let id = intake.submit(feedback, rules.into_iter().collect()).await?;
    crate::participation::api::hand_over(&contributing)?;
    tracing::info!(feedback = id, "feedback received");
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("feedback/{token}"),
    ));
    Ok(())
}

/// The feedback a private link points to.
#[server]
pub async fn follow_feedback(locale: Locale, token: String) -> Result<FollowedFeedback, AppError> {
    let db = crate::db::db()?;
    let hash = crate::auth::session::token_hash(token.trim());
    super::db::followed(&db, &hash, locale)
        .await?
        .ok_or(AppError::NotFound)
}
