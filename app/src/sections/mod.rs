//! The sections in the main navigation that are not open yet. Each says
//! plainly what it will be for, so that a link never leads to a dead end;
//! the feature issues replace them one by one.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Forums,
    Surveys,
    FocusGroups,
    Drafts,
    Feedback,
}

#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let title = move || match section {
        Section::Forums => t_string!(i18n, common.nav_forums),
        Section::Surveys => t_string!(i18n, common.nav_surveys),
        Section::FocusGroups => t_string!(i18n, common.nav_focus_groups),
        Section::Drafts => t_string!(i18n, common.nav_drafts),
        Section::Feedback => t_string!(i18n, common.nav_feedback),
    };
    let purpose = move || match section {
        Section::Forums => t!(i18n, sections.forums_purpose).into_any(),
        Section::Surveys => t!(i18n, sections.surveys_purpose).into_any(),
        Section::FocusGroups => t!(i18n, sections.focus_groups_purpose).into_any(),
        Section::Drafts => t!(i18n, sections.drafts_purpose).into_any(),
        Section::Feedback => t!(i18n, sections.feedback_purpose).into_any(),
    };

    view! {
        <Title text=move || title().to_string() />
        <section class="section-page">
            <h1>{move || title()}</h1>
            <p class="lead">{purpose}</p>
            <p class="empty-state">{t!(i18n, sections.not_open_yet)}</p>
        </section>
    }
}
