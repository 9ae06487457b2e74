//! Smaller pieces of moderation shown on other rooms' pages: the
//! moderators' tools on a thread page.

use super::api::{LockThread, MoveThread, PinThread};
use crate::forums::pages::ThreadToolsFor;
use crate::i18n::*;
use crate::locale::use_locale;
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

/// Lock, pin and move, for the area's moderators (on the thread page).
pub fn thread_tools(tools: ThreadToolsFor) -> AnyView {
    view! { <ThreadTools tools /> }.into_any()
}

#[component]
fn ThreadTools(tools: ThreadToolsFor) -> impl IntoView {
    let ThreadToolsFor {
        thread,
        pinned,
        locked,
        targets,
    } = tools;
    let locale = use_locale();
    let lock = ServerAction::<LockThread>::new();
    let pin = ServerAction::<PinThread>::new();
    let moving = ServerAction::<MoveThread>::new();
    let errors = move || {
        (
            action_error(lock)(),
            action_error(pin)(),
            action_error(moving)(),
        )
    };
    view! {
        <details class="thread-tools">
            <summary>{move || td!(locale.get(), forums.moderate_thread)}</summary>
            {errors}
            <PostForm action=LockThread::url() class="inline-form">
                <input type="hidden" name="thread" value=thread />
                <input type="hidden" name="on" value=(!locked).to_string() />
                <button type="submit" class="button secondary">
                    {move || if locked { td_string!(locale.get(), forums.unlock) } else { td_string!(locale.get(), forums.lock) }}
                </button>
            </PostForm>
            <PostForm action=PinThread::url() class="inline-form">
                <input type="hidden" name="thread" value=thread />
                <input type="hidden" name="on" value=(!pinned).to_string() />
                <button type="submit" class="button secondary">
                    {move || if pinned { td_string!(locale.get(), forums.unpin) } else { td_string!(locale.get(), forums.pin) }}
                </button>
            </PostForm>
            <PostForm action=MoveThread::url() class="inline-form">
                <input type="hidden" name="thread" value=thread />
                <label for="move-category">{move || td!(locale.get(), forums.move_to)}</label>
                <select id="move-category" name="category">
                    {targets.into_iter().map(|target| view! { <option value=target.category_id>{target.label}</option> }).collect_view()}
                </select>
                <button type="submit" class="button secondary">{move || td!(locale.get(), forums.move_button)}</button>
            </PostForm>
        </details>
    }
}
