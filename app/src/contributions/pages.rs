//! `/{l}/me/contributions`.

use super::api::my_contributions;
use super::{Contribution, Contributions};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::participation::pages::ForgetDeviceForm;
use crate::review::queue_pages::status_text;
use crate::ui::loaded::Loaded;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn ContributionsPage() -> impl IntoView {
    let locale = use_locale();
    let contributions = Resource::new(move || locale.get(), my_contributions);
    view! {
        <Title text=td_string!(locale.get_untracked(), contributions.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="contributions-page">
            <h1>{move || td!(locale.get(), contributions.title)}</h1>
            <Loaded resource=contributions show=|contributions| view! { <ContributionList contributions /> }.into_any() />
        </section>
    }
}

#[component]
fn ContributionList(contributions: Contributions) -> AnyView {
    let locale = use_locale();
    let whose = if contributions.signed_in {
        view! { <p>{move || td!(locale.get(), contributions.intro_account)}</p> }.into_any()
    } else {
        view! {
            <p>{move || td!(locale.get(), contributions.intro_device)} " "
                <a href=move || page_path(locale.get(), "me/private-link")>{move || td!(locale.get(), contributions.private_link)}</a>
            </p>
        }
        .into_any()
    };
    if contributions.items.is_empty() {
        return view! { {whose} <p>{move || td!(locale.get(), contributions.none)}</p> }.into_any();
    }
    // A device that took part anonymously can forget it (a shared computer).
    let forget = (!contributions.signed_in).then(|| view! { <ForgetDeviceForm /> });
    view! {
        {whose}
        <ol class="contributions">
            {contributions.items.into_iter().map(|item| view! { <ContributionCard item /> }).collect_view()}
        </ol>
        {forget}
    }
    .into_any()
}

#[component]
fn ContributionCard(item: Contribution) -> impl IntoView {
    let locale = use_locale();
    let Contribution {
        id,
        channel,
        created_at,
        text,
        status,
        draft,
        response,
    } = item;
    view! {
        <li class="card contribution" id=format!("c-{id}")>
            <p class="meta">
                <span class=format!("badge status-{}", status.as_str())>{move || status_text(locale.get(), status)}</span>
                " " <time>{iso_minute(created_at)}</time> " · " {move || channel.label(locale.get())}
                {draft.map(|(draft, title)| view! {
                    " · " <a href=move || page_path(locale.get(), &format!("drafts/{draft}")) lang=title.lang dir="auto">{title.text}</a>
                })}
            </p>
            <blockquote dir="auto">{text}</blockquote>
            {response.map(|(response, at)| view! {
                <div class="response">
                    <p class="meta">{move || td!(locale.get(), contributions.response_on, date = {
                        let date = iso_minute(at);
                        move || date.clone()
                    })}</p>
                    <p class="response-text" dir="auto">{response}</p>
                </div>
            })}
        </li>
    }
}
