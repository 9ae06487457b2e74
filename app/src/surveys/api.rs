//! Server functions of surveys: the list, a section page, saving a
//! section, the results; the organiser's editor.

// A server function takes its form's fields one by one.
#![allow(clippy::too_many_arguments)]

use super::results::SurveyResults;
use super::{SurveyPage, SurveySummary};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;
use std::collections::HashMap;

/// The reader's roles (none for a visitor or a resident).
#[cfg(feature = "ssr")]
pub(crate) async fn grants() -> Result<(Option<i64>, Vec<crate::auth::roles::Grant>), AppError> {
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
        // Nothing finds a sealed response again: the address says it.
        Saved::Sealed => format!("surveys/{survey}/sent?sealed=1"),
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
    let filter = filter_of(&slice, &from, &to)?;
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

/// The results filter of a query: one slice (an area, a language, a
/// channel, a cross-tab answer) or a range of days, not both.
#[cfg(feature = "ssr")]
fn filter_of(slice: &str, from: &str, to: &str) -> Result<super::db::Filter, AppError> {
    use super::db::Filter;
    use crate::validation::{Field, Invalid, Problem};

    let (from_day, to_day) = crate::validation::optional_days(from, to)?;
    let slice = slice.trim();
    Ok(match (slice.is_empty(), from_day.or(to_day)) {
        (true, None) => Filter::All,
        (false, None) => {
            if slice.len() > 80 || !slice.contains(':') {
                return Err(Invalid::new(Field::Selection, Problem::Malformed).into());
            }
            Filter::Slice(slice.to_owned())
        }
        // Counted in whole weeks (see `results`): from a Monday, to a Sunday.
        (true, Some(_)) => Filter::Days {
            from: from_day.map_or_else(
                || "0000-00-00".to_owned(),
                |day| crate::ui::time::iso_date(super::results::week_start(day)),
            ),
            to: to_day.map_or_else(
                || "9999-99-99".to_owned(),
                |until| {
                    let last = until - 86_400_000;
                    crate::ui::time::iso_date(super::results::week_start(last) + 6 * 86_400_000)
                },
            ),
        },
        (false, Some(_)) => return Err(Invalid::new(Field::Selection, Problem::OneFilter).into()),
    })
}

/// The aggregate results as open data: JSON, or CSV with `format=csv`,
/// under the same filter and suppression as the results page
/// (`/api/v1/survey-results?id=3&format=csv&slice=lang:ar`). Public when
/// the results are; before that, for the organiser only.
#[server(
    prefix = "/api/v1",
    endpoint = "survey-results",
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::StreamingText
)]
pub async fn survey_results_data(
    id: i64,
    #[server(default)] format: String,
    #[server(default)] lang: String,
    #[server(default)] slice: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    use leptos_i18n::Locale as _;

    let filter = filter_of(&slice, &from, &to)?;
    let locale = Locale::get_all()
        .iter()
        .copied()
        .find(|locale| locale.as_str() == lang)
        .unwrap_or_default();
    let db = crate::db::db()?;
    let (_, grants) = grants().await?;
    let results = super::db::results(
        &db,
        id,
        locale,
        &grants,
        &filter,
        crate::security::now_millis(),
    )
    .await?;
    let csv = format == "csv";
    let body = if csv {
        super::export::results_csv(&results)
    } else {
        serde_json::json!({
            "smallest_group": super::results::SMALLEST_GROUP,
            "filter": { "slice": slice, "from": from, "to": to },
            "results": results,
        })
        .to_string()
    };
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let kind = if csv {
            "text/csv; charset=utf-8"
        } else {
            "application/json"
        };
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(kind),
        );
        // Results shown to everyone may be cached a little; an organiser's not.
        let cache = if results.public {
            "public, max-age=60"
        } else {
            "private, no-store"
        };
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static(cache),
        );
    }
    Ok(leptos::server_fn::codec::TextStream::new(
        futures::stream::once(async move { Ok::<String, AppError>(body) }),
    ))
}

/// Every sent response as CSV, for the survey's organiser: one row per
/// response, one column per question, free text masked; streamed a page
/// at a time. Audited.
#[server(
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::StreamingText
)]
pub async fn export_survey_responses(
    id: i64,
) -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError> {
    use futures::StreamExt as _;

    let (staff, db, definition) = organising(id).await?;
    let client = crate::security::address_key()?.hash_current();
    crate::security::audit::record(
        db.pool(),
        &crate::security::audit::Entry {
            actor: Some(staff.id),
            action: crate::security::audit::Action::SurveyExport,
            target: &format!("survey:{id}"),
            client_hash: &client,
        },
    )
    .await?;
    let areas: HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT id, slug FROM areas")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(value) = http::HeaderValue::from_str(&format!(
            "attachment; filename=\"parley-survey-{id}-responses.csv\""
        )) {
            response.insert_header(http::header::CONTENT_DISPOSITION, value);
        }
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
    let header = super::export::header(&definition);
    let definition = std::sync::Arc::new(definition);
    let areas = std::sync::Arc::new(areas);
    let pages = futures::stream::unfold(Some(0_i64), move |after: Option<i64>| {
        let db = db.clone();
        let definition = definition.clone();
        let areas = areas.clone();
        async move {
            let after = after?;
            match super::export::responses_after(&db, &definition, &areas, after).await {
                Ok((_, None)) => None,
                Ok((text, last)) => Some((Ok(text), last)),
                Err(error) => Some((Err(error), None)),
            }
        }
    });
    Ok(leptos::server_fn::codec::TextStream::new(
        // Fused: the response body may be polled once more after its end.
        futures::stream::once(async move { Ok::<String, AppError>(header) })
            .chain(pages)
            .fuse(),
    ))
}

/// The survey `id` for its organiser (an admin, a policymaker of its
/// theme, a moderator of its area), with the organiser and the database.
#[cfg(feature = "ssr")]
async fn organising(
    id: i64,
) -> Result<
    (
        crate::auth::roles::Staff,
        crate::db::Db,
        super::db::Definition,
    ),
    AppError,
> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyStaff).await?;
    let db = crate::db::db()?;
    let mut conn = db.pool().acquire().await?;
    let definition = super::db::definition(&mut conn, id).await?;
    if !definition.survey.organised_by(&staff.grants) {
        tracing::info!(
            user_id = staff.id,
            survey = id,
            "survey edit refused: not its organiser"
        );
        return Err(AppError::Forbidden);
    }
    Ok((staff, db, definition))
}

/// Runs `work` on the survey `id` in one write transaction, its
/// definition read again inside it, for its organiser; then sends them
/// back to the editor (at `anchor`).
#[cfg(feature = "ssr")]
async fn edit<T>(
    locale: Locale,
    id: i64,
    anchor: &str,
    work: impl AsyncFnOnce(
        &mut sqlx::AnyConnection,
        &super::editor::Organiser<'_>,
        &super::db::Definition,
    ) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let (staff, db, _) = organising(id).await?;
    let client = crate::security::address_key()?.hash_current();
    let who = super::editor::Organiser {
        id: staff.id,
        client_hash: &client,
    };
    let out = db
        .write(async |tx| {
            let definition = super::db::definition(tx, id).await?;
            work(tx, &who, &definition).await
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("surveys/{id}/edit{anchor}"),
    ));
    Ok(out)
}

/// What a new survey may cover: the themes and areas its organiser holds.
#[server]
pub async fn new_survey_choices(locale: Locale) -> Result<super::NewSurveyChoices, AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyStaff).await?;
    let town = crate::taxonomy::db::town_overview(&crate::db::db()?, locale).await?;
    Ok(super::NewSurveyChoices {
        zone: crate::ui::time::zone::name(),
        themes: town
            .themes
            .into_iter()
            .filter(|theme| Need::PolicymakerOf(theme.id).met_by(&staff.grants))
            .map(|theme| (theme.id, theme.name))
            .collect(),
        areas: town
            .areas
            .into_iter()
            .filter(|area| Need::ModeratorOf(area.id).met_by(&staff.grants))
            .map(|area| (area.id, area.name))
            .collect(),
    })
}

/// Starts a survey (being built, written in the organiser's language) of
/// a theme they hold or an area they moderate, and opens its editor.
#[server]
pub async fn create_survey(
    locale: Locale,
    title: String,
    #[server(default)] intro: String,
    scope: String,
    audience: String,
    #[server(default)] anonymous: String,
    #[server(default)] results_public: String,
    #[server(default)] opens: String,
    #[server(default)] closes: String,
) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};
    use crate::validation::{Field, Invalid, Problem};

    let malformed = || Invalid::new(Field::Scope, Problem::Malformed);
    let (kind, number) = scope.trim().split_once(':').ok_or_else(malformed)?;
    let number: i64 = number.parse().map_err(|_| malformed())?;
    let (need, scope) = match kind {
        "theme" => (Need::PolicymakerOf(number), (Some(number), None)),
        "area" => (Need::ModeratorOf(number), (None, Some(number))),
        _ => return Err(malformed().into()),
    };
    let staff = require_role(need).await?;
    let settings =
        super::editor::Settings::parse(&audience, &anonymous, &results_public, &opens, &closes)?;
    let db = crate::db::db()?;
    crate::feedback::db::check_choices(&db, scope.1, scope.0).await?;
    let client = crate::security::address_key()?.hash_current();
    let who = super::editor::Organiser {
        id: staff.id,
        client_hash: &client,
    };
    let now = crate::security::now_millis();
    let id = db
        .write(async |tx| {
            super::editor::start_in(tx, &who, locale, &title, &intro, scope, &settings, now).await
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("surveys/{id}/edit"),
    ));
    Ok(())
}

/// The survey's editor, for its organisers.
#[server]
pub async fn survey_editor(locale: Locale, id: i64) -> Result<super::SurveyEditor, AppError> {
    let _ = locale;
    let (_, db, _) = organising(id).await?;
    let mut conn = db.pool().acquire().await?;
    super::editor::editor(&mut conn, id, crate::security::now_millis()).await
}

/// Saves who may answer, when, and whether results are public.
#[server]
pub async fn save_survey_settings(
    locale: Locale,
    id: i64,
    audience: String,
    #[server(default)] anonymous: String,
    #[server(default)] results_public: String,
    #[server(default)] opens: String,
    #[server(default)] closes: String,
) -> Result<(), AppError> {
    let settings =
        super::editor::Settings::parse(&audience, &anonymous, &results_public, &opens, &closes)?;
    edit(locale, id, "#settings", async |tx, who, definition| {
        super::editor::save_settings_in(tx, who, &definition.survey, &settings).await
    })
    .await
}

/// Adds a page to the survey.
#[server]
pub async fn add_survey_section(locale: Locale, id: i64, title: String) -> Result<(), AppError> {
    edit(locale, id, "#questions", async |tx, who, definition| {
        super::editor::add_section_in(tx, who, &definition.survey, &title).await
    })
    .await
    .map(|_| ())
}

/// Adds a question at the end of a page. Options, statements and scale
/// labels come one per line; a condition names an earlier question's
/// option (`{question}:{option}`) or number question (`{question}:`,
/// with a test and a value).
#[server]
pub async fn add_survey_question(
    locale: Locale,
    id: i64,
    section: i64,
    kind: String,
    prompt: String,
    #[server(default)] help: String,
    #[server(default)] required: String,
    #[server(default)] options: String,
    #[server(default)] min: String,
    #[server(default)] max: String,
    #[server(default)] points: String,
    #[server(default)] decimals: String,
    #[server(default)] unit: String,
    #[server(default)] earliest: String,
    #[server(default)] latest: String,
    #[server(default)] scale: String,
    #[server(default)] condition: String,
    #[server(default)] condition_test: String,
    #[server(default)] condition_value: String,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let labels = lines(&options);
    let scale = lines(&scale);
    let condition = match condition.trim().split_once(':') {
        None => None,
        Some((question, code)) => {
            let question: i64 = question
                .parse()
                .map_err(|_| Invalid::new(Field::Selection, Problem::Malformed))?;
            if code.is_empty() {
                Some((
                    question,
                    condition_test.trim().to_owned(),
                    condition_value.clone(),
                ))
            } else {
                Some((question, String::new(), code.to_owned()))
            }
        }
    };
    edit(locale, id, "#questions", async |tx, who, definition| {
        // A choice condition's test follows from the question it names.
        let condition = condition.map(|(question, test, value)| {
            let test = if test.is_empty() {
                match definition
                    .questions
                    .iter()
                    .find(|(id, _, _)| *id == question)
                    .map(|(_, _, spec)| &spec.kind)
                {
                    Some(super::questions::Kind::Multiple { .. }) => "includes".to_owned(),
                    _ => "equals".to_owned(),
                }
            } else {
                test
            };
            (question, test, value)
        });
        let spec = super::editor::spec_from_form(
            &kind,
            !required.is_empty(),
            labels.len(),
            &min,
            &max,
            &points,
            &decimals,
            &earliest,
            &latest,
            condition
                .as_ref()
                .map(|(question, test, value)| (*question, test.as_str(), value.as_str())),
        )?;
        let codes = super::editor::codes_for(&labels);
        let question = super::editor::NewQuestion {
            spec: super::editor::with_codes(spec, &codes),
            prompt: prompt.clone(),
            help: Some(help.clone()),
            unit: Some(unit.clone()),
            labels: codes.into_iter().zip(labels.iter().cloned()).collect(),
            scale: scale.clone(),
        };
        let answered = definition.survey.first_response_at.is_some();
        super::editor::add_question_in(tx, who, definition, section, &question, answered).await
    })
    .await
    .map(|_| ())
}

/// Adds an option to a choice or ranking question (also once answered).
#[server]
pub async fn add_survey_option(
    locale: Locale,
    id: i64,
    question: i64,
    label: String,
) -> Result<(), AppError> {
    edit(
        locale,
        id,
        &format!("#question-{question}"),
        async |tx, who, definition| {
            super::editor::add_option_in(tx, who, definition, question, &label).await
        },
    )
    .await
}

/// Removes a question nobody answered.
#[server]
pub async fn remove_survey_question(
    locale: Locale,
    id: i64,
    question: i64,
) -> Result<(), AppError> {
    edit(locale, id, "#questions", async |tx, who, definition| {
        let answered = definition.survey.first_response_at.is_some();
        super::editor::remove_question_in(tx, who, definition, question, answered).await
    })
    .await
}

/// Opens a survey being built (from its opening time, or now).
#[server]
pub async fn publish_survey(locale: Locale, id: i64) -> Result<(), AppError> {
    let now = crate::security::now_millis();
    edit(locale, id, "", async |tx, who, definition| {
        super::editor::publish_in(tx, who, definition, now).await
    })
    .await
}

/// A survey's texts in `target` beside its own language's.
#[server]
pub async fn survey_translation(
    locale: Locale,
    id: i64,
    target: String,
) -> Result<super::SurveyTranslation, AppError> {
    let _ = locale;
    let (_, db, _) = organising(id).await?;
    if crate::locale::parse_locale(target.trim()).is_none() {
        return Err(AppError::NotFound);
    }
    let mut conn = db.pool().acquire().await?;
    super::editor::translation(&mut conn, id, target.trim()).await
}

/// Saves a survey's texts in `target` (its translation, or in its own
/// language a correction of wording, audited once answered).
#[server]
pub async fn save_survey_texts(
    locale: Locale,
    id: i64,
    target: String,
    #[server(default)] texts: HashMap<String, String>,
) -> Result<(), AppError> {
    if texts.len() > 2_000 {
        return Err(AppError::BadRequest);
    }
    edit(locale, id, "#languages", async |tx, who, definition| {
        let answered = definition.survey.first_response_at.is_some();
        super::editor::save_texts_in(tx, who, definition, target.trim(), &texts, answered).await
    })
    .await
    .map(|_| ())
}

/// Makes a batch of invitation codes and opens its sheet of cards.
#[server]
pub async fn make_survey_codes(locale: Locale, id: i64, count: String) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let count: usize = count
        .trim()
        .parse()
        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?;
    let (staff, db, definition) = organising(id).await?;
    if definition.survey.audience()? != super::Audience::Codes {
        return Err(AppError::NotNow);
    }
    let key = crate::security::address_key()?;
    let client = key.hash_current();
    let now = crate::security::now_millis();
    let batch = db
        .write(async |tx| {
            let batch = super::build::create_codes_in(tx, &key, id, count, now).await?;
            crate::security::audit::record(
                &mut *tx,
                &crate::security::audit::Entry {
                    actor: Some(staff.id),
                    action: crate::security::audit::Action::SurveyCodes,
                    target: &format!("survey:{id} batch:{batch} codes:{count}"),
                    client_hash: &client,
                },
            )
            .await?;
            Ok(batch)
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("surveys/{id}/codes/{batch}"),
    ));
    Ok(())
}

/// A batch's sheet of invitation cards, each with its QR code.
#[server]
pub async fn survey_code_sheet(
    locale: Locale,
    id: i64,
    batch: i64,
) -> Result<super::CodeSheet, AppError> {
    let (_, db, definition) = organising(id).await?;
    let key = crate::security::address_key()?;
    let origin = crate::security::public_origin()?.0;
    let mut conn = db.pool().acquire().await?;
    let codes = super::build::batch_codes(&mut conn, &key, id, batch).await?;
    let texts = super::db::Texts::load(&mut conn, &definition.survey, locale).await?;
    let address = format!(
        "{origin}{}",
        crate::locale::page_path(locale, &format!("surveys/{id}"))
    );
    Ok(super::CodeSheet {
        id,
        title: texts.or_key("title", ""),
        codes: codes
            .into_iter()
            .map(|(code, used)| {
                let qr = crate::auth::two_factor::qr_svg(&format!("{address}?code={code}"))
                    .unwrap_or_default();
                (code, used, qr)
            })
            .collect(),
        address,
    })
}
