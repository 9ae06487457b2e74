//! The input pipeline's demo: keyword rules for every theme in the
//! interface languages, and a few hundred pieces of feedback in several
//! languages (with personal data to mask and two small form-letter
//! campaigns). About two in five carry reviewer-confirmed themes, so that
//! the classifiers have something to learn from. The items wait in the job
//! queue; the server's workers analyse them within seconds of starting.

use anyhow::Context as _;
use app::channel::Channel;
use app::feedback::db::{NewFeedback, store_batch};
use app::i18n::Locale;
use app::input::db::confirm_themes;
use app::participation::api::Contributing;
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
                app::themes::db::insert_rule(tx, theme, language, keyword, now).await?;
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
        // Each piece of demo feedback came from a visitor without an
        // account, through the form's own way in: a participation of its
        // own, and a private link nobody holds (the hash of a token
        // forgotten at once). No rate limit: there is no client address.
        let feedback = NewFeedback {
            text: item.text.clone(),
            area,
            theme: None,
            contributor: Contributing::New {
                token: app::auth::session::new_token()?,
                remember: false,
            },
            locale: app::locale::parse_locale(&item.lang).unwrap_or(Locale::en),
            follow_hash: app::auth::session::token_hash(&app::auth::session::new_token()?),
            now: at,
        };
        let id = *store_batch(tx, &[&feedback])
            .await?
            .first()
            .context("stored demo feedback has no id")?;
        let item_id: i64 =
            sqlx::query_scalar("SELECT id FROM input_items WHERE channel = $1 AND source_id = $2")
                .bind(Channel::Feedback.as_str())
                .bind(id)
                .fetch_one(&mut *tx)
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
            confirm_themes(tx, item_id, &confirmed, None, at + DAY / 2).await?;
        }
    }
    Ok(())
}
