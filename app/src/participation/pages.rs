//! `/{l}/me/private-link`: taking part without an account, and the private
//! link that carries it to another device; `/{l}/restore/{token}`: where
//! that link leads.

use super::api::{CreatePrivateLink, ForgetDevice, RestoreParticipation, participation_status};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PrivateLinkPage() -> impl IntoView {
    let locale = use_locale();
    let status = Resource::new(|| (), |()| participation_status());
    let create = ServerAction::<CreatePrivateLink>::new();
    let error = action_error(create);

    view! {
        <Title text=td_string!(locale.get_untracked(), participation.title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), participation.title)}</h1>
            <p>{move || td!(locale.get(), participation.intro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) => view! {
                            <p class="notice">
                                {if status.participating {
                                    td!(locale.get_untracked(), participation.this_device_takes_part).into_any()
                                } else {
                                    td!(locale.get_untracked(), participation.this_device_does_not).into_any()
                                }}
                            </p>
                            {status.claimed.then(|| view! {
                                <p>{move || td!(locale.get(), participation.claimed)}</p>
                            })}
                            {status.participating.then(|| view! { <ForgetDeviceForm /> })}
                            {status.new_link.map(|link| view! {
                                <div class="private-link" role="status">
                                    <label for="private-link">{move || td!(locale.get(), participation.your_link)}</label>
                                    <input id="private-link" type="text" readonly dir="ltr" value=link />
                                    <p class="help">{move || td!(locale.get(), participation.link_once)}</p>
                                </div>
                            })}
                            <h2>{move || td!(locale.get(), participation.link_title)}</h2>
                            <p>{move || td!(locale.get(), participation.link_body)}</p>
                            {error}
                            <PostForm action=CreatePrivateLink::url()>
                                <button type="submit" class="button">{move || td!(locale.get(), participation.create_link)}</button>
                            </PostForm>
                        }
                        .into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RestorePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<RestoreParticipation>::new();
    let error = action_error(action);
    let status = Resource::new(|| (), |()| participation_status());

    view! {
        <Title text=td_string!(locale.get_untracked(), participation.restore_title).to_string() />
        // The token is in this page's address: never send it onwards.
        <section class="form-page">
            <h1>{move || td!(locale.get(), participation.restore_title)}</h1>
            <p>{move || td!(locale.get(), participation.restore_body)}</p>
            {error}
            <PostForm action=RestoreParticipation::url()>
                <input type="hidden" name="token" value=token />
                // A device that already takes part keeps its participation
                // unless the person says otherwise.
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        status.await.ok().filter(|status| status.participating).map(|_| view! {
                            <p class="notice">{move || td!(locale.get(), participation.restore_replaces)}</p>
                            <div class="choice">
                                <input type="checkbox" id="replace" name="replace" value="yes" required />
                                <label for="replace">{move || td!(locale.get(), participation.restore_replace_label)}</label>
                            </div>
                        })
                    })}
                </Suspense>
                <RememberDevice />
                <button type="submit" class="button">{move || td!(locale.get(), participation.restore_button)}</button>
            </PostForm>
            <p><a href=move || page_path(locale.get(), "")>{move || td!(locale.get(), common.back_home)}</a></p>
        </section>
    }
}

/// "Remember this device": unticked, a participation made on this device
/// lasts as long as the browser session, so that the next person at a
/// shared computer does not inherit it. `id` tells it apart from the same
/// box in another form of the page.
#[component]
pub fn RememberDevice(#[prop(default = "remember".to_owned(), into)] id: String) -> impl IntoView {
    let locale = use_locale();
    let help = format!("{id}-help");
    view! {
        <div class="choice">
            <input type="checkbox" id=id.clone() name="remember" value="yes" aria-describedby=help.clone() />
            <label for=id>{move || td!(locale.get(), participation.remember_label)}</label>
        </div>
        <p class="help" id=help>{move || td!(locale.get(), participation.remember_help)}</p>
    }
}

/// "Forget this device": the device stops carrying its participation.
#[component]
pub fn ForgetDeviceForm() -> impl IntoView {
    let locale = use_locale();
    view! {
        <h2>{move || td!(locale.get(), participation.forget_title)}</h2>
        <p>{move || td!(locale.get(), participation.forget_body)}</p>
        <PostForm action=ForgetDevice::url()>
            <button type="submit" class="button secondary">{move || td!(locale.get(), participation.forget_button)}</button>
        </PostForm>
    }
}
