//! The 404 page, in the reader's locale, answered with status 404.

use crate::i18n::*;
use leptos::prelude::*;
use crate::locale::home_path;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    let home = move || home_path(i18n.get_locale());

    view! {
        <Title text=move || t_string!(i18n, common.not_found_title).to_string() />
        <section class="not-found">
            <h1>{t!(i18n, common.not_found_title)}</h1>
            <p>{t!(i18n, common.not_found_body)}</p>
            <p>
                <a href=home>{t!(i18n, common.back_home)}</a>
            </p>
        </section>
    }
}
