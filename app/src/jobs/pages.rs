//! `/{l}/admin/jobs`: how the background work is going. The queue's depth
//! and age, what was done in the last minutes, and the parked jobs with
//! their errors and a button to try again.

use super::api::{RetryJob, job_queue};
use super::{JobKind, ParkedJob, QueueStats};
use crate::admin::pages::AdminNav;
use crate::i18n::*;
use crate::locale::use_locale;
use crate::ui::error_message::PageError;
use crate::ui::forms::PostForm;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

/// A kind of job in the reader's language.
fn kind_name(locale: Locale, kind: JobKind) -> &'static str {
    match kind {
        JobKind::Analyse => td_string!(locale, jobs.kind_analyse),
        JobKind::Retrain => td_string!(locale, jobs.kind_retrain),
    }
}

#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let locale = use_locale();
    let stats = Resource::new(|| (), |()| job_queue());

    view! {
        <Title text=td_string!(locale.get_untracked(), jobs.title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), jobs.title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(stats) => view! { <AdminNav /> <JobsBody stats /> }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn JobsBody(stats: QueueStats) -> AnyView {
    let locale = use_locale();
    let QueueStats { kinds, parked, .. } = stats;
    let table = view! {
        <table class="data-table">
            <caption>{move || td!(locale.get(), jobs.queue_caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || td!(locale.get(), jobs.kind)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.waiting)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.oldest)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.per_minute)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.done)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.failed)}</th>
                    <th scope="col">{move || td!(locale.get(), jobs.parked)}</th>
                </tr>
            </thead>
            <tbody>
                {kinds.into_iter().map(|figures| view! {
                    <tr>
                        <th scope="row">{move || kind_name(locale.get(), figures.kind)}</th>
                        <td class="number">{figures.waiting}</td>
                        <td class="number">{figures.oldest_age_seconds}" s"</td>
                        <td class="number">{format!("{:.1}", figures.per_minute)}</td>
                        <td class="number">{figures.done}</td>
                        <td class="number">{figures.failed}</td>
                        <td class="number">{figures.parked}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    let parked_list = if parked.is_empty() {
        view! { <p>{move || td!(locale.get(), jobs.none_parked)}</p> }.into_any()
    } else {
        view! {
            <ul class="parked-jobs">
                {parked.into_iter().map(|job| view! { <ParkedItem job /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <p>{move || td!(locale.get(), jobs.intro)}</p>
        {table}
        <h2>{move || td!(locale.get(), jobs.parked_title)}</h2>
        {parked_list}
    }
    .into_any()
}

#[component]
fn ParkedItem(job: ParkedJob) -> impl IntoView {
    let locale = use_locale();
    let attempts = job.attempts;
    let target = match (job.item_id, &job.language) {
        (Some(item), _) => format!("#{item}"),
        (None, Some(language)) => language.clone(),
        (None, None) => String::new(),
    };
    view! {
        <li>
            <p>
                <strong>{move || kind_name(locale.get(), job.kind)}</strong>
                " " {target} " · " {iso_minute(job.parked_at)} " · "
                {move || td!(locale.get(), jobs.attempts, count = move || attempts)}
            </p>
            <pre class="job-error">{job.error}</pre>
            <PostForm action=RetryJob::url() class="inline-form">
                <input type="hidden" name="job" value=job.id />
                <button type="submit" class="button">{move || td!(locale.get(), jobs.retry)}</button>
            </PostForm>
        </li>
    }
}
