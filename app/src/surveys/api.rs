//! Server functions of surveys: the list, a section page, saving a
//! section, the results.

use super::results::SurveyResults;
use super::{SurveyPage, SurveySummary};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use std::collections::HashMap;

/// The reader's roles (none for a visitor or a resident).
#[cfg(feature = "ssr")]
async fn grants() -> Result<(Option<i64>, Vec<crate::auth::roles::Grant>), AppError> {
    match crate::auth::api::current_session().await? {
        Some(session) => {
            let db = crate::db::db()?;
            let grants = crate::auth::db::grants_of(db.pool(), session.user_id).await?;
            // A role counts only once the second factor is proved.
            let grants = if session.second_factor {
                grants
            } else {
                Vec::new()
            };
            Ok((Some(session.user_id), grants))
        }
        None => Ok((None, Vec::new())),
    }
}

/// The surveys open, coming and closed (and, for their organisers, those
/// being built).
#[server]
pub async fn list_surveys(locale: Locale) -> Result<Vec<SurveySummary>, AppError> {
    let db = crate::db::db()?;
    let (_, grants) = grants().await?;
    super::db::list(&db, locale, &grants, crate::security::now_millis()).await
}

/// Section `section` (from 0) of survey `id`, with what the reader saved.
#[server]
pub async fn load_survey_page(
    locale: Locale,
    id: i64,
    section: usize,
) -> Result<SurveyPage, AppError> {
    use super::db::{PageRequest, Respondent};

    let db = crate::db::db()?;
    let (user, grants) = grants().await?;
    let respondent = match user {
        Some(user) => {
            crate::participation::api::claim_for_viewer(&db).await?;
            Respondent::Account(user)
        }
        None => match crate::participation::api::current_participant(&db).await? {
            Some(participant) => Respondent::Participant(participant),
            None => Respondent::Nobody,
        },
    };
    let key = crate::security::address_key()?;
    super::db::page(
        &db,
        &PageRequest {
            survey: id,
            section,
            reader: locale,
            respondent,
            signed_in: user.is_some(),
            grants: &grants,
            key: &key,
            now: crate::security::now_millis(),
        },
    )
    .await
}

/// Saves a section's answers and goes on to the next section, or to the
/// thank-you page after the last. Refused answers come back named, each
/// with its question; nothing of the section is saved then.
#[server]
pub async fn save_survey_section(
    locale: Locale,
    survey: i64,
    section: usize,
    #[server(default)] answers: HashMap<String, String>,
    #[server(default)] area: String,
    #[server(default)] code: String,
    #[server(default)] remember: String,
) -> Result<(), AppError> {
    use super::db::{Respondent, Saved, SectionAnswers};
    use crate::input::contribute::Contributor;
    use crate::security::rate_limit::FeedbackLimit;
    use crate::validation::{Field, optional_id};

    if answers.len() > 500 {
        return Err(AppError::BadRequest);
    }
    let area = optional_id(&area, Field::Scope)?;
    let db = crate::db::db()?;
    crate::feedback::db::check_choices(&db, area, None).await?;
    let contributor = crate::participation::api::contributor(&db, !remember.is_empty()).await?;
    let respondent = match contributor {
        Contributor::Account(id) => Respondent::Account(id),
        Contributor::Participant(id) => Respondent::Participant(id),
        Contributor::Unknown => Respondent::Nobody,
    };
    let key = crate::security::address_key()?;
    let client = key.hash_current();
    let rules: Vec<_> = FeedbackLimit::rule_for_address("survey")?
        .into_iter()
        .collect();
    let input = SectionAnswers {
        survey,
        section,
        locale,
        respondent,
        contributor,
        fields: &answers,
        area,
        code: Some(code.as_str()),
        client: &client,
        key: &key,
        rules: &rules,
        now: crate::security::now_millis(),
    };
    let saved = db
        .write(async |tx| super::db::save_section(tx, &input).await)
        .await?;
    let next = match saved {
        Saved::Next(next) => format!("surveys/{survey}/page/{next}"),
        Saved::Sent => format!("surveys/{survey}/sent"),
    };
    leptos_axum::redirect(&crate::locale::page_path(locale, &next));
    Ok(())
}

/// A survey's results under one filter: `slice` (an area, a language, a
/// channel, a cross-tab answer) or a range of days, not both.
#[server]
pub async fn load_survey_results(
    locale: Locale,
    id: i64,
    #[server(default)] slice: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<SurveyResults, AppError> {
    use super::db::Filter;
    use crate::validation::{Field, Invalid, Problem};

    let (from_day, to_day) = crate::validation::optional_days(&from, &to)?;
    let slice = slice.trim();
    let filter = match (slice.is_empty(), from_day.or(to_day)) {
        (true, None) => Filter::All,
        (false, None) => {
            if slice.len() > 80 || !slice.contains(':') {
                return Err(Invalid::new(Field::Selection, Problem::Malformed).into());
            }
            Filter::Slice(slice.to_owned())
        }
        (true, Some(_)) => Filter::Days {
            from: from_day.map_or_else(|| "0000-00-00".to_owned(), crate::ui::time::iso_date),
            to: to_day.map_or_else(
                || "9999-99-99".to_owned(),
                |until| crate::ui::time::iso_date(until - 86_400_000),
            ),
        },
        (false, Some(_)) => return Err(Invalid::new(Field::Selection, Problem::OneFilter).into()),
    };
    let db = crate::db::db()?;
    let (_, grants) = grants().await?;
    super::db::results(
        &db,
        id,
        locale,
        &grants,
        &filter,
        crate::security::now_millis(),
    )
    .await
}
