//! `/{l}/admin/themes`: themes, their texts in the admin's language, and
//! their keyword rules per language.

use super::ThemeAdmin;
use super::api::{AddThemeRule, CreateTheme, RemoveThemeRule, SetThemeText, list_themes_admin};
use crate::admin::pages::AdminNav;
use crate::i18n::*;
use crate::locale::use_locale;
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn AdminThemesPage() -> impl IntoView {
    let locale = use_locale();
    let themes = Resource::new(move || locale.get(), list_themes_admin);
    let create = ServerAction::<CreateTheme>::new();
    let error = action_error(create);

    view! {
        <Title text=td_string!(locale.get_untracked(), themes_admin.title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), themes_admin.title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match themes.await {
                        Ok(themes) => view! {
                            <AdminNav />
                            <p>{move || td!(locale.get(), themes_admin.intro)}</p>
                            {themes.into_iter().map(|theme| view! { <ThemeCard theme /> }).collect_view()}
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>{move || td!(locale.get(), themes_admin.new_title)}</h2>
            {error}
            <PostForm action=CreateTheme::url()>
                <label for="new-slug">{move || td!(locale.get(), themes_admin.slug_label)}</label>
                <input id="new-slug" name="slug" type="text" required maxlength="64" pattern="[a-z0-9-]+" autocomplete="off" />
                <label for="new-name">{move || td!(locale.get(), themes_admin.name_label)}</label>
                <input id="new-name" name="name" type="text" required maxlength=super::THEME_NAME.max />
                <label for="new-description">{move || td!(locale.get(), themes_admin.description_label)}</label>
                <textarea id="new-description" name="description" rows="3" maxlength=super::THEME_DESCRIPTION.max></textarea>
                <button type="submit" class="button">{move || td!(locale.get(), themes_admin.create)}</button>
            </PostForm>
        </section>
    }
}

#[component]
fn ThemeCard(theme: ThemeAdmin) -> AnyView {
    let locale = use_locale();
    let ThemeAdmin {
        id,
        slug,
        name,
        description,
        rules,
        items,
    } = theme;
    let name_id = format!("theme-name-{id}");
    let description_id = format!("theme-description-{id}");
    let language_id = format!("rule-language-{id}");
    let keyword_id = format!("rule-keyword-{id}");
    let rules = if rules.is_empty() {
        view! { <p>{move || td!(locale.get(), themes_admin.no_rules)}</p> }.into_any()
    } else {
        view! {
            <ul class="rules">
                {rules.into_iter().map(|rule| view! {
                    <li>
                        <span class="rule-language">{rule.language.clone()}</span> " "
                        <span lang=rule.language>{rule.keyword}</span> " "
                        <PostForm action=RemoveThemeRule::url() class="inline-form">
                            <input type="hidden" name="rule" value=rule.id />
                            <button type="submit" class="link-button">{move || td!(locale.get(), themes_admin.remove)}</button>
                        </PostForm>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="theme-card" aria-labelledby=format!("theme-{id}")>
            <h2 id=format!("theme-{id}") lang=name.lang.clone()>{name.text.clone()}</h2>
            <p><code>{slug}</code> " · " {move || td!(locale.get(), themes_admin.items, count = move || items)}</p>
            <p lang=description.lang.clone()>{description.text.clone()}</p>
            <details>
                <summary>{move || td!(locale.get(), themes_admin.edit_texts)}</summary>
                <PostForm action=SetThemeText::url()>
                    <input type="hidden" name="theme" value=id />
                    <label for=name_id.clone()>{move || td!(locale.get(), themes_admin.name_label)}</label>
                    <input id=name_id name="name" type="text" required maxlength=super::THEME_NAME.max
                        value=if name.in_reader_locale { name.text.clone() } else { String::new() } />
                    <label for=description_id.clone()>{move || td!(locale.get(), themes_admin.description_label)}</label>
                    <textarea id=description_id name="description" rows="3" maxlength=super::THEME_DESCRIPTION.max>
                        {if description.in_reader_locale { description.text.clone() } else { String::new() }}
                    </textarea>
                    <button type="submit" class="button">{move || td!(locale.get(), themes_admin.save_texts)}</button>
                </PostForm>
            </details>
            <h3>{move || td!(locale.get(), themes_admin.rules_title)}</h3>
            {rules}
            <PostForm action=AddThemeRule::url() class="inline-form">
                <input type="hidden" name="theme" value=id />
                <label for=language_id.clone()>{move || td!(locale.get(), themes_admin.language_label)}</label>
                <input id=language_id name="language" type="text" required size="3" maxlength="3" pattern="[a-z]{2,3}" autocomplete="off" />
                <label for=keyword_id.clone()>{move || td!(locale.get(), themes_admin.keyword_label)}</label>
                <input id=keyword_id name="keyword" type="text" required maxlength="100" />
                <button type="submit" class="button">{move || td!(locale.get(), themes_admin.add_rule)}</button>
            </PostForm>
        </section>
    }
    .into_any()
}
