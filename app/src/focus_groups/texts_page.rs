//! `/{l}/focus-groups/{id}/texts/{locale}`: a session's texts in one
//! language, for its organiser. In the session's own language each text
//! is corrected; in another, it is translated beside the original (an
//! empty field shows the original). The consent text's version, and how
//! many agreed to it, are said above it.

use super::SessionTexts;
use super::api::{SaveFocusGroupTexts, focus_group_texts};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use crate::ui::languages::language_name;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn FocusGroupTextsPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let texts = Resource::new(
        move || {
            let params = params.read();
            (
                locale.get(),
                params.get("id").unwrap_or_default(),
                params.get("target").unwrap_or_default(),
            )
        },
        |(locale, id, target)| async move {
            match id.parse() {
                Ok(id) => focus_group_texts(locale, id, target).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), focus_groups.texts_title).to_string() />
        <section class="form-page">
            <Loaded resource=texts show=|texts| view! { <TextsForm texts /> }.into_any() />
        </section>
    }
}

#[component]
fn TextsForm(texts: SessionTexts) -> AnyView {
    let locale = use_locale();
    let reader = locale.get_untracked();
    let action = ServerAction::<SaveFocusGroupTexts>::new();
    let error = action_error(action);
    let query = use_query_map().read_untracked().clone();
    let saved = query.get("saved").is_some();
    let new_consent = query.get("consent").and_then(|v| v.parse::<i64>().ok());
    let SessionTexts {
        id,
        topic,
        locale: target,
        source_locale,
        consent_version,
        agreed,
        texts,
        languages,
    } = texts;
    let own = target == source_locale;
    let language = language_name(reader, &target);
    let people = page_path(reader, &format!("focus-groups/{id}/people"));
    let own_language = language_name(reader, &source_locale);
    let own_link = page_path(reader, &format!("focus-groups/{id}/texts/{source_locale}"));
    let link = move |code: &str| page_path(reader, &format!("focus-groups/{id}/texts/{code}"));
    view! {
        <h1>{move || td!(locale.get(), focus_groups.texts_title)} ": " {language}</h1>
        <p dir="auto" lang=source_locale.clone()>{topic}</p>
        {saved.then(|| view! { <p class="notice" role="status">{move || td!(locale.get(), focus_groups.texts_saved)}</p> })}
        {new_consent.map(|version| view! {
            <p class="notice" role="status">{move || td!(locale.get(), focus_groups.consent_new_version, version = move || version)}</p>
        })}
        <p class="hint">{move || if own { td!(locale.get(), focus_groups.texts_own_hint).into_any() } else { td!(locale.get(), focus_groups.texts_translate_hint).into_any() }}</p>
        {error}
        <PostForm action=SaveFocusGroupTexts::url()>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="target" value=target.clone() />
            {texts.into_iter().enumerate().map(|(at, (key, what, original, translated))| {
                let field = format!("text-{at}");
                let long = matches!(what.as_str(), "description" | "accessibility" | "consent");
                let value = if own { original.clone() } else { translated };
                let (kind, number) = what.split_once(' ').unwrap_or((what.as_str(), ""));
                let n: usize = number.parse().unwrap_or_default();
                let label = match kind {
                    "topic" => view! { {move || td!(locale.get(), focus_groups.topic_label)} }.into_any(),
                    "description" => view! { {move || td!(locale.get(), focus_groups.description_label)} }.into_any(),
                    "accessibility" => view! { {move || td!(locale.get(), focus_groups.accessibility)} }.into_any(),
                    "consent" => view! { {move || td!(locale.get(), focus_groups.consent_title)} }.into_any(),
                    "question" => view! { {move || td!(locale.get(), focus_groups.question_n, n = move || n)} }.into_any(),
                    _ => view! { {move || td!(locale.get(), focus_groups.option_of, n = move || n)} }.into_any(),
                };
                let lang = (!own).then(|| target.clone());
                let hint = format!("{field}-hint");
                let consent_hint = (kind == "consent").then(|| view! {
                    <p class="help" id=hint.clone()>
                        {move || td!(locale.get(), focus_groups.consent_version, version = move || consent_version)}
                        " · "
                        {if agreed > 0 {
                            view! { {move || td!(locale.get(), focus_groups.consent_agreed, count = move || agreed, next = move || consent_version + 1)} }.into_any()
                        } else {
                            view! { {move || td!(locale.get(), focus_groups.consent_none_agreed)} }.into_any()
                        }}
                    </p>
                });
                let described = (kind == "consent").then(|| hint.clone());
                view! {
                    <label for=field.clone()>{label}</label>
                    {consent_hint}
                    {(!own).then(|| view! { <p class="original" lang=source_locale.clone() dir="auto">{original.clone()}</p> })}
                    {if long {
                        view! { <textarea id=field name=format!("texts[{key}]") rows="5" lang=lang dir="auto" aria-describedby=described>{value}</textarea> }.into_any()
                    } else {
                        view! { <input type="text" id=field name=format!("texts[{key}]") value=value lang=lang dir="auto" /> }.into_any()
                    }}
                }
            }).collect_view()}
            <button type="submit" class="button">{move || td!(locale.get(), focus_groups.texts_save)}</button>
        </PostForm>
        <h2 id="languages">{move || td!(locale.get(), focus_groups.texts_languages)}</h2>
        <ul class="editor-languages">
            <li>
                <a href=own_link>{own_language}</a>
                " " {move || td!(locale.get(), focus_groups.own_language)}
            </li>
            {languages.into_iter().map(|(code, lacking)| view! {
                <li>
                    <a href=link(&code)>{language_name(reader, &code)}</a>
                    " "
                    {if lacking == 0 {
                        view! { {move || td!(locale.get(), focus_groups.translated_fully)} }.into_any()
                    } else {
                        view! { {move || td!(locale.get(), focus_groups.texts_missing, count = move || lacking)} }.into_any()
                    }}
                </li>
            }).collect_view()}
        </ul>
        <p><a href=people>{move || td!(locale.get(), focus_groups.back_to_people)}</a></p>
    }
    .into_any()
}
