//! Password reset pages: asking for a link (`/{l}/forgot`), the answer
//! (`/{l}/forgot/sent`), and choosing a new password (`/{l}/reset/{token}`).

use super::api::{RequestPasswordReset, ResetPassword};
use super::pages::NewPasswordField;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.forgot_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.forgot_title)}</h1>
            <p>{move || td!(locale.get(), auth.forgot_intro)}</p>
            {error}
            <PostForm action=RequestPasswordReset::url()>
                <label for="login">{move || td!(locale.get(), auth.login_label)}</label>
                <input id="login" name="login" type="text" required autocomplete="username" />
                <button type="submit" class="button">{move || td!(locale.get(), auth.forgot_button)}</button>
            </PostForm>
        </section>
    }
}

#[component]
pub fn ResetSentPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=td_string!(locale.get_untracked(), auth.forgot_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.forgot_title)}</h1>
            <p class="notice" role="status">{move || td!(locale.get(), auth.forgot_sent)}</p>
            <p><a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), auth.sign_in_link)}</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.reset_title).to_string() />
        // The token is in this page's address: never send it onwards.
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.reset_title)}</h1>
            {error}
            <PostForm action=ResetPassword::url()>
                <input type="hidden" name="token" value=token />
                <NewPasswordField name="password" new=true />
                <button type="submit" class="button">{move || td!(locale.get(), auth.reset_button)}</button>
            </PostForm>
        </section>
    }
}
