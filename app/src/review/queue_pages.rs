//! `/{l}/review`: the drafts whose queues the reader reviews;
//! `/{l}/review/{draft}`: a draft's queue with its filters (a GET form),
//! triage of a selection or a whole campaign, per-item actions, theme
//! correction in place. Every action is a plain POST; each row's own forms
//! sit outside the selection form and its buttons reach them through the
//! `form` attribute, so nothing nests and nothing needs JavaScript.

use super::api::{CorrectItemThemes, ExportQueue, TriageItems, review_queue, review_queues};
use super::{QueuePage, QueueQuery, QueueRow, Status};
use crate::channel::Channel;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A triage status in the reader's language.
pub fn status_text(locale: Locale, status: Status) -> &'static str {
    match status {
        Status::New => td_string!(locale, feedback.status_new),
        Status::InReview => td_string!(locale, feedback.status_in_review),
        Status::Addressed => td_string!(locale, feedback.status_addressed),
        Status::Noted => td_string!(locale, feedback.status_noted),
        Status::OutOfScope => td_string!(locale, feedback.status_out_of_scope),
    }
}

/// What moving an item to `status` is called on a button.
pub fn action_text(locale: Locale, status: Status) -> &'static str {
    match status {
        Status::New => td_string!(locale, review.action_new),
        Status::InReview => td_string!(locale, review.action_in_review),
        Status::Addressed => td_string!(locale, review.action_addressed),
        Status::Noted => td_string!(locale, review.action_noted),
        Status::OutOfScope => td_string!(locale, review.action_out_of_scope),
    }
}

#[component]
pub fn ReviewHomePage() -> impl IntoView {
    let locale = use_locale();
    let queues = Resource::new(move || locale.get(), review_queues);
    view! {
        <Title text=td_string!(locale.get_untracked(), review.queues_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), review.queues_title)}</h1>
            <p>
                <a href=move || page_path(locale.get(), "review/dashboard")>{move || td!(locale.get(), review.dashboard_link)}</a>
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match queues.await {
                        Ok(queues) if queues.is_empty() => view! {
                            <p>{move || td!(locale.get(), review.no_queues)}</p>
                        }.into_any(),
                        Ok(queues) => view! {
                            <ul class="queue-list">
                                {queues.into_iter().map(|queue| {
                                    let draft = queue.draft;
                                    view! {
                                        <li class="card">
                                            <a href=move || page_path(locale.get(), &format!("review/{draft}")) lang=queue.title.lang dir="auto">{queue.title.text}</a>
                                            <p class="meta">
                                                {queue.themes.into_iter().map(|theme| view! { <span class="tag" lang=theme.lang>{theme.text}</span> " " }).collect_view()}
                                            </p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The queue's filters from the page's address.
fn query_from_address() -> impl Fn() -> QueueQuery + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        let query = query.read();
        let get = |name: &str| query.get(name).unwrap_or_default();
        QueueQuery {
            theme: get("theme"),
            language: get("language"),
            area: get("area"),
            channel: get("channel"),
            status: get("status"),
            from: get("from"),
            to: get("to"),
            campaign: get("campaign"),
            confidence: get("confidence"),
            q: get("q"),
            sort: get("sort"),
            mine: get("mine"),
            after: get("after"),
        }
    }
}

#[component]
pub fn QueuePageView() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let draft = move || {
        params
            .read()
            .get("draft")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let query = query_from_address();
    let page = Resource::new(
        move || (locale.get(), draft(), query()),
        |(locale, draft, query)| review_queue(locale, draft, query),
    );
    let triage = ServerAction::<TriageItems>::new();
    let correct = ServerAction::<CorrectItemThemes>::new();
    let errors = (action_error(triage), action_error(correct));
    let address = use_query_map();
    let done = move || {
        let address = address.read();
        address
            .get("done")
            .map(|done| (done, address.get("skipped").unwrap_or_default()))
    };
    view! {
        <Title text=td_string!(locale.get_untracked(), review.queue_title).to_string() />
        <section class="admin-page queue-page">
            <h1>{move || td!(locale.get(), review.queue_title)}</h1>
            {errors.0} {errors.1}
            {move || done().map(|(done, skipped)| view! {
                <p class="notice success" role="status">
                    {td!(locale.get(), review.done_message, done = move || done.clone(), skipped = move || skipped.clone())}
                </p>
            })}
            <Loaded resource=page show=|page| view! { <QueueBody page /> }.into_any() />
            <QueueShortcuts />
        </section>
    }
}

#[component]
fn QueueBody(page: QueuePage) -> AnyView {
    let locale = use_locale();
    let QueuePage {
        draft,
        title,
        themes,
        areas,
        languages,
        sections,
        rows,
        matching,
        capped,
        next,
        query,
        all_themes,
        reviewers,
    } = page;
    let back = query.to_query_string();
    let next_link = next.map(|after| {
        let link = format!(
            "review/{draft}?{}{}after={after}",
            back,
            if back.is_empty() { "" } else { "&" }
        );
        view! {
            <p class="pager">
                <a rel="next" href=move || page_path(locale.get(), &link)>{move || td!(locale.get(), review.next_page)}</a>
            </p>
        }
    });
    let count = if capped {
        view! { <span class="matching">{move || td!(locale.get(), review.matching_capped, count = move || matching)}</span> }
            .into_any()
    } else {
        view! { <span class="matching">{move || td!(locale.get(), review.matching, count = move || matching)}</span> }.into_any()
    };
    let theme_choices = all_themes;
    let row_views = rows
        .iter()
        .cloned()
        .map(|row| {
            let themes = theme_choices.clone();
            let back = back.clone();
            view! { <Row row draft themes back /> }
        })
        .collect_view();
    let row_forms = rows
        .iter()
        .map(|row| {
            let id = row.id;
            let back = back.clone();
            let back_themes = back.clone();
            view! {
                <PostForm action=TriageItems::url() class="row-form" id=format!("row-form-{id}")>
                    <input type="hidden" name="draft" value=draft />
                    <input type="hidden" name="back" value=back />
                    <input type="hidden" name=format!("items[{id}]") value=id />
                </PostForm>
                <PostForm action=CorrectItemThemes::url() class="row-form" id=format!("themes-form-{id}")>
                    <input type="hidden" name="draft" value=draft />
                    <input type="hidden" name="item" value=id />
                    <input type="hidden" name="back" value=back_themes />
                </PostForm>
            }
        })
        .collect_view();
    view! {
        <p class="lead" dir="auto">
            <a href=move || page_path(locale.get(), &format!("drafts/{draft}")) lang=title.lang dir="auto">{title.text}</a>
        </p>
        <Filters query=query.clone() draft themes=themes.clone() areas languages />
        <p class="meta shortcuts">{move || td!(locale.get(), review.shortcuts)}</p>
        <p class="meta" role="status">
            {count} " · "
            <a href=format!("{}?draft={draft}&filters={}", ExportQueue::url(), super::encode(&back)) download>
                {move || td!(locale.get(), review.export_csv)}
            </a>
        </p>
        <PostForm action=TriageItems::url() class="queue-form">
            <input type="hidden" name="draft" value=draft />
            <input type="hidden" name="back" value=back.clone() />
            <ol class="queue" aria-label=move || td_string!(locale.get(), review.queue_title)>
                {row_views}
            </ol>
            // Shown once something is ticked (CSS), at the foot of the screen.
            <BulkPanel themes sections reviewers />
        </PostForm>
        <div hidden>{row_forms}</div>
        {next_link}
    }
    .into_any()
}

#[component]
fn Filters(
    query: QueueQuery,
    draft: i64,
    themes: Vec<(i64, crate::taxonomy::LocalText)>,
    areas: Vec<(i64, crate::taxonomy::LocalText)>,
    languages: Vec<String>,
) -> impl IntoView {
    let locale = use_locale();
    let selected = |value: &str, current: &str| value == current;
    let status = query.status.clone();
    let channel = query.channel.clone();
    let l = locale.get_untracked();
    // The filters in force, each a chip that removes it.
    let named = |list: &[(i64, crate::taxonomy::LocalText)], id: &str| {
        list.iter()
            .find(|(value, _)| value.to_string() == id)
            .map_or_else(|| id.to_owned(), |(_, name)| name.text.clone())
    };
    let chips: Vec<(String, String)> = query
        .active()
        .into_iter()
        .map(|(name, value, without)| {
            let (label, value) = match name {
                "q" => (td_string!(l, review.filter_search), value),
                "theme" => (td_string!(l, review.themes), named(&themes, &value)),
                "language" => (
                    td_string!(l, review.language),
                    crate::ui::languages::language_name(l, &value),
                ),
                "area" => (td_string!(l, review.area), named(&areas, &value)),
                "channel" => (
                    td_string!(l, review.channel),
                    Channel::parse(&value).map_or(value, |c| c.label(l).to_owned()),
                ),
                "status" => (
                    td_string!(l, review.status),
                    Status::parse(&value).map_or_else(
                        || td_string!(l, review.filter_all).to_owned(),
                        |s| status_text(l, s).to_owned(),
                    ),
                ),
                "from" => (td_string!(l, review.filter_from), value),
                "to" => (td_string!(l, review.filter_to), value),
                "confidence" => (
                    td_string!(l, review.filter_confidence),
                    format!("{value} %"),
                ),
                "mine" => (td_string!(l, review.filter_mine), String::new()),
                _ => (td_string!(l, review.campaign), value),
            };
            let text = if value.is_empty() {
                label.to_owned()
            } else {
                format!("{label}: {value}")
            };
            (text, page_path(l, &format!("review/{draft}?{without}")))
        })
        .collect();
    let active = chips.len();
    view! {
        {(!chips.is_empty()).then(|| view! {
            <ul class="chips filter-chips" aria-label=td_string!(l, review.filters_active_label)>
                {chips.into_iter().map(|(text, href)| view! {
                    <li><a href=href>{text} " " <span aria-hidden="true">"×"</span>
                        <span class="visually-hidden">{td_string!(l, review.filter_remove)}</span></a></li>
                }).collect_view()}
            </ul>
        })}
        <details class="filters-fold">
        <summary>{move || if active == 0 {
            td!(locale.get(), review.filters).into_any()
        } else {
            td!(locale.get(), review.filters_title, count = move || active).into_any()
        }}</summary>
        <form method="get" class="filters" action=move || page_path(locale.get(), &format!("review/{draft}"))>
            <label for="f-q">{move || td!(locale.get(), review.filter_search)}</label>
            <input id="f-q" name="q" type="search" value=query.q.clone() maxlength="200" />
            <label for="f-theme">{move || td!(locale.get(), review.themes)}</label>
            <select id="f-theme" name="theme">
                <option value="">{move || td!(locale.get(), review.filter_any)}</option>
                {themes.into_iter().map(|(id, name)| view! {
                    <option value=id selected=query.theme == id.to_string() lang=name.lang>{name.text}</option>
                }).collect_view()}
            </select>
            <label for="f-language">{move || td!(locale.get(), review.language)}</label>
            <select id="f-language" name="language">
                <option value="">{move || td!(locale.get(), review.filter_any)}</option>
                {languages.into_iter().map(|code| view! {
                    <option value=code.clone() selected=query.language == code>{crate::ui::languages::language_name(locale.get_untracked(), &code)}</option>
                }).collect_view()}
            </select>
            <label for="f-area">{move || td!(locale.get(), review.area)}</label>
            <select id="f-area" name="area">
                <option value="">{move || td!(locale.get(), review.filter_any)}</option>
                {areas.into_iter().map(|(id, name)| view! {
                    <option value=id selected=query.area == id.to_string() lang=name.lang>{name.text}</option>
                }).collect_view()}
            </select>
            <label for="f-channel">{move || td!(locale.get(), review.channel)}</label>
            <select id="f-channel" name="channel">
                <option value="">{move || td!(locale.get(), review.filter_any)}</option>
                {Channel::ALL.into_iter().map(|value| {
                    let chosen = selected(value.as_str(), &channel);
                    view! { <option value=value.as_str() selected=chosen>{move || value.label(locale.get())}</option> }
                }).collect_view()}
            </select>
            <label for="f-status">{move || td!(locale.get(), review.status)}</label>
            <select id="f-status" name="status">
                <option value="open" selected=status.is_empty() || status == "open">{move || td!(locale.get(), review.filter_open)}</option>
                <option value="all" selected=status == "all">{move || td!(locale.get(), review.filter_all)}</option>
                {Status::ALL.into_iter().map(|value| {
                    let chosen = status == value.as_str();
                    view! { <option value=value.as_str() selected=chosen>{move || status_text(locale.get(), value)}</option> }
                }).collect_view()}
            </select>
            <label for="f-from">{move || td!(locale.get(), review.filter_from)}</label>
            <input id="f-from" name="from" type="date" value=query.from.clone() />
            <label for="f-to">{move || td!(locale.get(), review.filter_to)}</label>
            <input id="f-to" name="to" type="date" value=query.to.clone() />
            <label for="f-confidence">{move || td!(locale.get(), review.filter_confidence)}</label>
            <input id="f-confidence" name="confidence" type="number" min="0" max="100" step="5" value=query.confidence.clone() />
            <label for="f-sort">{move || td!(locale.get(), review.filter_sort)}</label>
            <select id="f-sort" name="sort">
                <option value="time" selected=query.sort != "campaign">{move || td!(locale.get(), review.sort_time)}</option>
                <option value="campaign" selected=query.sort == "campaign">{move || td!(locale.get(), review.sort_campaign)}</option>
            </select>
            {(!query.campaign.is_empty()).then(|| view! { <input type="hidden" name="campaign" value=query.campaign.clone() /> })}
            <p class="check">
                <input type="checkbox" id="f-mine" name="mine" value="1" checked=query.mine == "1" />
                <label for="f-mine">{move || td!(locale.get(), review.filter_mine)}</label>
            </p>
            <button type="submit" class="button secondary">{move || td!(locale.get(), review.filter_apply)}</button>
        </form>
        </details>
    }
}

/// What to do with the checked items: a status (with a response for
/// "addressed"), or assignment.
#[component]
fn BulkPanel(
    themes: Vec<(i64, crate::taxonomy::LocalText)>,
    sections: Vec<super::Named>,
    reviewers: Vec<super::Named>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <fieldset class="bulk">
            <legend>{move || td!(locale.get(), review.bulk_title)}</legend>
            <label for="b-action">{move || td!(locale.get(), review.bulk_action)}</label>
            <select id="b-action" name="action">
                {Status::ALL.into_iter().map(|value| view! {
                    <option value=value.as_str()>{move || action_text(locale.get(), value)}</option>
                }).collect_view()}
                <option value="assign">{move || td!(locale.get(), review.assign_me)}</option>
                {reviewers.into_iter().map(|reviewer| {
                    let name = reviewer.name;
                    view! {
                        <option value=format!("assign:{}", reviewer.value)>
                            {move || td!(locale.get(), review.assign_to, name = {
                                let name = name.clone();
                                move || name.clone()
                            })}
                        </option>
                    }
                }).collect_view()}
                <option value="unassign">{move || td!(locale.get(), review.unassign)}</option>
            </select>
            <label for="b-response">{move || td!(locale.get(), review.response_label)}</label>
            <textarea id="b-response" name="response" rows="3" maxlength=super::RESPONSE.max dir="auto"></textarea>
            <div class="choice">
                <input type="checkbox" id="b-quote" name="quote" value="yes" aria-describedby="b-quote-help" />
                <label for="b-quote">{move || td!(locale.get(), review.response_quote)}</label>
            </div>
            <p class="help" id="b-quote-help">{move || td!(locale.get(), review.response_quote_help)}</p>
            <label for="b-theme">{move || td!(locale.get(), review.response_theme)}</label>
            <select id="b-theme" name="theme">
                <option value="">{move || td!(locale.get(), review.filter_any)}</option>
                {themes.into_iter().map(|(id, name)| view! { <option value=id lang=name.lang>{name.text}</option> }).collect_view()}
            </select>
            <label for="b-section">{move || td!(locale.get(), review.response_section)}</label>
            <select id="b-section" name="section">
                <option value="">{move || td!(locale.get(), review.no_section)}</option>
                {sections.into_iter().map(|section| view! { <option value=section.value>{section.name}</option> }).collect_view()}
            </select>
            <button type="submit" class="button">{move || td!(locale.get(), review.bulk_apply)}</button>
        </fieldset>
    }
}

#[component]
fn Row(
    row: QueueRow,
    draft: i64,
    themes: Vec<(i64, crate::taxonomy::LocalText)>,
    back: String,
) -> impl IntoView {
    let locale = use_locale();
    let QueueRow {
        id,
        created_at,
        channel,
        language,
        area,
        text,
        themes: item_themes,
        campaign,
        status,
        assignee,
        response,
        section,
    } = row;
    let row_form = format!("row-form-{id}");
    let themes_form = format!("themes-form-{id}");
    let checkbox = format!("select-{id}");
    let theme_ids: Vec<i64> = item_themes.iter().map(|(theme, ..)| *theme).collect();
    let campaign_part = campaign.map(|(campaign, size)| {
        let members = format!("{back}&campaign={campaign}&status=all");
        view! {
            <p class="campaign">
                <input type="checkbox" id=format!("campaign-{campaign}") name=format!("campaigns[{campaign}]") value=campaign />
                <label for=format!("campaign-{campaign}")>{move || td!(locale.get(), review.whole_campaign, count = move || size)}</label>
                " "
                <a href=move || page_path(locale.get(), &format!("review/{draft}?{members}"))>{move || td!(locale.get(), review.open_campaign)}</a>
            </p>
        }
    });
    let actions: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|next| status.may_become(*next) && *next != Status::Addressed)
        .collect();
    view! {
        <li class="queue-row" tabindex="-1" data-item=id id=format!("item-{id}")>
            <p class="row-head">
                <input type="checkbox" id=checkbox.clone() name=format!("items[{id}]") value=id />
                <label for=checkbox>
                    <span class=format!("badge status-{}", status.as_str())>{move || status_text(locale.get(), status)}</span>
                    " " <time>{iso_minute(created_at)}</time>
                    " · " {move || channel.label(locale.get())}
                    {language.map(|language| view! { " · " <span class="language">{crate::ui::languages::language_name(locale.get_untracked(), &language)}</span> })}
                    {area.map(|area| view! { " · " <span lang=area.lang>{area.text}</span> })}
                    {section.map(|section| view! { " · " <span class="section-ref">{section}</span> })}
                </label>
            </p>
            <blockquote class="masked-text" dir="auto">{text}</blockquote>
            {campaign_part}
            <p class="meta">
                {item_themes.into_iter().map(|(_, name, score, source)| view! {
                    <span class=format!("tag source-{source}") lang=name.lang>{name.text} " " {format!("{:.0} %", score * 100.0)}</span> " "
                }).collect_view()}
                {assignee.map(|assignee| view! { " · " {move || td!(locale.get(), review.assigned_to, name = {
                    let assignee = assignee.clone();
                    move || assignee.clone()
                })} })}
            </p>
            {response.map(|response| view! { <p class="response-text" dir="auto">{response}</p> })}
            <p class="row-actions">
                {actions.into_iter().map(|next| view! {
                    <button type="submit" form=row_form.clone() name="action" value=next.as_str() class="link-button">
                        {move || action_text(locale.get(), next)}
                    </button> " "
                }).collect_view()}
                <button type="submit" form=row_form.clone() name="action" value="assign" class="link-button">{move || td!(locale.get(), review.assign_me)}</button>
                " "
                <a class="open-item" href=page_path(locale.get_untracked(), &format!("review/items/{id}?draft={draft}&back={}", super::encode(&back)))>{move || td!(locale.get(), review.open_item)}</a>
            </p>
            <details class="correct-themes">
                <summary>{move || td!(locale.get(), review.correct_themes)}</summary>
                <ul class="choices">
                    {themes.into_iter().map(|(theme, name)| {
                        let box_id = format!("theme-{id}-{theme}");
                        view! {
                            <li>
                                <input type="checkbox" id=box_id.clone() form=themes_form.clone() name=format!("themes[{theme}]") value=theme checked=theme_ids.contains(&theme) />
                                <label for=box_id lang=name.lang>{name.text}</label>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button type="submit" form=themes_form class="button secondary">{move || td!(locale.get(), review.save_themes)}</button>
            </details>
        </li>
    }
}

/// With JavaScript: `j` and `k` move between the rows, `x` checks the row,
/// `o` opens it. Without it, the checkboxes, forms and links do the same.
/// An island that shows nothing: in the browser it listens to the keys.
#[island]
fn QueueShortcuts() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    keyboard_shortcuts();
}

#[cfg(feature = "hydrate")]
fn keyboard_shortcuts() {
    use leptos::web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};
    use wasm_bindgen::JsCast as _;

    fn is_row(element: &Element) -> bool {
        element
            .get_attribute("class")
            .is_some_and(|class| class.split(' ').any(|name| name == "queue-row"))
    }
    let handle = window_event_listener(leptos::ev::keydown, |event: KeyboardEvent| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let document = document();
        let active = document.active_element();
        if active.as_ref().is_some_and(|element| {
            matches!(
                element.tag_name().as_str(),
                "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"
            )
        }) {
            return;
        }
        let current = active.filter(is_row);
        let target = match event.key().as_str() {
            "j" => match &current {
                Some(row) => row.next_element_sibling(),
                None => document.query_selector(".queue-row").ok().flatten(),
            },
            "k" => current.as_ref().and_then(Element::previous_element_sibling),
            "x" => {
                let checkbox = current
                    .and_then(|row| row.query_selector("input[type=checkbox]").ok().flatten())
                    .and_then(|element| element.dyn_into::<HtmlInputElement>().ok());
                if let Some(checkbox) = checkbox {
                    event.prevent_default();
                    checkbox.set_checked(!checkbox.checked());
                }
                return;
            }
            "o" => {
                let link = current
                    .and_then(|row| row.query_selector("a.open-item").ok().flatten())
                    .and_then(|element| element.dyn_into::<HtmlElement>().ok());
                if let Some(link) = link {
                    link.click();
                }
                return;
            }
            _ => return,
        };
        if let Some(target) = target.and_then(|element| element.dyn_into::<HtmlElement>().ok()) {
            event.prevent_default();
            let _ = target.focus();
        }
    });
    on_cleanup(move || handle.remove());
}
