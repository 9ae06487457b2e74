//! Administration pages: roles (`/{l}/admin`, `/{l}/admin/roles`) and the
//! audit log (`/{l}/admin/audit`). The server functions refuse anyone but
//! an admin who proved the second factor; the pages show that refusal with
//! its status.

use super::api::{GrantRole, ResetTwoFactor, RevokeRole, audit_log, roles_overview};
use super::{AuditFilter, AuditPage, GrantView, StaffOverview};
use crate::auth::roles::Role;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use crate::ui::time::iso_minute;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A role's name in the reader's language.
pub fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Moderator => td_string!(locale, admin.role_moderator),
        Role::Policymaker => td_string!(locale, admin.role_policymaker),
        Role::Admin => td_string!(locale, admin.role_admin),
    }
}

#[component]
pub fn AdminNav() -> impl IntoView {
    let locale = use_locale();
    view! {
        <nav class="sub-nav" aria-label=move || td_string!(locale.get(), admin.title)>
            <a href=move || page_path(locale.get(), "admin/roles")>{move || td!(locale.get(), admin.roles_title)}</a>
            <a href=move || page_path(locale.get(), "admin/audit")>{move || td!(locale.get(), admin.audit_title)}</a>
            <a href=move || page_path(locale.get(), "admin/themes")>{move || td!(locale.get(), themes_admin.title)}</a>
            <a href=move || page_path(locale.get(), "admin/jobs")>{move || td!(locale.get(), jobs.title)}</a>
        </nav>
    }
}

#[component]
pub fn AdminRolesPage() -> impl IntoView {
    let locale = use_locale();
    let overview = Resource::new(move || locale.get(), roles_overview);

    view! {
        <Title text=td_string!(locale.get_untracked(), admin.roles_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), admin.roles_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <AdminNav /> <RolesBody overview /> }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RolesBody(overview: StaffOverview) -> AnyView {
    let locale = use_locale();
    let grant = ServerAction::<GrantRole>::new();
    let revoke = ServerAction::<RevokeRole>::new();
    let grant_error = action_error(grant);
    let revoke_error = action_error(revoke);
    let StaffOverview { staff, town } = overview;
    // Each part is type-erased (`into_any`): one nested view type for the
    // whole page overflows the compiler's query depth in the wasm build.
    let table = view! {
        <table class="data-table">
            <thead>
                <tr>
                    <th scope="col">{move || td!(locale.get(), admin.account)}</th>
                    <th scope="col">{move || td!(locale.get(), admin.roles_column)}</th>
                </tr>
            </thead>
            <tbody>
                {staff.into_iter().map(|member| view! {
                    <tr>
                        <th scope="row">{member.display_name}</th>
                        <td>
                            <ul class="grants">
                                {member.grants.into_iter().map(|grant| view! { <GrantItem grant /> }).collect_view()}
                            </ul>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any();
    let form = view! {
        <PostForm action=GrantRole::url()>
            <label for="account">{move || td!(locale.get(), admin.account_label)}</label>
            <input id="account" name="account" type="text" required autocomplete="off" />
            <label for="role">{move || td!(locale.get(), admin.role_label)}</label>
            <select id="role" name="role">
                {Role::ALL.into_iter().map(|role| view! {
                    <option value=role.as_str()>{move || role_name(locale.get(), role)}</option>
                }).collect_view()}
            </select>
            <label for="area">{move || td!(locale.get(), admin.area_label)}</label>
            <select id="area" name="area">
                <option value="">"—"</option>
                {town.areas.into_iter().map(|area| view! { <option value=area.id lang=area.name.lang>{area.name.text}</option> }).collect_view()}
            </select>
            <label for="theme">{move || td!(locale.get(), admin.theme_label)}</label>
            <select id="theme" name="theme">
                <option value="">"—"</option>
                {town.themes.into_iter().map(|theme| view! { <option value=theme.id lang=theme.name.lang>{theme.name.text}</option> }).collect_view()}
            </select>
            <button type="submit" class="button">{move || td!(locale.get(), admin.grant_button)}</button>
        </PostForm>
    }
    .into_any();

    view! {
        <p>{move || td!(locale.get(), admin.roles_intro)}</p>
        {revoke_error}
        {table}
        <h2>{move || td!(locale.get(), admin.grant_title)}</h2>
        {grant_error}
        {form}
        <ResetTwoFactorForm />
    }
    .into_any()
}

/// Turning off someone's two-step sign-in when they lost their phone.
#[component]
fn ResetTwoFactorForm() -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<ResetTwoFactor>::new();
    let error = action_error(action);
    view! {
        <h2>{move || td!(locale.get(), admin.reset_two_factor_title)}</h2>
        <p>{move || td!(locale.get(), admin.reset_two_factor_body)}</p>
        {error}
        <PostForm action=ResetTwoFactor::url()>
            <label for="reset_account">{move || td!(locale.get(), admin.account_label)}</label>
            <input id="reset_account" name="account" type="text" required autocomplete="off" />
            <button type="submit" class="button danger">{move || td!(locale.get(), admin.reset_two_factor_button)}</button>
        </PostForm>
    }
    .into_any()
}

#[component]
fn GrantItem(grant: GrantView) -> impl IntoView {
    let locale = use_locale();
    let label = match &grant.scope {
        Some(scope) => format!(
            "{} · {scope}",
            role_name(locale.get_untracked(), grant.role)
        ),
        None => role_name(locale.get_untracked(), grant.role).to_owned(),
    };
    view! {
        <li>
            <span>{label}</span>
            " "
            <PostForm action=RevokeRole::url() class="inline-form">
                <input type="hidden" name="grant" value=grant.id />
                <button type="submit" class="link-button">{move || td!(locale.get(), admin.revoke_button)}</button>
            </PostForm>
        </li>
    }
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = move || {
        let query = query.read();
        let text = |name: &str| query.get(name).unwrap_or_default();
        AuditFilter {
            actor: text("actor"),
            action: text("action"),
            from: text("from"),
            to: text("to"),
            before: query.get("before").and_then(|before| before.parse().ok()),
        }
    };
    let page = Resource::new(filter, audit_log);

    view! {
        <Title text=td_string!(locale.get_untracked(), admin.audit_title).to_string() />
        <section class="admin-page">
            <h1>{move || td!(locale.get(), admin.audit_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let current = filter();
                    match page.await {
                        Ok(page) => view! { <AdminNav /> <AuditBody page current /> }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AuditBody(page: AuditPage, current: AuditFilter) -> AnyView {
    let locale = use_locale();
    let next = page.next_before.map(|before| {
        let mut next = current.clone();
        next.before = Some(before);
        audit_href(locale.get_untracked(), &next)
    });
    let form = view! {
        <form method="get" class="filter-form">
            <label for="actor">{move || td!(locale.get(), admin.actor_label)}</label>
            <input id="actor" name="actor" type="text" value=current.actor.clone() />
            <label for="action">{move || td!(locale.get(), admin.action_label)}</label>
            <select id="action" name="action">
                <option value="">{move || td!(locale.get(), admin.any_action)}</option>
                {page.actions.into_iter().map(|action| {
                    let selected = action == current.action;
                    view! { <option value=action.clone() selected=selected>{action.clone()}</option> }
                }).collect_view()}
            </select>
            <label for="from">{move || td!(locale.get(), admin.from_label)}</label>
            <input id="from" name="from" type="date" value=current.from.clone() />
            <label for="to">{move || td!(locale.get(), admin.to_label)}</label>
            <input id="to" name="to" type="date" value=current.to.clone() />
            <button type="submit" class="button">{move || td!(locale.get(), admin.filter_button)}</button>
        </form>
    }
    .into_any();
    let rows = page
        .entries
        .into_iter()
        .map(|entry| {
            let actor = match (entry.actor_name, entry.actor) {
                (Some(name), Some(id)) => format!("{name} (#{id})"),
                (None, Some(id)) => format!("#{id}"),
                _ => "—".to_owned(),
            };
            let client = entry.client_hash.get(..8).unwrap_or("").to_owned();
            view! {
                <tr>
                    <td dir="ltr"><time datetime=iso_minute(entry.at)>{iso_minute(entry.at)}</time></td>
                    <td>{actor}</td>
                    <td dir="ltr">{entry.action}</td>
                    <td dir="ltr">{entry.target}</td>
                    <td dir="ltr"><code>{client}</code></td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    let table = view! {
        <table class="data-table">
            <thead>
                <tr>
                    <th scope="col">{move || td!(locale.get(), admin.at_column)}</th>
                    <th scope="col">{move || td!(locale.get(), admin.actor_label)}</th>
                    <th scope="col">{move || td!(locale.get(), admin.action_label)}</th>
                    <th scope="col">{move || td!(locale.get(), admin.target_column)}</th>
                    <th scope="col">{move || td!(locale.get(), admin.client_column)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any();
    view! {
        {form}
        {table}
        {next.map(|href| view! {
            <p><a href=href>{move || td!(locale.get(), admin.older_entries)}</a></p>
        })}
    }
    .into_any()
}

/// The audit page's address for `filter`.
fn audit_href(locale: Locale, filter: &AuditFilter) -> String {
    let encode = crate::locale::percent_encode;
    let mut href = format!(
        "{}?actor={}&action={}&from={}&to={}",
        page_path(locale, "admin/audit"),
        encode(&filter.actor),
        encode(&filter.action),
        encode(&filter.from),
        encode(&filter.to)
    );
    if let Some(before) = filter.before {
        href.push_str(&format!("&before={before}"));
    }
    href
}
