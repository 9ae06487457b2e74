//! Sign-up and sign-in pages, and the account links in the header.
//!
//! The forms are plain HTML forms posting to the server functions: they work
//! the same with and without JavaScript, and the full page load after
//! signing in or out refreshes everything that depends on who is reading.
//! A refused attempt comes back to the form with its error in the URL, which
//! `ServerAction` reads.

use super::api::{
    ChangeEmail, ChangePassword, DeleteAccount, ExportMyData, SignIn, SignOut, SignUp,
    current_viewer, my_account,
};
use super::domain::{DisplayName, Password};
use super::roles::Role;
use crate::admin::pages::role_name;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{ErrorMessage, action_error};
use crate::ui::forms::PostForm;
use crate::ui::time::iso_date;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SignUp>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.sign_up_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.sign_up_title)}</h1>
            <p>{move || td!(locale.get(), auth.sign_up_intro)}</p>
            {error}
            <PostForm action=SignUp::url()>
                <label for="display_name">{move || td!(locale.get(), validation.field_display_name)}</label>
                <input
                    id="display_name"
                    name="display_name"
                    type="text"
                    required
                    autocomplete="nickname"
                    minlength=DisplayName::MIN
                    maxlength=DisplayName::MAX
                    aria-describedby="display_name_help"
                />
                <p id="display_name_help" class="help">{move || td!(locale.get(), auth.display_name_help)}</p>
                <label for="email">{move || td!(locale.get(), auth.email_optional)}</label>
                <input id="email" name="email" type="email" autocomplete="email" aria-describedby="email_help" />
                <p id="email_help" class="help">{move || td!(locale.get(), auth.email_help)}</p>
                <NewPasswordField name="password" new=false />
                <button type="submit" class="button">{move || td!(locale.get(), auth.sign_up_button)}</button>
            </PostForm>
            <p>
                {move || td!(locale.get(), auth.have_account)} " "
                <a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), auth.sign_in_link)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.sign_in_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.sign_in_title)}</h1>
            {error}
            <PostForm action=SignIn::url()>
                <label for="login">{move || td!(locale.get(), auth.login_label)}</label>
                <input id="login" name="login" type="text" required autocomplete="username" />
                <label for="password">{move || td!(locale.get(), validation.field_password)}</label>
                <input id="password" name="password" type="password" required autocomplete="current-password" />
                <button type="submit" class="button">{move || td!(locale.get(), auth.sign_in_button)}</button>
            </PostForm>
            <p>
                <a href=move || page_path(locale.get(), "forgot")>{move || td!(locale.get(), auth.forgot_link)}</a>
            </p>
            <p>
                {move || td!(locale.get(), auth.no_account)} " "
                <a href=move || page_path(locale.get(), "signup")>{move || td!(locale.get(), auth.sign_up_link)}</a>
            </p>
        </section>
    }
}

/// "Sign in · Create an account", or the resident's name and "Sign out".
#[component]
pub fn AccountNav() -> impl IntoView {
    let locale = use_locale();
    let viewer = Resource::new(|| (), |()| current_viewer());

    view! {
        <div class="account-nav">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(viewer)) => view! {
                            {(viewer.roles.contains(&Role::Moderator) || viewer.roles.contains(&Role::Admin)).then(|| view! {
                                <a href=move || page_path(locale.get(), "moderation")>{move || td!(locale.get(), moderation.nav_moderation)}</a>
                            })}
                            {(viewer.roles.contains(&Role::Policymaker) || viewer.roles.contains(&Role::Admin)).then(|| view! {
                                <a href=move || page_path(locale.get(), "review")>{move || td!(locale.get(), review.queues_title)}</a>
                                <a href=move || page_path(locale.get(), "review/dashboard")>{move || td!(locale.get(), dashboard.title)}</a>
                            })}
                            {viewer.roles.contains(&Role::Admin).then(|| view! {
                                <a href=move || page_path(locale.get(), "admin")>{move || td!(locale.get(), admin.nav_admin)}</a>
                            })}
                            <a href=move || page_path(locale.get(), "me/contributions")>{move || td!(locale.get(), contributions.title)}</a>
                            <a class="account-name" href=move || page_path(locale.get(), "me")>{viewer.display_name}</a>
                            <PostForm action=SignOut::url() class="inline-form">
                                <button type="submit" class="link-button">{move || td!(locale.get(), auth.sign_out_button)}</button>
                            </PostForm>
                        }
                        .into_any(),
                        _ => view! {
                            <a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), auth.sign_in_link)}</a>
                            <a href=move || page_path(locale.get(), "signup")>{move || td!(locale.get(), auth.sign_up_link)}</a>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/{locale}/me`: what Parley holds about the resident, the download, and
/// account deletion.
#[component]
pub fn MyAccountPage() -> impl IntoView {
    let locale = use_locale();
    let account = Resource::new(|| (), |()| my_account());
    let delete = ServerAction::<DeleteAccount>::new();
    let error = action_error(delete);

    view! {
        <Title text=td_string!(locale.get_untracked(), auth.my_data_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), auth.my_data_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(Some(account)) => view! {
                            <p>{move || td!(locale.get(), auth.my_data_intro)}</p>
                            <dl class="facts">
                                <dt>{move || td!(locale.get(), validation.field_display_name)}</dt>
                                <dd>{account.display_name}</dd>
                                <dt>{move || td!(locale.get(), validation.field_email)}</dt>
                                <dd>
                                    {match account.email.clone() {
                                        Some(email) => email.into_any(),
                                        None => td!(locale.get_untracked(), auth.no_email).into_any(),
                                    }}
                                </dd>
                                <dt>{move || td!(locale.get(), auth.member_since)}</dt>
                                <dd>
                                    <time datetime=iso_date(account.created_at)>{iso_date(account.created_at)}</time>
                                </dd>
                            </dl>
                            <h2>{move || td!(locale.get(), auth.two_factor_title)}</h2>
                            <p>
                                {if account.two_factor {
                                    td!(locale.get_untracked(), auth.two_factor_status_on).into_any()
                                } else {
                                    view! {
                                        {td!(locale.get_untracked(), auth.two_factor_status_off)}
                                        " "
                                        <a href=move || page_path(locale.get(), "me/two-factor")>{move || td!(locale.get(), auth.two_factor_set_up)}</a>
                                    }
                                    .into_any()
                                }}
                            </p>
                            {(!account.grants.is_empty()).then(|| view! {
                                <h2>{move || td!(locale.get(), auth.roles_title)}</h2>
                                <ul>
                                    {account.grants.iter().map(|grant| view! {
                                        <li>{role_name(locale.get_untracked(), grant.role)}</li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <p><a href=move || page_path(locale.get(), "me/private-link")>{move || td!(locale.get(), auth.private_link_link)}</a></p>
                            <ChangeEmailForm current=account.email.clone() />
                            <ChangePasswordForm />
                            <h2>{move || td!(locale.get(), auth.download_title)}</h2>
                            <p>{move || td!(locale.get(), auth.download_body)}</p>
                            <p><a href=ExportMyData::url() download="parley-my-data.json">{move || td!(locale.get(), auth.download_link)}</a></p>
                            <h2>{move || td!(locale.get(), auth.delete_title)}</h2>
                            <p>{move || td!(locale.get(), auth.delete_body)}</p>
                            {error}
                            <PostForm action=DeleteAccount::url()>
                                <label for="delete_password">{move || td!(locale.get(), auth.delete_password_label)}</label>
                                <input id="delete_password" name="password" type="password" required autocomplete="current-password" />
                                <div class="choice">
                                    <input id="erase_contributions" name="erase_contributions" type="checkbox" value="on" />
                                    <label for="erase_contributions">{move || td!(locale.get(), auth.delete_erase_contributions)}</label>
                                </div>
                                <button type="submit" class="button danger">{move || td!(locale.get(), auth.delete_button)}</button>
                            </PostForm>
                        }
                        .into_any(),
                        Ok(None) => view! {
                            <p>
                                <a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), auth.sign_in_to_see)}</a>
                            </p>
                            <p><a href=move || page_path(locale.get(), "me/private-link")>{move || td!(locale.get(), auth.private_link_link)}</a></p>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Sets, changes or removes the e-mail address (on `/{locale}/me`).
#[component]
fn ChangeEmailForm(current: Option<String>) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<ChangeEmail>::new();
    let error = action_error(action);
    view! {
        <h2>{move || td!(locale.get(), auth.change_email_title)}</h2>
        {error}
        <PostForm action=ChangeEmail::url()>
            <label for="new_email">{move || td!(locale.get(), validation.field_email)}</label>
            <input
                id="new_email"
                name="email"
                type="email"
                autocomplete="email"
                value=current.unwrap_or_default()
                aria-describedby="new_email_help"
            />
            <p id="new_email_help" class="help">{move || td!(locale.get(), auth.change_email_help)}</p>
            <label for="email_password">{move || td!(locale.get(), auth.current_password_label)}</label>
            <input id="email_password" name="current_password" type="password" required autocomplete="current-password" />
            <button type="submit" class="button">{move || td!(locale.get(), auth.change_email_button)}</button>
        </PostForm>
    }
    .into_any()
}

/// Changes the password, given the current one (on `/{locale}/me`).
#[component]
fn ChangePasswordForm() -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    view! {
        <h2>{move || td!(locale.get(), auth.change_password_title)}</h2>
        <p>{move || td!(locale.get(), auth.change_password_help)}</p>
        {error}
        <PostForm action=ChangePassword::url()>
            <label for="current_password">{move || td!(locale.get(), auth.current_password_label)}</label>
            <input id="current_password" name="current_password" type="password" required autocomplete="current-password" />
            <NewPasswordField name="new_password" new=true />
            <button type="submit" class="button">{move || td!(locale.get(), auth.change_password_button)}</button>
        </PostForm>
    }
    .into_any()
}

/// The field where a resident chooses a password (signing up, resetting,
/// changing it), with the same limits as [`Password::parse`] and its help.
/// `new` labels it "New password" rather than "Password".
#[component]
pub fn NewPasswordField(name: &'static str, new: bool) -> impl IntoView {
    let locale = use_locale();
    let help = format!("{name}_help");
    view! {
        <label for=name>
            {move || {
                if new {
                    td_string!(locale.get(), auth.new_password_label)
                } else {
                    td_string!(locale.get(), validation.field_password)
                }
            }}
        </label>
        <input
            id=name
            name=name
            type="password"
            required
            autocomplete="new-password"
            minlength=Password::MIN
            maxlength=Password::MAX
            aria-describedby=help.clone()
        />
        <p id=help class="help">{move || td!(locale.get(), auth.password_help)}</p>
    }
}
