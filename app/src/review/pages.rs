//! `/{l}/review/items/{id}`: one input item as its reviewers read it, and
//! its original on request (a POST with a reason, audited).

use super::Status;
use super::api::{TriageItems, UnmaskInput, input_for_review};
use super::queue_pages::action_text;
use super::{ItemTheme, ReviewItem, UnmaskReason};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Where a theme came from, in the reader's language.
fn source_name(locale: Locale, source: &str) -> &'static str {
    match source {
        "rule" => td_string!(locale, review.source_rule),
        "model" => td_string!(locale, review.source_model),
        _ => td_string!(locale, review.source_reviewer),
    }
}

#[component]
pub fn ReviewItemPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let item = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| input_for_review(locale, id),
    );
    // Opened from a queue: the draft, and the queue's filters to go back to.
    let query = use_query_map();
    let draft = query
        .read_untracked()
        .get("draft")
        .and_then(|draft| draft.parse::<i64>().ok());
    let back = query.read_untracked().get("back").unwrap_or_default();
    provide_context(FromQueue {
        draft,
        back: back.clone(),
    });

    view! {
        <Title text=td_string!(locale.get_untracked(), review.item_title).to_string() />
        <section class="admin-page">
            {draft.map(|draft| {
                let href = page_path(
                    locale.get_untracked(),
                    &format!("review/{draft}?{back}#item-{}", id()),
                );
                view! { <p><a href=href>{move || td!(locale.get(), review.back_to_queue)}</a></p> }
            })}
            <h1>{move || td!(locale.get(), review.item_title)}</h1>
            <Loaded resource=item show=|item| view! { <ItemBody item /> }.into_any() />
        </section>
    }
}

/// The queue the item page was opened from: its draft and its filters.
#[derive(Clone)]
struct FromQueue {
    draft: Option<i64>,
    back: String,
}

/// What a reviewer can do with the item, as in its queue row: the legal
/// moves, an answer with its response, assigning it to themself.
#[component]
fn ItemActions(id: i64, draft: i64, status: Status, back: String) -> impl IntoView {
    let locale = use_locale();
    let moves: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|next| status.reaches(*next) && *next != Status::Addressed)
        .collect();
    let may_answer = status.reaches(Status::Addressed);
    view! {
        <h2>{move || td!(locale.get(), review.item_actions)}</h2>
        <PostForm action=TriageItems::url()>
            <input type="hidden" name="draft" value=draft />
            <input type="hidden" name="back" value=back />
            <input type="hidden" name=format!("items[{id}]") value=id />
            {may_answer.then(|| view! {
                <label for="i-response">{move || td!(locale.get(), review.response_label)}</label>
                <textarea id="i-response" name="response" rows="4" maxlength=super::RESPONSE.max dir="auto"></textarea>
                <div class="choice">
                    <input type="checkbox" id="i-quote" name="quote" value="yes" />
                    <label for="i-quote">{move || td!(locale.get(), review.response_quote)}</label>
                </div>
                <p><button type="submit" name="action" value="addressed" class="button">{move || action_text(locale.get(), Status::Addressed)}</button></p>
            })}
            <p class="row-actions">
                {moves.into_iter().map(|next| view! {
                    <button type="submit" name="action" value=next.as_str() class="button secondary">
                        {move || action_text(locale.get(), next)}
                    </button> " "
                }).collect_view()}
                <button type="submit" name="action" value="assign" class="button secondary">{move || td!(locale.get(), review.assign_me)}</button>
            </p>
        </PostForm>
    }
}

#[component]
fn ItemBody(item: ReviewItem) -> AnyView {
    let locale = use_locale();
    let ReviewItem {
        id,
        channel,
        created_at,
        received_at,
        area,
        analysis,
        language,
        language_confidence,
        masked_text,
        themes,
        campaign,
        review_status,
        original_text,
    } = item;
    let l = locale.get_untracked();
    let language = match (language, language_confidence) {
        (Some(code), Some(confidence)) => format!(
            "{} ({:.0} %)",
            crate::ui::languages::language_name(l, &code),
            confidence * 100.0
        ),
        (Some(code), None) => crate::ui::languages::language_name(l, &code),
        (None, _) => td_string!(l, review.language_unsure).to_owned(),
    };
    let status = super::Status::parse(&review_status);
    let facts = view! {
        <dl class="facts">
            <dt>{move || td!(locale.get(), review.channel)}</dt>
            <dd>{move || channel.label(locale.get())}</dd>
            <dt>{move || td!(locale.get(), review.received)}</dt>
            <dd><time>{iso_minute(received_at)}</time></dd>
            {(received_at != created_at).then(|| view! {
                <dt>{move || td!(locale.get(), review.written)}</dt>
                <dd><time>{iso_minute(created_at)}</time></dd>
            })}
            {area.map(|area| view! {
                <dt>{move || td!(locale.get(), review.area)}</dt>
                <dd lang=area.lang>{area.text}</dd>
            })}
            <dt>{move || td!(locale.get(), review.language)}</dt>
            <dd class="detected-language">{language}</dd>
            <dt>{move || td!(locale.get(), review.status)}</dt>
            <dd>{status.map(|status| super::queue_pages::status_text(l, status))}</dd>
            {campaign.map(|(campaign, size)| view! {
                <dt>{move || td!(locale.get(), review.campaign)}</dt>
                <dd>
                    <a href=move || page_path(locale.get(), &format!("review/items/{campaign}"))>
                        {move || td!(locale.get(), review.campaign_size, count = move || size)}
                    </a>
                </dd>
            })}
        </dl>
    }
    .into_any();
    let themes = if themes.is_empty() {
        view! { <p>{move || td!(locale.get(), review.no_themes)}</p> }.into_any()
    } else {
        view! {
            <ul class="themes">
                {themes.into_iter().map(|theme| view! { <ThemeLine theme /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let text = match (analysis.as_str(), masked_text) {
        ("done", Some(masked)) => view! {
            <blockquote class="masked-text" dir="auto">{masked}</blockquote>
        }
        .into_any(),
        _ => view! { <p class="analysis-pending">{move || td!(locale.get(), review.pending)}</p> }
            .into_any(),
    };
    let original = match original_text {
        Some(original) => view! {
            <h2 id="original">{move || td!(locale.get(), review.original_title)}</h2>
            <p class="notice">{move || td!(locale.get(), review.original_audited)}</p>
            <blockquote class="original-text" dir="auto">{original}</blockquote>
        }
        .into_any(),
        None => view! { <UnmaskForm id /> }.into_any(),
    };
    let FromQueue { draft, back } = use_context::<FromQueue>().unwrap_or(FromQueue {
        draft: None,
        back: String::new(),
    });
    let actions = draft
        .zip(status)
        .map(|(draft, status)| view! { <ItemActions id draft status back /> });
    // What was written, then what to do with it (on a phone both before
    // the details), then where it came from and its themes.
    view! {
        <h2>{move || td!(locale.get(), review.masked_title)}</h2>
        {text}
        {actions}
        {facts}
        <h2>{move || td!(locale.get(), review.themes)}</h2>
        {themes}
        {original}
    }
    .into_any()
}

/// Asks for the original text, with the reason the audit log keeps.
#[component]
fn UnmaskForm(id: i64) -> impl IntoView {
    let locale = use_locale();
    let label = move |reason: UnmaskReason| match reason {
        UnmaskReason::Answer => td_string!(locale.get(), review.unmask_reason_answer),
        UnmaskReason::Masking => td_string!(locale.get(), review.unmask_reason_masking),
        UnmaskReason::Safety => td_string!(locale.get(), review.unmask_reason_safety),
        UnmaskReason::Legal => td_string!(locale.get(), review.unmask_reason_legal),
    };
    view! {
        <PostForm action=UnmaskInput::url()>
            <input type="hidden" name="id" value=id />
            <fieldset>
                <legend>{move || td!(locale.get(), review.unmask_reason)}</legend>
                {UnmaskReason::ALL.into_iter().map(|reason| {
                    let field = format!("unmask-{}", reason.as_str());
                    view! {
                        <p class="choice">
                            <input type="radio" id=field.clone() name="reason" value=reason.as_str() required />
                            <label for=field>{move || label(reason)}</label>
                        </p>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="button">{move || td!(locale.get(), review.show_original)}</button>
        </PostForm>
    }
}

#[component]
fn ThemeLine(theme: ItemTheme) -> impl IntoView {
    let locale = use_locale();
    let ItemTheme {
        name,
        score,
        source,
    } = theme;
    view! {
        <li>
            <span lang=name.lang>{name.text}</span>
            " · " {format!("{:.0} %", score * 100.0)} " · "
            {move || source_name(locale.get(), &source)}
        </li>
    }
}
