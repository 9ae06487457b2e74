use crate::drafts::api::list_drafts;
use crate::drafts::{DraftStatus, DraftSummary};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::taxonomy::api::load_town;
use crate::taxonomy::{LocalText, TownOverview};
use crate::ui::error_message::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let town = Resource::new(move || locale.get(), load_town);
    let drafts = Resource::new(move || locale.get(), list_drafts);
    let surveys = Resource::new(move || locale.get(), crate::surveys::api::list_surveys);
    let sessions = Resource::new(
        move || locale.get(),
        crate::focus_groups::api::list_focus_groups,
    );

    view! {
        <Title text=String::new() />
        // What is open comes first (on a phone, on the first screen); what
        // Parley is follows it.
        <h1>{move || td!(locale.get(), home.heading)}</h1>
        <p class="lead">{move || td!(locale.get(), home.anonymity)}</p>
        <section aria-labelledby="open-consultations">
            <h2 id="open-consultations">{move || td!(locale.get(), home.open_consultations)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match (drafts.await, surveys.await, sessions.await) {
                        (Ok(list), Ok(surveys), Ok(sessions)) => {
                            view! { <OpenNow drafts=list.drafts surveys sessions /> }.into_any()
                        }
                        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
                            view! { <ErrorMessage error /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
        <p class="intro">{move || td!(locale.get(), home.intro)}</p>
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

/// Everything open now, each with its closing date and how to take part:
/// drafts open for comment, open surveys, focus groups taking sign-ups.
#[component]
fn OpenNow(
    drafts: Vec<DraftSummary>,
    surveys: Vec<crate::surveys::SurveySummary>,
    sessions: Vec<crate::focus_groups::SessionSummary>,
) -> AnyView {
    let locale = use_locale();
    let open: Vec<DraftSummary> = drafts
        .into_iter()
        .filter(|draft| draft.status == DraftStatus::Open && draft.version > 0)
        .collect();
    let surveys: Vec<_> = surveys
        .into_iter()
        .filter(|survey| survey.openness.is_open())
        .collect();
    let sessions: Vec<_> = sessions
        .into_iter()
        .filter(|session| session.open)
        .collect();
    if open.is_empty() && surveys.is_empty() && sessions.is_empty() {
        return view! { <p class="empty-state">{move || td!(locale.get(), home.no_consultations)}</p> }
            .into_any();
    }
    let drafts = (!open.is_empty()).then(|| view! {
        <ul class="consultations">
            {open.into_iter().map(|draft| {
                let href = page_path(locale.get_untracked(), &format!("drafts/{}", draft.id));
                let until = draft.closes_at.map(|closes| crate::ui::time::iso_date(closes - 1));
                view! {
                    <li class="card consultation">
                        <h3><a href=href.clone()><Localized text=draft.title /></a></h3>
                        <p><Localized text=draft.summary /></p>
                        <p class="meta">
                            {match until {
                                Some(date) => view! {
                                    {move || td!(locale.get(), home.draft_open_until)} " " <time>{date}</time>
                                }.into_any(),
                                None => view! { {move || td!(locale.get(), home.draft_open)} }.into_any(),
                            }}
                        </p>
                        <p><a class="button" href=href>{move || td!(locale.get(), home.draft_take_part)}</a></p>
                    </li>
                }
            }).collect_view()}
        </ul>
    });
    view! {
        {drafts}
        {(!surveys.is_empty()).then(|| view! { <crate::surveys::pages::SurveyList surveys /> })}
        {(!sessions.is_empty()).then(|| view! { <crate::focus_groups::pages::FocusGroupList sessions /> })}
    }
    .into_any()
}

#[component]
fn Town(town: TownOverview) -> impl IntoView {
    let locale = use_locale();
    let areas = if town.areas.is_empty() {
        view! { <p class="empty-state">{move || td!(locale.get(), home.no_areas)}</p> }.into_any()
    } else {
        view! {
            <ul class="chips">
                {town.areas.into_iter().map(|area| {
                    let href = page_path(locale.get_untracked(), &format!("forums/{}", area.slug));
                    view! { <li><a href=href><Localized text=area.name /></a></li> }
                }).collect_view()}
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
            <span lang=text.lang dir="auto">{text.text}</span>
            " "
            <small class="original-note">{move || td!(locale.get(), common.not_translated)}</small>
        }
        .into_any()
    }
}
