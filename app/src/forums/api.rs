//! Server functions for reading and writing in the forums. Reading is
//! public (held posts only for their author and the area's moderators);
//! writing, reacting and reporting need a signed-in resident.

use super::{AreaForums, CategoryPage, ForumsIndex, PostForEdit, PostWindow, ThreadPage};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Every area with its categories.
#[server]
pub async fn list_forums(locale: Locale) -> Result<ForumsIndex, AppError> {
    super::db::forums_index(&crate::db::db()?, locale).await
}

/// One area's categories.
#[server]
pub async fn list_area_categories(locale: Locale, area: String) -> Result<AreaForums, AppError> {
    super::db::area_forums(&crate::db::db()?, locale, &area).await
}

/// One page of a category's threads.
#[server]
pub async fn category_threads(
    locale: Locale,
    area: String,
    category: String,
    after: Option<String>,
) -> Result<CategoryPage, AppError> {
    let db = crate::db::db()?;
    let area = super::db::area_by_slug(&db, locale, &area).await?;
    let reader = reader_in(&db, area.id).await?;
    super::db::category_page(&db, locale, area, &category, after.as_deref(), reader).await
}

/// One page of a thread.
#[server]
pub async fn read_thread(
    locale: Locale,
    thread: i64,
    window: PostWindow,
) -> Result<ThreadPage, AppError> {
    use super::domain::PostingLimits;

    let db = crate::db::db()?;
    let place = super::db::thread_place(&db, thread).await?;
    let reader = reader_in(&db, place.area_id).await?;
    super::db::thread_page(
        &db,
        locale,
        thread,
        window,
        reader,
        &PostingLimits::current(),
    )
    .await
}

/// Starts a thread in a category: its title and first post.
#[server]
pub async fn start_thread(
    locale: Locale,
    category: i64,
    title: String,
    body: String,
) -> Result<(), AppError> {
    use super::domain::{PostBody, PostingLimits, Title};
    use super::posting::{NewPost, PostTarget};

    let author = signed_in().await?;
    let title = Title::parse(&title)?;
    let body = PostBody::parse(&body)?;
    let db = crate::db::db()?;
    let area = super::db::category_area(&db, category).await?;
    let rendered = crate::text::markdown::render(body.as_str());
    let filtered = super::filters::check(
        &db,
        area,
        leptos_i18n::Locale::as_str(locale),
        &format!("{}\n{}", title.as_str(), body.as_str()),
    )
    .await?;
    let post = NewPost {
        author,
        area_id: area,
        target: PostTarget::NewThread {
            category,
            title: title.as_str(),
        },
        source: body.as_str(),
        rendered: &rendered,
        quote_of: None,
        filtered,
        moderator: moderates(&db, author, area).await?,
    };
    let (limits, now) = (PostingLimits::current(), crate::security::now_millis());
    let published = db
        .write(async |tx| super::posting::write_post_in(tx, &post, &limits, now).await)
        .await?;
    tracing::info!(author, ?published, "thread started");
    redirect_to(locale, published);
    Ok(())
}

/// Replies in a thread, optionally quoting one of its posts.
#[server]
pub async fn reply(
    locale: Locale,
    thread: i64,
    body: String,
    quote: Option<i64>,
) -> Result<(), AppError> {
    use super::domain::{PostBody, PostingLimits};
    use super::posting::{NewPost, PostTarget};

    let author = signed_in().await?;
    let body = PostBody::parse(&body)?;
    let db = crate::db::db()?;
    let place = super::db::thread_place(&db, thread).await?;
    let rendered = crate::text::markdown::render(body.as_str());
    let filtered = super::filters::check(
        &db,
        place.area_id,
        leptos_i18n::Locale::as_str(locale),
        body.as_str(),
    )
    .await?;
    let post = NewPost {
        author,
        area_id: place.area_id,
        target: PostTarget::Reply { thread },
        source: body.as_str(),
        rendered: &rendered,
        quote_of: quote,
        filtered,
        moderator: moderates(&db, author, place.area_id).await?,
    };
    let (limits, now) = (PostingLimits::current(), crate::security::now_millis());
    let published = db
        .write(async |tx| super::posting::write_post_in(tx, &post, &limits, now).await)
        .await?;
    tracing::info!(author, ?published, "reply written");
    redirect_to(locale, published);
    Ok(())
}

/// The author's own post, for the edit page.
#[server]
pub async fn editable_post(post: i64) -> Result<PostForEdit, AppError> {
    use super::domain::PostingLimits;

    let author = signed_in().await?;
    super::posting::post_for_edit(&crate::db::db()?, post, author, &PostingLimits::current()).await
}

/// The author edits their post within the edit window.
#[server]
pub async fn edit_post(locale: Locale, post: i64, body: String) -> Result<(), AppError> {
    use super::domain::{PostBody, PostingLimits};

    let author = signed_in().await?;
    let body = PostBody::parse(&body)?;
    let db = crate::db::db()?;
    let (area, _) = super::db::post_place(&db, post).await?;
    let rendered = crate::text::markdown::render(body.as_str());
    let filtered = super::filters::check(
        &db,
        area,
        leptos_i18n::Locale::as_str(locale),
        body.as_str(),
    )
    .await?;
    let moderator = moderates(&db, author, area).await?;
    let edit = super::posting::PostEdit {
        post,
        author,
        source: body.as_str(),
        rendered: &rendered,
        filtered,
        moderator,
    };
    let thread = super::posting::edit_post(&db, &edit, &PostingLimits::current()).await?;
    tracing::info!(author, post, "post edited");
    leptos_axum::redirect(&post_href(locale, thread, post));
    Ok(())
}

/// Adds the reader's "agree" or "helpful" to a post, or takes it back.
#[server]
pub async fn react(locale: Locale, post: i64, kind: String) -> Result<(), AppError> {
    use super::domain::ReactionKind;
    use crate::validation::{Field, Invalid, Problem};

    let user = signed_in().await?;
    let kind = ReactionKind::parse(&kind).ok_or(Invalid::new(Field::Reason, Problem::Malformed))?;
    let thread = super::posting::toggle_reaction(&crate::db::db()?, post, user, kind).await?;
    leptos_axum::redirect(&post_href(locale, thread, post));
    Ok(())
}

/// Reports a post to the area's moderators, with a reason.
#[server]
pub async fn report_post(
    locale: Locale,
    post: i64,
    #[server(default)] reason: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::domain::{ReportReason, reason_text};

    let reporter = signed_in().await?;
    let reason = ReportReason::parse(&reason)?;
    let note = reason_text(&note, reason == ReportReason::Other)?;
    let report = super::posting::Report {
        post,
        reporter,
        reason,
        note: &note,
    };
    let (limits, now) = (
        super::domain::PostingLimits::current(),
        crate::security::now_millis(),
    );
    let thread = crate::db::db()?
        .write(async |tx| super::posting::report_post_in(tx, &report, &limits, now).await)
        .await?;
    tracing::info!(reporter, post, reason = reason.as_str(), "post reported");
    leptos_axum::redirect(&format!(
        "{}?reported={post}",
        crate::locale::page_path(locale, &format!("t/{thread}"))
    ));
    Ok(())
}

/// Where a post is read: the page of its thread that starts with it.
pub fn post_href(locale: Locale, thread: i64, post: i64) -> String {
    format!(
        "{}?after={}#post-{post}",
        crate::locale::page_path(locale, &format!("t/{thread}")),
        post - 1
    )
}

#[cfg(feature = "ssr")]
fn redirect_to(locale: Locale, published: super::Published) {
    use super::Published;
    let href = match published {
        Published::Visible { thread, post } => post_href(locale, thread, post),
        Published::Held { thread, post } => format!(
            "{}?held={post}#post-{post}",
            crate::locale::page_path(locale, &format!("t/{thread}"))
        ),
    };
    leptos_axum::redirect(&href);
}

/// The signed-in resident's id, or [`AppError::SignInRequired`].
#[cfg(feature = "ssr")]
async fn signed_in() -> Result<i64, AppError> {
    crate::auth::api::current_session()
        .await?
        .map(|session| session.user_id)
        .ok_or(AppError::SignInRequired)
}

/// Whether `user` acts as a moderator of `area` (or an admin) in this
/// request: a grant alone is not enough, the session must have proved the
/// second factor, as for every privilege (`require_role`).
#[cfg(feature = "ssr")]
async fn moderates(db: &crate::db::Db, user: i64, area: i64) -> Result<bool, AppError> {
    let proved = crate::auth::api::current_session()
        .await?
        .is_some_and(|session| session.user_id == user && session.second_factor);
    if !proved {
        return Ok(false);
    }
    let grants = crate::auth::db::grants_of(db.pool(), user).await?;
    Ok(crate::auth::roles::Need::ModeratorOf(area).met_by(&grants))
}

/// Who reads in `area`: their account, and whether they moderate it with
/// the second factor proved (only then do they see held posts).
#[cfg(feature = "ssr")]
async fn reader_in(db: &crate::db::Db, area: i64) -> Result<super::db::Reader, AppError> {
    let session = crate::auth::api::current_session().await?;
    let moderator = match &session {
        Some(session) => moderates(db, session.user_id, area).await?,
        _ => false,
    };
    Ok(super::db::Reader {
        user_id: session.map(|session| session.user_id),
        moderator,
    })
}
