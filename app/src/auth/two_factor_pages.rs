//! Two-step sign-in pages: enrolment (`/{l}/me/two-factor`) and the second
//! step of signing in (`/{l}/signin/code`). Plain forms: they work without
//! JavaScript.

use super::Enrolment;
use super::api::{ConfirmTwoFactor, SignInCode, two_factor_enrolment};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

/// The code field both forms share: six digits from the app, or a recovery
/// code.
#[component]
fn CodeField() -> impl IntoView {
    let locale = use_locale();
    view! {
        <label for="code">{move || td!(locale.get(), auth.code_label)}</label>
        <input
            id="code"
            name="code"
            type="text"
            required
            autocomplete="one-time-code"
            inputmode="text"
            maxlength="20"
            aria-describedby="code_help"
        />
        <p id="code_help" class="help">{move || td!(locale.get(), auth.code_help)}</p>
    }
}

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let locale = use_locale();
    let enrolment = Resource::new(|| (), |()| two_factor_enrolment());
    // The page that asked for the second factor, to go back to.
    let next = leptos_router::hooks::use_query_map()
        .with_untracked(|query| query.get("next"))
        .filter(|next| crate::locale::local_return(next).is_some());
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let error = action_error(confirm);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.two_factor_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.two_factor_title)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                    match enrolment.await {
                        Ok(Enrolment::Done) => view! {
                            <p class="notice">{move || td!(locale.get(), auth.two_factor_done)}</p>
                            {next.clone().map(|next| view! {
                                <p><a href=next class="button">{move || td!(locale.get(), auth.back_to_page)}</a></p>
                            })}
                            <p><a href=move || page_path(locale.get(), "me")>{move || td!(locale.get(), auth.back_to_account)}</a></p>
                        }
                        .into_any(),
                        Ok(Enrolment::Offer { secret, qr_svg, recovery_codes }) => view! {
                            <p>{move || td!(locale.get(), auth.two_factor_intro)}</p>
                            <h2>{move || td!(locale.get(), auth.two_factor_step_scan)}</h2>
                            <div class="qr-code" inner_html=qr_svg></div>
                            <p>
                                {move || td!(locale.get(), auth.two_factor_secret_label)} " "
                                <code class="secret" dir="ltr" data-testid="totp-secret">{secret}</code>
                            </p>
                            <h2>{move || td!(locale.get(), auth.recovery_title)}</h2>
                            <p>{move || td!(locale.get(), auth.recovery_body)}</p>
                            <ol class="recovery-codes" dir="ltr">
                                {recovery_codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ol>
                            <h2>{move || td!(locale.get(), auth.two_factor_step_confirm)}</h2>
                            {error}
                            <PostForm action=ConfirmTwoFactor::url()>
                                <input type="hidden" name="next" value=next.clone().unwrap_or_default() />
                                <CodeField />
                                <button type="submit" class="button">{move || td!(locale.get(), auth.two_factor_confirm_button)}</button>
                            </PostForm>
                        }
                        .into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}}
            </Suspense>
        </section>
    }
}

#[component]
pub fn SignInCodePage() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SignInCode>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.sign_in_code_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.sign_in_code_title)}</h1>
            <p>{move || td!(locale.get(), auth.sign_in_code_intro)}</p>
            {error}
            <PostForm action=SignInCode::url()>
                <CodeField />
                <button type="submit" class="button">{move || td!(locale.get(), auth.sign_in_button)}</button>
            </PostForm>
        </section>
    }
}
