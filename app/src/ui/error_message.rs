//! Shows an [`AppError`] in the reader's language.

use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let message = match error {
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::Internal { request_id } => {
            t!(i18n, errors.internal, request_id = move || request_id.clone()).into_any()
        }
        AppError::Transport(_) => t!(i18n, errors.transport).into_any(),
    };
    view! { <p class="error" role="alert">{message}</p> }
}
