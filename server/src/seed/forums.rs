//! The demo town's forums (`demo_forums.json`): categories in every area,
//! a few lively threads in several languages written by demo residents, a
//! post hidden by three reports and a first post held for approval, so
//! that a newcomer sees the moderation queue at work; and announcements.

use anyhow::Context as _;
use app::auth::db::{NewUser, insert_user_in};
use app::auth::domain::DisplayName;
use app::forums::db::insert_input_item;
use app::text::markdown;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const DEMO_FORUMS: &str = include_str!("demo_forums.json");

#[derive(Deserialize)]
struct DemoForums {
    categories: Vec<DemoCategory>,
    residents: Vec<String>,
    threads: Vec<DemoThread>,
    reported: DemoReported,
    held: DemoHeld,
    announcements: Vec<DemoAnnouncement>,
}

#[derive(Deserialize)]
struct DemoCategory {
    slug: String,
    texts: BTreeMap<String, DemoText>,
}

#[derive(Deserialize)]
struct DemoText {
    name: String,
    description: String,
}

#[derive(Deserialize)]
struct DemoThread {
    area: String,
    category: String,
    title: String,
    pinned: bool,
    hours_ago: i64,
    posts: Vec<DemoPost>,
}

#[derive(Deserialize)]
struct DemoPost {
    author: String,
    body: String,
    minutes_later: i64,
    quote: Option<usize>,
}

#[derive(Deserialize)]
struct DemoReported {
    thread: usize,
    post: usize,
    reason: String,
    reporters: Vec<String>,
    note: String,
}

#[derive(Deserialize)]
struct DemoHeld {
    thread: usize,
    author: String,
    body: String,
}

#[derive(Deserialize)]
struct DemoAnnouncement {
    area: Option<String>,
    severity: String,
    lang: String,
    title: String,
    body: String,
    hours_from_now_start: i64,
    hours_from_now_end: i64,
}

const HOUR: i64 = 3_600_000;

/// Fills the forums of the areas `areas` (slug → id) inside `tx`.
pub async fn seed_forums(
    tx: &mut sqlx::AnyConnection,
    areas: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let demo: DemoForums =
        serde_json::from_str(DEMO_FORUMS).context("demo_forums.json is malformed")?;
    let now = app::security::now_millis();
    // The demo residents cannot sign in: their password is random and
    // forgotten at once.
    let secret = app::auth::session::new_token().map_err(|e| anyhow::anyhow!("{e}"))?;
    let password = app::auth::domain::Password::parse(&secret)
        .map_err(|e| anyhow::anyhow!("demo password: {e:?}"))?;
    let hash = app::auth::password::hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("hashing a demo password: {e}"))?;
    let mut residents = HashMap::new();
    for name in &demo.residents {
        let display_name =
            DisplayName::parse(name).map_err(|e| anyhow::anyhow!("demo resident {name}: {e:?}"))?;
        let user = NewUser {
            display_name: &display_name,
            email: None,
            password_hash: &hash,
        };
        let id = insert_user_in(tx, &user)
            .await
            .map_err(|e| anyhow::anyhow!("creating demo resident {name}: {e}"))?;
        // They joined well before their first posts (but the newcomer is new).
        let joined = if Some(name) == demo.residents.last() {
            now - HOUR
        } else {
            now - 60 * 24 * HOUR
        };
        sqlx::query("UPDATE users SET created_at = $2 WHERE id = $1")
            .bind(id)
            .bind(joined)
            .execute(&mut *tx)
            .await?;
        residents.insert(name.clone(), id);
    }
    let resident = |name: &str| {
        residents
            .get(name)
            .copied()
            .with_context(|| format!("{name} is not among the demo residents"))
    };

    let mut categories = HashMap::new();
    for (slug, &area) in areas {
        for (position, category) in (0_i32..).zip(&demo.categories) {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO forum_categories (area_id, slug, source_locale, position) VALUES ($1, $2, 'en', $3) RETURNING id",
            )
            .bind(area)
            .bind(&category.slug)
            .bind(position)
            .fetch_one(&mut *tx)
            .await?;
            for (locale, text) in &category.texts {
                sqlx::query(
                    "INSERT INTO forum_category_texts (category_id, locale, name, description) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(locale)
                .bind(&text.name)
                .bind(&text.description)
                .execute(&mut *tx)
                .await?;
            }
            categories.insert((slug.clone(), category.slug.clone()), id);
        }
    }

    let mut thread_ids = Vec::new();
    let mut post_ids: Vec<Vec<(i64, i64)>> = Vec::new();
    for thread in &demo.threads {
        let area = *areas
            .get(&thread.area)
            .with_context(|| format!("unknown area {}", thread.area))?;
        let category = *categories
            .get(&(thread.area.clone(), thread.category.clone()))
            .with_context(|| format!("unknown category {}", thread.category))?;
        let first = thread
            .posts
            .first()
            .context("a demo thread without posts")?;
        let started = now - thread.hours_ago * HOUR;
        let last = started
            + thread
                .posts
                .iter()
                .map(|p| p.minutes_later)
                .max()
                .unwrap_or(0)
                * 60_000;
        let thread_id: i64 = sqlx::query_scalar(
            "INSERT INTO threads (category_id, area_id, author_id, title, created_at, reply_count, last_post_at, pinned)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(category)
        .bind(area)
        .bind(resident(&first.author)?)
        .bind(&thread.title)
        .bind(started)
        .bind(i64::try_from(thread.posts.len()).unwrap_or(1) - 1)
        .bind(last)
        .bind(i64::from(thread.pinned))
        .fetch_one(&mut *tx)
        .await?;
        let mut ids: Vec<(i64, i64)> = Vec::new();
        for (index, post) in thread.posts.iter().enumerate() {
            let at = started + post.minutes_later * 60_000;
            let quote = post.quote.and_then(|q| ids.get(q)).map(|(id, _)| *id);
            let text = if index == 0 {
                format!("{}\n\n{}", thread.title, post.body)
            } else {
                post.body.clone()
            };
            let id = insert_post(
                tx,
                (thread_id, area),
                resident(&post.author)?,
                &post.body,
                quote,
                "visible",
                at,
            )
            .await?;
            insert_input_item(tx, id, area, resident(&post.author)?, &text, at).await?;
            ids.push((id, resident(&post.author)?));
        }
        thread_ids.push((thread_id, area));
        post_ids.push(ids);
    }

    // Three residents reported a rude reply: hidden pending review.
    let (reported, _) = *post_ids
        .get(demo.reported.thread)
        .and_then(|posts| posts.get(demo.reported.post))
        .context("the reported demo post does not exist")?;
    sqlx::query("UPDATE posts SET status = 'reported' WHERE id = $1")
        .bind(reported)
        .execute(&mut *tx)
        .await?;
    let (thread_of_reported, _) = thread_ids[demo.reported.thread];
    sqlx::query("UPDATE threads SET reply_count = reply_count - 1 WHERE id = $1")
        .bind(thread_of_reported)
        .execute(&mut *tx)
        .await?;
    for (i, reporter) in demo.reported.reporters.iter().enumerate() {
        let note = if i == 0 {
            demo.reported.note.as_str()
        } else {
            ""
        };
        sqlx::query(
            "INSERT INTO post_reports (post_id, reporter_id, reason, note, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(reported)
        .bind(resident(reporter)?)
        .bind(&demo.reported.reason)
        .bind(note)
        .bind(now - HOUR + i64::try_from(i).unwrap_or(0) * 60_000)
        .execute(&mut *tx)
        .await?;
    }

    // A newcomer's first post waits for the moderator.
    let (thread, area) = *thread_ids
        .get(demo.held.thread)
        .context("the held demo post's thread does not exist")?;
    let author = resident(&demo.held.author)?;
    let at = now - 20 * 60_000;
    let held = insert_post(
        tx,
        (thread, area),
        author,
        &demo.held.body,
        None,
        "held",
        at,
    )
    .await?;
    sqlx::query("UPDATE posts SET held_reason = 'new_account' WHERE id = $1")
        .bind(held)
        .execute(&mut *tx)
        .await?;
    insert_input_item(tx, held, area, author, &demo.held.body, at).await?;

    for notice in &demo.announcements {
        let area = match &notice.area {
            Some(slug) => Some(
                *areas
                    .get(slug)
                    .with_context(|| format!("unknown area {slug}"))?,
            ),
            None => None,
        };
        sqlx::query(
            "INSERT INTO announcements (area_id, severity, locale, title, body_source, body_html, starts_at, ends_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(area)
        .bind(&notice.severity)
        .bind(&notice.lang)
        .bind(&notice.title)
        .bind(&notice.body)
        .bind(markdown::render(&notice.body).html)
        .bind(now + notice.hours_from_now_start * HOUR)
        .bind(now + notice.hours_from_now_end * HOUR)
        .bind(now + notice.hours_from_now_start.min(0) * HOUR)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_post(
    tx: &mut sqlx::AnyConnection,
    (thread, area): (i64, i64),
    author: i64,
    body: &str,
    quote: Option<i64>,
    status: &str,
    at: i64,
) -> anyhow::Result<i64> {
    let rendered = markdown::render(body);
    Ok(sqlx::query_scalar(
        "INSERT INTO posts (thread_id, area_id, author_id, quote_of, body_source, body_html, status, link_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(thread)
    .bind(area)
    .bind(author)
    .bind(quote)
    .bind(body)
    .bind(&rendered.html)
    .bind(status)
    .bind(i64::try_from(rendered.links).unwrap_or(0))
    .bind(at)
    .fetch_one(&mut *tx)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_forums_are_complete() -> anyhow::Result<()> {
        let demo: DemoForums = serde_json::from_str(DEMO_FORUMS)?;
        for category in &demo.categories {
            for locale in ["en", "fr", "es", "ar", "ur", "id"] {
                let text = category.texts.get(locale);
                assert!(
                    text.is_some_and(|t| !t.name.is_empty() && !t.description.is_empty()),
                    "category {} lacks {locale}",
                    category.slug
                );
            }
        }
        for thread in &demo.threads {
            assert!(
                app::forums::domain::Title::parse(&thread.title).is_ok(),
                "{}",
                thread.title
            );
            for post in &thread.posts {
                assert!(demo.residents.contains(&post.author), "{}", post.author);
                assert!(app::forums::domain::PostBody::parse(&post.body).is_ok());
            }
        }
        assert!(demo.reported.post > 0);
        assert_eq!(demo.reported.reporters.len(), 3);
        Ok(())
    }
}
