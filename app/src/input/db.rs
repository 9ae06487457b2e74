//! SQL of the input pipeline: writing input items (with their analysis
//! job, in the source's transaction), storing what the analysis found
//! (themes, campaign, search index) in one transaction per batch, erasing
//! an item's text, the theme rules and models the workers load, and the
//! reviewers' training labels.

use super::analyse::{Analysis, ThemeSource};
use super::campaigns::{self, Signature};
use super::rules::Rule;
use crate::db::{Backend, Db};
use crate::error::AppError;
use crate::security::now_millis;
use sqlx::FromRow;
use std::collections::HashMap;

pub use crate::channel::Channel;

/// Gives an item new text (an edit) and queues it for analysis again. The
/// revision moves on, so an analysis of the old text still in flight is
/// not stored over the new one.
#[tracing::instrument(skip_all)]
pub async fn replace_text(
    conn: &mut sqlx::AnyConnection,
    channel: Channel,
    source_id: i64,
    text: &str,
    now: i64,
) -> Result<(), AppError> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE input_items SET original_text = $3, analysis = 'pending', masked_text = NULL,
                revision = revision + 1
         WHERE channel = $1 AND source_id = $2 AND erased_at IS NULL RETURNING id",
    )
    .bind(channel.as_str())
    .bind(source_id)
    .bind(text)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        crate::jobs::db::enqueue_analyses(conn, &[(id, now)]).await?;
    }
    Ok(())
}

/// Erases the text of the item of `(channel, source_id)`; see [`erase_items`].
#[tracing::instrument(skip_all)]
pub async fn erase_text(
    conn: &mut sqlx::AnyConnection,
    channel: Channel,
    source_id: i64,
) -> Result<(), AppError> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM input_items WHERE channel = $1 AND source_id = $2")
            .bind(channel.as_str())
            .bind(source_id)
            .fetch_all(&mut *conn)
            .await?;
    erase_items(conn, &ids, now_millis()).await
}

/// Erases items' texts and everything derived from them (masked text,
/// signature, themes, campaign membership, search entry) and drops their
/// waiting analysis jobs. The rows stay, so that counts and the review
/// history still add up. Erasure wins over analysis: the revision moves
/// on first (taking the row's lock), and a batch that read the text
/// before stores nothing for it ([`store_analyses`]).
#[tracing::instrument(skip_all)]
pub async fn erase_items(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
    now: i64,
) -> Result<(), AppError> {
    let backend = Backend::of_connection(conn);
    for &id in ids {
        // The UPDATE comes first: on PostgreSQL it waits for an analysis
        // storing this item to commit, and then reads its campaign.
        let campaign: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE input_items SET original_text = '', masked_text = NULL, signature = NULL, text_hash = NULL,
                    language = NULL, language_confidence = NULL, language_reliable = 0,
                    revision = revision + 1, erased_at = $2
             WHERE id = $1 RETURNING campaign_id",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(campaign) = campaign else {
            continue;
        };
        leave_campaign(conn, id, campaign).await?;
        unindex(conn, backend, id).await?;
        sqlx::query("DELETE FROM input_themes WHERE item_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM jobs WHERE item_id = $1 AND kind = 'analyse'")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// An item waiting for analysis, with the writer's interface language when
/// the channel knows it, and the revision of its text (what is stored
/// must be of the same revision).
#[derive(Debug, Clone, FromRow)]
pub struct Pending {
    pub id: i64,
    pub text: String,
    pub hint: Option<String>,
    pub revision: i64,
}

/// The texts of `ids` (items erased since are skipped).
#[tracing::instrument(skip_all)]
pub async fn pending_items(db: &Db, ids: &[i64]) -> Result<Vec<Pending>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers from our own claim: safe to inline.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT id, original_text AS text, language_hint AS hint, revision FROM input_items
         WHERE id IN ({list}) AND erased_at IS NULL"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Theme ids by slug.
#[tracing::instrument(skip_all)]
pub async fn theme_ids(db: &Db) -> Result<HashMap<String, i64>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT slug, id FROM themes")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().collect())
}

/// The analysis of an item's text at one revision.
pub struct Analysed {
    pub id: i64,
    pub revision: i64,
    pub analysis: Analysis,
}

/// Stores the analyses of a batch, assigns campaigns and indexes the
/// masked texts, and deletes the batch's finished jobs: all in one
/// transaction, so that a crash leaves the jobs to run again rather than
/// half-stored results. An item whose text was edited or erased since it
/// was read is left alone (an edit queued its own analysis).
#[tracing::instrument(skip_all)]
pub async fn store_analyses(
    db: &Db,
    results: &[Analysed],
    theme_ids: &HashMap<String, i64>,
    threshold: f64,
    finished_jobs: &[i64],
) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        // Campaign assignment reads then writes the bands: one batch at a
        // time, or two copies of a new letter could both start a campaign.
        sqlx::query("SELECT pg_advisory_xact_lock(7411)")
            .execute(&mut *tx)
            .await?;
    }
    for analysed in results {
        store_one(&mut tx, db.backend(), analysed, theme_ids, threshold, now).await?;
    }
    crate::jobs::db::finish(&mut tx, crate::jobs::JobKind::Analyse, finished_jobs, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn store_one(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    analysed: &Analysed,
    theme_ids: &HashMap<String, i64>,
    threshold: f64,
    now: i64,
) -> Result<(), AppError> {
    let Analysed {
        id,
        revision,
        ref analysis,
    } = *analysed;
    // Where the item stands: analysed before (an edit: undo what the last
    // analysis derived), and whether a reviewer confirmed its themes (they
    // stand; the rest is guessed afresh).
    let state: Option<(Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT analysed_at, themes_reviewed_at FROM input_items WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((analysed_before, reviewed)) = state else {
        return Ok(());
    };
    let detected = &analysis.detected;
    let language = detected.language.as_deref().filter(|_| detected.reliable);
    // Only the revision that was read, and never an erased text: on
    // PostgreSQL this waits for an erasure in progress, then matches
    // nothing.
    let stored = sqlx::query(
        "UPDATE input_items SET language = $2, language_confidence = $3, language_reliable = $4,
                masked_text = $5, text_hash = $6, signature = $7, analysis = 'done', analysed_at = $8
         WHERE id = $1 AND revision = $9 AND erased_at IS NULL",
    )
    .bind(id)
    .bind(language)
    .bind(detected.confidence)
    .bind(i64::from(detected.reliable))
    .bind(&analysis.masked)
    .bind(analysis.signature.exact_hash() as i64)
    .bind(analysis.signature.to_bytes())
    .bind(now)
    .bind(revision)
    .execute(&mut *conn)
    .await?;
    if stored.rows_affected() == 0 {
        return Ok(());
    }
    if analysed_before.is_some() {
        if reviewed.is_none() {
            sqlx::query("DELETE FROM input_themes WHERE item_id = $1 AND source <> 'reviewer'")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        let campaign: Option<i64> =
            sqlx::query_scalar("SELECT campaign_id FROM input_items WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        leave_campaign(conn, id, campaign).await?;
        unindex(conn, backend, id).await?;
    }
    if reviewed.is_none() {
        // Ids and scores are numbers we hold; the source is one of three
        // fixed words: safe to inline, one statement for all themes.
        let rows: Vec<String> = analysis
            .themes
            .iter()
            .filter_map(|theme| {
                let theme_id = theme_ids.get(&theme.theme)?;
                Some(format!(
                    "({id}, {theme_id}, {:.6}, '{}')",
                    f64::from(theme.score.clamp(0.0, 1.0)),
                    theme.source.as_str()
                ))
            })
            .collect();
        if !rows.is_empty() {
            sqlx::query(&format!(
                "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES {}
                 ON CONFLICT (item_id, theme_id) DO NOTHING",
                rows.join(", ")
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    join_campaign(conn, id, &analysis.signature, threshold, now).await?;
    index(conn, backend, id, &analysis.masked, language).await?;
    Ok(())
}

/// Takes an item out of its `campaign` and drops its bands (before it is
/// analysed again, or erased).
async fn leave_campaign(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    campaign: Option<i64>,
) -> Result<(), AppError> {
    if let Some(campaign) = campaign {
        sqlx::query("UPDATE campaigns SET size = size - 1 WHERE id = $1")
            .bind(campaign)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE input_items SET campaign_id = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM campaign_bands WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct Candidate {
    id: i64,
    signature: Option<Vec<u8>>,
    campaign_id: Option<i64>,
}

/// How many candidates sharing a band are compared at most.
const MAX_CANDIDATES: i64 = 200;
/// How many items of one band are candidates at most (its first).
const PER_BAND: i64 = 8;

/// Finds the campaign of an item: an exact copy's, or the most similar
/// candidate's among the items sharing a band of its signature, when at
/// least `threshold` alike. A campaign exists from its second member on;
/// its id is its first member's.
async fn join_campaign(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    signature: &Signature,
    threshold: f64,
    now: i64,
) -> Result<(), AppError> {
    // Fixed band parameters, not the configured threshold's: the stored
    // keys stay valid when the threshold setting changes.
    let bands: Vec<i64> = signature
        .band_keys(campaigns::BandParams::DEFAULT)
        .into_iter()
        .map(|key| key as i64)
        .collect();
    let mut candidates: Vec<Candidate> = sqlx::query_as(
        "SELECT id, signature, campaign_id FROM input_items
         WHERE text_hash = $1 AND id <> $2 AND signature IS NOT NULL ORDER BY id LIMIT 1",
    )
    .bind(signature.exact_hash() as i64)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if candidates.is_empty() && !bands.is_empty() {
        // The first few items of each band (an index range each): a big
        // campaign shares its bands with thousands of items, and reading
        // them all made each new copy cost more than the last, inside the
        // writer's transaction. Any member of a campaign leads to it.
        // Band keys are integers we computed: safe to inline.
        let per_band = bands
            .iter()
            .enumerate()
            .map(|(at, key)| {
                format!(
                    "SELECT item_id FROM (SELECT item_id FROM campaign_bands WHERE band_key = {key}
                     ORDER BY item_id LIMIT {PER_BAND}) AS band{at}"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ");
        candidates = sqlx::query_as(&format!(
            "SELECT i.id, i.signature, i.campaign_id FROM input_items i
             WHERE i.id IN ({per_band})
               AND i.id <> $1
             ORDER BY i.id LIMIT {MAX_CANDIDATES}"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    }
    let signatures: Vec<(i64, Signature)> = candidates
        .iter()
        .filter_map(|candidate| {
            let bytes = candidate.signature.as_deref()?;
            Some((candidate.id, Signature::from_bytes(bytes).ok()?))
        })
        .collect();
    if let Some(best) = campaigns::choose(signature, &signatures, threshold)
        && let Some(candidate) = candidates.iter().find(|candidate| candidate.id == best)
    {
        let campaign = match candidate.campaign_id {
            Some(campaign) => campaign,
            None => {
                sqlx::query("INSERT INTO campaigns (id, size, last_joined_at) VALUES ($1, 1, $2)")
                    .bind(candidate.id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("UPDATE input_items SET campaign_id = $1 WHERE id = $1")
                    .bind(candidate.id)
                    .execute(&mut *conn)
                    .await?;
                candidate.id
            }
        };
        sqlx::query("UPDATE campaigns SET size = size + 1, last_joined_at = $2 WHERE id = $1")
            .bind(campaign)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE input_items SET campaign_id = $1 WHERE id = $2")
            .bind(campaign)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if !bands.is_empty() {
        // One statement for all bands; the keys and the id are integers we
        // computed, safe to inline.
        let rows = bands
            .iter()
            .map(|band| format!("({band}, {id})"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO campaign_bands (band_key, item_id) VALUES {rows} ON CONFLICT DO NOTHING"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The PostgreSQL text search configuration for a language, `simple` where
/// PostgreSQL has none.
pub fn search_config(language: Option<&str>) -> &'static str {
    match language.unwrap_or("") {
        "ar" => "arabic",
        "de" => "german",
        "en" => "english",
        "es" => "spanish",
        "fr" => "french",
        "id" => "indonesian",
        "pt" => "portuguese",
        "ru" => "russian",
        "tr" => "turkish",
        _ => "simple",
    }
}

async fn index(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    id: i64,
    masked: &str,
    language: Option<&str>,
) -> Result<(), AppError> {
    match backend {
        Backend::Sqlite => {
            sqlx::query("INSERT INTO input_search (rowid, masked_text) VALUES ($1, $2)")
                .bind(id)
                .bind(masked)
                .execute(&mut *conn)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("UPDATE input_items SET search = to_tsvector(CAST($2 AS regconfig), masked_text) WHERE id = $1")
                .bind(id)
                .bind(search_config(language))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

async fn unindex(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    id: i64,
) -> Result<(), AppError> {
    match backend {
        Backend::Sqlite => {
            sqlx::query("DELETE FROM input_search WHERE rowid = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("UPDATE input_items SET search = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Ids of items whose masked text matches `query` (words, all required),
/// newest first. `language` picks PostgreSQL's stemming for the query, as
/// well as the plain words.
#[tracing::instrument(skip_all)]
pub async fn search(
    db: &Db,
    query: &str,
    language: Option<&str>,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .take(16)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    Ok(match db.backend() {
        Backend::Sqlite => {
            // Each word quoted: FTS5 syntax in a query is taken literally.
            let expression = words
                .iter()
                .map(|word| format!("\"{word}\""))
                .collect::<Vec<_>>()
                .join(" AND ");
            sqlx::query_scalar(
                "SELECT rowid FROM input_search WHERE input_search MATCH $1 ORDER BY rowid DESC LIMIT $2",
            )
            .bind(expression)
            .bind(limit)
            .fetch_all(db.pool())
            .await?
        }
        Backend::Postgres => {
            let text = words.join(" ");
            sqlx::query_scalar(
                "SELECT id FROM input_items
                 WHERE search @@ (plainto_tsquery(CAST($1 AS regconfig), $2) || plainto_tsquery('simple', $2))
                 ORDER BY id DESC LIMIT $3",
            )
            .bind(search_config(language))
            .bind(text)
            .bind(limit)
            .fetch_all(db.pool())
            .await?
        }
    })
}

#[derive(FromRow)]
struct RuleRow {
    slug: String,
    language: String,
    keyword: String,
}

/// Every keyword rule, for the workers.
#[tracing::instrument(skip_all)]
pub async fn all_rules(db: &Db) -> Result<Vec<Rule>, AppError> {
    let rows: Vec<RuleRow> = sqlx::query_as(
        "SELECT t.slug, r.language, r.keyword FROM theme_rules r JOIN themes t ON t.id = r.theme_id ORDER BY r.id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Rule {
            theme: row.slug,
            language: row.language,
            keyword: row.keyword,
        })
        .collect())
}

/// Something that changes whenever the rules, themes or models change: the
/// workers rebuild their themes when it does.
#[tracing::instrument(skip_all)]
pub async fn themes_fingerprint(db: &Db) -> Result<String, AppError> {
    let (rules, last_rule, themes, models, last_model): (i64, Option<i64>, i64, i64, Option<i64>) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM theme_rules), (SELECT MAX(id) FROM theme_rules),
                (SELECT COUNT(*) FROM themes),
                (SELECT COUNT(*) FROM theme_models), (SELECT MAX(trained_at) FROM theme_models)",
        )
        .fetch_one(db.pool())
        .await?;
    Ok(format!(
        "{rules}:{last_rule:?}:{themes}:{models}:{last_model:?}"
    ))
}

/// Every stored model, by language (bytes as stored).
#[tracing::instrument(skip_all)]
pub async fn stored_models(db: &Db) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    Ok(sqlx::query_as("SELECT language, model FROM theme_models")
        .fetch_all(db.pool())
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn store_model(
    db: &Db,
    language: &str,
    examples: i64,
    model: &[u8],
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO theme_models (language, trained_at, examples, model) VALUES ($1, $2, $3, $4)
         ON CONFLICT (language) DO UPDATE SET trained_at = excluded.trained_at,
             examples = excluded.examples, model = excluded.model",
    )
    .bind(language)
    .bind(now_millis())
    .bind(examples)
    .bind(model)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A reviewer-confirmed item: its masked text and confirmed theme slugs.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub text: String,
    pub themes: Vec<String>,
}

#[derive(FromRow)]
struct LabelRow {
    id: i64,
    masked_text: String,
    slug: Option<String>,
}

/// The training data of one language: every item whose themes a reviewer
/// confirmed (an item confirmed with no theme is a negative example). An
/// item whose language could not be told counts in its writer's.
#[tracing::instrument(skip_all)]
pub async fn training_examples(db: &Db, language: &str) -> Result<Vec<Labelled>, AppError> {
    let rows: Vec<LabelRow> = sqlx::query_as(
        "SELECT i.id, i.masked_text, t.slug
         FROM input_items i
         LEFT JOIN input_themes it ON it.item_id = i.id AND it.source = 'reviewer'
         LEFT JOIN themes t ON t.id = it.theme_id
         WHERE i.themes_reviewed_at IS NOT NULL AND COALESCE(i.language, i.language_hint) = $1 AND i.masked_text IS NOT NULL
         ORDER BY i.id",
    )
    .bind(language)
    .fetch_all(db.pool())
    .await?;
    let mut examples: Vec<(i64, Labelled)> = Vec::new();
    for row in rows {
        match examples.last_mut() {
            Some((id, example)) if *id == row.id => example.themes.extend(row.slug),
            _ => examples.push((
                row.id,
                Labelled {
                    text: row.masked_text,
                    themes: row.slug.into_iter().collect(),
                },
            )),
        }
    }
    Ok(examples.into_iter().map(|(_, example)| example).collect())
}

/// Languages with reviewer-confirmed items.
#[tracing::instrument(skip_all)]
pub async fn reviewed_languages(db: &Db) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(language, language_hint) FROM input_items
         WHERE themes_reviewed_at IS NOT NULL AND COALESCE(language, language_hint) IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await?)
}

/// How many labels arrived for `language` since its model was trained.
#[tracing::instrument(skip_all)]
pub async fn labels_since_training(db: &Db, language: &str) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM input_items WHERE COALESCE(language, language_hint) = $1 AND themes_reviewed_at IS NOT NULL
               AND themes_reviewed_at > COALESCE((SELECT trained_at FROM theme_models WHERE language = $1), 0)),
            (SELECT COUNT(*) FROM input_items WHERE COALESCE(language, language_hint) = $1 AND themes_reviewed_at IS NOT NULL)",
    )
    .bind(language)
    .fetch_one(db.pool())
    .await?)
}

/// A reviewer's themes for an item replace the guesses, and become the
/// classifier's training data. With `within` (the themes a reviewer
/// reviews), only those are replaced: the item's other themes stay as
/// they were. Returns the item's language, for the caller to decide on
/// retraining.
#[tracing::instrument(skip_all)]
pub async fn confirm_themes(
    conn: &mut sqlx::AnyConnection,
    item: i64,
    themes: &[i64],
    within: Option<&[i64]>,
    now: i64,
) -> Result<Option<String>, AppError> {
    let language: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE input_items SET themes_reviewed_at = $2 WHERE id = $1 RETURNING language",
    )
    .bind(item)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(language) = language else {
        return Err(AppError::NotFound);
    };
    match within {
        None => {
            sqlx::query("DELETE FROM input_themes WHERE item_id = $1")
                .bind(item)
                .execute(&mut *conn)
                .await?;
        }
        Some(within) => {
            for theme in within {
                sqlx::query("DELETE FROM input_themes WHERE item_id = $1 AND theme_id = $2")
                    .bind(item)
                    .bind(*theme)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    for theme in themes {
        sqlx::query(
            "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES ($1, $2, 1.0, $3)
             ON CONFLICT (item_id, theme_id) DO UPDATE SET score = 1.0, source = excluded.source",
        )
        .bind(item)
        .bind(theme)
        .bind(ThemeSource::Reviewer.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(language)
}

/// What the input room holds about people: every text they wrote, on any
/// channel, with what became of it.
pub static PERSONAL_DATA: crate::personal_data::Registration = crate::personal_data::Registration {
    feature: "contributions",
    tables: &[
        crate::personal_data::Table {
            name: "input_items",
            personal: &[
                "author_id",
                "participant_id",
                "original_text",
                "masked_text",
                "signature",
                "text_hash",
                // PostgreSQL's search vector of the masked text.
                "search",
                // The reviewer the item is assigned to.
                "assignee_id",
            ],
            other: &[
                "id",
                "channel",
                "source_id",
                "area_id",
                "created_at",
                "received_at",
                "language",
                "language_confidence",
                "analysis",
                "language_hint",
                "language_reliable",
                "campaign_id",
                "analysed_at",
                "themes_reviewed_at",
                "review_status",
                "draft_id",
                "response_id",
                "reviewed_at",
                "revision",
                "erased_at",
            ],
        },
        // SQLite's search index of the masked text.
        crate::personal_data::Table {
            name: "input_search",
            personal: &["masked_text"],
            other: &[],
        },
        // MinHash bands: derived from the text, erased with it.
        crate::personal_data::Table {
            name: "campaign_bands",
            personal: &["band_key"],
            other: &["item_id"],
        },
    ],
    export: crate::personal_data::Export::Rows(
        "SELECT i.id, i.channel, i.created_at, i.original_text AS text, i.review_status AS status,
                i.draft_id, r.body AS response, r.created_at AS responded_at
         FROM input_items i LEFT JOIN responses r ON r.id = i.response_id
         WHERE {authored} AND i.erased_at IS NULL ORDER BY i.id",
    ),
    erase: &[],
    unlink: &["UPDATE input_items SET author_id = NULL, participant_id = NULL WHERE {authored}"],
    erase_by: Some(|conn, subject, how| Box::pin(erase_contributions(conn, subject, how))),
};

/// The texts of the subject's items, when they are erased.
async fn erase_contributions(
    conn: &mut sqlx::AnyConnection,
    subject: &crate::personal_data::Subject,
    how: crate::personal_data::Erasure,
) -> Result<(), AppError> {
    if how == crate::personal_data::Erasure::Erase {
        let condition = subject.condition(Some("author_id"), Some("participant_id"));
        let ids: Vec<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM input_items WHERE {condition}"))
                .fetch_all(&mut *conn)
                .await?;
        erase_items(conn, &ids, now_millis()).await?;
    }
    Ok(())
}
