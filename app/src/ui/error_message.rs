//! Shows an [`AppError`] in the reader's language.

use crate::error::AppError;
use crate::i18n::*;
use crate::locale::use_locale;
use crate::validation::{Field, Invalid, Problem};
use leptos::prelude::*;

#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let locale = use_locale();
    let message = match error {
        AppError::NotFound => td!(locale.get(), errors.not_found).into_any(),
        AppError::Invalid(invalid) => view! { <InvalidMessage invalid /> }.into_any(),
        AppError::WrongCredentials => td!(locale.get(), errors.wrong_credentials).into_any(),
        AppError::SignInRequired => td!(locale.get(), errors.sign_in_required).into_any(),
        AppError::Forbidden => td!(locale.get(), errors.forbidden).into_any(),
        AppError::TooManyRequests { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60).to_string();
            td!(
                locale.get(),
                errors.too_many_requests,
                minutes = move || minutes.clone()
            )
            .into_any()
        }
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

/// "Display name: too short: at least 2 characters."
#[component]
pub fn InvalidMessage(invalid: Invalid) -> impl IntoView {
    let locale = use_locale().get();
    let field = match invalid.field {
        Field::DisplayName => td_string!(locale, validation.field_display_name),
        Field::Email => td_string!(locale, validation.field_email),
        Field::Password => td_string!(locale, validation.field_password),
        Field::Confirmation => td_string!(locale, validation.field_confirmation),
    };
    let problem = match invalid.problem {
        Problem::Empty => td!(locale, validation.empty).into_any(),
        Problem::TooShort { min } => {
            td!(locale, validation.too_short, min = move || min).into_any()
        }
        Problem::TooLong { max } => td!(locale, validation.too_long, max = move || max).into_any(),
        Problem::ForbiddenCharacters => td!(locale, validation.forbidden_characters).into_any(),
        Problem::Malformed => td!(locale, validation.malformed).into_any(),
        Problem::Taken => td!(locale, validation.taken).into_any(),
    };
    view! {
        <strong>{field}</strong>
        " "
        {problem}
    }
}
