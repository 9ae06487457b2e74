//! The banner of active announcements on every page, and
//! `/{l}/announcements`: the current and coming notices, and the form
//! staff post them with.

use super::api::{EndAnnouncement, PostAnnouncement, active_announcements, announcement_board};
use super::{Announcement, Severity};
use crate::forums::parts::Time;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use crate::ui::time::iso_minute_input;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

fn severity_name(locale: Locale, severity: Severity) -> &'static str {
    match severity {
        Severity::Info => td_string!(locale, announcements.severity_info),
        Severity::Notice => td_string!(locale, announcements.severity_notice),
        Severity::Urgent => td_string!(locale, announcements.severity_urgent),
    }
}

/// The active notices, above every page's content.
#[component]
pub fn AnnouncementBanner() -> impl IntoView {
    let locale = use_locale();
    let notices = Resource::new(move || locale.get(), active_announcements);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let notices = notices.await.unwrap_or_default();
                (!notices.is_empty()).then(|| view! {
                    <aside class="announcements" aria-label=move || td_string!(locale.get(), announcements.title)>
                        <ul>
                            {notices.into_iter().map(|notice| {
                                let href = format!("{}#announcement-{}", page_path(locale.get_untracked(), "announcements"), notice.id);
                                view! {
                                    <li class="announcement" data-severity=notice.severity.as_str()>
                                        <strong>{move || severity_name(locale.get(), notice.severity)}</strong>
                                        " "
                                        <a href=href lang=notice.lang dir="auto">{notice.title}</a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </aside>
                })
            })}
        </Suspense>
    }
}

#[component]
fn AnnouncementItem(notice: Announcement, can_end: bool) -> impl IntoView {
    let locale = use_locale();
    let id = notice.id;
    view! {
        <article class="announcement-full" id=format!("announcement-{id}") data-severity=notice.severity.as_str()>
            <h3 lang=notice.lang.clone()>{notice.title}</h3>
            <p class="meta">
                <strong>{move || severity_name(locale.get(), notice.severity)}</strong>
                " · "
                {notice.area.unwrap_or_else(|| td_string!(locale.get_untracked(), announcements.whole_town).to_owned())}
                " · " <Time millis=notice.starts_at /> " – " <Time millis=notice.ends_at /> " UTC"
            </p>
            <div class="post-body" lang=notice.lang dir="auto" inner_html=notice.body_html></div>
            {can_end.then(|| view! {
                <PostForm action=EndAnnouncement::url() class="inline-form">
                    <input type="hidden" name="announcement" value=id />
                    <button type="submit" class="link-button">{move || td!(locale.get(), announcements.end_now)}</button>
                </PostForm>
            })}
        </article>
    }
}

#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    let locale = use_locale();
    let page = Resource::new(move || locale.get(), announcement_board);
    view! {
        <Title text=td_string!(locale.get_untracked(), announcements.title).to_string() />
        <section class="announcements-page">
            <h1>{move || td!(locale.get(), announcements.title)}</h1>
            <p>
                {move || td!(locale.get(), announcements.intro)} " "
                <a href="/feed.atom" type="application/atom+xml">{move || td!(locale.get(), announcements.feed)}</a>
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => announcements_body(page),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn announcements_body(page: super::AnnouncementsPage) -> AnyView {
    let locale = use_locale();
    let staff = page.town_wide || !page.areas.is_empty();
    // Policymakers end any notice; a moderator those of their areas.
    let with_rights = |notices: Vec<Announcement>| -> Vec<(Announcement, bool)> {
        notices
            .into_iter()
            .map(|notice| {
                let can_end = page.town_wide
                    || notice
                        .area_id
                        .is_some_and(|id| page.areas.iter().any(|(area, _)| *area == id));
                (notice, can_end)
            })
            .collect()
    };
    let current_notices = with_rights(page.current);
    let upcoming_notices = with_rights(page.upcoming);
    let none = current_notices.is_empty();
    let current = view! {
        <h2>{move || td!(locale.get(), announcements.current)}</h2>
        {none.then(|| view! { <p>{move || td!(locale.get(), announcements.none)}</p> })}
        {current_notices.into_iter().map(|(notice, can_end)| view! { <AnnouncementItem notice can_end /> }).collect_view()}
    }
    .into_any();
    let upcoming = (!upcoming_notices.is_empty()).then(|| {
        view! {
            <h2>{move || td!(locale.get(), announcements.upcoming)}</h2>
            {upcoming_notices.into_iter().map(|(notice, can_end)| view! { <AnnouncementItem notice can_end /> }).collect_view()}
        }
        .into_any()
    });
    let form = staff.then(
        || view! { <AnnouncementForm areas=page.areas town_wide=page.town_wide now=page.now /> },
    );
    view! { {current} {upcoming} {form} }.into_any()
}

#[component]
fn AnnouncementForm(areas: Vec<(i64, String)>, town_wide: bool, now: i64) -> impl IntoView {
    let locale = use_locale();
    let post = ServerAction::<PostAnnouncement>::new();
    let end = ServerAction::<EndAnnouncement>::new();
    let errors = move || (action_error(post)(), action_error(end)());
    view! {
        <h2 id="new-announcement">{move || td!(locale.get(), announcements.new_title)}</h2>
        {errors}
        <PostForm action=PostAnnouncement::url()>
            <label for="announcement-area">{move || td!(locale.get(), announcements.area)}</label>
            <select id="announcement-area" name="area">
                {town_wide.then(|| view! { <option value="">{move || td!(locale.get(), announcements.whole_town)}</option> })}
                {areas.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
            <label for="severity">{move || td!(locale.get(), announcements.severity)}</label>
            <select id="severity" name="severity">
                {Severity::ALL.into_iter().map(|severity| view! {
                    <option value=severity.as_str()>{move || severity_name(locale.get(), severity)}</option>
                }).collect_view()}
            </select>
            <label for="announcement-title">{move || td!(locale.get(), forums.title_label)}</label>
            <input id="announcement-title" name="title" type="text" required minlength=crate::forums::domain::Title::BOUNDS.min maxlength=crate::forums::domain::Title::BOUNDS.max />
            <label for="announcement-body">{move || td!(locale.get(), forums.body_label)}</label>
            <textarea id="announcement-body" name="body" rows="5" required></textarea>
            <label for="starts">{move || td!(locale.get(), announcements.starts)}</label>
            <input id="starts" name="starts" type="datetime-local" required value=iso_minute_input(now) />
            <label for="ends">{move || td!(locale.get(), announcements.ends)}</label>
            <input id="ends" name="ends" type="datetime-local" required value=iso_minute_input(now + 7 * 86_400_000) />
            <p class="help">{move || td!(locale.get(), announcements.times_utc)}</p>
            <button type="submit" class="button">{move || td!(locale.get(), announcements.post_button)}</button>
        </PostForm>
    }
}
