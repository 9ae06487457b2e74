//! The frame of every page: skip link, header with navigation and language
//! switcher, the main landmark, footer.

use crate::announcements::pages::AnnouncementBanner;
use crate::auth::pages::AccountNav;
use crate::i18n::*;
use crate::locale::{CurrentLocale, home_path, page_path, parse_locale, use_locale};
use crate::ui::language_switcher::LanguageSwitcher;
use crate::ui::not_found::NotFoundPage;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::{Html, Title};
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;

/// Reads the locale from the first path segment and provides it to the
/// page; an unknown locale is a 404 (shown in English).
#[component]
pub fn LocaleLayout() -> impl IntoView {
    let params = use_params_map();
    let known = Memo::new(move |_| params.read().get("lang").and_then(|l| parse_locale(&l)));
    let locale = Signal::derive(move || known.get().unwrap_or_default());

    provide_context(CurrentLocale(locale));
    // `<html>` and `<title>` are written after the body has rendered, when
    // the page's reactive values may already be gone: give leptos_meta plain
    // values. A page keeps its locale for its whole life (switching language
    // loads another page), so nothing is lost.
    let lang = locale.get_untracked();

    view! {
            <Html
                attr:lang=lang.as_str()
                attr:dir=lang.direction().as_str()
            />
            <PageTitle />
            <a class="skip-link" href="#main">
                {move || td_string!(locale.get(), common.skip_to_content)}
            </a>
            <SiteHeader />
            <AnnouncementBanner />
            <main id="main" tabindex="-1">
                {move || {
                    if known.get().is_some() {
                        view! { <Outlet /> }.into_any()
                    } else {
                        view! { <NotFoundPage /> }.into_any()
                    }
                }}
            </main>
            <SiteFooter />
    }
}

/// `<title>`: the page's own title (set with `leptos_meta::Title`) followed
/// by the site name.
#[component]
fn PageTitle() -> impl IntoView {
    let locale = use_locale();
    let site = td_string!(locale.get_untracked(), common.site_name).to_string();
    view! {
        <Title formatter=move |page: String| {
            if page.is_empty() { site.clone() } else { format!("{page} · {site}") }
        } />
    }
}

/// The header: the site's name, the navigation, the account's links and
/// the language. Rendered on the server; only its menu button needs the
/// browser, in [`SiteMenu`].
#[component]
fn SiteHeader() -> impl IntoView {
    let locale = use_locale().get_untracked();
    let links = [
        ("forums", td_string!(locale, common.nav_forums)),
        ("surveys", td_string!(locale, common.nav_surveys)),
        ("focus-groups", td_string!(locale, common.nav_focus_groups)),
        ("drafts", td_string!(locale, common.nav_drafts)),
        ("feedback", td_string!(locale, common.nav_feedback)),
    ]
    .into_iter()
    .map(|(section, text)| (page_path(locale, section), text.to_string()))
    .collect();
    view! {
        <SiteMenu
            home=home_path(locale)
            site_name=td_string!(locale, common.site_name).to_string()
            menu=td_string!(locale, common.menu).to_string()
            navigation=td_string!(locale, common.main_navigation).to_string()
            links
        >
            <AccountNav />
            <LanguageSwitcher />
        </SiteMenu>
    }
}

/// The header as an island: on a small screen the menu button (hidden
/// without JavaScript, when the navigation is simply always shown) opens
/// and closes the navigation. Everything it shows comes in as props, already
/// translated, so the browser's bundle carries no translation of its own;
/// the account's links and the language switcher stay server-rendered
/// children.
#[island]
fn SiteMenu(
    home: String,
    site_name: String,
    menu: String,
    navigation: String,
    /// (address, name) of each section in the navigation.
    links: Vec<(String, String)>,
    children: Children,
) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    // Effects run only in the browser: once this is true the island is
    // hydrated and the menu button works.
    let (enhanced, set_enhanced) = signal(false);
    Effect::new(move |_| set_enhanced.set(true));
    view! {
        <header class="site-header" data-enhanced=move || enhanced.get().then_some("true")>
            <div class="site-header__bar">
                <a class="site-name" href=home>{site_name}</a>
                <button
                    type="button"
                    class="menu-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    {menu}
                </button>
            </div>
            <nav
                id="site-nav"
                class="site-nav"
                aria-label=navigation
                data-open=move || menu_open.get().to_string()
            >
                <ul>
                    {links.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}
                </ul>
            </nav>
            {children()}
        </header>
    }
}

#[component]
fn SiteFooter() -> impl IntoView {
    let locale = use_locale();
    view! {
        <footer class="site-footer">
            // Whoever took part, with or without an account, finds what
            // became of it from every page.
            <p><a href=move || page_path(locale.get(), "me/contributions")>{move || td!(locale.get(), contributions.title)}</a>
                " · " <a href=move || page_path(locale.get(), "me/private-link")>{move || td!(locale.get(), participation.title)}</a></p>
            <p>{move || td!(locale.get(), common.footer_about)}</p>
            <p>{move || td!(locale.get(), common.footer_privacy)}</p>
        </footer>
    }
}
