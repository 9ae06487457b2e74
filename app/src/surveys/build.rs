//! Making surveys (server only): a whole survey written at once, checked
//! first (`create_in`, for the demo town and the builder), invitation
//! codes, and complete responses recorded at once (paper and telephone
//! responses, the demo's responses), counted like those answered online.

use super::Audience;
use super::db::Definition;
use super::questions::{Answer, Spec};
use crate::channel::Channel;
use crate::error::AppError;
use crate::input::contribute::{Contribution, Contributor, record};
use crate::security::AddressKey;
use crate::validation::{Field, Invalid, Problem};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Texts by locale, then by key.
pub type Texts = BTreeMap<String, BTreeMap<String, String>>;

/// A survey to create. Every text is given per locale; the survey's own
/// keys are `title` and `intro`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewSurvey {
    pub source_locale: String,
    #[serde(default)]
    pub theme: Option<i64>,
    #[serde(default)]
    pub area: Option<i64>,
    pub audience: Audience,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub results_public: bool,
    /// `drafting` or `published`.
    pub status: String,
    #[serde(default)]
    pub opens_at: Option<i64>,
    #[serde(default)]
    pub closes_at: Option<i64>,
    pub texts: Texts,
    pub sections: Vec<NewSection>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewSection {
    /// The section's title per locale.
    pub titles: BTreeMap<String, String>,
    pub questions: Vec<NewQuestion>,
}

/// A question. Its condition names an earlier question by its number in
/// the survey (from 1); its texts' keys are `prompt`, `help`, `unit`,
/// `option.{code}`, `statement.{code}`, `scale.{point}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewQuestion {
    pub spec: Spec,
    pub texts: Texts,
}

/// Creates `survey` in the caller's transaction, after checking every
/// question's rules; returns its id.
#[tracing::instrument(skip_all)]
pub async fn create_in(
    conn: &mut sqlx::AnyConnection,
    survey: &NewSurvey,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64, AppError> {
    if crate::locale::parse_locale(&survey.source_locale).is_none() {
        return Err(Invalid::new(Field::Language, Problem::Unknown).into());
    }
    if !matches!(survey.status.as_str(), "drafting" | "published") {
        return Err(Invalid::new(Field::Status, Problem::Unknown).into());
    }
    if survey.sections.is_empty() || survey.sections.iter().any(|s| s.questions.is_empty()) {
        return Err(Invalid::new(Field::Section, Problem::Empty).into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (status, audience, anonymous, results_public, opens_at, closes_at, theme_id, area_id, source_locale, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&survey.status)
    .bind(survey.audience.as_str())
    .bind(i64::from(survey.anonymous))
    .bind(i64::from(survey.results_public))
    .bind(survey.opens_at)
    .bind(survey.closes_at)
    .bind(survey.theme)
    .bind(survey.area)
    .bind(&survey.source_locale)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let mut texts: Vec<(String, String, String)> = Vec::new();
    for (locale, keyed) in &survey.texts {
        for (key, text) in keyed {
            texts.push((locale.clone(), key.clone(), text.clone()));
        }
    }
    // Question numbers (from 1) to ids, for conditions.
    let mut ids: Vec<i64> = Vec::new();
    let mut specs: Vec<(i64, Spec)> = Vec::new();
    for (position, section) in (0_i64..).zip(&survey.sections) {
        let section_id: i64 = sqlx::query_scalar(
            "INSERT INTO survey_sections (survey_id, position) VALUES ($1, $2) RETURNING id",
        )
        .bind(id)
        .bind(position)
        .fetch_one(&mut *conn)
        .await?;
        for (locale, title) in &section.titles {
            texts.push((
                locale.clone(),
                format!("section.{section_id}"),
                title.clone(),
            ));
        }
        for (at, question) in (0_i64..).zip(&section.questions) {
            let mut spec = question.spec.clone();
            if let Some(condition) = &mut spec.show_if {
                let number = usize::try_from(condition.question).unwrap_or(0);
                condition.question = number
                    .checked_sub(1)
                    .and_then(|at| ids.get(at))
                    .copied()
                    .ok_or(Invalid::new(Field::Section, Problem::Malformed))?;
            }
            let earlier: Vec<(i64, &Spec)> = specs.iter().map(|(id, spec)| (*id, spec)).collect();
            spec.check(&earlier)
                .map_err(|_| Invalid::new(Field::Section, Problem::Malformed))?;
            let json = serde_json::to_string(&spec)
                .map_err(|error| AppError::internal(anyhow::anyhow!("a question spec: {error}")))?;
            let question_id: i64 = sqlx::query_scalar(
                "INSERT INTO survey_questions (survey_id, section_id, position, spec) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(id)
            .bind(section_id)
            .bind(at)
            .bind(json)
            .fetch_one(&mut *conn)
            .await?;
            for (locale, keyed) in &question.texts {
                for (key, text) in keyed {
                    texts.push((
                        locale.clone(),
                        format!("q.{question_id}.{key}"),
                        text.clone(),
                    ));
                }
            }
            ids.push(question_id);
            specs.push((question_id, spec));
        }
    }
    for chunk in texts.chunks(500) {
        let sql = format!(
            "INSERT INTO survey_texts (survey_id, locale, text_key, text) VALUES {}",
            crate::db::placeholders(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for (locale, key, text) in chunk {
            query = query.bind(id).bind(locale).bind(key).bind(text);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(id)
}

/// Codes in one batch at most (a sheet of cards to print).
pub const MAX_BATCH: usize = 500;

/// Code `index` of batch `batch` of `survey`: `ABCD-EFGH`, from letters
/// and digits that cannot be mistaken for one another, derived from the
/// server's key (so the batch's sheet can be printed again; nobody without
/// the key can work one out).
pub fn batch_code(key: &AddressKey, survey: i64, batch: i64, index: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let digest = key.hash_secret(b"survey-code-sheet", &format!("{survey}:{batch}:{index}"));
    let letters: String = digest
        .as_bytes()
        .chunks(2)
        .take(8)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            char::from(ALPHABET[usize::from(byte) % ALPHABET.len()])
        })
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// Makes a batch of `count` single-use invitation codes for `survey`,
/// storing their keyed hashes; returns the batch's id.
pub async fn create_codes_in(
    conn: &mut sqlx::AnyConnection,
    key: &AddressKey,
    survey: i64,
    count: usize,
    now: i64,
) -> Result<i64, AppError> {
    if count == 0 || count > MAX_BATCH {
        return Err(Invalid::new(Field::Number, Problem::TooLong { max: 500 }).into());
    }
    let batch: i64 = sqlx::query_scalar(
        "INSERT INTO survey_code_batches (survey_id, size, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(survey)
    .bind(i64::try_from(count).unwrap_or(0))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let codes: Vec<String> = (0..count)
        .map(|index| batch_code(key, survey, batch, index))
        .collect();
    for chunk in codes.chunks(250) {
        let sql = format!(
            "INSERT INTO survey_codes (survey_id, batch_id, code_hash, created_at) VALUES {} ON CONFLICT DO NOTHING",
            crate::db::placeholders(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for code in chunk {
            query = query
                .bind(survey)
                .bind(batch)
                .bind(super::db::code_hash(key, survey, code))
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(batch)
}

/// The codes of batch `batch` of `survey`, with whether each was used.
pub async fn batch_codes(
    conn: &mut sqlx::AnyConnection,
    key: &AddressKey,
    survey: i64,
    batch: i64,
) -> Result<Vec<(String, bool)>, AppError> {
    let size: i64 =
        sqlx::query_scalar("SELECT size FROM survey_code_batches WHERE id = $1 AND survey_id = $2")
            .bind(batch)
            .bind(survey)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    let used: std::collections::HashSet<String> = sqlx::query_scalar(
        "SELECT code_hash FROM survey_codes WHERE batch_id = $1 AND used_at IS NOT NULL",
    )
    .bind(batch)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    Ok((0..usize::try_from(size).unwrap_or(0))
        .map(|index| {
            let code = batch_code(key, survey, batch, index);
            let spent = used.contains(&super::db::code_hash(key, survey, &code));
            (code, spent)
        })
        .collect())
}

/// A complete response from outside the web form (a paper or telephone
/// answer, typed in; the demo's).
#[derive(Debug, Clone)]
pub struct WholeResponse {
    pub answers: HashMap<i64, Answer>,
    /// `online` or `paper`.
    pub channel: &'static str,
    pub locale: String,
    pub area: Option<i64>,
    pub at: i64,
}

/// Records whole responses to `definition`'s survey, each sent, counted
/// and sealed (nobody can change a paper response online), their free
/// texts as input items of nobody in particular.
pub async fn record_whole_in(
    conn: &mut sqlx::AnyConnection,
    definition: &Definition,
    responses: &[WholeResponse],
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(responses.len());
    let now = crate::security::now_millis();
    for response in responses {
        // A paper response reaches Parley when it is typed in or imported.
        let received = (response.channel == "paper").then_some(now);
        let at = if definition.survey.anonymous != 0 {
            response.at.div_euclid(86_400_000) * 86_400_000
        } else {
            response.at
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO survey_responses (survey_id, respondent, channel, locale, area_id, sections_done, sealed, started_at, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(definition.survey.id)
        .bind(format!("sealed:{}", crate::auth::session::new_token()?))
        .bind(response.channel)
        .bind(&response.locale)
        .bind(response.area)
        .bind(i64::try_from(definition.sections.len()).unwrap_or(0))
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        let mut texts: Vec<(i64, String)> = Vec::new();
        for (question, answer) in &response.answers {
            let answer_id: i64 = sqlx::query_scalar(
                "INSERT INTO survey_answers (response_id, question_id, value) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(id)
            .bind(question)
            .bind(answer.store())
            .fetch_one(&mut *conn)
            .await?;
            if let Answer::Text(text) = answer {
                texts.push((answer_id, text.clone()));
            }
        }
        let contributions: Vec<Contribution> = texts
            .iter()
            .map(|(answer_id, text)| Contribution {
                channel: Channel::SurveyAnswer,
                source_id: *answer_id,
                draft: None,
                area: response.area,
                contributor: Contributor::Unknown,
                text,
                language_hint: Some(&response.locale),
                at,
                received,
            })
            .collect();
        record(conn, &contributions).await?;
        super::db::count_sent(conn, definition, id).await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Checks a whole response against the survey's rules as the web form
/// would (every section at once): the answers kept, or what is wrong.
pub fn check_whole(
    definition: &Definition,
    fields: &HashMap<String, String>,
) -> Result<HashMap<i64, Answer>, Vec<super::questions::AnswerIssue>> {
    let specs = definition.specs();
    let all: Vec<i64> = definition.questions.iter().map(|(id, _, _)| *id).collect();
    super::questions::check_section(&specs, &all, &HashMap::new(), fields)
}
