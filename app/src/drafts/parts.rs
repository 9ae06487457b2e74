//! Pieces the draft pages share.

use super::{Choice, DraftStatus};
use crate::i18n::*;
use crate::locale::use_locale;
use leptos::prelude::*;

/// A draft's status in the reader's language.
pub fn status_text(locale: Locale, status: DraftStatus) -> &'static str {
    match status {
        DraftStatus::Drafting => td_string!(locale, drafts.status_drafting),
        DraftStatus::Open => td_string!(locale, drafts.status_open),
        DraftStatus::Closed => td_string!(locale, drafts.status_closed),
        DraftStatus::Adopted => td_string!(locale, drafts.status_adopted),
    }
}

/// The status as a badge, with the consultation's dates.
#[component]
pub fn StatusLine(
    status: DraftStatus,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
) -> impl IntoView {
    let locale = use_locale();
    let dates = match (opens_at, closes_at) {
        (Some(opens), Some(closes)) => Some(format!(
            "{} – {}",
            crate::ui::time::iso_date(opens),
            crate::ui::time::iso_date(closes - 1)
        )),
        (Some(opens), None) => Some(format!("{} –", crate::ui::time::iso_date(opens))),
        _ => None,
    };
    view! {
        <p class="draft-status">
            <span class=format!("badge status-{}", status.as_str())>
                {move || status_text(locale.get(), status)}
            </span>
            {dates.map(|dates| view! { " " <span class="dates">{dates}</span> })}
        </p>
    }
}

/// Checkboxes for themes or areas, named `{name}[{id}]` (so the form's
/// choices arrive as a list).
#[component]
pub fn ChoiceBoxes(name: &'static str, choices: Vec<Choice>) -> impl IntoView {
    view! {
        <ul class="choices">
            {choices
                .into_iter()
                .map(|choice| {
                    let id = format!("{name}-{}", choice.id);
                    let field = format!("{name}[{}]", choice.id);
                    // A theme the writer does not hold stays as it is.
                    let kept = (choice.chosen && !choice.allowed).then(|| {
                        view! { <input type="hidden" name=field.clone() value=choice.id /> }
                    });
                    view! {
                        <li>
                            {kept}
                            <input type="checkbox" id=id.clone() name=field
                                value=choice.id checked=choice.chosen disabled=!choice.allowed />
                            <label for=id lang=choice.name.lang>{choice.name.text}</label>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
