//! Links to the same page in every locale, folded into one control (the
//! current language) so that a phone shows the page first. Plain links in
//! a `<details>`: they work without JavaScript, and the server remembers
//! the choice in a cookie.

use crate::i18n::*;
use crate::locale::{switch_locale_path, use_locale};
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_router::hooks::use_location;

#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let locale = use_locale();
    let location = use_location();

    let links = move || {
        let current = locale.get();
        let path = location.pathname.get();
        let search = location.search.get();
        Locale::get_all()
            .iter()
            .map(|&locale| {
                let mut href = switch_locale_path(&path, locale);
                if !search.is_empty() {
                    href.push('?');
                    href.push_str(search.trim_start_matches('?'));
                }
                view! {
                    <li>
                        <a
                            href=href
                            hreflang=locale.as_str()
                            lang=locale.as_str()
                            rel="external"
                            aria-current=(locale == current).then_some("true")
                        >
                            {td_string!(locale, common.language_name)}
                        </a>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <nav class="language-switcher" aria-label=move || td_string!(locale.get(), common.choose_language).to_string()>
            <details>
                <summary>
                    <span class="visually-hidden">{move || td!(locale.get(), common.choose_language)} ": "</span>
                    {move || td_string!(locale.get(), common.language_name)}
                </summary>
                <ul>{links}</ul>
            </details>
        </nav>
    }
}
