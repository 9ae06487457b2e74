//! SQL of surveys: their definition and texts, a reader's section page,
//! saving a section (one response per respondent, counted in the results
//! as it is sent), the lists, and the survey's part of the register.

use super::questions::{Answer, Kind, Spec, check_section};
use super::results::{Counts, QuestionResult, question_result};
use super::{Audience, Openness, QuestionView, SurveyPage, SurveySummary};
use crate::auth::roles::{Grant, Need};
use crate::channel::Channel;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::input::contribute::{Contribution, Contributor, contribute};
use crate::security::AddressKey;
use crate::security::rate_limit::Rule;
use crate::taxonomy::LocalText;
use leptos_i18n::Locale as _;
use sqlx::FromRow;
use std::collections::{BTreeMap, HashMap, HashSet};

const DAY: i64 = 86_400_000;

/// A survey's settings, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub status: String,
    pub audience: String,
    pub anonymous: i64,
    pub results_public: i64,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub theme_id: Option<i64>,
    pub area_id: Option<i64>,
    pub source_locale: String,
    pub first_response_at: Option<i64>,
}

impl SurveyRow {
    pub fn audience(&self) -> Result<Audience, AppError> {
        crate::db::stored("surveys.audience", &self.audience, Audience::parse)
    }

    pub fn openness(&self, now: i64) -> Openness {
        use crate::ui::time::zone::moment;
        match (self.status.as_str(), self.opens_at, self.closes_at) {
            ("drafting", _, _) => Openness::Drafting,
            (_, Some(opens_at), _) if now < opens_at => Openness::NotYet {
                opens_at: moment(opens_at),
            },
            ("archived", _, closes_at) => Openness::Closed {
                closed_at: moment(closes_at.unwrap_or(now)),
            },
            (_, _, Some(closes_at)) if now >= closes_at => Openness::Closed {
                closed_at: moment(closes_at),
            },
            (_, _, closes_at) => Openness::Open {
                closes_at: closes_at.map(moment),
            },
        }
    }

    /// Whether `grants` organise this survey: an admin, a policymaker of
    /// its theme, a moderator of its area.
    pub fn organised_by(&self, grants: &[Grant]) -> bool {
        Need::Admin.met_by(grants)
            || self
                .theme_id
                .is_some_and(|theme| Need::PolicymakerOf(theme).met_by(grants))
            || self
                .area_id
                .is_some_and(|area| Need::ModeratorOf(area).met_by(grants))
    }

    /// Whether a reader holding `grants` may read the results now:
    /// `Ok(true)` for an organiser, `Ok(false)` for anyone else once they
    /// are shared; refused otherwise (not found while it is being built).
    pub fn results_reader(&self, grants: &[Grant], now: i64) -> Result<bool, AppError> {
        let organiser = self.organised_by(grants);
        if !organiser && self.openness(now) == Openness::Drafting {
            return Err(AppError::NotFound);
        }
        if !organiser && !self.results_public(now) {
            return Err(AppError::Forbidden);
        }
        Ok(organiser)
    }

    /// Whether results are shown now to someone who does not organise it.
    pub fn results_public(&self, now: i64) -> bool {
        self.results_public != 0 || matches!(self.openness(now), Openness::Closed { .. })
    }
}

/// A survey's questions, in order, with the section each is on.
#[derive(Debug, Clone)]
pub struct Definition {
    pub survey: SurveyRow,
    pub sections: Vec<i64>,
    /// (question, section, rules).
    pub questions: Vec<(i64, i64, Spec)>,
}

impl Definition {
    pub fn specs(&self) -> Vec<(i64, &Spec)> {
        self.questions
            .iter()
            .map(|(id, _, spec)| (*id, spec))
            .collect()
    }

    pub fn section_questions(&self, section: i64) -> Vec<i64> {
        self.questions
            .iter()
            .filter(|(_, on, _)| *on == section)
            .map(|(id, _, _)| *id)
            .collect()
    }

    fn kind_of(&self, question: i64) -> Option<&Kind> {
        self.questions
            .iter()
            .find(|(id, _, _)| *id == question)
            .map(|(_, _, spec)| &spec.kind)
    }
}

const SURVEY_COLUMNS: &str = "id, status, audience, anonymous, results_public, opens_at, closes_at, theme_id, area_id, source_locale, first_response_at";

/// The survey `id` with its sections and questions; `NotFound` when none.
#[tracing::instrument(skip(conn))]
pub async fn definition(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Definition, AppError> {
    let survey: SurveyRow = sqlx::query_as(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let sections: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM survey_sections WHERE survey_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT q.id, q.section_id, q.spec FROM survey_questions q
         JOIN survey_sections s ON s.id = q.section_id
         WHERE q.survey_id = $1 ORDER BY s.position, s.id, q.position, q.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let questions = rows
        .into_iter()
        .map(|(id, section, spec)| {
            let spec = serde_json::from_str::<Spec>(&spec).map_err(|error| {
                AppError::internal(anyhow::anyhow!("survey_questions.spec of {id}: {error}"))
            })?;
            Ok((id, section, spec))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Definition {
        survey,
        sections,
        questions,
    })
}

/// A survey's texts in the reader's locale, each falling back to the
/// survey's source locale.
pub struct Texts {
    reader: Locale,
    local: HashMap<String, String>,
    source: HashMap<String, String>,
    source_locale: String,
    /// A text was missing in the reader's locale.
    pub partly_translated: std::cell::Cell<bool>,
}

impl Texts {
    pub async fn load(
        conn: &mut sqlx::AnyConnection,
        survey: &SurveyRow,
        reader: Locale,
    ) -> Result<Self, AppError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT locale, text_key, text FROM survey_texts
             WHERE survey_id = $1 AND locale IN ($2, $3)",
        )
        .bind(survey.id)
        .bind(reader.as_str())
        .bind(&survey.source_locale)
        .fetch_all(&mut *conn)
        .await?;
        let mut local = HashMap::new();
        let mut source = HashMap::new();
        for (locale, key, text) in rows {
            if locale == reader.as_str() {
                local.insert(key.clone(), text.clone());
            }
            if locale == survey.source_locale {
                source.insert(key, text);
            }
        }
        Ok(Self {
            reader,
            local,
            source,
            source_locale: survey.source_locale.clone(),
            partly_translated: std::cell::Cell::new(false),
        })
    }

    /// The text of `key`, or `None` when the survey has none.
    pub fn get(&self, key: &str) -> Option<LocalText> {
        if let Some(text) = self.local.get(key) {
            return Some(LocalText::new(
                text.clone(),
                self.reader.as_str(),
                self.reader,
            ));
        }
        let text = self.source.get(key)?;
        self.partly_translated.set(true);
        Some(LocalText::new(
            text.clone(),
            &self.source_locale,
            self.reader,
        ))
    }

    /// The text of `key`, or the key itself (a survey missing a text).
    pub fn or_key(&self, key: &str, fallback: &str) -> LocalText {
        self.get(key).unwrap_or_else(|| LocalText {
            text: fallback.to_owned(),
            lang: String::new(),
            in_reader_locale: true,
        })
    }
}

/// The questions of `definition` as the reader reads them, numbered.
pub fn question_views(definition: &Definition, texts: &Texts) -> Vec<QuestionView> {
    let numbers: HashMap<i64, usize> = definition
        .questions
        .iter()
        .enumerate()
        .map(|(at, (id, _, _))| (*id, at + 1))
        .collect();
    definition
        .questions
        .iter()
        .enumerate()
        .map(|(at, (id, _, spec))| {
            let key = |part: &str| format!("q.{id}.{part}");
            let (codes, label_kind): (&[String], &str) = match &spec.kind {
                Kind::Likert { statements, .. } => (statements, "statement"),
                kind => (kind.options(), "option"),
            };
            let options = codes
                .iter()
                .map(|code| {
                    (
                        code.clone(),
                        texts.or_key(&key(&format!("{label_kind}.{code}")), code),
                    )
                })
                .collect();
            let scale = match &spec.kind {
                Kind::Likert { points, .. } => (1..=*points)
                    .map(|point| texts.or_key(&key(&format!("scale.{point}")), &point.to_string()))
                    .collect(),
                _ => Vec::new(),
            };
            let shown_if = spec.show_if.as_ref().map(|condition| {
                let number = numbers.get(&condition.question).copied().unwrap_or(0);
                let value = match &condition.test {
                    super::questions::Test::Equals(code)
                    | super::questions::Test::Includes(code) => texts
                        .get(&format!("q.{}.option.{code}", condition.question))
                        .map_or_else(|| code.clone(), |text| text.text),
                    super::questions::Test::AtLeast(n) => format!("≥ {n}"),
                    super::questions::Test::AtMost(n) => format!("≤ {n}"),
                };
                (number, value)
            });
            QuestionView {
                id: *id,
                number: at + 1,
                spec: spec.clone(),
                prompt: texts.or_key(&key("prompt"), &format!("{}", at + 1)),
                help: texts.get(&key("help")),
                unit: texts.get(&key("unit")),
                options,
                scale,
                shown_if,
            }
        })
        .collect()
}

/// Who is answering, resolved once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent {
    Account(i64),
    Participant(i64),
    /// Nobody yet: a visitor whose device carries no participation.
    Nobody,
}

impl Respondent {
    /// The keyed, per-survey hash that finds this respondent's response.
    pub fn key(self, key: &AddressKey, survey: i64) -> Option<String> {
        let who = match self {
            Respondent::Account(id) => format!("{survey}:u:{id}"),
            Respondent::Participant(id) => format!("{survey}:p:{id}"),
            Respondent::Nobody => return None,
        };
        Some(key.hash_secret(b"survey-respondent", &who))
    }
}

#[derive(Debug, Clone, FromRow)]
struct ResponseRow {
    id: i64,
    survey_id: i64,
    client_hash: Option<String>,
    sections_done: i64,
    sealed: i64,
    submitted_at: Option<i64>,
    area_id: Option<i64>,
    locale: String,
    channel: String,
}

/// The columns of [`ResponseRow`].
const RESPONSE_COLUMNS: &str =
    "id, survey_id, client_hash, sections_done, sealed, submitted_at, area_id, locale, channel";

async fn response_of(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    respondent: &str,
) -> Result<Option<ResponseRow>, AppError> {
    find_response(conn, survey, respondent, "").await
}

/// [`response_of`], its row locked until the transaction ends (on
/// PostgreSQL: a second transaction waits, then reads what the first
/// committed).
async fn lock_response(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    respondent: &str,
) -> Result<Option<ResponseRow>, AppError> {
    let lock = match crate::db::Backend::of_connection(conn) {
        crate::db::Backend::Postgres => " FOR UPDATE",
        crate::db::Backend::Sqlite => "",
    };
    find_response(conn, survey, respondent, lock).await
}

async fn find_response(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    respondent: &str,
    lock: &str,
) -> Result<Option<ResponseRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESPONSE_COLUMNS} FROM survey_responses WHERE survey_id = $1 AND respondent = $2{lock}"
    ))
    .bind(survey)
    .bind(respondent)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn response_by_id(
    conn: &mut sqlx::AnyConnection,
    response: i64,
) -> Result<Option<ResponseRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESPONSE_COLUMNS} FROM survey_responses WHERE id = $1"
    ))
    .bind(response)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The answers of a response, texts read from their input items.
async fn answers_of(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
    response: i64,
) -> Result<HashMap<i64, (i64, Answer)>, AppError> {
    let rows: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT a.id, a.question_id, a.value, i.original_text
         FROM survey_answers a
         LEFT JOIN input_items i ON i.channel = 'survey_answer' AND i.source_id = a.id
         WHERE a.response_id = $1",
    )
    .bind(response)
    .fetch_all(&mut *conn)
    .await?;
    let mut answers = HashMap::new();
    for (answer_id, question, value, text) in rows {
        let Some(kind) = definition.kind_of(question) else {
            continue;
        };
        let stored = match kind {
            Kind::Text { .. } => text.unwrap_or_default(),
            _ => value,
        };
        if let Some(answer) = Answer::load(kind, &stored) {
            answers.insert(question, (answer_id, answer));
        }
    }
    Ok(answers)
}

/// Milliseconds kept of a time: to the day in an anonymous survey.
fn kept_time(survey: &SurveyRow, at: i64) -> i64 {
    if survey.anonymous != 0 {
        at.div_euclid(DAY) * DAY
    } else {
        at
    }
}

/// What the reader needs to see section `section` (from 0) of a survey.
pub struct PageRequest<'a> {
    pub survey: i64,
    pub section: usize,
    pub reader: Locale,
    pub respondent: Respondent,
    pub signed_in: bool,
    pub grants: &'a [Grant],
    pub key: &'a AddressKey,
    pub now: i64,
}

/// One section page of a survey for its reader; `NotFound` for a survey
/// being built, unless the reader organises it (a preview).
#[tracing::instrument(skip_all)]
pub async fn page(db: &Db, request: &PageRequest<'_>) -> Result<SurveyPage, AppError> {
    let mut conn = db.pool().acquire().await?;
    let definition = definition(&mut conn, request.survey).await?;
    let survey = &definition.survey;
    let organiser = survey.organised_by(request.grants);
    let openness = survey.openness(request.now);
    if openness == Openness::Drafting && !organiser {
        return Err(AppError::NotFound);
    }
    let section_id = *definition
        .sections
        .get(request.section)
        .ok_or(AppError::NotFound)?;
    let texts = Texts::load(&mut conn, survey, request.reader).await?;
    let audience = survey.audience()?;
    let response = match request.respondent.key(request.key, survey.id) {
        Some(key) => response_of(&mut conn, survey.id, &key).await?,
        None => None,
    };
    let saved_answers = match &response {
        Some(response) => answers_of(&mut conn, &definition, response.id).await?,
        None => HashMap::new(),
    };
    let answers: HashMap<i64, Answer> = saved_answers
        .iter()
        .map(|(question, (_, answer))| (*question, answer.clone()))
        .collect();
    let on_page = definition.section_questions(section_id);
    // A question whose condition rests on an earlier page is shown or not
    // by the saved answer; one on this page is shown with its condition.
    let earlier: HashSet<i64> = definition
        .questions
        .iter()
        .filter(|(_, section, _)| *section != section_id)
        .map(|(id, _, _)| *id)
        .collect();
    let specs = definition.specs();
    let shown = super::questions::visible(&specs, &answers);
    let all = question_views(&definition, &texts);
    let questions: Vec<QuestionView> = all
        .into_iter()
        .filter(|question| on_page.contains(&question.id))
        .filter(|question| match &question.spec.show_if {
            Some(condition) if earlier.contains(&condition.question) => {
                shown.contains(&question.id)
            }
            _ => true,
        })
        .map(|mut question| {
            if question
                .spec
                .show_if
                .as_ref()
                .is_some_and(|condition| earlier.contains(&condition.question))
            {
                question.shown_if = None;
            }
            question
        })
        .collect();
    let saved = questions
        .iter()
        .filter_map(|question| {
            answers
                .get(&question.id)
                .map(|answer| answer.fields(question.id))
        })
        .flatten()
        .collect();
    let sections = definition
        .sections
        .iter()
        .enumerate()
        .map(|(at, id)| texts.or_key(&format!("section.{id}"), &(at + 1).to_string()))
        .collect();
    let intro_html = if request.section == 0 {
        texts.get("intro").map(|intro| LocalText {
            text: crate::text::markdown::render(&intro.text).html,
            ..intro
        })
    } else {
        None
    };
    let areas = if request.section == 0 {
        crate::taxonomy::db::areas(db, request.reader).await?
    } else {
        Vec::new()
    };
    let title = texts.or_key("title", "");
    Ok(SurveyPage {
        id: survey.id,
        title,
        intro_html,
        openness,
        audience,
        anonymous: survey.anonymous != 0,
        sections,
        section: request.section,
        questions,
        saved,
        sent: response.as_ref().is_some_and(|r| r.submitted_at.is_some()),
        sealed: response.as_ref().is_some_and(|r| r.sealed != 0),
        sections_done: response
            .as_ref()
            .map_or(0, |r| usize::try_from(r.sections_done).unwrap_or(0)),
        partly_translated: texts.partly_translated.get(),
        needs_sign_in: audience == Audience::Residents && !request.signed_in,
        needs_code: audience == Audience::Codes && response.is_none(),
        areas,
        area: response.as_ref().and_then(|r| r.area_id),
        organiser,
        results_visible: organiser || survey.results_public(request.now),
    })
}

/// A section sent by its respondent.
pub struct SectionAnswers<'a> {
    pub survey: i64,
    pub section: usize,
    pub locale: Locale,
    pub respondent: Respondent,
    /// The contributor of its free-text answers (the same person).
    pub contributor: Contributor,
    pub fields: &'a HashMap<String, String>,
    pub area: Option<i64>,
    /// An invitation code, on the first page of a survey that needs one.
    pub code: Option<&'a str>,
    /// The keyed hash of the client's network.
    pub client: &'a str,
    pub key: &'a AddressKey,
    pub rules: &'a [Rule],
    pub now: i64,
}

/// Where the respondent goes after saving a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// The next section page (from 0).
    Next(usize),
    /// The last page: the response is sent (or its change saved).
    Sent,
    /// The last page, with an invitation code: sent and sealed.
    Sealed,
}

/// Saves one section of the respondent's response, in one transaction:
/// the response is created on the first save (one per respondent: a
/// second at the same moment finds the first), the section's answers
/// replace what was saved (a free text through the contribution
/// contract), answers to questions now hidden are dropped, and a sent
/// response's counts are moved from its old answers to its new ones.
#[tracing::instrument(skip_all)]
pub async fn save_section(
    conn: &mut sqlx::AnyConnection,
    input: &SectionAnswers<'_>,
) -> Result<Saved, AppError> {
    let definition = definition(conn, input.survey).await?;
    let survey = &definition.survey;
    if !survey.openness(input.now).is_open() {
        return Err(AppError::NotNow);
    }
    let audience = survey.audience()?;
    let respondent = match input.respondent {
        Respondent::Account(_) => input.respondent,
        _ if audience == Audience::Residents => return Err(AppError::SignInRequired),
        _ => input.respondent,
    };
    let key = respondent
        .key(input.key, survey.id)
        .ok_or(AppError::SignInRequired)?;
    let section_id = *definition
        .sections
        .get(input.section)
        .ok_or(AppError::NotFound)?;
    // The response's row is locked first (on PostgreSQL; SQLite's write
    // transaction holds the whole database), so that two saves of one
    // respondent at once run one after the other, the second reading
    // what the first wrote.
    let response = match lock_response(conn, survey.id, &key).await? {
        Some(response) => response,
        None => {
            if audience == Audience::Codes {
                use_code(conn, input).await?;
            }
            crate::security::rate_limit::take(conn, input.rules, input.now).await?;
            create_response(conn, &definition, input, &key).await?
        }
    };
    if response.sealed != 0 {
        return Err(AppError::NotNow);
    }
    let saved = answers_of(conn, &definition, response.id).await?;
    let earlier: HashMap<i64, Answer> = saved
        .iter()
        .map(|(question, (_, answer))| (*question, answer.clone()))
        .collect();
    let specs = definition.specs();
    let on_page = definition.section_questions(section_id);
    // Refused: the caller's transaction rolls back (a response just
    // created, a code just spent, the limit's count).
    let answers =
        check_section(&specs, &on_page, &earlier, input.fields).map_err(AppError::Answers)?;
    let was_sent = response.submitted_at.is_some();
    if was_sent {
        move_counts(conn, &definition, &response, &earlier, -1).await?;
    }
    // Drop the answers no longer given or no longer shown.
    for (question, (answer_id, _)) in &saved {
        if !answers.contains_key(question) {
            if matches!(definition.kind_of(*question), Some(Kind::Text { .. })) {
                crate::input::db::erase_text(conn, Channel::SurveyAnswer, *answer_id).await?;
            }
            sqlx::query("DELETE FROM survey_answers WHERE id = $1")
                .bind(answer_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    let contributor = if survey.anonymous != 0 {
        Contributor::Unknown
    } else {
        input.contributor
    };
    for question in &on_page {
        let Some(answer) = answers.get(question) else {
            continue;
        };
        let answer_id: i64 = sqlx::query_scalar(
            "INSERT INTO survey_answers (response_id, question_id, value) VALUES ($1, $2, $3)
             ON CONFLICT (response_id, question_id) DO UPDATE SET value = excluded.value
             RETURNING id",
        )
        .bind(response.id)
        .bind(question)
        .bind(answer.store())
        .fetch_one(&mut *conn)
        .await?;
        if let Answer::Text(text) = answer {
            match saved.get(question) {
                Some((_, Answer::Text(old))) if old == text => {}
                Some(_) => {
                    crate::input::db::replace_text(
                        conn,
                        Channel::SurveyAnswer,
                        answer_id,
                        text,
                        input.now,
                    )
                    .await?;
                }
                None => {
                    let contribution = Contribution {
                        channel: Channel::SurveyAnswer,
                        source_id: answer_id,
                        draft: None,
                        area: response.area_id,
                        contributor,
                        text,
                        language_hint: Some(input.locale.as_str()),
                        at: kept_time(survey, input.now),
                        received: None,
                    };
                    contribute(conn, &contribution, input.rules).await?;
                }
            }
        }
    }
    let last = input.section + 1 == definition.sections.len();
    let done = i64::try_from(input.section + 1).unwrap_or(i64::MAX);
    let sent_now = last && !was_sent;
    let submitted_at = response
        .submitted_at
        .or(last.then(|| kept_time(survey, input.now)));
    let sealed = last && audience == Audience::Codes;
    // Sent with a code: nothing is left that finds it again.
    let respondent_after = if sealed {
        format!("sealed:{}", crate::auth::session::new_token()?)
    } else {
        key
    };
    sqlx::query(
        "UPDATE survey_responses SET sections_done = CASE WHEN sections_done > $2 THEN sections_done ELSE $2 END,
                submitted_at = $3, sealed = $4, respondent = $5
         WHERE id = $1",
    )
    .bind(response.id)
    .bind(done)
    .bind(submitted_at)
    .bind(i64::from(sealed))
    .bind(&respondent_after)
    .execute(&mut *conn)
    .await?;
    if let Some(submitted_at) = submitted_at {
        let sent = ResponseRow {
            submitted_at: Some(submitted_at),
            ..response.clone()
        };
        let all: HashMap<i64, Answer> = answers;
        move_counts(conn, &definition, &sent, &all, 1).await?;
        if sent_now {
            move_duplicates(conn, &response, 1).await?;
            sqlx::query(
                "UPDATE surveys SET first_response_at = $2 WHERE id = $1 AND first_response_at IS NULL",
            )
            .bind(survey.id)
            .bind(input.now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(if sealed {
        Saved::Sealed
    } else if last {
        Saved::Sent
    } else {
        Saved::Next(input.section + 1)
    })
}

/// Spends an invitation code; refused when unknown or used.
async fn use_code(
    conn: &mut sqlx::AnyConnection,
    input: &SectionAnswers<'_>,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let code = input
        .code
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .ok_or(Invalid::new(Field::Code, Problem::Empty))?;
    let hash = code_hash(input.key, input.survey, code);
    let used = sqlx::query(
        "UPDATE survey_codes SET used_at = $3 WHERE survey_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(input.survey)
    .bind(&hash)
    .bind(input.now.div_euclid(DAY) * DAY)
    .execute(&mut *conn)
    .await?;
    if used.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Invalid::new(Field::Code, Problem::Unknown).into())
    }
}

/// The keyed hash an invitation code is kept as (letters and digits
/// only, case ignored, so `ab12-cd34` and `AB12 CD34` are one code).
pub fn code_hash(key: &AddressKey, survey: i64, code: &str) -> String {
    let code: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    key.hash_secret(b"survey-code", &format!("{survey}:{code}"))
}

async fn create_response(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
    input: &SectionAnswers<'_>,
    key: &str,
) -> Result<ResponseRow, AppError> {
    let survey = &definition.survey;
    let (user, participant) = match (survey.anonymous != 0, input.respondent) {
        (false, Respondent::Account(id)) => (Some(id), None),
        (false, Respondent::Participant(id)) => (None, Some(id)),
        _ => (None, None),
    };
    let client = (!input.client.is_empty()).then(|| {
        input
            .key
            .hash_secret(b"survey-client", &format!("{}:{}", survey.id, input.client))
    });
    sqlx::query(
        "INSERT INTO survey_responses (survey_id, respondent, user_id, participant_id, locale, area_id, client_hash, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (survey_id, respondent) DO NOTHING",
    )
    .bind(survey.id)
    .bind(key)
    .bind(user)
    .bind(participant)
    .bind(input.locale.as_str())
    .bind(input.area)
    .bind(client)
    .bind(kept_time(survey, input.now))
    .execute(&mut *conn)
    .await?;
    lock_response(conn, survey.id, key)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a created response was not found")))
}

/// What of a sent response places it in the results' slices.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub locale: &'a str,
    pub channel: &'a str,
    pub area: Option<i64>,
    pub submitted_at: Option<i64>,
}

impl ResponseRow {
    fn placed(&self) -> Placed<'_> {
        Placed {
            locale: &self.locale,
            channel: &self.channel,
            area: self.area_id,
            submitted_at: self.submitted_at,
        }
    }
}

/// The slices a sent response counts in: all, its area, its language, its
/// channel, its week (from Monday), and each of its single-choice answers (cross-tabs).
fn slices(
    definition: &Definition,
    response: Placed,
    answers: &HashMap<i64, Answer>,
) -> Vec<String> {
    let mut slices = vec![
        String::new(),
        format!("lang:{}", response.locale),
        format!("channel:{}", response.channel),
    ];
    if let Some(area) = response.area {
        slices.push(format!("area:{area}"));
    }
    if let Some(at) = response.submitted_at {
        slices.push(format!(
            "week:{}",
            crate::ui::time::iso_date(super::results::week_start(at))
        ));
    }
    for (question, _, spec) in &definition.questions {
        if let (Kind::Single { .. }, Some(Answer::Choice(code))) =
            (&spec.kind, answers.get(question))
        {
            slices.push(format!("x:{question}:{code}"));
        }
    }
    slices
}

/// The counts one sent response adds to: (slice, question, cell) for
/// every slice it is in, every question it answered (`a`), every cell of
/// its answers, and the responses themselves (question 0).
pub fn counted_cells(
    definition: &Definition,
    response: Placed,
    answers: &HashMap<i64, Answer>,
) -> Vec<(String, i64, String)> {
    let mut cells: Vec<(i64, String)> = vec![(0, "responses".to_owned())];
    for (question, answer) in answers {
        cells.push((*question, "a".to_owned()));
        cells.extend(answer.cells().into_iter().map(|cell| (*question, cell)));
    }
    slices(definition, response, answers)
        .into_iter()
        .flat_map(|slice| {
            cells
                .iter()
                .map(move |(question, cell)| (slice.clone(), *question, cell.clone()))
        })
        .collect()
}

/// Adds (`delta` 1) or takes away (-1) a sent response's answers in the
/// counts, in one statement per thousand cells, in key order (so that two
/// transactions on PostgreSQL take their row locks in the same order).
async fn move_counts(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
    response: &ResponseRow,
    answers: &HashMap<i64, Answer>,
    delta: i64,
) -> Result<(), AppError> {
    let mut rows: BTreeMap<(String, i64, String), i64> = BTreeMap::new();
    for key in counted_cells(definition, response.placed(), answers) {
        *rows.entry(key).or_default() += delta;
    }
    add_counts(conn, definition.survey.id, &rows).await
}

/// Adds `rows` ((slice, question, cell) → change) to a survey's counts.
pub async fn add_counts(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    rows: &BTreeMap<(String, i64, String), i64>,
) -> Result<(), AppError> {
    let rows: Vec<_> = rows.iter().collect();
    for chunk in rows.chunks(1_000) {
        let sql = format!(
            "INSERT INTO survey_counts (survey_id, slice, question_id, cell, n) VALUES {}
             ON CONFLICT (survey_id, slice, question_id, cell) DO UPDATE SET n = survey_counts.n + excluded.n",
            crate::db::placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for ((slice, question, cell), n) in chunk {
            query = query
                .bind(survey)
                .bind(slice)
                .bind(*question)
                .bind(cell)
                .bind(**n);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves the count of likely duplicates (cell `dup`: sent responses that
/// share their network with another) as `response` is sent (`sign` 1) or
/// erased (-1): the first pair counts two, each one more counts one.
async fn move_duplicates(
    conn: &mut sqlx::AnyConnection,
    response: &ResponseRow,
    sign: i64,
) -> Result<(), AppError> {
    let Some(client) = &response.client_hash else {
        return Ok(());
    };
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM survey_responses
         WHERE survey_id = $1 AND client_hash = $2 AND id <> $3 AND submitted_at IS NOT NULL",
    )
    .bind(response.survey_id)
    .bind(client)
    .bind(response.id)
    .fetch_one(&mut *conn)
    .await?;
    let delta = match others {
        0 => 0,
        1 => 2,
        _ => 1,
    };
    if delta > 0 {
        let rows = BTreeMap::from([((String::new(), 0, "dup".to_owned()), sign * delta)]);
        add_counts(conn, response.survey_id, &rows).await?;
    }
    Ok(())
}

/// Counts a response recorded whole (sent already) in the results.
pub async fn count_sent(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
    response: i64,
) -> Result<(), AppError> {
    let row = response_by_id(conn, response)
        .await?
        .ok_or(AppError::NotFound)?;
    let answers: HashMap<i64, Answer> = answers_of(conn, definition, response)
        .await?
        .into_iter()
        .map(|(question, (_, answer))| (question, answer))
        .collect();
    move_counts(conn, definition, &row, &answers, 1).await?;
    sqlx::query(
        "UPDATE surveys SET first_response_at = COALESCE(first_response_at, $2) WHERE id = $1",
    )
    .bind(definition.survey.id)
    .bind(row.submitted_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a sent response out of the counts and deletes it with its
/// answers (their texts erased): an erasure.
pub async fn delete_response(
    conn: &mut sqlx::AnyConnection,
    response: i64,
) -> Result<(), AppError> {
    let Some(row) = response_by_id(conn, response).await? else {
        return Ok(());
    };
    let definition = definition(conn, row.survey_id).await?;
    let answers = answers_of(conn, &definition, response).await?;
    if row.submitted_at.is_some() {
        let plain: HashMap<i64, Answer> = answers
            .iter()
            .map(|(question, (_, answer))| (*question, answer.clone()))
            .collect();
        move_counts(conn, &definition, &row, &plain, -1).await?;
        move_duplicates(conn, &row, -1).await?;
    }
    let texts: Vec<i64> = answers
        .iter()
        .filter(|(question, _)| matches!(definition.kind_of(**question), Some(Kind::Text { .. })))
        .map(|(_, (answer_id, _))| *answer_id)
        .collect();
    for answer_id in texts {
        crate::input::db::erase_text(conn, Channel::SurveyAnswer, answer_id).await?;
    }
    sqlx::query("DELETE FROM survey_answers WHERE response_id = $1")
        .bind(response)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM survey_responses WHERE id = $1")
        .bind(response)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The surveys a reader sees listed: published ones not archived, newest
/// first, and those being built that they organise.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &Db,
    reader: Locale,
    grants: &[Grant],
    now: i64,
) -> Result<Vec<SurveySummary>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<SurveyRow> = sqlx::query_as(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE status <> 'archived' ORDER BY id DESC LIMIT 200"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let organiser = row.organised_by(grants);
        let openness = row.openness(now);
        if openness == Openness::Drafting && !organiser {
            continue;
        }
        let texts = Texts::load(&mut conn, &row, reader).await?;
        out.push(SurveySummary {
            id: row.id,
            title: texts.or_key("title", ""),
            openness,
            audience: row.audience()?,
            anonymous: row.anonymous != 0,
            results_visible: organiser || row.results_public(now),
            organiser,
        });
    }
    Ok(out)
}

/// A results filter: one slice, or a range of whole weeks (`from` a
/// Monday, `to` a Sunday, YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    All,
    Slice(String),
    Days { from: String, to: String },
}

/// A survey's results for a reader who may see them, under `filter`.
#[tracing::instrument(skip_all)]
pub async fn results(
    db: &Db,
    survey: i64,
    reader: Locale,
    grants: &[Grant],
    filter: &Filter,
    now: i64,
) -> Result<super::results::SurveyResults, AppError> {
    let mut conn = db.pool().acquire().await?;
    let definition = definition(&mut conn, survey).await?;
    let row = &definition.survey;
    let organiser = row.results_reader(grants, now)?;
    let texts = Texts::load(&mut conn, row, reader).await?;
    let views = question_views(&definition, &texts);
    let (whole, _) = counts_of(&mut conn, survey, &Filter::All).await?;
    let (sliced, weeks) = match filter {
        Filter::All => (None, HashMap::new()),
        other => {
            let (sliced, weeks) = counts_of(&mut conn, survey, other).await?;
            (Some(sliced), weeks)
        }
    };
    let no_weeks = Vec::new();
    let weeks_of = |question: i64| weeks.get(&question).unwrap_or(&no_weeks);
    let empty = HashMap::new();
    let pick =
        |counts: &HashMap<i64, HashMap<String, i64>>, question: i64| -> HashMap<String, i64> {
            counts
                .get(&question)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
    let questions: Vec<QuestionResult> = views
        .iter()
        .map(|question| {
            let whole_q = pick(&whole, question.id);
            match &sliced {
                None => question_result(
                    question,
                    &Counts {
                        slice: &whole_q,
                        whole: None,
                        weeks: &[],
                    },
                ),
                Some(sliced) => {
                    let slice_q = pick(sliced, question.id);
                    question_result(
                        question,
                        &Counts {
                            slice: &slice_q,
                            whole: Some(&whole_q),
                            weeks: weeks_of(question.id),
                        },
                    )
                }
            }
        })
        .collect();
    let total = |counts: &HashMap<i64, HashMap<String, i64>>, cell: &str| {
        counts
            .get(&0)
            .and_then(|cells| cells.get(cell))
            .copied()
            .unwrap_or(0)
    };
    let all_responses = total(&whole, "responses");
    let responses = match &sliced {
        None => all_responses,
        Some(sliced) => total(sliced, "responses"),
    };
    let small = |n: i64| n > 0 && n < super::results::SMALLEST_GROUP;
    let small_week = weeks_of(0)
        .iter()
        .any(|week| small(week.get("responses").copied().unwrap_or(0)));
    let responses_shown = (responses >= super::results::SMALLEST_GROUP
        && !(sliced.is_some() && small(all_responses - responses))
        && !small_week)
        .then_some(responses);
    let crosstabs = views
        .iter()
        .filter(|question| matches!(question.spec.kind, Kind::Single { .. }))
        .map(|question| super::results::CrossTab {
            number: question.number,
            prompt: question.prompt.clone(),
            options: question
                .options
                .iter()
                .map(|(code, label)| (format!("x:{}:{code}", question.id), label.clone()))
                .collect(),
        })
        .collect();
    let areas = crate::taxonomy::db::areas(db, reader)
        .await?
        .into_iter()
        .map(|area| (format!("area:{}", area.id), area.name))
        .collect();
    let languages: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT slice FROM survey_counts WHERE survey_id = $1 AND question_id = 0
         AND cell = 'responses' AND slice LIKE 'lang:%' ORDER BY slice",
    )
    .bind(survey)
    .fetch_all(&mut *conn)
    .await?;
    Ok(super::results::SurveyResults {
        id: survey,
        title: texts.or_key("title", ""),
        openness: row.openness(now),
        anonymous: row.anonymous != 0,
        public: row.results_public(now),
        organiser,
        responses: responses_shown,
        likely_duplicates: organiser.then(|| total(&whole, "dup")),
        questions,
        areas,
        languages,
        crosstabs,
    })
}

/// Counts as question → cell → count.
type Cells = HashMap<i64, HashMap<String, i64>>;

/// The counts of every question in a filter's slice, and for a range of
/// weeks (summed) each week's too, as question → its weeks' counts
/// (results rule 4).
async fn counts_of(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    filter: &Filter,
) -> Result<(Cells, HashMap<i64, Vec<HashMap<String, i64>>>), AppError> {
    // The primary key (survey_id, slice, question_id, cell) serves all.
    let rows: Vec<(String, i64, String, i64)> = match filter {
        Filter::All => sqlx::query_as(
            "SELECT slice, question_id, cell, n FROM survey_counts WHERE survey_id = $1 AND slice = ''",
        )
        .bind(survey)
        .fetch_all(&mut *conn)
        .await?,
        Filter::Slice(slice) => sqlx::query_as(
            "SELECT slice, question_id, cell, n FROM survey_counts WHERE survey_id = $1 AND slice = $2",
        )
        .bind(survey)
        .bind(slice)
        .fetch_all(&mut *conn)
        .await?,
        Filter::Days { from, to } => {
            sqlx::query_as(
                "SELECT slice, question_id, cell, n FROM survey_counts
                 WHERE survey_id = $1 AND slice >= $2 AND slice <= $3",
            )
            .bind(survey)
            .bind(format!("week:{from}"))
            .bind(format!("week:{to}"))
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut counts: Cells = HashMap::new();
    let mut by_week: BTreeMap<String, Cells> = BTreeMap::new();
    let ranged = matches!(filter, Filter::Days { .. });
    for (slice, question, cell, n) in rows {
        if n == 0 {
            continue;
        }
        if ranged {
            by_week
                .entry(slice)
                .or_default()
                .entry(question)
                .or_default()
                .insert(cell.clone(), n);
        }
        *counts.entry(question).or_default().entry(cell).or_default() += n;
    }
    let mut weeks: HashMap<i64, Vec<HashMap<String, i64>>> = HashMap::new();
    for week in by_week.into_values() {
        for (question, cells) in week {
            weeks.entry(question).or_default().push(cells);
        }
    }
    Ok((counts, weeks))
}

/// What surveys hold about people: who answered (in a survey that is not
/// anonymous), the network hash for likely duplicates, and the answers.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "surveys",
    tables: &[
        crate::personal_data::Table {
            name: "surveys",
            personal: &["created_by"],
            other: &[
                "id",
                "status",
                "audience",
                "anonymous",
                "results_public",
                "opens_at",
                "closes_at",
                "theme_id",
                "area_id",
                "source_locale",
                "created_at",
                "first_response_at",
            ],
        },
        crate::personal_data::Table {
            name: "survey_responses",
            personal: &["respondent", "user_id", "participant_id", "client_hash"],
            other: &[
                "id",
                "survey_id",
                "channel",
                "locale",
                "area_id",
                "sections_done",
                "sealed",
                "started_at",
                "submitted_at",
            ],
        },
        crate::personal_data::Table {
            name: "survey_answers",
            personal: &["value"],
            other: &["id", "response_id", "question_id"],
        },
    ],
    export: crate::personal_data::Export::By(export_responses),
    erase: &[],
    // The surveys a departing organiser built stay, without their name.
    unlink: &["UPDATE surveys SET created_by = NULL WHERE created_by = {account}"],
    erase_by: Some(erase_responses),
};

/// The subject's responses: those linked to them, and in anonymous
/// surveys those their keyed hash finds.
async fn responses_of_subject(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
) -> Result<Vec<i64>, AppError> {
    let linked_sql = subject
        .fill("SELECT id FROM survey_responses WHERE {subject}")
        .unwrap_or_default();
    let mut ids: Vec<i64> = if linked_sql.is_empty() {
        Vec::new()
    } else {
        sqlx::query_scalar(&linked_sql)
            .fetch_all(&mut *conn)
            .await?
    };
    let anonymous: Vec<i64> = sqlx::query_scalar("SELECT id FROM surveys WHERE anonymous <> 0")
        .fetch_all(&mut *conn)
        .await?;
    if anonymous.is_empty() {
        ids.sort_unstable();
        return Ok(ids);
    }
    let key = AddressKey::load(conn).await?;
    let mut who: Vec<Respondent> = subject
        .participants
        .iter()
        .map(|id| Respondent::Participant(*id))
        .collect();
    if let Some(account) = subject.account {
        who.push(Respondent::Account(account));
    }
    for survey in anonymous {
        for respondent in &who {
            if let Some(hash) = respondent.key(&key, survey)
                && let Some(id) = sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM survey_responses WHERE survey_id = $1 AND respondent = $2",
                )
                .bind(survey)
                .bind(&hash)
                .fetch_optional(&mut *conn)
                .await?
            {
                ids.push(id);
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn export_responses<'a>(
    conn: &'a mut sqlx::AnyConnection,
    subject: &'a crate::personal_data::Subject,
) -> futures::future::BoxFuture<'a, Result<serde_json::Value, AppError>> {
    Box::pin(async move {
        let ids = responses_of_subject(conn, subject).await?;
        if ids.is_empty() {
            return Ok(serde_json::Value::Array(Vec::new()));
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let responses = crate::personal_data::rows_as_json(
            conn,
            &format!(
                "SELECT id, survey_id, channel, locale, area_id, sections_done, started_at, submitted_at
                 FROM survey_responses WHERE id IN ({list}) ORDER BY id"
            ),
        )
        .await?;
        let answers = crate::personal_data::rows_as_json(
            conn,
            &format!(
                "SELECT a.response_id, a.question_id, a.value, i.original_text AS text
                 FROM survey_answers a
                 LEFT JOIN input_items i ON i.channel = 'survey_answer' AND i.source_id = a.id
                 WHERE a.response_id IN ({list}) ORDER BY a.response_id, a.question_id"
            ),
        )
        .await?;
        Ok(serde_json::json!({ "responses": responses, "answers": answers }))
    })
}

fn erase_responses<'a>(
    conn: &'a mut sqlx::AnyConnection,
    subject: &'a crate::personal_data::Subject,
    how: crate::personal_data::Erasure,
) -> futures::future::BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        for id in responses_of_subject(conn, subject).await? {
            match how {
                crate::personal_data::Erasure::Erase => delete_response(conn, id).await?,
                // Kept and counted, but no longer anyone's: nobody can
                // find or change it again.
                crate::personal_data::Erasure::Unlink => {
                    sqlx::query(
                        "UPDATE survey_responses SET user_id = NULL, participant_id = NULL, client_hash = NULL,
                                respondent = 'unlinked:' || CAST(id AS TEXT)
                         WHERE id = $1",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
        Ok(())
    })
}
