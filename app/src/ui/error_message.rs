//! Shows an [`AppError`] in the reader's language.

use crate::error::AppError;
use crate::i18n::*;
use crate::locale::{page_path, percent_encode, return_here, use_locale};
use crate::validation::{Field, Invalid, Problem};
use leptos::prelude::*;

#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let locale = use_locale();
    let message = match error {
        AppError::NotFound => td!(locale.get(), errors.not_found).into_any(),
        AppError::Invalid(invalid) => view! { <InvalidMessage invalid /> }.into_any(),
        AppError::Answers(issues) => {
            view! { <crate::surveys::pages::AnswerIssues issues /> }.into_any()
        }
        AppError::WrongCredentials => td!(locale.get(), errors.wrong_credentials).into_any(),
        AppError::SignInRequired => td!(locale.get(), errors.sign_in_required).into_any(),
        AppError::Forbidden => td!(locale.get(), errors.forbidden).into_any(),
        AppError::SecondFactorRequired => {
            // Set up, then back here.
            let location = leptos_router::hooks::use_location();
            let href = move || {
                let here = return_here(&location.pathname.get(), &location.search.get());
                format!(
                    "{}?next={}",
                    page_path(locale.get(), "me/two-factor"),
                    percent_encode(&here)
                )
            };
            view! {
                {td!(locale.get(), errors.second_factor_required)}
                " "
                <a href=href>{td!(locale.get(), errors.second_factor_link)}</a>
            }
            .into_any()
        }
        AppError::WrongCode => td!(locale.get(), errors.wrong_code).into_any(),
        AppError::Suspended { until } => {
            let until = crate::ui::time::iso_minute(until);
            td!(
                locale.get(),
                errors.suspended,
                until = move || until.clone()
            )
            .into_any()
        }
        AppError::ThreadLocked => td!(locale.get(), errors.thread_locked).into_any(),
        AppError::NotNow => td!(locale.get(), errors.not_now).into_any(),
        AppError::EditWindowClosed => td!(locale.get(), errors.edit_window_closed).into_any(),
        AppError::ExpiredLink => td!(locale.get(), errors.expired_link).into_any(),
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
        AppError::CannotSave => td!(locale.get(), errors.cannot_save).into_any(),
        AppError::Internal { request_id } => td!(
            locale.get(),
            errors.internal,
            request_id = move || request_id.clone()
        )
        .into_any(),
        AppError::Transport(_) => td!(locale.get(), errors.transport).into_any(),
        AppError::BadRequest => td!(locale.get(), errors.bad_request).into_any(),
    };
    view! { <p class="error" role="alert">{message}</p> }
}

/// An error that stops a whole page (a refused privileged screen, a failed
/// load): the message, answered with the error's HTTP status.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    view! { <ErrorMessage error /> }
}

/// The error of the last attempt of server action `S`, if it failed (also
/// without JavaScript: the refused form comes back with it in the URL).
pub fn action_error<S>(action: ServerAction<S>) -> impl Fn() -> Option<AnyView> + Copy
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorMessage error /> }.into_any())
    }
}

/// The error of the last attempt of server function `path` when its form
/// was refused without a script (sent back with it in the URL): for a form
/// that has no [`ServerAction`], such as a file upload.
pub fn url_error(path: &'static str) -> Option<AnyView> {
    use leptos::server_fn::error::ServerFnUrlError;

    let error = use_context::<leptos::server::ServerActionError>()
        .filter(|error| error.path() == path)
        .map(|error| ServerFnUrlError::<AppError>::decode_err(error.err()))?;
    Some(view! { <ErrorMessage error /> }.into_any())
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
        Field::Code => td_string!(locale, validation.field_code),
        Field::Account => td_string!(locale, validation.field_account),
        Field::Scope => td_string!(locale, validation.field_scope),
        Field::Date => td_string!(locale, validation.field_date),
        Field::Title => td_string!(locale, validation.field_title),
        Field::Body => td_string!(locale, validation.field_body),
        Field::Reason => td_string!(locale, validation.field_reason),
        Field::Phrase => td_string!(locale, validation.field_phrase),
        Field::Number => td_string!(locale, validation.field_number),
        Field::Category => td_string!(locale, validation.field_category),
        Field::Slug => td_string!(locale, validation.field_slug),
        Field::Language => td_string!(locale, validation.field_language),
        Field::Status => td_string!(locale, validation.field_status),
        Field::Summary => td_string!(locale, validation.field_summary),
        Field::Channel => td_string!(locale, validation.field_channel),
        Field::Selection => td_string!(locale, validation.field_selection),
        Field::Response => td_string!(locale, validation.field_response),
        Field::Section => td_string!(locale, validation.field_section),
        Field::Contact => td_string!(locale, validation.field_contact),
        Field::Consent => td_string!(locale, validation.field_consent),
        Field::Needs => td_string!(locale, validation.field_needs),
        Field::Time => td_string!(locale, validation.field_time),
        Field::Question => td_string!(locale, validation.field_question),
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
        Problem::Unknown => td!(locale, validation.unknown).into_any(),
        Problem::TooManyLinks { max } => {
            td!(locale, validation.too_many_links, max = move || max).into_any()
        }
        Problem::Filtered => td!(locale, validation.filtered).into_any(),
        Problem::LooksLikeEmail => td!(locale, validation.looks_like_email).into_any(),
        Problem::OneFilter => td!(locale, validation.one_filter).into_any(),
        Problem::SectionCount { expected } => td!(
            locale,
            validation.section_count,
            expected = move || expected
        )
        .into_any(),
    };
    view! {
        <strong>{field}</strong>
        " "
        {problem}
    }
}
