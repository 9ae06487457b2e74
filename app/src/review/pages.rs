//! `/{l}/review/items/{id}`: one input item as its reviewers read it, and
//! its original on request (a POST with a reason, audited).

use super::api::{UnmaskInput, input_for_review};
use super::{ItemTheme, ReviewItem, UnmaskReason};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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

    view! {
        <Title text=td_string!(locale.get_untracked(), review.item_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), review.item_title)}</h1>
            <Loaded resource=item show=|item| view! { <ItemBody item /> }.into_any() />
        </section>
    }
}

#[component]
fn ItemBody(item: ReviewItem) -> AnyView {
    let locale = use_locale();
    let ReviewItem {
        id,
        channel,
        created_at,
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
    let language = match (language, language_confidence) {
        (Some(code), Some(confidence)) => format!("{code} ({:.0} %)", confidence * 100.0),
        (Some(code), None) => code,
        (None, _) => td_string!(locale.get_untracked(), review.language_unsure).to_owned(),
    };
    let facts = view! {
        <dl class="facts">
            <dt>{move || td!(locale.get(), review.channel)}</dt>
            <dd>{move || channel.label(locale.get())}</dd>
            <dt>{move || td!(locale.get(), review.received)}</dt>
            <dd><time>{iso_minute(created_at)}</time></dd>
            {area.map(|area| view! {
                <dt>{move || td!(locale.get(), review.area)}</dt>
                <dd lang=area.lang>{area.text}</dd>
            })}
            <dt>{move || td!(locale.get(), review.language)}</dt>
            <dd class="detected-language">{language}</dd>
            <dt>{move || td!(locale.get(), review.status)}</dt>
            <dd>{review_status}</dd>
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
    view! {
        {facts}
        <h2>{move || td!(locale.get(), review.themes)}</h2>
        {themes}
        <h2>{move || td!(locale.get(), review.masked_title)}</h2>
        {text}
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
