//! Shows an [`AppError`] in the reader's language.

use crate::error::AppError;
use crate::i18n::*;
use crate::locale::use_locale;
use leptos::prelude::*;

#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let locale = use_locale();
    let message = match error {
        AppError::NotFound => td!(locale.get(), errors.not_found).into_any(),
        AppError::Unavailable => td!(locale.get(), errors.unavailable).into_any(),
        AppError::Internal { request_id } => td!(
            locale.get(),
            errors.internal,
            request_id = move || request_id.clone()
        )
        .into_any(),
        AppError::Transport(_) => td!(locale.get(), errors.transport).into_any(),
    };
    view! { <p class="error" role="alert">{message}</p> }
}
