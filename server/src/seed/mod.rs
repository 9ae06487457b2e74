//! `parley seed-demo`: a small demo town, so that a newcomer sees a living
//! portal. It only fills an empty database and writes everything in one
//! transaction. Each feature adds its part here: the town, the demo
//! accounts of every role (`crate::accounts::DEMO_ACCOUNTS`), then the
//! forums (`forums.rs`).

use anyhow::Context as _;
use app::db::Db;
use serde::Deserialize;
use std::collections::BTreeMap;

mod drafts;
mod focus_groups;
mod forums;
mod pipeline;
mod surveys;

const DEMO_TOWN: &str = include_str!("demo_town.json");

#[derive(Deserialize)]
struct DemoTown {
    areas: Vec<DemoArea>,
    themes: Vec<DemoTheme>,
}

#[derive(Deserialize)]
struct DemoArea {
    slug: String,
    names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct DemoTheme {
    slug: String,
    texts: BTreeMap<String, DemoThemeText>,
}

#[derive(Deserialize)]
struct DemoThemeText {
    name: String,
    description: String,
}

/// A new area or theme (`table`) of the demo town, written in English.
async fn insert_slug(
    tx: &mut sqlx::AnyConnection,
    table: &str,
    slug: &str,
    position: i32,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(&format!(
        "INSERT INTO {table} (slug, source_locale, position) VALUES ($1, 'en', $2) RETURNING id"
    ))
    .bind(slug)
    .bind(position)
    .fetch_one(&mut *tx)
    .await
    .with_context(|| format!("inserting {table} {slug}"))
}

/// Writes the names and descriptions of record `id` in each locale, into
/// `table_and_key` (`"theme_texts (theme_id"`: the table and its key
/// column, the rest of the columns being `locale, name, description`).
async fn insert_texts<'a>(
    tx: &mut sqlx::AnyConnection,
    table_and_key: &str,
    id: i64,
    texts: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> anyhow::Result<()> {
    let sql =
        format!("INSERT INTO {table_and_key}, locale, name, description) VALUES ($1, $2, $3, $4)");
    for (locale, name, description) in texts {
        sqlx::query(&sql)
            .bind(id)
            .bind(locale)
            .bind(name)
            .bind(description)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Loaded { areas: usize, themes: usize },
    AlreadyHasData,
}

/// Loads the demo town unless the database already holds areas or themes.
#[tracing::instrument(skip(db))]
pub async fn seed_demo(db: &Db) -> anyhow::Result<SeedOutcome> {
    let town: DemoTown = serde_json::from_str(DEMO_TOWN).context("demo_town.json is malformed")?;
    let mut tx = db.begin().await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM areas) + (SELECT COUNT(*) FROM themes)")
            .fetch_one(&mut *tx)
            .await?;
    if existing > 0 {
        return Ok(SeedOutcome::AlreadyHasData);
    }
    let mut area_ids = std::collections::HashMap::new();
    for (position, area) in (0_i32..).zip(&town.areas) {
        let id = insert_slug(&mut tx, "areas", &area.slug, position).await?;
        area_ids.insert(area.slug.clone(), id);
        for (locale, name) in &area.names {
            sqlx::query("INSERT INTO area_names (area_id, locale, name) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(locale)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
    }
    let mut theme_ids = std::collections::HashMap::new();
    for (position, theme) in (0_i32..).zip(&town.themes) {
        let id = insert_slug(&mut tx, "themes", &theme.slug, position).await?;
        theme_ids.insert(theme.slug.clone(), id);
        for (locale, text) in &theme.texts {
            app::themes::db::write_theme_text(&mut tx, id, locale, &text.name, &text.description)
                .await?;
        }
    }
    let first = |slugs: Vec<&String>, ids: &std::collections::HashMap<String, i64>| {
        slugs.first().and_then(|slug| ids.get(*slug)).copied()
    };
    let first_area = first(
        town.areas.iter().map(|area| &area.slug).collect(),
        &area_ids,
    );
    let first_theme = first(
        town.themes.iter().map(|theme| &theme.slug).collect(),
        &theme_ids,
    );
    let (Some(first_area), Some(first_theme)) = (first_area, first_theme) else {
        anyhow::bail!("demo_town.json has no area or no theme");
    };
    let policy_themes: Vec<i64> = ["public-safety", "policing-and-trust"]
        .iter()
        .filter_map(|slug| theme_ids.get(*slug).copied())
        .collect();
    anyhow::ensure!(
        policy_themes.first() == Some(&first_theme),
        "demo_town.json must start with public-safety and hold policing-and-trust"
    );
    crate::accounts::seed_demo_accounts(&mut tx, first_area, &theme_ids).await?;
    forums::seed_forums(&mut tx, &area_ids).await?;
    pipeline::seed_pipeline(&mut tx, &area_ids, &theme_ids).await?;
    drafts::seed_drafts(&mut tx, &area_ids, &theme_ids).await?;
    surveys::seed_surveys(&mut tx, &area_ids, &theme_ids).await?;
    focus_groups::seed_focus_groups(&mut tx, &area_ids, &theme_ids).await?;
    tx.commit().await?;
    Ok(SeedOutcome::Loaded {
        areas: town.areas.len(),
        themes: town.themes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::locale::parse_locale;

    #[test]
    fn demo_town_is_complete_in_every_locale() -> anyhow::Result<()> {
        let town: DemoTown = serde_json::from_str(DEMO_TOWN)?;
        assert_eq!(town.areas.len(), 3);
        assert_eq!(town.themes.len(), 10);
        let locales = ["en", "fr", "es", "ar", "ur", "id"];
        for area in &town.areas {
            let keys: Vec<&str> = area.names.keys().map(String::as_str).collect();
            for locale in locales {
                assert!(keys.contains(&locale), "area {} lacks {locale}", area.slug);
            }
            assert!(area.names.keys().all(|l| parse_locale(l).is_some()));
        }
        for theme in &town.themes {
            for locale in locales {
                let text = theme.texts.get(locale);
                assert!(
                    text.is_some_and(|t| !t.name.is_empty() && !t.description.is_empty()),
                    "theme {} lacks {locale}",
                    theme.slug
                );
            }
        }
        Ok(())
    }
}
