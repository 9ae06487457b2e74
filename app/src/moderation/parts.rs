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

/// One button that turns a thread's flag (locked, pinned) over.
#[component]
fn Toggle(
    action: &'static str,
    thread: i64,
    /// Whether the flag is set now.
    on: bool,
    label: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <PostForm action class="inline-form">
            <input type="hidden" name="thread" value=thread />
            <input type="hidden" name="on" value=(!on).to_string() />
            <button type="submit" class="button secondary">{label}</button>
        </PostForm>
    }
}

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
            <Toggle action=LockThread::url() thread on=locked
                label=move || if locked { td_string!(locale.get(), forums.unlock) } else { td_string!(locale.get(), forums.lock) } />
            <Toggle action=PinThread::url() thread on=pinned
                label=move || if pinned { td_string!(locale.get(), forums.unpin) } else { td_string!(locale.get(), forums.pin) } />
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
