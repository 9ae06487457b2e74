//! `/{l}/review/dashboard`.

use super::Dashboard;
use super::api::load_dashboard;
use super::chart::LineChart;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::review::Status;
use crate::review::queue_pages::status_text;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

fn dimension_title(locale: Locale, dimension: &str) -> &'static str {
    match dimension {
        "channel" => td_string!(locale, dashboard.by_channel),
        "language" => td_string!(locale, dashboard.by_language),
        "area" => td_string!(locale, dashboard.by_area),
        _ => td_string!(locale, dashboard.by_theme),
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let dashboard = Resource::new(move || locale.get(), load_dashboard);
    view! {
        <Title text=td_string!(locale.get_untracked(), dashboard.title).to_string() />
        <section class="admin-page dashboard">
            <h1>{move || td!(locale.get(), dashboard.title)}</h1>
            <p>
                <a href=move || page_path(locale.get(), "review")>{move || td!(locale.get(), dashboard.queues_link)}</a>
                " · " <a href="/api/v1/stats">{move || td!(locale.get(), dashboard.open_data_json)}</a>
                " · " <a href="/api/v1/stats?format=csv">{move || td!(locale.get(), dashboard.open_data_csv)}</a>
            </p>
            <Loaded resource=dashboard show=|dashboard| view! { <DashboardBody dashboard /> }.into_any() />
        </section>
    }
}

#[component]
fn DashboardBody(dashboard: Dashboard) -> AnyView {
    let locale = use_locale();
    let Dashboard {
        periods,
        breakdowns,
        total,
        statuses,
        median_hours,
        counted_at,
    } = dashboard;
    let counted_at = crate::ui::time::iso_minute(counted_at);
    let decided = statuses[2] + statuses[3] + statuses[4];
    let share = if total > 0 {
        format!("{:.0} %", statuses[2] as f64 * 100.0 / total as f64)
    } else {
        "–".to_owned()
    };
    // In whole minutes, hours or days, in the reader's words.
    let median = move || match median_hours {
        None => "–".into_any(),
        Some(hours) if hours < 1.0 => {
            let count = whole(hours * 60.0);
            td!(
                locale.get(),
                dashboard.median_minutes,
                count = move || count
            )
            .into_any()
        }
        Some(hours) if hours < 48.0 => {
            let count = whole(hours);
            td!(locale.get(), dashboard.median_hours, count = move || count).into_any()
        }
        Some(hours) => {
            let count = whole(hours / 24.0);
            td!(locale.get(), dashboard.median_days, count = move || count).into_any()
        }
    };
    view! {
        <p class="counted-at">{move || {
            let time = counted_at.clone();
            td!(locale.get(), dashboard.counted_at, time = move || time.clone())
        }}</p>
        <dl class="figures">
            <dt>{move || td!(locale.get(), dashboard.total)}</dt>
            <dd>{total}</dd>
            <dt>{move || td!(locale.get(), dashboard.share_addressed)}</dt>
            <dd class="share-addressed">{share}</dd>
            <dt>{move || td!(locale.get(), dashboard.decided)}</dt>
            <dd>{decided}</dd>
            <dt>{move || td!(locale.get(), dashboard.median_response)}</dt>
            <dd class="median-response">{median}</dd>
        </dl>
        <table class="data">
            <caption>{move || td!(locale.get(), dashboard.by_status)}</caption>
            <tbody>
                {Status::ALL.into_iter().zip(statuses).map(|(status, count)| view! {
                    <tr><th scope="row">{move || status_text(locale.get(), status)}</th><td>{count}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        {breakdowns.into_iter().map(|breakdown| {
            let title = dimension_title(locale.get_untracked(), &breakdown.dimension).to_owned();
            view! {
                <h2>{title.clone()}</h2>
                <LineChart title periods=periods.clone() series=breakdown.series />
            }
        }).collect_view()}
    }
    .into_any()
}

/// A duration rounded to a whole count (at least 1: "0 days" would hide
/// that some time passed).
fn whole(amount: f64) -> u32 {
    // Saturating: a float beyond `u32` becomes `u32::MAX`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let count = amount.round().max(1.0) as u32;
    count
}
