//! The input pipeline's demo: keyword rules for every theme in the
//! interface languages, and a few hundred pieces of feedback in several
//! languages (with personal data to mask and two small form-letter
//! campaigns). About two in five carry reviewer-confirmed themes, so that
//! the classifiers have something to learn from. The items wait in the job
//! queue; the server's workers analyse them within seconds of starting.

use anyhow::Context as _;
use app::input::db::{Channel, NewItem, confirm_themes, insert_item};
use app::security::now_millis;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const DEMO_PIPELINE: &str = include_str!("demo_pipeline.json");

#[derive(Deserialize)]
struct DemoPipeline {
    /// Theme slug → language → keywords.
    rules: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    feedback: Vec<DemoFeedback>,
}

#[derive(Deserialize)]
struct DemoFeedback {
    lang: String,
    area: Option<String>,
    days_ago: i64,
    text: String,
    themes: Vec<String>,
    reviewed: bool,
}

const DAY: i64 = 24 * 60 * 60 * 1000;

pub async fn seed_pipeline(
    tx: &mut sqlx::AnyConnection,
    areas: &HashMap<String, i64>,
    themes: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let demo: DemoPipeline =
        serde_json::from_str(DEMO_PIPELINE).context("demo_pipeline.json is malformed")?;
    let now = now_millis();
    for (slug, languages) in &demo.rules {
        let theme = *themes
            .get(slug)
            .with_context(|| format!("demo rule for unknown theme {slug}"))?;
        for (language, keywords) in languages {
            for keyword in keywords {
                sqlx::query(
                    "INSERT INTO theme_rules (theme_id, language, keyword, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (theme_id, language, keyword) DO NOTHING",
                )
                .bind(theme)
                .bind(language)
                .bind(keyword)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    for (index, item) in (0_i64..).zip(&demo.feedback) {
        let area = match &item.area {
            Some(slug) => Some(
                *areas
                    .get(slug)
                    .with_context(|| format!("demo feedback in unknown area {slug}"))?,
            ),
            None => None,
        };
        // Spread over the day too, so that the timeline is not a comb.
        let at = now - item.days_ago * DAY - (index * 7_919_000) % DAY;
        // Nobody holds these links: the hash of a random token.
        let follow_hash = app::auth::session::token_hash(&app::auth::session::new_token()?);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO feedback (area_id, user_id, participant_id, follow_hash, locale, created_at)
             VALUES ($1, NULL, NULL, $2, $3, $4) RETURNING id",
        )
        .bind(area)
        .bind(&follow_hash)
        .bind(&item.lang)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let item_id = insert_item(
            tx,
            &NewItem {
                channel: Channel::Feedback,
                source_id: id,
                area,
                author: None,
                participant: None,
                text: &item.text,
                created_at: at,
                language_hint: Some(&item.lang),
            },
        )
        .await?;
        if item.reviewed {
            let confirmed = item
                .themes
                .iter()
                .map(|slug| {
                    themes
                        .get(slug)
                        .copied()
                        .with_context(|| format!("demo feedback with unknown theme {slug}"))
                })
                .collect::<anyhow::Result<Vec<i64>>>()?;
            confirm_themes(tx, item_id, &confirmed, at + DAY / 2).await?;
        }
    }
    Ok(())
}
