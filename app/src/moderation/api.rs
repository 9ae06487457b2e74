//! Server functions for moderators. Each first requires a moderator (with
//! the second factor proved), then checks that they moderate the area of
//! what they act on: a moderator of one area can do nothing in another.

use super::{FiltersPage, PostHistory, Queue};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The queue of every area the reader moderates.
#[server]
pub async fn moderation_queue(locale: Locale) -> Result<Queue, AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyModerator).await?;
    let db = crate::db::db()?;
    let areas = moderated_areas(&db, locale, &staff).await?;
    super::db::queue(&db, areas).await
}

/// Publishes a held post, or restores a hidden one. `next` is the post
/// whose card followed it in the queue (0: it was the last), where the
/// queue's message then stands.
#[server]
pub async fn approve_post(locale: Locale, post: i64, next: Option<i64>) -> Result<(), AppError> {
    let (db, staff, client) = moderator_of_post(post).await?;
    let moderator = moderator(&staff, &client);
    db.write(async |tx| {
        super::db::decide_post_in(tx, moderator, post, super::db::Verdict::Approve).await
    })
    .await?;
    tracing::info!(moderator = staff.id, post, "post approved");
    done(locale, "approved", post, next);
    Ok(())
}

/// Hides a post with a reason its author sees (`next` as for
/// [`approve_post`]).
#[server]
pub async fn hide_post(
    locale: Locale,
    post: i64,
    reason: String,
    next: Option<i64>,
) -> Result<(), AppError> {
    let reason = crate::forums::domain::reason_text(&reason, true)?;
    let (db, staff, client) = moderator_of_post(post).await?;
    let moderator = moderator(&staff, &client);
    db.write(async |tx| {
        super::db::decide_post_in(
            tx,
            moderator,
            post,
            super::db::Verdict::Hide { reason: &reason },
        )
        .await
    })
    .await?;
    tracing::info!(moderator = staff.id, post, "post hidden");
    done(locale, "hidden", post, next);
    Ok(())
}

/// Deletes a post's text (illegal content); the audit log keeps its hash
/// (`next` as for [`approve_post`]).
#[server]
pub async fn delete_post(locale: Locale, post: i64, next: Option<i64>) -> Result<(), AppError> {
    let (db, staff, client) = moderator_of_post(post).await?;
    super::db::delete_post(&db, moderator(&staff, &client), post).await?;
    tracing::info!(moderator = staff.id, post, "post deleted");
    done(locale, "deleted", post, next);
    Ok(())
}

/// Undoes the reader's approval or hiding of `post`, within ten minutes
/// and while nobody changed it since.
#[server]
pub async fn undo_decision(locale: Locale, post: i64) -> Result<(), AppError> {
    let (db, staff, client) = moderator_of_post(post).await?;
    let moderator = moderator(&staff, &client);
    db.write(async |tx| super::db::undo_decision_in(tx, moderator, post).await)
        .await?;
    tracing::info!(moderator = staff.id, post, "decision undone");
    // The post is back in the queue: the message stands before its card.
    done(locale, "undone", post, Some(post));
    Ok(())
}

/// Locks (`on`) or unlocks a thread.
#[server]
pub async fn lock_thread(locale: Locale, thread: i64, on: bool) -> Result<(), AppError> {
    use super::db::ThreadFlag;
    let (db, staff, client) = moderator_of_thread(thread).await?;
    let moderator = moderator(&staff, &client);
    db.write(async |tx| {
        super::db::set_thread_flag_in(tx, moderator, thread, ThreadFlag::Locked(on)).await
    })
    .await?;
    back_to_thread(locale, thread);
    Ok(())
}

/// Pins (`on`) or unpins a thread.
#[server]
pub async fn pin_thread(locale: Locale, thread: i64, on: bool) -> Result<(), AppError> {
    use super::db::ThreadFlag;
    let (db, staff, client) = moderator_of_thread(thread).await?;
    let moderator = moderator(&staff, &client);
    db.write(async |tx| {
        super::db::set_thread_flag_in(tx, moderator, thread, ThreadFlag::Pinned(on)).await
    })
    .await?;
    back_to_thread(locale, thread);
    Ok(())
}

/// Moves a thread into another category, of an area the reader also
/// moderates.
#[server]
pub async fn move_thread(locale: Locale, thread: i64, category: i64) -> Result<(), AppError> {
    use crate::auth::roles::Need;

    let (db, staff, client) = moderator_of_thread(thread).await?;
    let target_area = crate::forums::db::category_area(&db, category).await?;
    if !Need::ModeratorOf(target_area).met_by(&staff.grants) {
        return Err(AppError::Forbidden);
    }
    super::db::move_thread(
        &db,
        moderator(&staff, &client),
        thread,
        category,
        target_area,
    )
    .await?;
    back_to_thread(locale, thread);
    Ok(())
}

/// Suspends account `user` from posting in `area` for `days` days.
#[server]
pub async fn suspend_user(
    locale: Locale,
    area: i64,
    user: i64,
    days: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let (db, staff, client) = moderator_of_area(area).await?;
    let days: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|days| (1..=365).contains(days))
        .ok_or(Invalid::new(Field::Number, Problem::Malformed))?;
    let reason = crate::forums::domain::reason_text(&reason, true)?;
    super::db::suspend_user(&db, moderator(&staff, &client), area, user, days, &reason).await?;
    tracing::info!(moderator = staff.id, area, "resident suspended");
    back_to_queue(locale);
    Ok(())
}

/// The word filters and rules of the reader's areas.
#[server]
pub async fn moderation_filters(locale: Locale) -> Result<FiltersPage, AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyModerator).await?;
    let db = crate::db::db()?;
    let areas = moderated_areas(&db, locale, &staff).await?;
    super::db::filters_page(&db, areas, Need::Admin.met_by(&staff.grants)).await
}

/// Adds a word filter for `area` (empty: every area, admins only) and
/// `language` (empty: every language).
#[server]
pub async fn add_filter(
    locale: Locale,
    area: String,
    language: String,
    phrase: String,
    action: String,
) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};
    use crate::forums::domain::{FilterAction, filter_phrase};
    use crate::validation::{Field, Invalid, Problem};

    let phrase = filter_phrase(&phrase)?;
    let action = FilterAction::parse(&action)?;
    let language = match language.trim() {
        "" => None,
        text => Some(
            crate::locale::parse_locale(text)
                .ok_or(Invalid::new(Field::Phrase, Problem::Malformed))?,
        ),
    };
    let (db, staff, client) = match area.trim() {
        "" => {
            let staff = require_role(Need::Admin).await?;
            let client = crate::security::address_key()?.hash_current();
            (crate::db::db()?, staff, client)
        }
        text => {
            let area = text
                .parse()
                .map_err(|_| Invalid::new(Field::Scope, Problem::Malformed))?;
            moderator_of_area(area).await?
        }
    };
    let area = area.trim().parse().ok();
    let filter = super::db::NewFilter {
        area,
        locale: language,
        phrase: &phrase,
        action,
    };
    super::db::add_filter(&db, moderator(&staff, &client), &filter).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "moderation/filters"));
    Ok(())
}

/// Removes a word filter of an area the reader moderates.
#[server]
pub async fn remove_filter(locale: Locale, filter: i64) -> Result<(), AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyModerator).await?;
    let db = crate::db::db()?;
    let need = match super::db::filter_area(&db, filter).await? {
        Some(area) => Need::ModeratorOf(area),
        None => Need::Admin,
    };
    if !need.met_by(&staff.grants) {
        return Err(AppError::Forbidden);
    }
    let client = crate::security::address_key()?.hash_current();
    super::db::remove_filter(&db, moderator(&staff, &client), filter).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "moderation/filters"));
    Ok(())
}

/// Sets an area's report threshold and how many first posts are held.
#[server]
pub async fn set_forum_rules(
    locale: Locale,
    area: i64,
    report_threshold: String,
    held_first_posts: String,
) -> Result<(), AppError> {
    let rules = crate::forums::domain::ForumRules::parse(&report_threshold, &held_first_posts)?;
    let (db, staff, client) = moderator_of_area(area).await?;
    super::db::set_rules(&db, moderator(&staff, &client), area, &rules).await?;
    leptos_axum::redirect(&crate::locale::page_path(locale, "moderation/filters"));
    Ok(())
}

/// A post's earlier versions.
#[server]
pub async fn post_revisions(post: i64) -> Result<PostHistory, AppError> {
    let (db, _, _) = moderator_of_post(post).await?;
    super::db::post_history(&db, post).await
}

#[cfg(feature = "ssr")]
type Checked = (crate::db::Db, crate::auth::roles::Staff, String);

/// A moderator of `area`, with the database and their address hash.
#[cfg(feature = "ssr")]
async fn moderator_of_area(area: i64) -> Result<Checked, AppError> {
    use crate::auth::roles::{Need, require_role};

    let staff = require_role(Need::AnyModerator).await?;
    if !Need::ModeratorOf(area).met_by(&staff.grants) {
        tracing::info!(
            user_id = staff.id,
            area,
            "moderation outside the moderator's areas refused"
        );
        return Err(AppError::Forbidden);
    }
    let client = crate::security::address_key()?.hash_current();
    Ok((crate::db::db()?, staff, client))
}

#[cfg(feature = "ssr")]
async fn moderator_of_post(post: i64) -> Result<Checked, AppError> {
    use crate::auth::roles::{Need, require_role};

    // The role first, so that nobody else learns which posts exist.
    require_role(Need::AnyModerator).await?;
    let (area, _) = crate::forums::db::post_place(&crate::db::db()?, post).await?;
    moderator_of_area(area).await
}

#[cfg(feature = "ssr")]
async fn moderator_of_thread(thread: i64) -> Result<Checked, AppError> {
    use crate::auth::roles::{Need, require_role};

    require_role(Need::AnyModerator).await?;
    let place = crate::forums::db::thread_place(&crate::db::db()?, thread).await?;
    moderator_of_area(place.area_id).await
}

#[cfg(feature = "ssr")]
fn moderator<'a>(staff: &crate::auth::roles::Staff, client: &'a str) -> super::db::Moderator<'a> {
    super::db::Moderator {
        id: staff.id,
        client_hash: client,
    }
}

/// The areas `staff` moderates (every area for an admin).
#[cfg(feature = "ssr")]
pub async fn moderated_areas(
    db: &crate::db::Db,
    locale: Locale,
    staff: &crate::auth::roles::Staff,
) -> Result<Vec<crate::taxonomy::AreaSummary>, AppError> {
    use crate::auth::roles::Need;
    Ok(crate::taxonomy::db::areas(db, locale)
        .await?
        .into_iter()
        .filter(|area| Need::ModeratorOf(area.id).met_by(&staff.grants))
        .collect())
}

#[cfg(feature = "ssr")]
fn back_to_queue(locale: Locale) {
    leptos_axum::redirect(&crate::locale::page_path(locale, "moderation"));
}

/// Back to the queue, which says what was `done` to `post` (and offers to
/// undo it), at that message: where the post's card was, before the card
/// of `at` (0: after the last card; None: above the queue).
#[cfg(feature = "ssr")]
fn done(locale: Locale, done: &str, post: i64, at: Option<i64>) {
    let at = at.map(|at| format!("&at={at}")).unwrap_or_default();
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("moderation?done={done}&post={post}{at}#moderation-done"),
    ));
}

#[cfg(feature = "ssr")]
fn back_to_thread(locale: Locale, thread: i64) {
    leptos_axum::redirect(&crate::locale::page_path(locale, &format!("t/{thread}")));
}
