use crate::i18n::*;
use crate::locale::use_locale;
use crate::taxonomy::api::load_town;
use crate::taxonomy::{LocalText, TownOverview};
use crate::ui::error_message::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let town = Resource::new(move || locale.get(), load_town);

    view! {
        <Title text=String::new() />
        <section class="intro">
            <h1>{move || td!(locale.get(), home.heading)}</h1>
            <p class="lead">{move || td!(locale.get(), home.intro)}</p>
            <p>{move || td!(locale.get(), home.anonymity)}</p>
        </section>
        <section aria-labelledby="open-consultations">
            <h2 id="open-consultations">{move || td!(locale.get(), home.open_consultations)}</h2>
            <p class="empty-state">{move || td!(locale.get(), home.no_consultations)}</p>
        </section>
        <Suspense fallback=move || view! { <p>{move || td!(locale.get(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                match town.await {
                    Ok(town) => view! { <Town town /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Town(town: TownOverview) -> impl IntoView {
    let locale = use_locale();
    let areas = if town.areas.is_empty() {
        view! { <p class="empty-state">{move || td!(locale.get(), home.no_areas)}</p> }.into_any()
    } else {
        view! {
            <ul class="chips">
                {town.areas.into_iter().map(|area| view! { <li><Localized text=area.name /></li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let themes = if town.themes.is_empty() {
        view! { <p class="empty-state">{move || td!(locale.get(), home.no_themes)}</p> }.into_any()
    } else {
        view! {
            <ul class="theme-list">
                {town
                    .themes
                    .into_iter()
                    .map(|theme| {
                        view! {
                            <li>
                                <h3><Localized text=theme.name /></h3>
                                <p><Localized text=theme.description /></p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };

    view! {
        <section aria-labelledby="areas">
            <h2 id="areas">{move || td!(locale.get(), home.areas)}</h2>
            {areas}
        </section>
        <section aria-labelledby="themes">
            <h2 id="themes">{move || td!(locale.get(), home.themes)}</h2>
            {themes}
        </section>
    }
}

/// A text in the reader's language, or in its original language with a note
/// that says so.
#[component]
fn Localized(text: LocalText) -> impl IntoView {
    let locale = use_locale();
    if text.in_reader_locale {
        view! { <span>{text.text}</span> }.into_any()
    } else {
        view! {
            <span lang=text.lang>{text.text}</span>
            " "
            <small class="original-note">{move || td!(locale.get(), common.not_translated)}</small>
        }
        .into_any()
    }
}
