//! The form every state-changing page uses: a plain HTML POST to a server
//! function, carrying the reader's locale so that the answer (a redirect,
//! or the refused form with its error) stays in their language. It works
//! the same with and without JavaScript.

use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_i18n::Locale as _;

/// `<form method="post" action>` with the hidden `locale` field, around
/// `children`. `action` is a server function's `url()`.
#[component]
pub fn PostForm(
    action: &'static str,
    /// `stacked-form` (fields one under the other) or `inline-form`.
    #[prop(default = "stacked-form")]
    class: &'static str,
    /// An id, for buttons elsewhere that submit this form (`form=id`).
    #[prop(optional, into)]
    id: Option<String>,
    /// `multipart/form-data` for a form that sends a file.
    #[prop(optional)]
    enctype: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <form method="post" action=action class=class id=id enctype=enctype>
            <input type="hidden" name="locale" value=move || locale.get().as_str() />
            {children()}
        </form>
    }
}
