//! The organiser's side of a survey (server only): starting one, its
//! settings, adding sections, questions and options, removing a question,
//! its texts in each locale, publishing it; each checked against what the
//! survey's state allows (once responses arrived, no question goes and
//! none changes meaning) and audited.

use super::db::{Definition, SurveyRow, definition};
use super::questions::{Condition, Kind, Spec, Test};
use super::{Audience, EditorQuestion, EditorSection, SurveyEditor, SurveyTranslation};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::security::audit::{self, Action, Entry};
use crate::validation::{Field, Invalid, Problem};
use leptos_i18n::Locale as _;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::limits::{INTRO, LABEL, PROMPT, TITLE};

/// Who acts, for the audit log.
pub struct Organiser<'a> {
    pub id: i64,
    pub client_hash: &'a str,
}

/// A survey's settings as a form gives them.
pub struct Settings {
    pub audience: Audience,
    pub anonymous: bool,
    pub results_public: bool,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
}

impl Settings {
    pub fn parse(
        audience: &str,
        anonymous: &str,
        results_public: &str,
        opens: &str,
        closes: &str,
    ) -> Result<Self, Invalid> {
        let audience = Audience::parse(audience.trim())
            .ok_or(Invalid::new(Field::Selection, Problem::Unknown))?;
        let time = |text: &str| match text.trim() {
            "" => Ok(None),
            text => crate::ui::time::zone::parse_local(text)
                .map(Some)
                .ok_or(Invalid::new(Field::Date, Problem::Malformed)),
        };
        let (opens_at, closes_at) = (time(opens)?, time(closes)?);
        if let (Some(opens), Some(closes)) = (opens_at, closes_at)
            && closes <= opens
        {
            return Err(Invalid::new(Field::Date, Problem::Malformed));
        }
        Ok(Self {
            audience,
            anonymous: !anonymous.is_empty(),
            results_public: !results_public.is_empty(),
            opens_at,
            closes_at,
        })
    }
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    action: Action,
    target: &str,
) -> Result<(), AppError> {
    audit::record(
        &mut *conn,
        &Entry {
            actor: Some(who.id),
            action,
            target,
            client_hash: who.client_hash,
        },
    )
    .await
}

/// Starts a survey of `theme` or `area` (one of them), being built, with
/// one section; returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn start_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    locale: Locale,
    title: &str,
    intro: &str,
    scope: (Option<i64>, Option<i64>),
    settings: &Settings,
    now: i64,
) -> Result<i64, AppError> {
    let title = TITLE.check(title)?;
    let intro = match intro.trim() {
        "" => None,
        text => Some(INTRO.check(text)?),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (status, audience, anonymous, results_public, opens_at, closes_at, theme_id, area_id, source_locale, created_by, created_at)
         VALUES ('drafting', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(settings.audience.as_str())
    .bind(i64::from(settings.anonymous))
    .bind(i64::from(settings.results_public))
    .bind(settings.opens_at)
    .bind(settings.closes_at)
    .bind(scope.0)
    .bind(scope.1)
    .bind(locale.as_str())
    .bind(who.id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO survey_sections (survey_id, position) VALUES ($1, 0)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    write_text(conn, id, locale.as_str(), "title", &title).await?;
    if let Some(intro) = intro {
        write_text(conn, id, locale.as_str(), "intro", &intro).await?;
    }
    record(conn, who, Action::SurveyCreate, &format!("survey:{id}")).await?;
    Ok(id)
}

async fn write_text(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
    locale: &str,
    key: &str,
    text: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO survey_texts (survey_id, locale, text_key, text) VALUES ($1, $2, $3, $4)
         ON CONFLICT (survey_id, locale, text_key) DO UPDATE SET text = excluded.text",
    )
    .bind(survey)
    .bind(locale)
    .bind(key)
    .bind(text)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Changes the settings: all of them while it is being built; once
/// published only when it closes and whether its results are public
/// (who may answer, and how anonymously, stay what respondents were told).
pub async fn save_settings_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    survey: &SurveyRow,
    settings: &Settings,
) -> Result<(), AppError> {
    if survey.status == "drafting" {
        sqlx::query(
            "UPDATE surveys SET audience = $2, anonymous = $3, results_public = $4, opens_at = $5, closes_at = $6 WHERE id = $1",
        )
        .bind(survey.id)
        .bind(settings.audience.as_str())
        .bind(i64::from(settings.anonymous))
        .bind(i64::from(settings.results_public))
        .bind(settings.opens_at)
        .bind(settings.closes_at)
        .execute(&mut *conn)
        .await?;
    } else {
        let same = survey.audience == settings.audience.as_str()
            && (survey.anonymous != 0) == settings.anonymous;
        if !same {
            return Err(AppError::NotNow);
        }
        sqlx::query("UPDATE surveys SET results_public = $2, closes_at = $3 WHERE id = $1")
            .bind(survey.id)
            .bind(i64::from(settings.results_public))
            .bind(settings.closes_at)
            .execute(&mut *conn)
            .await?;
    }
    record(
        conn,
        who,
        Action::SurveyEdit,
        &format!("survey:{} settings", survey.id),
    )
    .await
}

/// Adds a section (a page) at the end.
pub async fn add_section_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    survey: &SurveyRow,
    title: &str,
) -> Result<i64, AppError> {
    let title = LABEL.check(title)?;
    let position: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) FROM survey_sections WHERE survey_id = $1",
    )
    .bind(survey.id)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO survey_sections (survey_id, position) VALUES ($1, $2) RETURNING id",
    )
    .bind(survey.id)
    .bind(position)
    .fetch_one(&mut *conn)
    .await?;
    write_text(
        conn,
        survey.id,
        &survey.source_locale,
        &format!("section.{id}"),
        &title,
    )
    .await?;
    record(
        conn,
        who,
        Action::SurveyEdit,
        &format!("survey:{} section:{id}", survey.id),
    )
    .await?;
    Ok(id)
}

/// A question as the builder's form gives it: its rules, and its texts in
/// the survey's own language.
pub struct NewQuestion {
    pub spec: Spec,
    pub prompt: String,
    pub help: Option<String>,
    pub unit: Option<String>,
    /// Labels of options or statements, by code.
    pub labels: Vec<(String, String)>,
    /// A Likert scale's point labels, from 1.
    pub scale: Vec<String>,
}

/// Codes for labels: each label's letters and digits, or `o1`, `o2`…
/// where a label has none in a–z (a label in Arabic script).
pub fn codes_for(labels: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    labels
        .iter()
        .enumerate()
        .map(|(at, label)| {
            let slug: String = label
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
                .split('-')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            let mut code: String = slug.chars().take(24).collect();
            if code.is_empty() {
                code = format!("o{}", at + 1);
            }
            let base = code.clone();
            let mut n = 2;
            while !taken.insert(code.clone()) {
                code = format!("{base}-{n}");
                n += 1;
            }
            code
        })
        .collect()
}

/// Adds a question at the end of section `section`, its rules checked
/// against the questions before it. Once responses arrived only optional
/// questions may be added (earlier respondents did not see them).
pub async fn add_question_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    definition: &Definition,
    section: i64,
    question: &NewQuestion,
    answered: bool,
) -> Result<i64, AppError> {
    let survey = &definition.survey;
    if !definition.sections.contains(&section) {
        return Err(Invalid::new(Field::Section, Problem::Unknown).into());
    }
    if answered && question.spec.required {
        return Err(AppError::NotNow);
    }
    let prompt = PROMPT.check(&question.prompt)?;
    // The questions before it: every section up to this one.
    let at_section = definition
        .sections
        .iter()
        .position(|s| *s == section)
        .unwrap_or(0);
    let before: Vec<(i64, &Spec)> = definition
        .questions
        .iter()
        .filter(|(_, on, _)| {
            definition
                .sections
                .iter()
                .position(|s| s == on)
                .unwrap_or(usize::MAX)
                <= at_section
        })
        .map(|(id, _, spec)| (*id, spec))
        .collect();
    question
        .spec
        .check(&before)
        .map_err(|_| Invalid::new(Field::Section, Problem::Malformed))?;
    let position: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), -1) + 1 AS BIGINT) FROM survey_questions WHERE section_id = $1",
    )
    .bind(section)
    .fetch_one(&mut *conn)
    .await?;
    let json = serde_json::to_string(&question.spec)
        .map_err(|error| AppError::internal(anyhow::anyhow!("a question spec: {error}")))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO survey_questions (survey_id, section_id, position, spec) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(survey.id)
    .bind(section)
    .bind(position)
    .bind(json)
    .fetch_one(&mut *conn)
    .await?;
    let locale = survey.source_locale.as_str();
    write_text(conn, survey.id, locale, &format!("q.{id}.prompt"), &prompt).await?;
    if let Some(help) = question.help.as_deref().filter(|h| !h.trim().is_empty()) {
        write_text(
            conn,
            survey.id,
            locale,
            &format!("q.{id}.help"),
            &PROMPT.check(help)?,
        )
        .await?;
    }
    if let Some(unit) = question.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        write_text(
            conn,
            survey.id,
            locale,
            &format!("q.{id}.unit"),
            &LABEL.check(unit)?,
        )
        .await?;
    }
    let kind = match question.spec.kind {
        Kind::Likert { .. } => "statement",
        _ => "option",
    };
    for (code, label) in &question.labels {
        write_text(
            conn,
            survey.id,
            locale,
            &format!("q.{id}.{kind}.{code}"),
            &LABEL.check(label)?,
        )
        .await?;
    }
    for (at, label) in question.scale.iter().enumerate() {
        if !label.trim().is_empty() {
            write_text(
                conn,
                survey.id,
                locale,
                &format!("q.{id}.scale.{}", at + 1),
                &LABEL.check(label)?,
            )
            .await?;
        }
    }
    record(
        conn,
        who,
        Action::SurveyEdit,
        &format!("survey:{} question:{id} added", survey.id),
    )
    .await?;
    Ok(id)
}

/// Adds an option to a choice or ranking question (allowed at any time:
/// the earlier answers keep their meaning).
pub async fn add_option_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    definition: &Definition,
    question: i64,
    label: &str,
) -> Result<(), AppError> {
    let label = LABEL.check(label)?;
    let (_, _, spec) = definition
        .questions
        .iter()
        .find(|(id, _, _)| *id == question)
        .ok_or(AppError::NotFound)?;
    let mut new = spec.clone();
    let options = match &mut new.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } | Kind::Ranking { options } => {
            options
        }
        _ => return Err(Invalid::new(Field::Selection, Problem::Malformed).into()),
    };
    let mut labels: Vec<String> = options.clone();
    labels.push(label.clone());
    let code = codes_for(&labels).pop().unwrap_or_default();
    // The code must be new even when its label repeats an old code.
    let code = if options.contains(&code) {
        format!("o{}", options.len() + 1)
    } else {
        code
    };
    options.push(code.clone());
    if !spec.keeps_meaning(&new) {
        return Err(AppError::NotNow);
    }
    let earlier: Vec<(i64, &Spec)> = definition
        .questions
        .iter()
        .take_while(|(id, _, _)| *id != question)
        .map(|(id, _, spec)| (*id, spec))
        .collect();
    new.check(&earlier)
        .map_err(|_| Invalid::new(Field::Selection, Problem::Malformed))?;
    let json = serde_json::to_string(&new)
        .map_err(|error| AppError::internal(anyhow::anyhow!("a question spec: {error}")))?;
    sqlx::query("UPDATE survey_questions SET spec = $2 WHERE id = $1")
        .bind(question)
        .bind(json)
        .execute(&mut *conn)
        .await?;
    let survey = &definition.survey;
    write_text(
        conn,
        survey.id,
        &survey.source_locale,
        &format!("q.{question}.option.{code}"),
        &label,
    )
    .await?;
    record(
        conn,
        who,
        Action::SurveyEdit,
        &format!(
            "survey:{} question:{question} option:{code} added",
            survey.id
        ),
    )
    .await
}

/// Removes a question, while nobody answered and no other question's
/// condition names it.
pub async fn remove_question_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    definition: &Definition,
    question: i64,
    answered: bool,
) -> Result<(), AppError> {
    if answered {
        return Err(AppError::NotNow);
    }
    if !definition
        .questions
        .iter()
        .any(|(id, _, _)| *id == question)
    {
        return Err(AppError::NotFound);
    }
    let named = definition.questions.iter().any(|(_, _, spec)| {
        spec.show_if
            .as_ref()
            .is_some_and(|condition| condition.question == question)
    });
    if named {
        return Err(AppError::NotNow);
    }
    let survey = definition.survey.id;
    sqlx::query("DELETE FROM survey_questions WHERE id = $1 AND survey_id = $2")
        .bind(question)
        .bind(survey)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM survey_texts WHERE survey_id = $1 AND text_key LIKE $2")
        .bind(survey)
        .bind(format!("q.{question}.%"))
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        who,
        Action::SurveyEdit,
        &format!("survey:{survey} question:{question} removed"),
    )
    .await
}

/// Publishes a survey being built: every section needs a question.
pub async fn publish_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    definition: &Definition,
    now: i64,
) -> Result<(), AppError> {
    if definition.survey.status != "drafting" {
        return Err(AppError::NotNow);
    }
    let empty = definition
        .sections
        .iter()
        .any(|section| definition.section_questions(*section).is_empty());
    if empty {
        return Err(Invalid::new(Field::Section, Problem::Empty).into());
    }
    sqlx::query(
        "UPDATE surveys SET status = 'published', opens_at = COALESCE(opens_at, $2) WHERE id = $1",
    )
    .bind(definition.survey.id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    record(
        conn,
        who,
        Action::SurveyPublish,
        &format!("survey:{}", definition.survey.id),
    )
    .await
}

/// Every text key of a survey in its own language, in reading order,
/// with what it is (for the translation form).
fn keys_in_order(
    definition: &Definition,
    source: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut keys = vec![("title".to_owned(), "title".to_owned())];
    if source.contains_key("intro") {
        keys.push(("intro".to_owned(), "intro".to_owned()));
    }
    let mut number = 0;
    for section in &definition.sections {
        let key = format!("section.{section}");
        if source.contains_key(&key) {
            keys.push((key, "section".to_owned()));
        }
        for (id, on, _) in &definition.questions {
            if on != section {
                continue;
            }
            number += 1;
            let prefix = format!("q.{id}.");
            let mut own: Vec<&String> = source
                .keys()
                .filter(|key| key.starts_with(&prefix))
                .collect();
            // The prompt first, then help, unit, options, statements, scale.
            own.sort_by_key(|key| {
                let part = &key[prefix.len()..];
                let rank = ["prompt", "help", "unit", "option", "statement", "scale"]
                    .iter()
                    .position(|p| part.starts_with(p))
                    .unwrap_or(9);
                (rank, (*key).clone())
            });
            for key in own {
                keys.push((key.clone(), format!("{number}")));
            }
        }
    }
    keys
}

async fn texts_of(
    conn: &mut sqlx::AnyConnection,
    survey: i64,
) -> Result<BTreeMap<String, HashMap<String, String>>, AppError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT locale, text_key, text FROM survey_texts WHERE survey_id = $1")
            .bind(survey)
            .fetch_all(&mut *conn)
            .await?;
    let mut texts: BTreeMap<String, HashMap<String, String>> = BTreeMap::new();
    for (locale, key, text) in rows {
        texts.entry(locale).or_default().insert(key, text);
    }
    Ok(texts)
}

/// The editor's view of survey `id`.
pub async fn editor(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    now: i64,
) -> Result<SurveyEditor, AppError> {
    let definition = definition(conn, id).await?;
    let survey = &definition.survey;
    let texts = texts_of(conn, id).await?;
    let empty = HashMap::new();
    let source = texts.get(&survey.source_locale).unwrap_or(&empty);
    let text = |key: &str| source.get(key).cloned().unwrap_or_default();
    let mut number = 0;
    let sections = definition
        .sections
        .iter()
        .map(|section| EditorSection {
            id: *section,
            title: text(&format!("section.{section}")),
            questions: definition
                .questions
                .iter()
                .filter(|(_, on, _)| on == section)
                .map(|(qid, _, spec)| {
                    number += 1;
                    let kind = match spec.kind {
                        Kind::Likert { .. } => "statement",
                        _ => "option",
                    };
                    let codes: &[String] = match &spec.kind {
                        Kind::Likert { statements, .. } => statements,
                        other => other.options(),
                    };
                    EditorQuestion {
                        id: *qid,
                        number,
                        spec: spec.clone(),
                        prompt: text(&format!("q.{qid}.prompt")),
                        options: codes
                            .iter()
                            .map(|code| (code.clone(), text(&format!("q.{qid}.{kind}.{code}"))))
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let keys = keys_in_order(&definition, source);
    let missing = crate::i18n::Locale::get_all()
        .iter()
        .map(|locale| locale.as_str())
        .filter(|locale| *locale != survey.source_locale)
        .map(|locale| {
            let have = texts.get(locale);
            let lacking = keys
                .iter()
                .filter(|(key, _)| have.is_none_or(|have| !have.contains_key(key)))
                .count();
            (locale.to_owned(), lacking)
        })
        .collect();
    let batches: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT b.id, b.size, CAST((SELECT COUNT(*) FROM survey_codes c WHERE c.batch_id = b.id AND c.used_at IS NOT NULL) AS BIGINT)
         FROM survey_code_batches b WHERE b.survey_id = $1 ORDER BY b.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(SurveyEditor {
        id,
        drafting: survey.status == "drafting",
        answered: survey.first_response_at.is_some(),
        openness: survey.openness(now),
        source_locale: survey.source_locale.clone(),
        title: text("title"),
        intro: text("intro"),
        audience: survey.audience()?,
        anonymous: survey.anonymous != 0,
        results_public: survey.results_public != 0,
        opens_at: survey.opens_at.map(crate::ui::time::zone::moment),
        closes_at: survey.closes_at.map(crate::ui::time::zone::moment),
        zone: crate::ui::time::zone::name(),
        sections,
        missing,
        batches,
    })
}

/// The texts of survey `id` in `locale` beside its own language's.
pub async fn translation(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    locale: &str,
) -> Result<SurveyTranslation, AppError> {
    let definition = definition(conn, id).await?;
    let texts = texts_of(conn, id).await?;
    let empty = HashMap::new();
    let source = texts
        .get(&definition.survey.source_locale)
        .unwrap_or(&empty);
    let target = texts.get(locale).unwrap_or(&empty);
    Ok(SurveyTranslation {
        id,
        title: source.get("title").cloned().unwrap_or_default(),
        locale: locale.to_owned(),
        source_locale: definition.survey.source_locale.clone(),
        texts: keys_in_order(&definition, source)
            .into_iter()
            .map(|(key, what)| {
                let original = source.get(&key).cloned().unwrap_or_default();
                let translated = target.get(&key).cloned().unwrap_or_default();
                (key, what, original, translated)
            })
            .collect(),
    })
}

/// Writes the texts of `locale` (only keys the survey's own language
/// has; an empty one removes a translation). In the survey's own
/// language, a correction of wording once responses arrived is audited
/// text by text, and a text cannot be emptied.
pub async fn save_texts_in(
    conn: &mut sqlx::AnyConnection,
    who: &Organiser<'_>,
    definition: &Definition,
    locale: &str,
    given: &HashMap<String, String>,
    answered: bool,
) -> Result<usize, AppError> {
    if crate::locale::parse_locale(locale).is_none() {
        return Err(Invalid::new(Field::Language, Problem::Unknown).into());
    }
    let survey = &definition.survey;
    let texts = texts_of(conn, survey.id).await?;
    let empty = HashMap::new();
    let source = texts.get(&survey.source_locale).unwrap_or(&empty);
    let current = texts.get(locale).unwrap_or(&empty);
    let own = locale == survey.source_locale;
    let mut changed = 0;
    for (key, text) in given {
        let Some(original) = source.get(key) else {
            return Err(Invalid::new(Field::Selection, Problem::Unknown).into());
        };
        let bounds = match key.as_str() {
            "title" => TITLE,
            "intro" => INTRO,
            _ if original.contains('\n') || key.ends_with(".prompt") || key.ends_with(".help") => {
                PROMPT
            }
            _ => LABEL,
        };
        let text = text.trim();
        if text.is_empty() {
            if own {
                return Err(Invalid::new(bounds.field, Problem::Empty).into());
            }
            if current.contains_key(key) {
                sqlx::query("DELETE FROM survey_texts WHERE survey_id = $1 AND locale = $2 AND text_key = $3")
                    .bind(survey.id)
                    .bind(locale)
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
                changed += 1;
            }
            continue;
        }
        let text = bounds.check(text)?;
        if current.get(key) == Some(&text) {
            continue;
        }
        write_text(conn, survey.id, locale, key, &text).await?;
        changed += 1;
        if own && answered {
            record(
                conn,
                who,
                Action::SurveyEdit,
                &format!("survey:{} text:{key} corrected", survey.id),
            )
            .await?;
        }
    }
    if changed > 0 && !(own && answered) {
        record(
            conn,
            who,
            Action::SurveyEdit,
            &format!("survey:{} texts:{locale}", survey.id),
        )
        .await?;
    }
    Ok(changed)
}

/// A question's rules from the builder's form fields.
#[allow(clippy::too_many_arguments)]
pub fn spec_from_form(
    kind: &str,
    required: bool,
    option_count: usize,
    min: &str,
    max: &str,
    points: &str,
    decimals: &str,
    earliest: &str,
    latest: &str,
    condition: Option<(i64, &str, &str)>,
) -> Result<Spec, Invalid> {
    let number = |text: &str, default: i64| -> Result<i64, Invalid> {
        match text.trim() {
            "" => Ok(default),
            text => text
                .parse()
                .map_err(|_| Invalid::new(Field::Number, Problem::Malformed)),
        }
    };
    let count = |text: &str, default: u32| -> Result<u32, Invalid> {
        u32::try_from(number(text, i64::from(default))?)
            .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))
    };
    let placeholder = |n: usize| (1..=n).map(|at| format!("o{at}")).collect::<Vec<_>>();
    let all = u32::try_from(option_count).unwrap_or(0);
    let kind = match kind {
        "single" => Kind::Single {
            options: placeholder(option_count),
        },
        "multiple" => Kind::Multiple {
            options: placeholder(option_count),
            min: count(min, 1)?,
            max: count(max, all)?,
        },
        "likert" => Kind::Likert {
            statements: placeholder(option_count),
            points: u8::try_from(number(points, 5)?)
                .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
        },
        "number" => Kind::Number {
            min: number(min, 0)?,
            max: number(max, 100)?,
            decimals: u8::try_from(number(decimals, 0)?)
                .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
        },
        "text" => Kind::Text {
            max: count(max, 1_000)?,
        },
        "ranking" => Kind::Ranking {
            options: placeholder(option_count),
        },
        "date" => Kind::Date {
            earliest: Some(earliest.trim().to_owned()).filter(|d| !d.is_empty()),
            latest: Some(latest.trim().to_owned()).filter(|d| !d.is_empty()),
        },
        _ => return Err(Invalid::new(Field::Selection, Problem::Unknown)),
    };
    let show_if = match condition {
        None => None,
        Some((question, test, value)) => Some(Condition {
            question,
            test: match test {
                "equals" => Test::Equals(value.trim().to_owned()),
                "includes" => Test::Includes(value.trim().to_owned()),
                "at_least" => Test::AtLeast(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                ),
                "at_most" => Test::AtMost(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                ),
                _ => return Err(Invalid::new(Field::Selection, Problem::Unknown)),
            },
        }),
    };
    Ok(Spec {
        required,
        show_if,
        kind,
    })
}

/// Gives a spec's placeholder option codes (`o1`…) the codes of their labels.
pub fn with_codes(mut spec: Spec, codes: &[String]) -> Spec {
    match &mut spec.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } | Kind::Ranking { options } => {
            *options = codes.to_vec();
        }
        Kind::Likert { statements, .. } => *statements = codes.to_vec(),
        _ => {}
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_codes_that_differ() {
        let labels = ["Bus stops", "The park", "الحديقة", "Bus stops!"].map(str::to_owned);
        assert_eq!(
            codes_for(&labels),
            vec!["bus-stops", "the-park", "o3", "bus-stops-2"]
        );
    }

    #[test]
    fn a_builders_form_becomes_rules() {
        let spec = spec_from_form("multiple", true, 4, "1", "2", "", "", "", "", None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            spec.kind,
            Kind::Multiple {
                options: vec!["o1".into(), "o2".into(), "o3".into(), "o4".into()],
                min: 1,
                max: 2
            }
        );
        let conditional = spec_from_form(
            "text",
            false,
            0,
            "",
            "300",
            "",
            "",
            "",
            "",
            Some((7, "at_least", "3")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            conditional.show_if,
            Some(Condition {
                question: 7,
                test: Test::AtLeast(3.0)
            })
        );
        assert!(spec_from_form("essay", false, 0, "", "", "", "", "", "", None).is_err());
        assert!(spec_from_form("number", false, 0, "ten", "", "", "", "", "", None).is_err());
    }
}
