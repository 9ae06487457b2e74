//! A survey question's written answers (`/{l}/surveys/{id}/answers/{q}`):
//! the themes the input pipeline found in them, with counts (no group
//! under five), and for the survey's organiser the answers themselves,
//! masked, newest first, a theme at a time. Each written answer is an
//! input item of the survey-answer channel, so language, masking, themes
//! and campaigns come from the contribution contract like every other
//! resident text.

use super::pages::{Text, route_number};
use crate::error::AppError;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::taxonomy::LocalText;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Answers shown per page.
pub const PAGE: usize = 50;

/// A question's written answers as its reader may see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswers {
    pub survey: i64,
    pub title: LocalText,
    pub question: i64,
    pub number: usize,
    pub prompt: LocalText,
    /// The reader organises the survey: they read the masked answers.
    pub organiser: bool,
    /// Written answers sent; `None` when fewer than five.
    pub answered: Option<i64>,
    /// (theme, its name, answers about it; `None` under five).
    pub themes: Vec<(i64, LocalText, Option<i64>)>,
    /// Answers the pipeline sorted under no theme (`None` under five).
    pub unsorted: Option<i64>,
    /// The theme the answers below are about, if one was chosen.
    pub theme: Option<i64>,
    /// For the organiser: the masked answers of this page.
    pub answers: Vec<MaskedAnswer>,
    /// For the organiser: answers not yet masked (not shown until they are).
    pub pending: i64,
    /// The next (older) page starts before this answer.
    pub older: Option<i64>,
}

/// A written answer as the pipeline masked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedAnswer {
    pub id: i64,
    pub text: String,
    /// The language the pipeline detected.
    pub language: Option<String>,
    /// The day it was written (YYYY-MM-DD).
    pub day: String,
}

#[cfg(feature = "ssr")]
pub mod sql {
    use super::{MaskedAnswer, PAGE, TextAnswers};
    use crate::auth::roles::Grant;
    use crate::db::Db;
    use crate::error::AppError;
    use crate::i18n::Locale;
    use crate::surveys::db::{Texts, definition};
    use crate::surveys::questions::Kind;
    use crate::surveys::results::SMALLEST_GROUP;

    /// The sent answers of question `$1` with their input items.
    const SENT: &str = "FROM survey_answers a
         JOIN survey_responses r ON r.id = a.response_id AND r.submitted_at IS NOT NULL
         JOIN input_items i ON i.channel = 'survey_answer' AND i.source_id = a.id
         WHERE a.question_id = $1";

    /// Which written answers: of question `question` of survey `survey`,
    /// about `theme` (if given), older than answer `before` (if given).
    #[derive(Debug, Clone, Copy)]
    pub struct Wanted {
        pub survey: i64,
        pub question: i64,
        pub theme: Option<i64>,
        pub before: Option<i64>,
    }

    /// The written answers `wanted` for a reader holding `grants`.
    #[tracing::instrument(skip(db, grants))]
    pub async fn text_answers(
        db: &Db,
        wanted: Wanted,
        reader: Locale,
        grants: &[Grant],
        now: i64,
    ) -> Result<TextAnswers, AppError> {
        let Wanted {
            survey,
            question,
            theme,
            before,
        } = wanted;
        let mut conn = db.pool().acquire().await?;
        let definition = definition(&mut conn, survey).await?;
        let row = &definition.survey;
        let organiser = row.results_reader(grants, now)?;
        let number = definition
            .questions
            .iter()
            .position(|(id, _, spec)| *id == question && matches!(spec.kind, Kind::Text { .. }))
            .ok_or(AppError::NotFound)?
            + 1;
        let texts = Texts::load(&mut conn, row, reader).await?;
        let shown = |n: i64| (n >= SMALLEST_GROUP).then_some(n);
        let count = async |conn: &mut sqlx::AnyConnection, extra: &str| -> Result<i64, AppError> {
            Ok(
                sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) {SENT} {extra}"))
                    .bind(question)
                    .fetch_one(&mut *conn)
                    .await?,
            )
        };
        let answered = count(&mut conn, "").await?;
        let unsorted = count(
            &mut conn,
            "AND i.analysis = 'done' AND NOT EXISTS (SELECT 1 FROM input_themes t WHERE t.item_id = i.id)",
        )
        .await?;
        let by_theme: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT t.theme_id, CAST(COUNT(*) AS BIGINT) {} GROUP BY t.theme_id",
            SENT.replace(
                "WHERE a.question_id",
                "JOIN input_themes t ON t.item_id = i.id WHERE a.question_id"
            )
        ))
        .bind(question)
        .fetch_all(&mut *conn)
        .await?;
        let names = crate::taxonomy::db::town_overview(db, reader).await?.themes;
        let mut themes: Vec<(i64, crate::taxonomy::LocalText, Option<i64>)> = by_theme
            .iter()
            .filter_map(|(theme, n)| {
                let name = names.iter().find(|summary| summary.id == *theme)?;
                Some((*theme, name.name.clone(), shown(*n)))
            })
            .collect();
        // The largest first; the hidden ones last.
        themes.sort_by_key(|(_, _, n)| std::cmp::Reverse(n.unwrap_or(0)));

        let (answers, pending, older) = if organiser {
            let pending = count(&mut conn, "AND i.masked_text IS NULL").await?;
            let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(&format!(
                "SELECT a.id, i.masked_text, i.language, i.created_at {SENT}
                 AND i.masked_text IS NOT NULL AND a.id < $2
                 AND ($3 < 0 OR EXISTS (SELECT 1 FROM input_themes t WHERE t.item_id = i.id AND t.theme_id = $3))
                 ORDER BY a.id DESC LIMIT {}",
                PAGE + 1
            ))
            .bind(question)
            .bind(before.unwrap_or(i64::MAX))
            .bind(theme.unwrap_or(-1))
            .fetch_all(&mut *conn)
            .await?;
            let more = rows.len() > PAGE;
            let answers: Vec<MaskedAnswer> = rows
                .into_iter()
                .take(PAGE)
                .map(|(id, text, language, at)| MaskedAnswer {
                    id,
                    text,
                    language,
                    day: crate::ui::time::iso_date(at),
                })
                .collect();
            let older = more
                .then(|| answers.last().map(|answer| answer.id))
                .flatten();
            (answers, pending, older)
        } else {
            (Vec::new(), 0, None)
        };
        let prompt = texts.or_key(&format!("q.{question}.prompt"), "");
        Ok(TextAnswers {
            survey,
            title: texts.or_key("title", ""),
            question,
            number,
            prompt,
            organiser,
            answered: shown(answered),
            themes,
            unsorted: shown(unsorted),
            theme,
            answers,
            pending,
            older,
        })
    }
}

/// The written answers of a survey question: themes with counts, and the
/// masked answers for the organiser.
#[server]
pub async fn survey_text_answers(
    locale: Locale,
    id: i64,
    question: i64,
    #[server(default)] theme: String,
    #[server(default)] before: String,
) -> Result<TextAnswers, AppError> {
    let number = |text: &str| text.trim().parse::<i64>().ok().filter(|n| *n > 0);
    let db = crate::db::db()?;
    let (_, grants) = super::api::grants().await?;
    sql::text_answers(
        &db,
        sql::Wanted {
            survey: id,
            question,
            theme: number(&theme),
            before: number(&before),
        },
        locale,
        &grants,
        crate::security::now_millis(),
    )
    .await
}

#[component]
pub fn SurveyAnswersPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let question = route_number("question");
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let answers = Resource::new(
        move || {
            (
                locale.get(),
                id(),
                question(),
                param("theme"),
                param("before"),
            )
        },
        |(locale, id, question, theme, before)| async move {
            match (id, question) {
                (Some(id), Some(question)) => {
                    survey_text_answers(locale, id, question, theme, before).await
                }
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.answers_title).to_string() />
        <section class="results-page">
            <Loaded resource=answers show=|answers| view! { <AnswersBody answers /> }.into_any() />
        </section>
    }
}

#[component]
fn AnswersBody(answers: TextAnswers) -> AnyView {
    let locale = use_locale();
    let TextAnswers {
        survey,
        title,
        question,
        number,
        prompt,
        organiser,
        answered,
        themes,
        unsorted,
        theme,
        answers,
        pending,
        older,
    } = answers;
    let base = format!("surveys/{survey}/answers/{question}");
    let results = page_path(
        locale.get_untracked(),
        &format!("surveys/{survey}/results#r{question}"),
    );
    let shown = |n: Option<i64>| n.map_or_else(|| "<5".to_owned(), |n| n.to_string());
    let theme_rows = themes
        .into_iter()
        .map(|(id, name, n)| {
            let current = theme == Some(id);
            let link = page_path(locale.get_untracked(), &format!("{base}?theme={id}"));
            let label = view! { <Text text=name /> };
            view! {
                <tr>
                    <th scope="row">
                        {if organiser && n.is_some() {
                            view! { <a href=link aria-current=current.then_some("true")>{label}</a> }.into_any()
                        } else {
                            label.into_any()
                        }}
                    </th>
                    <td>{shown(n)}</td>
                </tr>
            }
        })
        .collect_view();
    let list = organiser.then(|| {
        let all = page_path(locale.get_untracked(), &base);
        let older = older.map(|before| {
            let theme = theme.map(|theme| format!("&theme={theme}")).unwrap_or_default();
            page_path(locale.get_untracked(), &format!("{base}?before={before}{theme}"))
        });
        let empty = answers.is_empty();
        view! {
            <h2 id="answers">{move || td!(locale.get(), surveys.masked_answers)}</h2>
            <p class="hint">{move || td!(locale.get(), surveys.masked_note)}</p>
            {(pending > 0).then(|| view! { <p class="meta">{move || td!(locale.get(), surveys.pending_masking, count = move || pending)}</p> })}
            {theme.is_some().then(|| view! { <p><a href=all.clone()>{move || td!(locale.get(), surveys.all_answers)}</a></p> })}
            {empty.then(|| view! { <p class="empty-state">{move || td!(locale.get(), surveys.no_answers_yet)}</p> })}
            <ol class="answers" reversed>
                {answers.into_iter().map(|answer| view! {
                    <li>
                        <p class="resident-text" lang=answer.language dir="auto">{answer.text}</p>
                        <p class="meta"><time>{answer.day}</time></p>
                    </li>
                }).collect_view()}
            </ol>
            {older.map(|href| view! {
                <nav class="pager" aria-label=move || td_string!(locale.get(), surveys.answer_pages)>
                    <a href=href rel="next">{move || td!(locale.get(), surveys.older_answers)}</a>
                </nav>
            })}
        }
    });
    view! {
        <p><a href=results>{move || td!(locale.get(), surveys.back_to_results)}</a></p>
        <h1><Text text=title /></h1>
        <h2><span class="number">{number}". "</span><Text text=prompt /></h2>
        <p class="lead">
            {match answered {
                Some(n) => view! { {move || td!(locale.get(), surveys.written_answers, count = move || n)} }.into_any(),
                None => view! { {move || td!(locale.get(), surveys.too_few)} }.into_any(),
            }}
        </p>
        <table class="data theme-counts">
            <caption>{move || td!(locale.get(), surveys.themes_caption)}</caption>
            <thead><tr><th scope="col">{move || td!(locale.get(), surveys.theme)}</th><th scope="col">{move || td!(locale.get(), surveys.count)}</th></tr></thead>
            <tbody>
                {theme_rows}
                <tr><th scope="row">{move || td!(locale.get(), surveys.no_theme)}</th><td>{shown(unsorted)}</td></tr>
            </tbody>
        </table>
        <p class="hint">{move || td!(locale.get(), surveys.themes_note)}</p>
        {(!organiser).then(|| view! { <p class="notice">{move || td!(locale.get(), surveys.text_answers)}</p> })}
        {list}
    }
    .into_any()
}
