//! Pieces of the forum pages: one post, one thread in a list, the links
//! between pages.

use super::api::{React, post_href};
use super::{PostStatus, PostView, ThreadSummary};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::forms::PostForm;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

/// `/{l}/t/{id}/{slug}`: the slug is the title's ASCII letters and digits,
/// for readable links; the id alone finds the thread.
pub fn thread_href(locale: crate::i18n::Locale, id: i64, title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        page_path(locale, &format!("t/{id}"))
    } else {
        page_path(locale, &format!("t/{id}/{slug}"))
    }
}

/// A time as `YYYY-MM-DD HH:MM` (UTC) in a `<time>` element.
#[component]
pub fn Time(millis: i64) -> impl IntoView {
    let text = iso_minute(millis);
    let datetime = format!("{}Z", text.replacen(' ', "T", 1));
    view! { <time datetime=datetime dir="ltr">{text}</time> }
}

/// One row of a category's thread list.
#[component]
pub fn ThreadRow(thread: ThreadSummary) -> impl IntoView {
    let locale = use_locale();
    let href = thread_href(locale.get_untracked(), thread.id, &thread.title);
    let replies = thread.reply_count;
    view! {
        <li class="thread-row">
            <a class="thread-title" href=href dir="auto">{thread.title}</a>
            <span class="badges">
                {thread.pinned.then(|| view! { <span class="badge">{move || td!(locale.get(), forums.pinned)}</span> })}
                {thread.locked.then(|| view! { <span class="badge">{move || td!(locale.get(), forums.locked)}</span> })}
                {(!thread.published).then(|| view! { <span class="badge warn">{move || td!(locale.get(), forums.awaiting_approval)}</span> })}
            </span>
            <span class="meta">
                {thread.author.unwrap_or_default()}
                " · "
                {move || td!(locale.get(), forums.replies, count = move || replies)}
                " · "
                {move || td!(locale.get(), forums.last_activity)}
                " "
                <Time millis=thread.last_post_at />
            </span>
        </li>
    }
}

/// One post of a thread: author, time, the stored HTML (or a placeholder),
/// the quote it answers, reactions and links to act on it.
#[component]
pub fn PostItem(
    post: PostView,
    thread: i64,
    signed_in: bool,
    locked: bool,
    /// The reader moderates this area: a link to act on the post and see
    /// its earlier versions.
    #[prop(optional)]
    moderator: bool,
) -> AnyView {
    let locale = use_locale();
    let id = post.id;
    let anchor = format!("post-{id}");
    let author = post
        .author
        .clone()
        .unwrap_or_else(|| td_string!(locale.get_untracked(), forums.former_resident).to_owned());
    let header = view! {
        <header class="post-header">
            <strong class="author">{author}</strong>
            " · "
            <a href=post_href(locale.get_untracked(), thread, id)><Time millis=post.created_at /></a>
            {post.edited_at.map(|_| view! { " · " <span class="edited">{move || td!(locale.get(), forums.edited)}</span> })}
            {moderator.then(|| {
                let href = page_path(locale.get_untracked(), &format!("moderation/posts/{id}"));
                view! { " · " <a href=href>{move || td!(locale.get(), forums.moderate_post)}</a> }
            })}
        </header>
    }
    .into_any();
    let notice = status_notice(post.status, post.hide_reason.clone());
    let quote = post.quote.clone().map(|quote| {
        let href = format!("#post-{}", quote.post_id);
        let author = quote.author.unwrap_or_default();
        view! {
            <blockquote class="quote">
                <a href=href>{move || td!(locale.get(), forums.in_reply_to)} " " {author}</a>
                {(!quote.excerpt.is_empty()).then(|| view! { <p dir="auto">{quote.excerpt}</p> })}
            </blockquote>
        }
    });
    let body = post
        .body_html
        .clone()
        .map(|html| view! { <div class="post-body" dir="auto" inner_html=html></div> });
    let actions = (post.status == PostStatus::Visible)
        .then(|| post_actions(&post, thread, signed_in, locked));
    view! {
        <article class="post" id=anchor data-status=post.status.as_str()>
            {header}
            {notice}
            {quote}
            {body}
            {actions}
        </article>
    }
    .into_any()
}

/// What a placeholder says of a post that is not shown as usual.
fn status_notice(status: PostStatus, hide_reason: Option<String>) -> Option<AnyView> {
    let locale = use_locale();
    let text = match status {
        PostStatus::Visible => return None,
        PostStatus::Held => td_string!(locale.get_untracked(), forums.post_held),
        PostStatus::Reported => td_string!(locale.get_untracked(), forums.post_reported),
        PostStatus::Hidden => td_string!(locale.get_untracked(), forums.post_hidden),
        PostStatus::Deleted => td_string!(locale.get_untracked(), forums.post_deleted),
    };
    Some(
        view! {
            <p class="post-notice">
                {text}
                {hide_reason.map(|reason| view! {
                    " " <span>{move || td!(locale.get(), forums.hide_reason)} " " {reason}</span>
                })}
            </p>
        }
        .into_any(),
    )
}

fn post_actions(post: &PostView, thread: i64, signed_in: bool, locked: bool) -> AnyView {
    let locale = use_locale();
    let id = post.id;
    let (agree, helpful) = (post.agree, post.helpful);
    let reaction = move |kind: &'static str, pressed: bool, label: AnyView| {
        view! {
            <PostForm action=React::url() class="inline-form">
                <input type="hidden" name="post" value=id />
                <input type="hidden" name="kind" value=kind />
                <button type="submit" class="reaction" aria-pressed=pressed.to_string() disabled=!signed_in>
                    {label}
                </button>
            </PostForm>
        }
    };
    let agree_label =
        view! { {move || td!(locale.get(), forums.agree)} " " <span class="count">{agree}</span> }
            .into_any();
    let helpful_label =
        view! { {move || td!(locale.get(), forums.helpful)} " " <span class="count">{helpful}</span> }.into_any();
    let quote_href = format!(
        "{}?page=last&quote={id}#reply",
        page_path(locale.get_untracked(), &format!("t/{thread}"))
    );
    let report_href = page_path(locale.get_untracked(), &format!("posts/{id}/report"));
    let edit_href = page_path(locale.get_untracked(), &format!("posts/{id}/edit"));
    let editable = post.editable;
    view! {
        <footer class="post-actions">
            {reaction("agree", post.my_agree, agree_label)}
            {reaction("helpful", post.my_helpful, helpful_label)}
            {(signed_in && !locked).then(|| view! { <a href=quote_href>{move || td!(locale.get(), forums.quote)}</a> })}
            {signed_in.then(|| view! { <a href=report_href>{move || td!(locale.get(), forums.report)}</a> })}
            {editable.then(|| view! { <a href=edit_href>{move || td!(locale.get(), forums.edit)}</a> })}
        </footer>
    }
    .into_any()
}
