//! The demo town's forums (`demo_forums.json`): categories in every area,
//! a few lively threads in several languages written by demo residents, a
//! post hidden by three reports and a first post held for approval, so
//! that a newcomer sees the moderation queue at work; and announcements.

use anyhow::Context as _;
use app::auth::db::{NewUser, insert_user_in};
use app::auth::domain::DisplayName;
use app::forums::Published;
use app::forums::domain::{PostingLimits, ReportReason};
use app::forums::posting::{NewPost, PostTarget, Report, report_post_in, write_post_in};
use app::moderation::db::{Moderator, ThreadFlag, Verdict, decide_post_in, set_thread_flag_in};
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
            let texts = category.texts.iter().map(|(locale, text)| {
                (
                    locale.as_str(),
                    text.name.as_str(),
                    text.description.as_str(),
                )
            });
            super::insert_texts(tx, "forum_category_texts (category_id", id, texts).await?;
            categories.insert((slug.clone(), category.slug.clone()), id);
        }
    }

    // Every post goes through the forum's own way in (placement rules,
    // rate limits, the contribution contract). Demo residents are new to
    // each area, so their first posts wait for a moderator: the demo admin
    // approves them, as a moderator would (audited).
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE display_name = 'Demo Admin'")
        .fetch_one(&mut *tx)
        .await
        .context("the demo forums need the demo admin")?;
    let moderator = Moderator {
        id: admin,
        client_hash: "",
    };
    let limits = PostingLimits::DEFAULT;
    // Written in the order they were posted, as they would have been: the
    // rate limits count the posts of the minute and the day before each.
    let mut timeline: Vec<(i64, usize, usize)> = Vec::new();
    for (t, thread) in demo.threads.iter().enumerate() {
        let started = now - thread.hours_ago * HOUR;
        for (p, post) in thread.posts.iter().enumerate() {
            timeline.push((started + post.minutes_later * 60_000, t, p));
        }
    }
    timeline.sort_unstable();
    let mut thread_ids: Vec<Option<(i64, i64)>> = vec![None; demo.threads.len()];
    let mut post_ids: Vec<Vec<i64>> = vec![Vec::new(); demo.threads.len()];
    for (at, t, p) in timeline {
        let thread = &demo.threads[t];
        let post = &thread.posts[p];
        let area = *areas
            .get(&thread.area)
            .with_context(|| format!("unknown area {}", thread.area))?;
        let category = *categories
            .get(&(thread.area.clone(), thread.category.clone()))
            .with_context(|| format!("unknown category {}", thread.category))?;
        let rendered = markdown::render(&post.body);
        let target = match thread_ids[t] {
            None => PostTarget::NewThread {
                category,
                title: &thread.title,
            },
            Some((thread, _)) => PostTarget::Reply { thread },
        };
        let new_post = NewPost {
            author: resident(&post.author)?,
            area_id: area,
            target,
            source: &post.body,
            rendered: &rendered,
            quote_of: post.quote.and_then(|q| post_ids[t].get(q)).copied(),
            filtered: None,
            moderator: false,
        };
        let (thread_id, id) = match write_post_in(tx, &new_post, &limits, at).await? {
            Published::Visible { thread, post } => (thread, post),
            Published::Held { thread, post } => {
                decide_post_in(tx, moderator, post, Verdict::Approve).await?;
                (thread, post)
            }
        };
        thread_ids[t] = Some((thread_id, area));
        post_ids[t].push(id);
    }
    let thread_ids: Vec<(i64, i64)> = thread_ids
        .into_iter()
        .map(|ids| ids.context("a demo thread without posts"))
        .collect::<anyhow::Result<_>>()?;
    for (thread, (id, _)) in demo.threads.iter().zip(&thread_ids) {
        if thread.pinned {
            set_thread_flag_in(tx, moderator, *id, ThreadFlag::Pinned(true)).await?;
        }
    }

    // Three residents reported a rude reply: hidden pending review.
    let reported = *post_ids
        .get(demo.reported.thread)
        .and_then(|posts| posts.get(demo.reported.post))
        .context("the reported demo post does not exist")?;
    let reason = ReportReason::parse(&demo.reported.reason)
        .map_err(|e| anyhow::anyhow!("demo report reason: {e:?}"))?;
    for (i, reporter) in (0_i64..).zip(&demo.reported.reporters) {
        let note = if i == 0 {
            demo.reported.note.as_str()
        } else {
            ""
        };
        let report = Report {
            post: reported,
            reporter: resident(reporter)?,
            reason,
            note,
        };
        report_post_in(tx, &report, &limits, now - HOUR + i * 60_000).await?;
    }

    // A newcomer's first post waits for the moderator.
    let (thread, area) = *thread_ids
        .get(demo.held.thread)
        .context("the held demo post's thread does not exist")?;
    let rendered = markdown::render(&demo.held.body);
    let held = NewPost {
        author: resident(&demo.held.author)?,
        area_id: area,
        target: PostTarget::Reply { thread },
        source: &demo.held.body,
        rendered: &rendered,
        quote_of: None,
        filtered: None,
        moderator: false,
    };
    let placed = write_post_in(tx, &held, &limits, now - 20 * 60_000).await?;
    anyhow::ensure!(
        matches!(placed, Published::Held { .. }),
        "the newcomer's demo post should wait for a moderator"
    );

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
