//! `/{l}/moderation` (the queue), `/{l}/moderation/filters` (word filters
//! and area rules) and `/{l}/moderation/posts/{id}` (a post's history).

use super::api::{
    AddFilter, ApprovePost, DeletePost, HidePost, RemoveFilter, SetForumRules, SuspendUser,
    UndoDecision, moderation_filters, moderation_queue, post_revisions,
};
use super::{FiltersPage, Queue, QueueItem};
use crate::forums::FilterAction;
use crate::forums::domain::{FILTER_PHRASE, REASON};
use crate::forums::pages::reason_name;
use crate::forums::parts::{Time, thread_href};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn ModerationNav() -> impl IntoView {
    let locale = use_locale();
    view! {
        <nav class="sub-nav" aria-label=move || td_string!(locale.get(), moderation.title)>
            <a href=move || page_path(locale.get(), "moderation")>{move || td!(locale.get(), moderation.queue_title)}</a>
            <a href=move || page_path(locale.get(), "moderation/filters")>{move || td!(locale.get(), moderation.filters_title)}</a>
            <a href=move || page_path(locale.get(), "announcements")>{move || td!(locale.get(), announcements.title)}</a>
        </nav>
    }
}

#[component]
pub fn ModerationPage() -> impl IntoView {
    let locale = use_locale();
    let queue = Resource::new(move || locale.get(), moderation_queue);
    view! {
        <Title text=td_string!(locale.get_untracked(), moderation.queue_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), moderation.queue_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(queue) => view! { <ModerationNav /> {queue_body(queue)} }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn queue_body(queue: Queue) -> AnyView {
    let locale = use_locale();
    let approve = ServerAction::<ApprovePost>::new();
    let hide = ServerAction::<HidePost>::new();
    let delete = ServerAction::<DeletePost>::new();
    let suspend = ServerAction::<SuspendUser>::new();
    let undo = ServerAction::<UndoDecision>::new();
    let errors = move || {
        (
            action_error(approve)(),
            action_error(hide)(),
            action_error(delete)(),
            action_error(suspend)(),
            action_error(undo)(),
        )
    };
    let areas: Vec<String> = queue
        .areas
        .iter()
        .map(|area| area.name.text.clone())
        .collect();
    let empty = queue.items.is_empty();
    let ids: Vec<i64> = queue.items.iter().map(|item| item.post_id).collect();
    let query = use_query_map();
    let slot = Memo::new(move |_| query.with(|query| Slot::of(query.get("at").as_deref(), &ids)));
    // Each card knows the one after it: the message of an action on it
    // then stands where it was, and the page keeps its place.
    let mut items = queue.items.into_iter().peekable();
    let mut cards = Vec::new();
    while let Some(item) = items.next() {
        let next = items.peek().map_or(0, |after| after.post_id);
        let post = item.post_id;
        cards.push(view! {
            {move || (slot.get() == Slot::Before(post)).then(|| view! { <li class="done-slot"><DoneMessage /></li> })}
            <li>{queue_item(item, next)}</li>
        });
    }
    view! {
        <p>{move || td!(locale.get(), moderation.queue_intro)} " " {areas.join(", ")}</p>
        {move || (slot.get() == Slot::Top).then(|| view! { <DoneMessage /> })}
        {errors}
        {empty.then(|| view! { <p class="notice">{move || td!(locale.get(), moderation.queue_empty)}</p> })}
        <ol class="queue">
            {cards}
            {move || (slot.get() == Slot::End).then(|| view! { <li class="done-slot"><DoneMessage /></li> })}
        </ol>
    }
    .into_any()
}

/// Where the message of the moderator's last action stands: where the
/// card they acted on was (before the card that followed it, `at`, or
/// after the last card, `at=0`), else above the queue.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Top,
    Before(i64),
    End,
}

impl Slot {
    fn of(at: Option<&str>, cards: &[i64]) -> Self {
        match at.and_then(|at| at.parse::<i64>().ok()) {
            Some(0) if !cards.is_empty() => Self::End,
            Some(at) if cards.contains(&at) => Self::Before(at),
            _ => Self::Top,
        }
    }
}

/// What the moderator's last action did (from the address the action
/// sent them back to), with a way to undo an approval or a hiding.
#[component]
fn DoneMessage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    move || {
        let (done, post) = query.with(|query| (query.get("done"), query.get("post")));
        let post: i64 = post?.parse().ok()?;
        let l = locale.get();
        let (text, undoable) = match done?.as_str() {
            "approved" => (td_string!(l, moderation.done_approved), true),
            "hidden" => (td_string!(l, moderation.done_hidden), true),
            "deleted" => (td_string!(l, moderation.done_deleted), false),
            "undone" => (td_string!(l, moderation.done_undone), false),
            _ => return None,
        };
        Some(view! {
            <div class="notice done-message" id="moderation-done" role="status">
                <p>{text}</p>
                {undoable.then(|| view! {
                    <PostForm action=UndoDecision::url() class="inline-form">
                        <input type="hidden" name="post" value=post />
                        <button type="submit" class="button secondary">{td_string!(l, moderation.undo)}</button>
                    </PostForm>
                })}
            </div>
        })
    }
}

/// A card of the queue; `next` is the post of the card after it (0: none).
fn queue_item(item: QueueItem, next: i64) -> AnyView {
    let locale = use_locale();
    let l = locale.get_untracked();
    let post = item.post_id;
    let status = match item.status {
        crate::forums::PostStatus::Held => match item.held_reason.as_deref() {
            Some("word_filter") => td_string!(l, moderation.held_filter),
            _ => td_string!(l, moderation.held_new_account),
        },
        crate::forums::PostStatus::Reported => td_string!(l, moderation.hidden_by_reports),
        crate::forums::PostStatus::Hidden => td_string!(l, forums.post_hidden),
        _ => td_string!(l, moderation.has_reports),
    };
    let thread = thread_href(l, item.thread_id, &item.thread_title);
    let history_href = page_path(l, &format!("moderation/posts/{post}"));
    let reports = view! {
        <ul class="reports">
            {item.reports.into_iter().map(|report| view! {
                <li>
                    <strong>{move || reason_name(locale.get(), report.reason)}</strong>
                    {(!report.note.is_empty()).then(|| view! { ": " <span dir="auto">{report.note.clone()}</span> })}
                    " · " <Time millis=report.at />
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any();
    let history = item.history.map(|h| {
        let (posts, removed, reports_against) = (h.posts, h.removed, h.reports_against);
        view! {
            <p class="meta">
                {move || td!(locale.get(), moderation.author_history, posts = move || posts, removed = move || removed, reports = move || reports_against)}
                " · " {move || td!(locale.get(), moderation.joined)} " " <Time millis=h.joined_at />
                {h.suspended_until.map(|until| view! {
                    " · " <strong>{move || td!(locale.get(), moderation.suspended_until)} " " <Time millis=until /></strong>
                })}
            </p>
        }
    });
    let actions = post_actions(post, item.area_id, item.author_id, Some(next));
    let revisions = item.revisions;
    view! {
        <article class="queue-item" id=format!("queue-post-{post}")>
            <header>
                <a href=thread dir="auto">{item.thread_title}</a>
                " · " <strong>{item.author.unwrap_or_default()}</strong>
                " · " <Time millis=item.created_at />
                " · " <span class="badge warn">{status}</span>
            </header>
            {history}
            <div class="post-body" dir="auto" inner_html=item.body_html></div>
            {(revisions > 0).then(|| view! {
                <p><a href=history_href>{move || td!(locale.get(), moderation.see_history, count = move || revisions)}</a></p>
            })}
            {reports}
            {actions}
        </article>
    }
    .into_any()
}

/// Approve, hide, delete, and suspend the author: the forms a moderator
/// acts on a post with, in the queue (`next`: the card after it, 0 for
/// none) and on the post's own page (None).
fn post_actions(post: i64, area: i64, author_id: Option<i64>, next: Option<i64>) -> AnyView {
    let locale = use_locale();
    let next = move || next.map(|next| view! { <input type="hidden" name="next" value=next /> });
    let actions = view! {
        <div class="queue-actions">
            <PostForm action=ApprovePost::url() class="inline-form">
                <input type="hidden" name="post" value=post />
                {next()}
                <button type="submit" class="button">{move || td!(locale.get(), moderation.approve)}</button>
            </PostForm>
            <PostForm action=HidePost::url() class="inline-form">
                <input type="hidden" name="post" value=post />
                {next()}
                <label for=format!("hide-reason-{post}")>{move || td!(locale.get(), moderation.hide_reason)}</label>
                <input id=format!("hide-reason-{post}") name="reason" type="text" required maxlength=REASON.max />
                <button type="submit" class="button secondary">{move || td!(locale.get(), moderation.hide)}</button>
            </PostForm>
            // Deleting cannot be undone: it asks once (also without
            // JavaScript: the button is behind a fold).
            <details class="confirm">
                <summary class="button danger">{move || td!(locale.get(), moderation.delete)}</summary>
                <p>{move || td!(locale.get(), moderation.delete_confirm)}</p>
                <PostForm action=DeletePost::url() class="inline-form">
                    <input type="hidden" name="post" value=post />
                    {next()}
                    <button type="submit" class="button danger">{move || td!(locale.get(), moderation.delete_yes)}</button>
                </PostForm>
            </details>
        </div>
    }
    .into_any();
    let suspend = author_id.map(|user| {
        view! {
            <details>
                <summary>{move || td!(locale.get(), moderation.suspend_title)}</summary>
                <PostForm action=SuspendUser::url()>
                    <input type="hidden" name="area" value=area />
                    <input type="hidden" name="user" value=user />
                    <label for=format!("days-{post}")>{move || td!(locale.get(), moderation.suspend_days)}</label>
                    <input id=format!("days-{post}") name="days" type="number" min="1" max="365" value="7" required />
                    <label for=format!("suspend-reason-{post}")>{move || td!(locale.get(), moderation.suspend_reason)}</label>
                    <input id=format!("suspend-reason-{post}") name="reason" type="text" required maxlength=REASON.max />
                    <button type="submit" class="button danger">{move || td!(locale.get(), moderation.suspend_button)}</button>
                </PostForm>
            </details>
        }
    });
    view! { {actions} {suspend} }.into_any()
}

#[component]
pub fn FiltersPageView() -> impl IntoView {
    let locale = use_locale();
    let page = Resource::new(move || locale.get(), moderation_filters);
    view! {
        <Title text=td_string!(locale.get_untracked(), moderation.filters_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), moderation.filters_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <ModerationNav /> {filters_body(page)} }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn action_name(locale: Locale, action: FilterAction) -> &'static str {
    match action {
        FilterAction::Hold => td_string!(locale, moderation.action_hold),
        FilterAction::Refuse => td_string!(locale, moderation.action_refuse),
    }
}

fn filters_body(page: FiltersPage) -> AnyView {
    let locale = use_locale();
    let add = ServerAction::<AddFilter>::new();
    let remove = ServerAction::<RemoveFilter>::new();
    let rules = ServerAction::<SetForumRules>::new();
    let errors = move || {
        (
            action_error(add)(),
            action_error(remove)(),
            action_error(rules)(),
        )
    };
    let all_areas = td_string!(locale.get_untracked(), moderation.all_areas);
    let all_languages = td_string!(locale.get_untracked(), moderation.all_languages);
    let table = view! {
        <table class="data-table">
            <thead>
                <tr>
                    <th scope="col">{move || td!(locale.get(), moderation.phrase)}</th>
                    <th scope="col">{move || td!(locale.get(), moderation.area)}</th>
                    <th scope="col">{move || td!(locale.get(), moderation.language)}</th>
                    <th scope="col">{move || td!(locale.get(), moderation.action)}</th>
                    <th scope="col"><span class="visually-hidden">{move || td!(locale.get(), moderation.remove)}</span></th>
                </tr>
            </thead>
            <tbody>
                {page.filters.into_iter().map(|filter| view! {
                    <tr>
                        <td>{filter.phrase}</td>
                        <td>{filter.area.unwrap_or_else(|| all_areas.to_owned())}</td>
                        <td>{filter.locale.unwrap_or_else(|| all_languages.to_owned())}</td>
                        <td>{move || action_name(locale.get(), filter.action)}</td>
                        <td>
                            <PostForm action=RemoveFilter::url() class="inline-form">
                                <input type="hidden" name="filter" value=filter.id />
                                <button type="submit" class="link-button">{move || td!(locale.get(), moderation.remove)}</button>
                            </PostForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    let area_options: Vec<(i64, String)> = page
        .areas
        .iter()
        .map(|a| (a.area.id, a.area.name.text.clone()))
        .collect();
    let admin = page.admin;
    let form = view! {
        <h2>{move || td!(locale.get(), moderation.add_filter)}</h2>
        <PostForm action=AddFilter::url()>
            <label for="phrase">{move || td!(locale.get(), moderation.phrase)}</label>
            <input id="phrase" name="phrase" type="text" required maxlength=FILTER_PHRASE.max />
            <label for="filter-area">{move || td!(locale.get(), moderation.area)}</label>
            <select id="filter-area" name="area">
                {area_options.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                {admin.then(|| view! { <option value="">{all_areas}</option> })}
            </select>
            <label for="filter-language">{move || td!(locale.get(), moderation.language)}</label>
            <select id="filter-language" name="language">
                <option value="">{all_languages}</option>
                {Locale::get_all().iter().map(|l| view! { <option value=l.as_str()>{l.as_str()}</option> }).collect_view()}
            </select>
            <label for="filter-action">{move || td!(locale.get(), moderation.action)}</label>
            <select id="filter-action" name="action">
                <option value="hold">{move || td!(locale.get(), moderation.action_hold)}</option>
                <option value="refuse">{move || td!(locale.get(), moderation.action_refuse)}</option>
            </select>
            <button type="submit" class="button">{move || td!(locale.get(), moderation.add_button)}</button>
        </PostForm>
    }
    .into_any();
    let rules_forms = page
        .areas
        .into_iter()
        .map(|area| {
            let id = area.area.id;
            view! {
                <PostForm action=SetForumRules::url()>
                    <h3>{area.area.name.text}</h3>
                    <input type="hidden" name="area" value=id />
                    <label for=format!("threshold-{id}")>{move || td!(locale.get(), moderation.report_threshold)}</label>
                    <input id=format!("threshold-{id}") name="report_threshold" type="number" min="1" max="100"
                        value=area.rules.report_threshold.to_string() required />
                    <label for=format!("held-{id}")>{move || td!(locale.get(), moderation.held_first_posts)}</label>
                    <input id=format!("held-{id}") name="held_first_posts" type="number" min="0" max="100"
                        value=area.rules.held_first_posts.to_string() required />
                    <button type="submit" class="button secondary">{move || td!(locale.get(), moderation.save_rules)}</button>
                </PostForm>
            }
        })
        .collect_view()
        .into_any();
    view! {
        <p>{move || td!(locale.get(), moderation.filters_intro)}</p>
        {errors}
        {table}
        {form}
        <h2>{move || td!(locale.get(), moderation.rules_title)}</h2>
        {rules_forms}
    }
    .into_any()
}

/// What a post's status means, unless it is simply visible.
fn status_note(locale: Locale, status: crate::forums::PostStatus) -> Option<&'static str> {
    use crate::forums::PostStatus;
    match status {
        PostStatus::Visible => None,
        PostStatus::Held => Some(td_string!(locale, forums.post_held)),
        PostStatus::Reported => Some(td_string!(locale, forums.post_reported)),
        PostStatus::Hidden => Some(td_string!(locale, forums.post_hidden)),
        PostStatus::Deleted => Some(td_string!(locale, forums.post_deleted)),
    }
}

#[component]
pub fn PostHistoryPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let history = Resource::new(id, post_revisions);
    let approve = ServerAction::<ApprovePost>::new();
    let hide = ServerAction::<HidePost>::new();
    let delete = ServerAction::<DeletePost>::new();
    let suspend = ServerAction::<SuspendUser>::new();
    let action_errors = move || {
        (
            action_error(approve)(),
            action_error(hide)(),
            action_error(delete)(),
            action_error(suspend)(),
        )
    };
    view! {
        <Title text=td_string!(locale.get_untracked(), moderation.history_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), moderation.history_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(history) => view! {
                            <ModerationNav />
                            <p>
                                <a href=page_path(locale.get_untracked(), &format!("t/{}", history.thread_id))>
                                    {move || td!(locale.get(), moderation.see_in_thread)}
                                </a>
                                " · " <strong>{history.author.clone().unwrap_or_default()}</strong>
                                {status_note(locale.get_untracked(), history.status).map(|note| view! {
                                    " · " <span class="badge warn">{note}</span>
                                })}
                            </p>
                            {action_errors()}
                            {post_actions(history.post_id, history.area_id, history.author_id, None)}
                            <h2>{move || td!(locale.get(), moderation.current_version)}</h2>
                            <pre class="source">{history.current}</pre>
                            {history.revisions.into_iter().map(|revision| view! {
                                <h2><Time millis=revision.written_at /></h2>
                                <pre class="source">{revision.body_source}</pre>
                            }).collect_view()}
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
