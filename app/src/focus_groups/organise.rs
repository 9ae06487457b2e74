//! The organiser's pages: `/{l}/focus-groups/new` (a session for an area
//! they moderate or a theme they hold) and `/{l}/focus-groups/{id}/people`
//! (everyone who signed up, reading it audited; the balance against the
//! targets and the selection; check-in; promotion by hand; the CSV;
//! notes after the session).

use super::api::{
    AddFocusGroupNotes, CheckInFocusGroup, CreateFocusGroup, ExportFocusGroup,
    PromoteFocusGroupSignup, PublishFocusGroup, SelectFocusGroup, UploadFocusGroupNotes,
    focus_group_attendance, new_focus_group_choices,
};
use super::pages::{language_names, standing_text};
use super::selection::Balance;
use super::{Attendance, NewSessionChoices, Standing};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::surveys::pages::{LocalTime, Text};
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The way to organise a session, for staff.
#[component]
pub fn StartSession() -> impl IntoView {
    let locale = use_locale();
    let viewer = Resource::new(|| (), |()| crate::auth::api::current_viewer());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                viewer.await.ok().flatten().filter(|viewer| !viewer.roles.is_empty()).map(|_| {
                    let href = page_path(locale.get_untracked(), "focus-groups/new");
                    view! { <p><a class="button" href=href>{move || td!(locale.get(), focus_groups.new_title)}</a></p> }
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn NewFocusGroupPage() -> impl IntoView {
    let locale = use_locale();
    let choices = Resource::new(move || locale.get(), new_focus_group_choices);
    view! {
        <Title text=td_string!(locale.get_untracked(), focus_groups.new_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), focus_groups.new_title)}</h1>
            <Loaded resource=choices show=|choices| view! { <NewSessionForm choices /> }.into_any() />
        </section>
    }
}

#[component]
fn NewSessionForm(choices: NewSessionChoices) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<CreateFocusGroup>::new();
    let error = action_error(action);
    let NewSessionChoices {
        areas,
        themes,
        zone,
    } = choices;
    let reader = locale.get_untracked();
    view! {
        {error}
        <PostForm action=CreateFocusGroup::url()>
            <label for="scope">{move || td!(locale.get(), focus_groups.scope_label)}</label>
            <select id="scope" name="scope" required>
                {areas.into_iter().map(|(id, name)| view! {
                    <option value=format!("area:{id}") lang=name.lang>{name.text}</option>
                }).collect_view()}
                {themes.into_iter().map(|(id, name)| view! {
                    <option value=format!("theme:{id}") lang=name.lang>{name.text}</option>
                }).collect_view()}
            </select>
            <label for="topic">{move || td!(locale.get(), focus_groups.topic_label)}</label>
            <input id="topic" name="topic" required maxlength="200" />
            <label for="description">{move || td!(locale.get(), focus_groups.description_label)}</label>
            <textarea id="description" name="description" rows="5" maxlength="20000"></textarea>
            <fieldset>
                <legend>{move || td!(locale.get(), focus_groups.mode_label)}</legend>
                <p class="choice">
                    <input type="radio" id="mode-first" name="mode" value="first_come" checked />
                    <label for="mode-first">{move || td!(locale.get(), focus_groups.mode_first_come)}</label>
                </p>
                <p class="choice">
                    <input type="radio" id="mode-select" name="mode" value="select" />
                    <label for="mode-select">{move || td!(locale.get(), focus_groups.mode_select)}</label>
                </p>
            </fieldset>
            <fieldset>
                <legend>{move || td!(locale.get(), focus_groups.languages)}</legend>
                {Locale::get_all().iter().enumerate().map(|(i, spoken)| {
                    let code = leptos_i18n::Locale::as_str(*spoken);
                    let input_id = format!("spoken-{code}");
                    view! {
                        <p class="choice">
                            <input type="checkbox" id=input_id.clone() name=format!("languages[{i}]") value=code checked=*spoken == reader />
                            <label for=input_id>{crate::ui::languages::language_name(reader, code)}</label>
                        </p>
                    }
                }).collect_view()}
            </fieldset>
            <p class="help">{move || td!(locale.get(), focus_groups.times_in)} " " {zone}</p>
            <label for="starts">{move || td!(locale.get(), focus_groups.starts_label)}</label>
            <input id="starts" name="starts" type="datetime-local" required />
            <label for="ends">{move || td!(locale.get(), focus_groups.ends_label)}</label>
            <input id="ends" name="ends" type="datetime-local" required />
            <label for="place">{move || td!(locale.get(), focus_groups.place_label)}</label>
            <p class="help" id="place-hint">{move || td!(locale.get(), focus_groups.place_hint)}</p>
            <textarea id="place" name="place" rows="2" maxlength="500" aria-describedby="place-hint"></textarea>
            <label for="online_link">{move || td!(locale.get(), focus_groups.online_link)}</label>
            <input id="online_link" name="online_link" type="url" maxlength="500" />
            <label for="accessibility">{move || td!(locale.get(), focus_groups.accessibility)}</label>
            <textarea id="accessibility" name="accessibility" rows="2" maxlength="2000"></textarea>
            <label for="capacity">{move || td!(locale.get(), focus_groups.capacity_label)}</label>
            <input id="capacity" name="capacity" type="number" min="1" max="500" required value="12" />
            <label for="applications_close">{move || td!(locale.get(), focus_groups.applications_close_label)}</label>
            <input id="applications_close" name="applications_close" type="datetime-local" />
            <label for="targets">{move || td!(locale.get(), focus_groups.targets_label)}</label>
            <p class="help" id="targets-hint">{move || td!(locale.get(), focus_groups.targets_hint)}</p>
            <textarea id="targets" name="targets" rows="4" dir="ltr" aria-describedby="targets-hint"></textarea>
            <fieldset class="sign-up-questions">
                <legend>{move || td!(locale.get(), focus_groups.questions_title)}</legend>
                <p class="help">{move || td!(locale.get(), focus_groups.questions_hint)}</p>
                {(1..=super::questions::MAX_QUESTIONS).map(|n| {
                    let prompt = format!("question{n}");
                    let options = format!("options{n}");
                    let required = format!("required{n}");
                    view! {
                        <label for=prompt.clone()>{move || td!(locale.get(), focus_groups.question_n, n = move || n)}</label>
                        <input id=prompt.clone() name=prompt maxlength="300" />
                        <label for=options.clone()>{move || td!(locale.get(), focus_groups.options_label)}</label>
                        <textarea id=options.clone() name=options rows="3"></textarea>
                        <p class="choice">
                            <input type="checkbox" id=required.clone() name=required.clone() value="yes" />
                            <label for=required>{move || td!(locale.get(), focus_groups.required_label)}</label>
                        </p>
                    }
                }).collect_view()}
            </fieldset>
            <label for="consent">{move || td!(locale.get(), focus_groups.consent_title)}</label>
            <textarea id="consent" name="consent" rows="4" required minlength="10" maxlength="10000"></textarea>
            <p class="choice">
                <input type="checkbox" id="publish" name="publish" value="yes" />
                <label for="publish">{move || td!(locale.get(), focus_groups.publish_now)}</label>
            </p>
            <button type="submit" class="button">{move || td!(locale.get(), focus_groups.create)}</button>
        </PostForm>
    }
    .into_any()
}

#[component]
pub fn FocusGroupPeoplePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let attendance = Resource::new(
        move || (locale.get(), params.read().get("id").unwrap_or_default()),
        |(locale, id)| async move {
            match id.parse() {
                Ok(id) => focus_group_attendance(locale, id).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), focus_groups.people_title).to_string() />
        <section class="section-page focus-group-people">
            <h1>{move || td!(locale.get(), focus_groups.people_title)}</h1>
            <Loaded resource=attendance show=|attendance| view! { <PeopleBody attendance /> }.into_any() />
        </section>
    }
}

/// A recruitment category in words: `age:under_30` → "Under 30",
/// `area:riverside` → the area's name in `areas` (by short name).
fn category_text(locale: Locale, areas: &[(String, String)], category: &str) -> String {
    match category.split_once(':') {
        Some(("age", "under_30")) => td_string!(locale, focus_groups.age_under_30).to_owned(),
        Some(("age", "30_to_64")) => td_string!(locale, focus_groups.age_30_to_64).to_owned(),
        Some(("age", "65_plus")) => td_string!(locale, focus_groups.age_65_plus).to_owned(),
        Some(("language", code)) => crate::ui::languages::language_name(locale, code),
        Some(("area", slug)) => areas
            .iter()
            .find(|(known, _)| known == slug)
            .map_or_else(|| slug.to_owned(), |(_, name)| name.clone()),
        _ => td_string!(locale, focus_groups.everyone).to_owned(),
    }
}

#[component]
fn BalanceTable(
    caption: &'static str,
    balance: Vec<Balance>,
    areas: std::sync::Arc<[(String, String)]>,
) -> AnyView {
    let locale = use_locale();
    view! {
        <div class="table-scroll"><table class="data balance">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">{move || td!(locale.get(), focus_groups.target)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.target_min)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.target_max)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.target_count)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.target_met)}</th>
            </tr></thead>
            <tbody>
                {balance.into_iter().map(|line| view! {
                    <tr>
                        <th scope="row">{category_text(locale.get_untracked(), &areas, &line.target.category)}</th>
                        <td>{line.target.min.map(|min| min.to_string()).unwrap_or_default()}</td>
                        <td>{line.target.max.map(|max| max.to_string()).unwrap_or_default()}</td>
                        <td>{line.count}</td>
                        <td>{move || if line.met { td!(locale.get(), focus_groups.yes).into_any() } else { td!(locale.get(), focus_groups.no).into_any() }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

#[component]
fn PeopleBody(attendance: Attendance) -> AnyView {
    let locale = use_locale();
    let reader = locale.get_untracked();
    let check_in = ServerAction::<CheckInFocusGroup>::new();
    let check_in_error = action_error(check_in);
    let select = ServerAction::<SelectFocusGroup>::new();
    let select_error = action_error(select);
    let promote = ServerAction::<PromoteFocusGroupSignup>::new();
    let promote_error = action_error(promote);
    let notes_action = ServerAction::<AddFocusGroupNotes>::new();
    let notes_error = action_error(notes_action);
    let upload_error = crate::ui::error_message::url_error(UploadFocusGroupNotes::PATH);
    let publish = ServerAction::<PublishFocusGroup>::new();
    let publish_error = action_error(publish);
    // A participant's QR code opens this page with their code filled in.
    let scanned = use_query_map()
        .read_untracked()
        .get("code")
        .filter(|code| code.len() == 8 && code.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_default();
    let present_now = use_query_map()
        .read_untracked()
        .get("present")
        .and_then(|id| id.parse::<i64>().ok());
    let Attendance {
        session,
        questions,
        people,
        targets,
        applicants,
        chosen,
        can_select,
        seed,
        present,
        no_shows,
        ended,
        notes,
        erased,
        counts,
        area_names,
    } = attendance;
    let area_names: std::sync::Arc<[(String, String)]> = area_names.into();
    let id = session.id;
    let session_href = page_path(reader, &format!("focus-groups/{id}"));
    let export = format!("{}?id={id}", ExportFocusGroup::url());
    let texts_href = page_path(
        reader,
        &format!(
            "focus-groups/{id}/texts/{}",
            leptos_i18n::Locale::as_str(reader)
        ),
    );
    let confirmed = people
        .iter()
        .filter(|person| person.standing == Standing::Confirmed)
        .count();
    let drafting = session.status == "drafting";
    let selected = seed.is_some();
    let no_targets = targets.is_empty();
    view! {
        <h2><a href=session_href><Text text=session.topic.clone() /></a></h2>
        <p class="meta"><LocalTime moment=session.starts_at /> " · " {language_names(reader, &session.languages)}</p>
        {drafting.then(|| view! {
            {publish_error}
            <PostForm action=PublishFocusGroup::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button">{move || td!(locale.get(), focus_groups.publish)}</button>
            </PostForm>
        })}
        <p class="figures">
            {move || td!(locale.get(), focus_groups.confirmed_count, count = move || confirmed, capacity = move || session.capacity)}
            " · "
            {move || td!(locale.get(), focus_groups.present_count, count = move || present)}
            {no_shows.map(|count| view! { " · " {move || td!(locale.get(), focus_groups.no_shows, count = move || count)} })}
        </p>
        {erased.then(|| view! {
            <p class="notice">{move || td!(locale.get(), focus_groups.erased_session)}</p>
            <div class="table-scroll"><table class="data balance">
                <caption>{move || td!(locale.get(), focus_groups.kept_counts)}</caption>
                <thead><tr>
                    <th scope="col">{move || td!(locale.get(), focus_groups.target)}</th>
                    <th scope="col">{move || td!(locale.get(), focus_groups.signed_up_count)}</th>
                    <th scope="col">{move || td!(locale.get(), focus_groups.attended_count)}</th>
                </tr></thead>
                <tbody>
                    {counts.into_iter().map(|(category, signed_up, attended)| {
                        let shown = |count: Option<i64>| count.map_or_else(|| "<5".to_owned(), |count| count.to_string());
                        view! {
                            <tr>
                                <th scope="row">{category_text(reader, &area_names, &category)}</th>
                                <td>{shown(signed_up)}</td>
                                <td>{shown(attended)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        })}
        {(!no_targets).then(|| view! {
            <section id="balance" aria-labelledby="balance-title">
                <h2 id="balance-title">{move || td!(locale.get(), focus_groups.balance_title)}</h2>
                <BalanceTable caption=td_string!(reader, focus_groups.balance_applicants) balance=applicants areas=area_names.clone() />
                <BalanceTable caption=td_string!(reader, focus_groups.balance_chosen) balance=chosen areas=area_names.clone() />
                {seed.map(|seed| view! { <p>{move || td!(locale.get(), focus_groups.seed)} " " <code>{seed.clone()}</code></p> })}
                {select_error}
                {can_select.then(|| view! {
                    <PostForm action=SelectFocusGroup::url() class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button">{move || td!(locale.get(), focus_groups.run_selection)}</button>
                    </PostForm>
                })}
            </section>
        })}
        <section id="check-in" aria-labelledby="check-in-title">
            <h2 id="check-in-title">{move || td!(locale.get(), focus_groups.check_in_title)}</h2>
            {check_in_error}
            <PostForm action=CheckInFocusGroup::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <label for="code">{move || td!(locale.get(), focus_groups.check_in_code)}</label>
                <input id="code" name="code" size="10" maxlength="8" autocomplete="off" dir="ltr" value=scanned />
                <button type="submit" class="button">{move || td!(locale.get(), focus_groups.check_in)}</button>
            </PostForm>
        </section>
        <p>
            <a href=export download>{move || td!(locale.get(), focus_groups.export)}</a>
            " · "
            <a href=texts_href>{move || td!(locale.get(), focus_groups.texts_title)}</a>
        </p>
        {promote_error}
        <div class="table-scroll"><table class="data people">
            <caption>{move || td!(locale.get(), focus_groups.people_caption)}</caption>
            <thead><tr>
                <th scope="col">"#"</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.col_name)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.col_standing)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.col_contact)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.needs_label)}</th>
                <th scope="col">{move || td!(locale.get(), focus_groups.categories)}</th>
                {questions.into_iter().map(|question| view! { <th scope="col"><Text text=question /></th> }).collect_view()}
                <th scope="col">{move || td!(locale.get(), focus_groups.actions)}</th>
            </tr></thead>
            <tbody>
                {people.into_iter().map(|person| {
                    let row_id = format!("person-{}", person.id);
                    let standing = person.standing;
                    let categories = person.categories.iter().map(|category| category_text(reader, &area_names, category)).collect::<Vec<_>>().join(", ");
                    let just_now = present_now == Some(person.id);
                    let can_promote = matches!(standing, Standing::Waitlisted | Standing::Lapsed | Standing::Declined)
                        || (standing == Standing::Applied && !can_select && !selected && no_targets);
                    view! {
                        <tr id=row_id class:just-now=just_now>
                            <td>{person.arrival}</td>
                            <td dir="auto">{person.name}</td>
                            <td>{move || standing_text(locale.get(), standing)}
                                {person.checked_in.then(|| view! { " · " <strong>{move || td!(locale.get(), focus_groups.present)}</strong> })}
                            </td>
                            <td dir="ltr">{person.contact}</td>
                            <td dir="auto">{person.needs}</td>
                            <td>{categories}</td>
                            {person.answers.into_iter().map(|answer| view! { <td dir="auto">{answer}</td> }).collect_view()}
                            <td>
                                {(standing == Standing::Confirmed && !person.checked_in).then(|| view! {
                                    <PostForm action=CheckInFocusGroup::url() class="inline-form">
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="signup" value=person.id />
                                        <button type="submit" class="button">{move || td!(locale.get(), focus_groups.check_in)}</button>
                                    </PostForm>
                                })}
                                {can_promote.then(|| view! {
                                    <PostForm action=PromoteFocusGroupSignup::url() class="inline-form">
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="signup" value=person.id />
                                        <button type="submit" class="button secondary">{move || td!(locale.get(), focus_groups.promote)}</button>
                                    </PostForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
        <section id="notes" aria-labelledby="notes-title">
            <h2 id="notes-title">{move || td!(locale.get(), focus_groups.notes_title)}</h2>
            {notes.into_iter().map(|(at, body)| view! {
                <article class="card"><p class="meta"><LocalTime moment=at /></p><p class="pre-wrap" dir="auto">{body}</p></article>
            }).collect_view()}
            {match ended {
                true => view! {
                    {notes_error}
                    <PostForm action=AddFocusGroupNotes::url()>
                        <input type="hidden" name="id" value=id />
                        <label for="notes">{move || td!(locale.get(), focus_groups.notes_label)}</label>
                        <p class="help" id="notes-hint">{move || td!(locale.get(), focus_groups.notes_hint)}</p>
                        <textarea id="notes" name="notes" rows="8" required minlength="10" maxlength="50000" aria-describedby="notes-hint"></textarea>
                        <button type="submit" class="button">{move || td!(locale.get(), focus_groups.notes_send)}</button>
                    </PostForm>
                    {upload_error}
                    <PostForm action=UploadFocusGroupNotes::url() enctype="multipart/form-data">
                        <input type="hidden" name="id" value=id />
                        <label for="notes-file">{move || td!(locale.get(), focus_groups.notes_file_label)}</label>
                        <p class="help" id="notes-file-hint">{move || td!(locale.get(), focus_groups.notes_file_hint)}</p>
                        <input type="file" id="notes-file" name="file" required accept=".txt,.md,.markdown,text/plain,text/markdown" aria-describedby="notes-file-hint" />
                        <button type="submit" class="button secondary">{move || td!(locale.get(), focus_groups.notes_file_send)}</button>
                    </PostForm>
                }.into_any(),
                false => view! { <p class="help">{move || td!(locale.get(), focus_groups.notes_after)}</p> }.into_any(),
            }}
        </section>
    }
    .into_any()
}
