//! The sections in the main navigation that are not open yet. Each says
//! plainly what it will be for, so that a link never leads to a dead end;
//! the feature issues replace them one by one.

use crate::i18n::*;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    FocusGroups,
    Drafts,
    Feedback,
}

#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    let locale = use_locale();
    let title = move || match section {
        Section::FocusGroups => td_string!(locale.get(), common.nav_focus_groups),
        Section::Drafts => td_string!(locale.get(), common.nav_drafts),
        Section::Feedback => td_string!(locale.get(), common.nav_feedback),
    };
    let purpose = move || match section {
        Section::FocusGroups => td!(locale.get(), sections.focus_groups_purpose).into_any(),
        Section::Drafts => td!(locale.get(), sections.drafts_purpose).into_any(),
        Section::Feedback => td!(locale.get(), sections.feedback_purpose).into_any(),
    };

    view! {
        <Title text=title().to_string() />
        <section class="section-page">
            <h1>{move || title()}</h1>
            <p class="lead">{purpose}</p>
            <p class="empty-state">{move || td!(locale.get(), sections.not_open_yet)}</p>
        </section>
    }
}
