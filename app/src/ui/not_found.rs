//! The 404 page, in the reader's locale, answered with status 404.

use crate::i18n::*;
use crate::locale::{home_path, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    let home = move || home_path(locale.get());

    view! {
        <Title text=td_string!(locale.get_untracked(), common.not_found_title).to_string() />
        <section class="not-found">
            <h1>{move || td!(locale.get(), common.not_found_title)}</h1>
            <p>{move || td!(locale.get(), common.not_found_body)}</p>
            <p>
                <a href=home>{move || td!(locale.get(), common.back_home)}</a>
            </p>
        </section>
    }
}
