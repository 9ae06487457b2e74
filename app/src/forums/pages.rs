//! The forum pages: `/{l}/forums`, `/{l}/forums/{area}`,
//! `/{l}/forums/{area}/{category}`, `/{l}/t/{id}`, and the pages to edit
//! and report a post. Every form is a plain POST; with JavaScript, a
//! thread's last page also shows new replies as they are written.

use super::api::{
    EditPost, Reply, ReportPost, StartThread, category_threads, editable_post,
    list_area_categories, list_forums, read_thread,
};
use super::domain::{REASON, Title};
use super::parts::{PostItem, ThreadRow, Time, thread_href};
use super::{CategorySummary, PostWindow, ReportReason, ThreadPage};
use crate::i18n::*;
use crate::locale::{CurrentLocale, page_path, parse_locale, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn CategoryList(area_slug: String, categories: Vec<CategorySummary>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="category-list">
            {categories.into_iter().map(|category| {
                let href = page_path(locale.get_untracked(), &format!("forums/{area_slug}/{}", category.slug));
                let count = category.thread_count;
                view! {
                    <li>
                        <a href=href lang=category.name.lang.clone()>{category.name.text}</a>
                        <p lang=category.description.lang>{category.description.text}</p>
                        <p class="meta">
                            {move || td!(locale.get(), forums.threads_count, count = move || count)}
                            {category.last_post_at.map(|at| view! {
                                " · " {move || td!(locale.get(), forums.last_activity)} " " <Time millis=at />
                            })}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ForumsPage() -> impl IntoView {
    let locale = use_locale();
    let index = Resource::new(move || locale.get(), list_forums);
    view! {
        <Title text=td_string!(locale.get_untracked(), common.nav_forums).to_string() />
        <section class="forums-page">
            <h1>{move || td!(locale.get(), common.nav_forums)}</h1>
            <p>{move || td!(locale.get(), forums.intro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match index.await {
                        Ok(index) => index.areas.into_iter().map(|forums| {
                            let href = page_path(locale.get_untracked(), &format!("forums/{}", forums.area.slug));
                            view! {
                                <section class="area-forums">
                                    <h2><a href=href lang=forums.area.name.lang>{forums.area.name.text}</a></h2>
                                    <CategoryList area_slug=forums.area.slug categories=forums.categories />
                                </section>
                            }
                        }).collect_view().into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn AreaForumsPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let area = move || params.read().get("area").unwrap_or_default();
    let forums = Resource::new(
        move || (locale.get(), area()),
        |(locale, area)| list_area_categories(locale, area),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match forums.await {
                    Ok(forums) => view! {
                        <Title text=forums.area.name.text.clone() />
                        <section class="forums-page">
                            <nav class="breadcrumb" aria-label=move || td_string!(locale.get(), forums.breadcrumb)>
                                <a href=move || page_path(locale.get(), "forums")>{move || td!(locale.get(), common.nav_forums)}</a>
                            </nav>
                            <h1 lang=forums.area.name.lang>{forums.area.name.text}</h1>
                            <CategoryList area_slug=forums.area.slug categories=forums.categories />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let params = params.read();
        (
            locale.get(),
            params.get("area").unwrap_or_default(),
            params.get("category").unwrap_or_default(),
            query.read().get("after"),
        )
    };
    let page = Resource::new(key, |(locale, area, category, after)| {
        category_threads(locale, area, category, after)
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => category_body(page),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn category_body(page: super::CategoryPage) -> AnyView {
    let locale = use_locale();
    let area_href = page_path(
        locale.get_untracked(),
        &format!("forums/{}", page.area.slug),
    );
    let next = page.next.map(|after| {
        format!(
            "{}?after={after}",
            page_path(
                locale.get_untracked(),
                &format!("forums/{}/{}", page.area.slug, page.category.slug)
            )
        )
    });
    let empty = page.threads.is_empty();
    let list = view! {
        <ul class="thread-list">
            {page.threads.into_iter().map(|thread| view! { <ThreadRow thread /> }).collect_view()}
        </ul>
        {empty.then(|| view! { <p>{move || td!(locale.get(), forums.no_threads)}</p> })}
        {next.map(|href| view! { <p><a href=href rel="next">{move || td!(locale.get(), forums.more_threads)}</a></p> })}
    }
    .into_any();
    let category_id = page.category.id;
    let form = if page.signed_in {
        view! { <NewThreadForm category=category_id /> }.into_any()
    } else {
        view! { <SignInToWrite /> }.into_any()
    };
    view! {
        <Title text=page.category.name.text.clone() />
        <section class="forums-page">
            <nav class="breadcrumb" aria-label=move || td_string!(locale.get(), forums.breadcrumb)>
                <a href=move || page_path(locale.get(), "forums")>{move || td!(locale.get(), common.nav_forums)}</a>
                " › "
                <a href=area_href lang=page.area.name.lang>{page.area.name.text}</a>
            </nav>
            <h1 lang=page.category.name.lang>{page.category.name.text}</h1>
            <p lang=page.category.description.lang>{page.category.description.text}</p>
            {list}
            {form}
        </section>
    }
    .into_any()
}

#[component]
fn SignInToWrite() -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="notice">
            <a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), forums.sign_in_to_write)}</a>
        </p>
    }
}

#[component]
fn NewThreadForm(category: i64) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<StartThread>::new();
    let error = action_error(action);
    view! {
        <h2 id="new-thread">{move || td!(locale.get(), forums.new_thread)}</h2>
        {error}
        <PostForm action=StartThread::url()>
            <input type="hidden" name="category" value=category />
            <label for="title">{move || td!(locale.get(), forums.title_label)}</label>
            <input id="title" name="title" type="text" required minlength=Title::BOUNDS.min maxlength=Title::BOUNDS.max />
            <label for="body">{move || td!(locale.get(), forums.body_label)}</label>
            <textarea id="body" name="body" rows="8" required aria-describedby="body-help"></textarea>
            <p id="body-help" class="help">{move || td!(locale.get(), forums.markdown_help)}</p>
            <button type="submit" class="button">{move || td!(locale.get(), forums.start_thread)}</button>
        </PostForm>
    }
}

/// What a moderator of the thread's area gets on the thread page: built by
/// the moderation room (`moderation::parts::thread_tools`), handed in by
/// the route table, so that forums need not know moderation.
pub type ThreadToolsView = fn(ThreadToolsFor) -> AnyView;

/// The thread a moderator's tools act on.
pub struct ThreadToolsFor {
    pub thread: i64,
    pub pinned: bool,
    pub locked: bool,
    pub targets: Vec<super::MoveTarget>,
}

#[component]
pub fn ThreadView(
    /// The moderators' tools (lock, pin, move), when the route offers them.
    #[prop(optional)]
    tools: Option<ThreadToolsView>,
) -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let query = query.read();
        let id: i64 = params
            .read()
            .get("id")
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        let window =
            PostWindow::from_query(query.get("after"), query.get("before"), query.get("page"));
        (locale.get(), id, window)
    };
    let page = Resource::new(key, |(locale, id, window)| read_thread(locale, id, window));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => thread_body(page, tools),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn thread_body(page: ThreadPage, tools_view: Option<ThreadToolsView>) -> AnyView {
    let locale = use_locale();
    let query = use_query_map();
    let l = locale.get_untracked();
    let ThreadPage {
        thread,
        posts,
        older,
        newer,
        viewer,
        moderator,
        move_targets,
    } = page;
    let signed_in = viewer.is_some();
    let thread_id = thread.id;
    let locked = thread.locked;
    let base = page_path(l, &format!("t/{thread_id}"));
    let category_href = page_path(
        l,
        &format!("forums/{}/{}", thread.area.slug, thread.category_slug),
    );
    let area_href = page_path(l, &format!("forums/{}", thread.area.slug));
    let last_id = posts.last().map_or(0, |post| post.id);
    let on_last_page = newer.is_none();
    let pager = move || {
        let first = base.clone();
        let last = format!("{base}?page=last");
        let older = older.map(|id| format!("{base}?before={id}"));
        let newer = newer.map(|id| format!("{base}?after={id}"));
        view! {
            <nav class="pager" aria-label=move || td_string!(locale.get(), forums.pages)>
                {older.map(|href| view! {
                    <a href=first.clone()>{move || td!(locale.get(), forums.first_page)}</a>
                    <a href=href rel="prev">{move || td!(locale.get(), forums.older_posts)}</a>
                })}
                {newer.map(|href| view! {
                    <a href=href rel="next">{move || td!(locale.get(), forums.newer_posts)}</a>
                    <a href=last.clone()>{move || td!(locale.get(), forums.last_page)}</a>
                })}
            </nav>
        }
        .into_any()
    };
    let flash = {
        let query = query.read_untracked();
        if query.get("held").is_some() {
            Some(td_string!(l, forums.held_notice))
        } else if query.get("reported").is_some() {
            Some(td_string!(l, forums.reported_notice))
        } else {
            None
        }
    }
    .map(|text| view! { <p class="notice" role="status">{text}</p> });
    let list = view! {
        <div class="posts">
            {posts.into_iter().map(|post| view! { <PostItem post thread=thread_id signed_in locked moderator /> }).collect_view()}
            <LiveReplies locale=l.as_str().to_owned() thread=thread_id last_id enabled=on_last_page signed_in locked moderator />
        </div>
    }
    .into_any();
    let tools = moderator.then_some(tools_view).flatten().map(|tools| {
        tools(ThreadToolsFor {
            thread: thread_id,
            pinned: thread.pinned,
            locked,
            targets: move_targets,
        })
    });
    let writing = if locked {
        view! { <p class="notice">{move || td!(locale.get(), errors.thread_locked)}</p> }.into_any()
    } else if signed_in {
        let quote = query
            .read_untracked()
            .get("quote")
            .and_then(|q| q.parse::<i64>().ok());
        view! { <ReplyForm thread=thread_id quote /> }.into_any()
    } else {
        view! { <SignInToWrite /> }.into_any()
    };
    view! {
        <Title text=thread.title.clone() />
        <section class="thread-page">
            <nav class="breadcrumb" aria-label=move || td_string!(locale.get(), forums.breadcrumb)>
                <a href=move || page_path(locale.get(), "forums")>{move || td!(locale.get(), common.nav_forums)}</a>
                " › "
                <a href=area_href lang=thread.area.name.lang>{thread.area.name.text}</a>
                " › "
                <a href=category_href lang=thread.category_name.lang>{thread.category_name.text}</a>
            </nav>
            <h1 dir="auto">{thread.title}</h1>
            <p class="badges">
                {thread.pinned.then(|| view! { <span class="badge">{move || td!(locale.get(), forums.pinned)}</span> })}
                {locked.then(|| view! { <span class="badge">{move || td!(locale.get(), forums.locked)}</span> })}
            </p>
            {flash}
            {tools}
            {pager()}
            {list}
            {pager()}
            {writing}
        </section>
    }
    .into_any()
}

/// With JavaScript, on a thread's last page: asks every 15 seconds for
/// posts after the last one shown and adds them below. Without it, the
/// page shows what it had (a reload shows more). An island: the page
/// around it is not hydrated, so it is given its locale (a code) and
/// provides it to the posts it adds.
#[island]
fn LiveReplies(
    locale: String,
    thread: i64,
    last_id: i64,
    enabled: bool,
    signed_in: bool,
    locked: bool,
    moderator: bool,
) -> impl IntoView {
    let locale = Signal::stored(parse_locale(&locale).unwrap_or_default());
    provide_context(CurrentLocale(locale));
    let fresh = RwSignal::new(Vec::<super::PostView>::new());
    let last = StoredValue::new(last_id);
    Effect::new(move |_| {
        if !enabled {
            return;
        }
        let poll = move || {
            leptos::task::spawn_local(async move {
                let after = last.get_value();
                if let Ok(page) =
                    read_thread(locale.get_untracked(), thread, PostWindow::After(after)).await
                    && let Some(newest) = page.posts.last()
                {
                    last.set_value(newest.id);
                    fresh.update(|posts| posts.extend(page.posts));
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_secs(15)) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <div aria-live="polite">
            <For each=move || fresh.get() key=|post| post.id let:post>
                <PostItem post thread signed_in locked moderator />
            </For>
        </div>
    }
}

#[component]
fn ReplyForm(thread: i64, quote: Option<i64>) -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<Reply>::new();
    let error = action_error(action);
    view! {
        <h2 id="reply">{move || td!(locale.get(), forums.reply_title)}</h2>
        {error}
        <PostForm action=Reply::url()>
            <input type="hidden" name="thread" value=thread />
            {quote.map(|quote| view! {
                <input type="hidden" name="quote" value=quote />
                <p class="help">
                    {move || td!(locale.get(), forums.quoting)} " "
                    <a href=format!("#post-{quote}")>{format!("#{quote}")}</a>
                </p>
            })}
            <label for="reply-body">{move || td!(locale.get(), forums.body_label)}</label>
            <textarea id="reply-body" name="body" rows="6" required aria-describedby="reply-help"></textarea>
            <p id="reply-help" class="help">{move || td!(locale.get(), forums.markdown_help)}</p>
            <button type="submit" class="button">{move || td!(locale.get(), forums.send_reply)}</button>
        </PostForm>
    }
}

#[component]
pub fn EditPostPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let post = Resource::new(id, editable_post);
    let action = ServerAction::<EditPost>::new();
    let error = action_error(action);
    view! {
        <Title text=td_string!(locale.get_untracked(), forums.edit_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), forums.edit_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match post.await {
                        Ok(post) if post.editable => {
                            let back = thread_href(locale.get_untracked(), post.thread_id, &post.thread_title);
                            view! {
                                <p><a href=back dir="auto">{post.thread_title}</a></p>
                                {error}
                                <PostForm action=EditPost::url()>
                                    <input type="hidden" name="post" value=post.id />
                                    <label for="edit-body">{move || td!(locale.get(), forums.body_label)}</label>
                                    <textarea id="edit-body" name="body" rows="10" required>{post.body_source}</textarea>
                                    <p class="help">{move || td!(locale.get(), forums.edit_help)}</p>
                                    <button type="submit" class="button">{move || td!(locale.get(), forums.save_edit)}</button>
                                </PostForm>
                            }.into_any()
                        }
                        Ok(_) => view! { <PageError error=crate::error::AppError::EditWindowClosed /> }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A reason's name in the reader's language.
pub fn reason_name(locale: crate::i18n::Locale, reason: ReportReason) -> &'static str {
    match reason {
        ReportReason::Spam => td_string!(locale, forums.reason_spam),
        ReportReason::Abuse => td_string!(locale, forums.reason_abuse),
        ReportReason::Hate => td_string!(locale, forums.reason_hate),
        ReportReason::PersonalData => td_string!(locale, forums.reason_personal_data),
        ReportReason::Other => td_string!(locale, forums.reason_other),
    }
}

#[component]
pub fn ReportPostPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let action = ServerAction::<ReportPost>::new();
    let error = action_error(action);
    view! {
        <Title text=td_string!(locale.get_untracked(), forums.report_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), forums.report_title)}</h1>
            <p>{move || td!(locale.get(), forums.report_intro)}</p>
            {error}
            <PostForm action=ReportPost::url()>
                <input type="hidden" name="post" value=id />
                <fieldset>
                    <legend>{move || td!(locale.get(), forums.report_reason)}</legend>
                    // Nothing pre-selected: the reporter chooses.
                    {ReportReason::ALL.into_iter().map(|reason| {
                        let input_id = format!("reason-{}", reason.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" id=input_id.clone() name="reason" value=reason.as_str() required />
                                <label for=input_id>{move || reason_name(locale.get(), reason)}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="note">{move || td!(locale.get(), forums.report_note)}</label>
                <textarea id="note" name="note" rows="3" maxlength=REASON.max></textarea>
                <button type="submit" class="button">{move || td!(locale.get(), forums.send_report)}</button>
            </PostForm>
        </section>
    }
}
