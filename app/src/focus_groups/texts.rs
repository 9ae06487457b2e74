//! A session's texts by language: its organiser corrects them in the
//! session's own language and translates them into the others. A consent
//! text somebody agreed to is never changed in place: a change makes a
//! new version (with every language's text of the old one carried over),
//! each sign-up keeps the version it agreed to, and the sign-up form
//! refuses an agreement to a version no longer in force.

use super::SessionTexts;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::surveys::questions::Spec;
use crate::validation::{Bounds, Field, Invalid, Problem};
use leptos_i18n::Locale as _;
use std::collections::{BTreeMap, HashMap};

/// What a text is, and the bounds its wording must keep.
fn bounds(key: &str) -> Bounds {
    match key {
        "topic" => Bounds::line(Field::Title, 3, 200),
        "description" => Bounds::text(Field::Body, 1, 20_000),
        "accessibility" => Bounds::text(Field::Needs, 1, 2000),
        _ if key.starts_with("consent.") => Bounds::text(Field::Consent, 10, 10_000),
        _ if key.matches('.').count() == 1 => Bounds::line(Field::Question, 3, 300),
        _ => Bounds::line(Field::Question, 1, 120),
    }
}

/// Whether a text may be left empty in the session's own language.
fn optional(key: &str) -> bool {
    matches!(key, "description" | "accessibility")
}

/// Every text of `session`, by locale then key.
async fn all(
    conn: &mut sqlx::AnyConnection,
    session: i64,
) -> Result<BTreeMap<String, HashMap<String, String>>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT locale, text_key, text FROM focus_group_texts WHERE focus_group_id = $1",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    let mut texts: BTreeMap<String, HashMap<String, String>> = BTreeMap::new();
    for (locale, key, text) in rows {
        texts.entry(locale).or_default().insert(key, text);
    }
    Ok(texts)
}

/// The row a change reads: its own language, consent version and
/// questions.
struct Session {
    source_locale: String,
    consent_version: i64,
    questions: Vec<Spec>,
}

async fn session(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Session, AppError> {
    let (source_locale, consent_version, questions): (String, i64, String) = sqlx::query_as(
        "SELECT source_locale, consent_version, questions FROM focus_groups WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let questions = serde_json::from_str(&questions)
        .map_err(|error| AppError::internal(anyhow::anyhow!("focus_groups.questions: {error}")))?;
    Ok(Session {
        source_locale,
        consent_version,
        questions,
    })
}

/// The keys of a session's texts in reading order, with what each is:
/// `topic`, `description`, `accessibility`, `consent`, `question N`,
/// `option N` (the option of question N).
fn keys(session: &Session) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = ["topic", "description", "accessibility"]
        .iter()
        .map(|key| ((*key).to_owned(), (*key).to_owned()))
        .collect();
    keys.push((
        format!("consent.{}", session.consent_version),
        "consent".to_owned(),
    ));
    for (n, spec) in (1..).zip(&session.questions) {
        keys.push((format!("question.{n}"), format!("question {n}")));
        for code in spec.kind.options() {
            keys.push((format!("question.{n}.{code}"), format!("option {n}")));
        }
    }
    keys
}

/// How many sign-ups agreed to `version` of `session`'s consent text.
async fn agreed(
    conn: &mut sqlx::AnyConnection,
    session: i64,
    version: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM focus_group_signups WHERE focus_group_id = $1 AND consent_version = $2",
    )
    .bind(session)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?)
}

/// The texts of session `id` in `locale` beside its own language's, and
/// how far each other language is translated.
pub async fn of(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    locale: &str,
) -> Result<SessionTexts, AppError> {
    let session = session(conn, id).await?;
    let texts = all(conn, id).await?;
    let empty = HashMap::new();
    let source = texts.get(&session.source_locale).unwrap_or(&empty);
    let target = texts.get(locale).unwrap_or(&empty);
    let own = locale == session.source_locale;
    // A translation has a field for each text the original has.
    let keys: Vec<(String, String)> = keys(&session)
        .into_iter()
        .filter(|(key, _)| own || source.contains_key(key))
        .collect();
    let languages = Locale::get_all()
        .iter()
        .map(|other| other.as_str())
        .filter(|other| *other != session.source_locale)
        .map(|other| {
            let have = texts.get(other);
            let lacking = keys
                .iter()
                .filter(|(key, _)| source.contains_key(key))
                .filter(|(key, _)| have.is_none_or(|have| !have.contains_key(key)))
                .count();
            (other.to_owned(), lacking)
        })
        .collect();
    Ok(SessionTexts {
        id,
        topic: source.get("topic").cloned().unwrap_or_default(),
        locale: locale.to_owned(),
        source_locale: session.source_locale.clone(),
        consent_version: session.consent_version,
        agreed: agreed(conn, id, session.consent_version).await?,
        texts: keys
            .into_iter()
            .map(|(key, what)| {
                let original = source.get(&key).cloned().unwrap_or_default();
                let translated = target.get(&key).cloned().unwrap_or_default();
                (key, what, original, translated)
            })
            .collect(),
        languages,
    })
}

/// What a save changed: how many texts, and the consent version it made
/// (when it made one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub changed: usize,
    pub new_consent: Option<i64>,
}

/// Writes session `id`'s texts in `locale` from `given` (key → text),
/// after checking every one: only the keys the session has (a
/// translation only those its own language has); in its own language the
/// topic, consent and questions cannot be emptied, elsewhere an empty
/// text removes the translation. A changed consent text that sign-ups
/// agreed to becomes a new version, every language's text of the old one
/// carried over; its sign-ups keep the version they agreed to.
pub async fn save_in(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    locale: &str,
    given: &HashMap<String, String>,
) -> Result<Saved, AppError> {
    if crate::locale::parse_locale(locale).is_none() {
        return Err(Invalid::new(Field::Language, Problem::Unknown).into());
    }
    // Locks the session's row, so that a sign-up cannot record the old
    // version while this one is made.
    sqlx::query("UPDATE focus_groups SET consent_version = consent_version WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let session = session(conn, id).await?;
    let texts = all(conn, id).await?;
    let empty = HashMap::new();
    let source = texts.get(&session.source_locale).unwrap_or(&empty);
    let current = texts.get(locale).unwrap_or(&empty);
    let own = locale == session.source_locale;
    let known = keys(&session);
    let consent_key = format!("consent.{}", session.consent_version);

    // Everything is checked before anything is written.
    let mut writes: Vec<(&str, Option<String>)> = Vec::new();
    for (key, text) in given {
        if !known.iter().any(|(k, _)| k == key) || (!own && !source.contains_key(key)) {
            return Err(Invalid::new(Field::Selection, Problem::Unknown).into());
        }
        let text = text.trim();
        let text = if text.is_empty() {
            if own && !optional(key) {
                return Err(Invalid::new(bounds(key).field, Problem::Empty).into());
            }
            None
        } else {
            Some(bounds(key).check(text)?)
        };
        if current.get(key.as_str()) != text.as_ref() {
            writes.push((key.as_str(), text));
        }
    }
    if writes.is_empty() {
        return Ok(Saved {
            changed: 0,
            new_consent: None,
        });
    }

    let consent_changed = writes.iter().any(|(key, _)| *key == consent_key);
    let mut new_consent = None;
    let mut consent_to = consent_key.clone();
    if consent_changed && agreed(conn, id, session.consent_version).await? > 0 {
        let next = session.consent_version + 1;
        consent_to = format!("consent.{next}");
        sqlx::query("UPDATE focus_groups SET consent_version = $2 WHERE id = $1")
            .bind(id)
            .bind(next)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO focus_group_texts (focus_group_id, locale, text_key, text)
             SELECT focus_group_id, locale, $3, text FROM focus_group_texts
             WHERE focus_group_id = $1 AND text_key = $2",
        )
        .bind(id)
        .bind(&consent_key)
        .bind(&consent_to)
        .execute(&mut *conn)
        .await?;
        new_consent = Some(next);
    }
    for (key, text) in &writes {
        let key = if *key == consent_key {
            consent_to.as_str()
        } else {
            key
        };
        sqlx::query(
            "DELETE FROM focus_group_texts WHERE focus_group_id = $1 AND locale = $2 AND text_key = $3",
        )
        .bind(id)
        .bind(locale)
        .bind(key)
        .execute(&mut *conn)
        .await?;
        if let Some(text) = text {
            sqlx::query(
                "INSERT INTO focus_group_texts (focus_group_id, locale, text_key, text) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(locale)
            .bind(key)
            .bind(text)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(Saved {
        changed: writes.len(),
        new_consent,
    })
}
