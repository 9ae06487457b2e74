//! `/{l}/feedback`: the form; `/{l}/feedback/{token}`: the private page
//! where the sender follows their feedback. Both work without JavaScript.

use super::api::{SendFeedback, follow_feedback};
use super::{AnalysisView, FeedbackText, FollowedFeedback};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::participation::pages::RememberDevice;
use crate::taxonomy::api::load_town;
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn FeedbackPage() -> impl IntoView {
    let locale = use_locale();
    let town = Resource::new(move || locale.get(), load_town);
    let action = ServerAction::<SendFeedback>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), feedback.title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), feedback.title)}</h1>
            <p class="lead">{move || td!(locale.get(), sections.feedback_purpose)}</p>
            <p>{move || td!(locale.get(), feedback.privacy)}</p>
            {error}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match town.await {
                        Ok(town) => view! {
                            <PostForm action=SendFeedback::url()>
                                <label for="text">{move || td!(locale.get(), feedback.text_label)}</label>
                                <textarea id="text" name="text" rows="8" required minlength=FeedbackText::BOUNDS.min
                                    maxlength=FeedbackText::BOUNDS.max></textarea>
                                <label for="area">{move || td!(locale.get(), feedback.area_label)}</label>
                                <select id="area" name="area">
                                    <option value="">{move || td!(locale.get(), feedback.no_choice)}</option>
                                    {town.areas.into_iter().map(|area| view! {
                                        <option value=area.id lang=area.name.lang>{area.name.text}</option>
                                    }).collect_view()}
                                </select>
                                <label for="theme">{move || td!(locale.get(), feedback.theme_label)}</label>
                                <select id="theme" name="theme">
                                    <option value="">{move || td!(locale.get(), feedback.no_choice)}</option>
                                    {town.themes.into_iter().map(|theme| view! {
                                        <option value=theme.id lang=theme.name.lang>{theme.name.text}</option>
                                    }).collect_view()}
                                </select>
                                <RememberDevice />
                                <button type="submit" class="button">{move || td!(locale.get(), feedback.send)}</button>
                            </PostForm>
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A review status in the reader's language.
fn status_text(locale: Locale, status: &str) -> &'static str {
    match status {
        "in_review" => td_string!(locale, feedback.status_in_review),
        "addressed" => td_string!(locale, feedback.status_addressed),
        "noted" => td_string!(locale, feedback.status_noted),
        "out_of_scope" => td_string!(locale, feedback.status_out_of_scope),
        _ => td_string!(locale, feedback.status_new),
    }
}

#[component]
pub fn FeedbackFollowPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let followed = Resource::new(
        move || (locale.get(), token()),
        |(locale, token)| follow_feedback(locale, token),
    );

    view! {
        <Title text=td_string!(locale.get_untracked(), feedback.follow_title).to_string() />
        // The token is in this page's address: never send it onwards.
        <section class="form-page">
            <h1>{move || td!(locale.get(), feedback.follow_title)}</h1>
            <Loaded resource=followed show=|followed| view! { <FollowBody followed /> }.into_any() />
        </section>
    }
}

#[component]
fn FollowBody(followed: FollowedFeedback) -> AnyView {
    let locale = use_locale();
    let FollowedFeedback {
        received_at,
        text,
        area,
        theme,
        analysis,
        review_status,
    } = followed;
    let received = iso_minute(received_at);
    let chosen = view! {
        <dl class="facts">
            <dt>{move || td!(locale.get(), feedback.received)}</dt>
            <dd><time>{received}</time></dd>
            {area.map(|area| view! {
                <dt>{move || td!(locale.get(), feedback.area_label)}</dt>
                <dd lang=area.lang>{area.text}</dd>
            })}
            {theme.map(|theme| view! {
                <dt>{move || td!(locale.get(), feedback.theme_label)}</dt>
                <dd lang=theme.lang>{theme.text}</dd>
            })}
            <dt>{move || td!(locale.get(), feedback.review_status)}</dt>
            <dd class="review-status">{move || status_text(locale.get(), &review_status)}</dd>
        </dl>
    }
    .into_any();
    let analysis = match analysis {
        Some(analysis) => view! { <AnalysisFacts analysis /> }.into_any(),
        None => view! {
            <p class="analysis-pending">{move || td!(locale.get(), feedback.analysis_pending)}</p>
        }
        .into_any(),
    };
    view! {
        <p class="notice">{move || td!(locale.get(), feedback.keep_link)}</p>
        {chosen}
        <h2>{move || td!(locale.get(), feedback.your_words)}</h2>
        <blockquote class="feedback-text" dir="auto">{text}</blockquote>
        {analysis}
        <p><a href=move || page_path(locale.get(), "feedback")>{move || td!(locale.get(), feedback.send_more)}</a></p>
    }
    .into_any()
}

#[component]
fn AnalysisFacts(analysis: AnalysisView) -> AnyView {
    let locale = use_locale();
    let AnalysisView {
        language,
        masked_text,
        themes,
    } = analysis;
    let language = match language {
        Some(code) => code,
        None => td_string!(locale.get_untracked(), feedback.language_unsure).to_owned(),
    };
    let themes = if themes.is_empty() {
        view! { <p>{move || td!(locale.get(), feedback.no_themes)}</p> }.into_any()
    } else {
        view! {
            <ul class="themes">
                {themes.into_iter().map(|(name, _source)| view! { <li lang=name.lang>{name.text}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="analysis" aria-labelledby="analysis-title">
            <h2 id="analysis-title">{move || td!(locale.get(), feedback.analysis_title)}</h2>
            <dl class="facts">
                <dt>{move || td!(locale.get(), feedback.language)}</dt>
                <dd class="detected-language">{language}</dd>
            </dl>
            <h3>{move || td!(locale.get(), feedback.themes)}</h3>
            {themes}
            <h3>{move || td!(locale.get(), feedback.masked_title)}</h3>
            <p>{move || td!(locale.get(), feedback.masked_intro)}</p>
            <blockquote class="masked-text" dir="auto">{masked_text}</blockquote>
        </section>
    }
    .into_any()
}
