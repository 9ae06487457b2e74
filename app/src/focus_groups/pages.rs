//! `/{l}/focus-groups`: the sessions to come; `/{l}/focus-groups/{id}`: a
//! session and its sign-up form (no account needed);
//! `/{l}/focus-groups/mine/{token}`: a sign-up's private page (where it
//! stands, what happened, accept an offer, the calendar file, cancel,
//! erase). All work without JavaScript.

use super::api::{
    AcceptFocusGroupOffer, CancelFocusGroupSignup, ChangeFocusGroupSignup, SignUpFocusGroup,
    focus_group_page, list_focus_groups, my_focus_group,
};
use super::{Event, Mode, MySignup, SessionPage, SessionSummary, Standing};
use crate::error::AppError;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::surveys::QuestionView;
use crate::surveys::pages::{LocalTime, Question, Text};
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A session's standing in words.
pub(super) fn standing_text(locale: Locale, standing: Standing) -> &'static str {
    match standing {
        Standing::Confirmed => td_string!(locale, focus_groups.standing_confirmed),
        Standing::Waitlisted => td_string!(locale, focus_groups.standing_waitlisted),
        Standing::Offered => td_string!(locale, focus_groups.standing_offered),
        Standing::Lapsed => td_string!(locale, focus_groups.standing_lapsed),
        Standing::Applied => td_string!(locale, focus_groups.standing_applied),
        Standing::Declined => td_string!(locale, focus_groups.standing_declined),
        Standing::Cancelled => td_string!(locale, focus_groups.standing_cancelled),
    }
}

fn event_text(locale: Locale, event: Event) -> &'static str {
    match event {
        Event::Confirmed => td_string!(locale, focus_groups.event_confirmed),
        Event::Waitlisted => td_string!(locale, focus_groups.event_waitlisted),
        Event::Applied => td_string!(locale, focus_groups.event_applied),
        Event::Offered => td_string!(locale, focus_groups.event_offered),
        Event::Accepted => td_string!(locale, focus_groups.event_accepted),
        Event::Lapsed => td_string!(locale, focus_groups.event_lapsed),
        Event::Cancelled => td_string!(locale, focus_groups.event_cancelled),
    }
}

/// The languages spoken, by name.
pub(super) fn language_names(locale: Locale, codes: &[String]) -> String {
    codes
        .iter()
        .map(|code| crate::ui::languages::language_name(locale, code))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn FocusGroupsPage() -> impl IntoView {
    let locale = use_locale();
    let sessions = Resource::new(move || locale.get(), list_focus_groups);
    let query = use_query_map();
    let erased = move || query.read().get("erased").is_some();
    view! {
        <Title text=td_string!(locale.get_untracked(), common.nav_focus_groups).to_string() />
        <section class="section-page">
            <h1>{move || td!(locale.get(), common.nav_focus_groups)}</h1>
            {move || erased().then(|| view! {
                <p class="notice" role="status">{move || td!(locale.get(), focus_groups.erased)}</p>
            })}
            <p class="lead">{move || td!(locale.get(), sections.focus_groups_purpose)}</p>
            <super::organise::StartSession />
            <Loaded resource=sessions show=|list| view! { <FocusGroupList sessions=list level=2 /> }.into_any() />
        </section>
    }
}

/// When a session takes place, in words and on the deployment's clocks.
#[component]
fn WhenItIs(session: SessionSummary) -> impl IntoView {
    view! {
        <LocalTime moment=session.starts_at />
        " – "
        <time datetime=session.ends_at.datetime()>{session.ends_at.local()}</time>
    }
}

/// Sessions as cards (the focus-groups page; the home page's "open now").
#[component]
pub fn FocusGroupList(sessions: Vec<SessionSummary>, #[prop(default = 3)] level: u8) -> AnyView {
    let locale = use_locale();
    if sessions.is_empty() {
        return view! { <p class="empty-state">{move || td!(locale.get(), focus_groups.none)}</p> }
            .into_any();
    }
    view! {
        <ul class="consultations">
            {sessions.into_iter().map(|session| {
                let href = page_path(locale.get_untracked(), &format!("focus-groups/{}", session.id));
                let title = view! { <a href=href.clone()><Text text=session.topic.clone() /></a> };
                let languages = language_names(locale.get_untracked(), &session.languages);
                let open = session.open;
                let organiser = session.organiser;
                let people = page_path(locale.get_untracked(), &format!("focus-groups/{}/people", session.id));
                view! {
                    <li class="card consultation">
                        {if level == 2 { view! { <h2>{title}</h2> }.into_any() } else { view! { <h3>{title}</h3> }.into_any() }}
                        <p class="meta"><WhenItIs session=session.clone() /></p>
                        <p class="meta">{move || td!(locale.get(), focus_groups.languages)} " " {languages}</p>
                        <p class="meta"><Places session=session.clone() /></p>
                        <p class="actions">
                            {open.then(|| view! { <a class="button" href=href>{move || td!(locale.get(), focus_groups.sign_up)}</a> })}
                            {organiser.then(|| view! { " " <a href=people>{move || td!(locale.get(), focus_groups.people_link)}</a> })}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Places left, or how the session is filled.
#[component]
fn Places(session: SessionSummary) -> AnyView {
    let locale = use_locale();
    if session.status == "drafting" {
        return view! { {move || td!(locale.get(), focus_groups.drafting)} }.into_any();
    }
    match (session.mode, session.applications_close_at) {
        (Mode::Select, Some(close)) => view! {
            {move || td!(locale.get(), focus_groups.apply_until)} " " <LocalTime moment=close />
        }
        .into_any(),
        _ if session.places_left > 0 => {
            let left = session.places_left;
            view! { {move || td!(locale.get(), focus_groups.places_left, count = move || left)} }
                .into_any()
        }
        _ => view! { {move || td!(locale.get(), focus_groups.full_waitlist)} }.into_any(),
    }
}

/// The session's own questions, each a fieldset as in a survey, with the
/// problem of a refused answer beside it.
#[component]
fn SessionQuestions<S>(
    questions: Vec<QuestionView>,
    saved: Vec<(String, String)>,
    action: ServerAction<S>,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let issues = move || match action.value().get() {
        Some(Err(AppError::Answers(issues))) => issues,
        _ => Vec::new(),
    };
    questions
        .into_iter()
        .map(|question| {
            let saved = saved.clone();
            view! { <Question question saved issues /> }
        })
        .collect_view()
}

fn route_text(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

#[component]
pub fn FocusGroupPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_text("id");
    let page = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| async move {
            match id.parse() {
                Ok(id) => focus_group_page(locale, id).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), common.nav_focus_groups).to_string() />
        <section class="form-page focus-group">
            <Loaded resource=page show=|page| view! { <SessionBody page /> }.into_any() />
        </section>
    }
}

#[component]
fn SessionBody(page: SessionPage) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<SignUpFocusGroup>::new();
    let error = action_error(action);
    let SessionPage {
        summary,
        description_html,
        description_lang,
        accessibility,
        consent_html,
        consent_version,
        online,
        waiting,
        areas,
        zone,
        questions,
    } = page;
    let id = summary.id;
    let languages = language_names(locale.get_untracked(), &summary.languages);
    let people = page_path(locale.get_untracked(), &format!("focus-groups/{id}/people"));
    let form = summary.open.then(|| {
        let choices = summary.languages.clone();
        let select = summary.mode == Mode::Select;
        view! {
            <h2 id="sign-up">{move || if select { td!(locale.get(), focus_groups.apply_title).into_any() } else { td!(locale.get(), focus_groups.sign_up_title).into_any() }}</h2>
            <p>{move || td!(locale.get(), focus_groups.no_account)}</p>
            {error}
            <PostForm action=SignUpFocusGroup::url()>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="consent_version" value=consent_version />
                <label for="name">{move || td!(locale.get(), focus_groups.name_label)}</label>
                <p class="help" id="name-hint">{move || td!(locale.get(), focus_groups.name_hint)}</p>
                <input id="name" name="name" required maxlength="80" autocomplete="nickname" aria-describedby="name-hint" />
                <label for="contact">{move || td!(locale.get(), focus_groups.contact_label)}</label>
                <p class="help" id="contact-hint">{move || td!(locale.get(), focus_groups.contact_hint)}</p>
                <input id="contact" name="contact" required maxlength="200" autocomplete="email" aria-describedby="contact-hint" />
                <fieldset>
                    <legend>{move || td!(locale.get(), focus_groups.languages_label)}</legend>
                    {choices.into_iter().enumerate().map(|(i, code)| {
                        let name = crate::ui::languages::language_name(locale.get_untracked(), &code);
                        let field = format!("languages[{i}]");
                        let input_id = format!("language-{code}");
                        view! {
                            <p class="choice">
                                <input type="checkbox" id=input_id.clone() name=field value=code />
                                <label for=input_id>{name}</label>
                            </p>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="age">{move || td!(locale.get(), focus_groups.age_label)}</label>
                <select id="age" name="age">
                    <option value="">{move || td!(locale.get(), focus_groups.rather_not_say)}</option>
                    <option value="under_30">{move || td!(locale.get(), focus_groups.age_under_30)}</option>
                    <option value="30_to_64">{move || td!(locale.get(), focus_groups.age_30_to_64)}</option>
                    <option value="65_plus">{move || td!(locale.get(), focus_groups.age_65_plus)}</option>
                </select>
                <label for="area">{move || td!(locale.get(), focus_groups.area_label)}</label>
                <select id="area" name="area">
                    <option value="">{move || td!(locale.get(), focus_groups.rather_not_say)}</option>
                    {areas.into_iter().map(|(area, name)| view! {
                        <option value=area lang=name.lang>{name.text}</option>
                    }).collect_view()}
                </select>
                <label for="needs">{move || td!(locale.get(), focus_groups.needs_label)}</label>
                <p class="help" id="needs-hint">{move || td!(locale.get(), focus_groups.needs_hint)}</p>
                <textarea id="needs" name="needs" rows="3" maxlength="2000" aria-describedby="needs-hint"></textarea>
                <SessionQuestions questions saved=Vec::new() action />
                <h3 id="consent-title">{move || td!(locale.get(), focus_groups.consent_title)}</h3>
                <div class="consent prose" dir="auto" inner_html=consent_html></div>
                <p class="choice">
                    <input type="checkbox" id="consent" name="consent" value="yes" required />
                    <label for="consent">{move || td!(locale.get(), focus_groups.consent_label)}</label>
                </p>
                <button type="submit" class="button">{move || if select { td!(locale.get(), focus_groups.apply_send).into_any() } else { td!(locale.get(), focus_groups.sign_up_send).into_any() }}</button>
            </PostForm>
        }
    });
    view! {
        <h1><Text text=summary.topic.clone() /></h1>
        <dl class="facts">
            <dt>{move || td!(locale.get(), focus_groups.when)}</dt>
            <dd><WhenItIs session=summary.clone() /> " (" {zone} ")"</dd>
            <dt>{move || td!(locale.get(), focus_groups.languages)}</dt>
            <dd>{languages}</dd>
            {summary.area.clone().map(|area| view! {
                <dt>{move || td!(locale.get(), focus_groups.area)}</dt>
                <dd dir="auto">{area}</dd>
            })}
            <dt>{move || td!(locale.get(), focus_groups.where_label)}</dt>
            <dd>{move || if online { td!(locale.get(), focus_groups.online) .into_any() } else { td!(locale.get(), focus_groups.in_person).into_any() }}</dd>
            {accessibility.map(|text| view! {
                <dt>{move || td!(locale.get(), focus_groups.accessibility)}</dt>
                <dd><Text text /></dd>
            })}
            <dt>{move || td!(locale.get(), focus_groups.places)}</dt>
            <dd>
                <Places session=summary.clone() />
                {(waiting > 0).then(|| view! { " · " {move || td!(locale.get(), focus_groups.waiting, count = move || waiting)} })}
            </dd>
        </dl>
        <div class="prose" lang=description_lang dir="auto" inner_html=description_html></div>
        {summary.organiser.then(|| view! { <p><a class="button" href=people>{move || td!(locale.get(), focus_groups.people_link)}</a></p> })}
        {match form {
            Some(form) => form.into_any(),
            None => view! { <p class="empty-state">{move || td!(locale.get(), focus_groups.closed)}</p> }.into_any(),
        }}
    }
    .into_any()
}

#[component]
pub fn MyFocusGroupPage() -> impl IntoView {
    let locale = use_locale();
    let token = route_text("token");
    let mine = Resource::new(
        move || (locale.get(), token()),
        |(locale, token)| my_focus_group(locale, token),
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), focus_groups.mine_title).to_string() />
        // The token is in this page's address: never send it onwards.
        <section class="form-page focus-group">
            <h1>{move || td!(locale.get(), focus_groups.mine_title)}</h1>
            <Loaded resource=mine show=|mine| view! { <MineBody mine /> }.into_any() />
        </section>
    }
}

#[component]
fn MineBody(mine: MySignup) -> AnyView {
    let locale = use_locale();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let query = use_query_map();
    let new = query.read_untracked().get("new").is_some();
    let changed = query.read_untracked().get("changed").is_some();
    let change = ServerAction::<ChangeFocusGroupSignup>::new();
    let change_error = action_error(change);
    let accept = ServerAction::<AcceptFocusGroupOffer>::new();
    let accept_error = action_error(accept);
    let cancel = ServerAction::<CancelFocusGroupSignup>::new();
    let cancel_error = action_error(cancel);
    let MySignup {
        session,
        standing,
        place_in_line,
        offer_until,
        events,
        place,
        online_link,
        name,
        contact,
        needs,
        questions,
        saved,
        answers,
        consent_version,
        check_in_code,
        check_in_qr,
    } = mine;
    let answered: Vec<(crate::taxonomy::LocalText, String)> = questions
        .iter()
        .map(|question| question.prompt.clone())
        .zip(answers)
        .filter(|(_, answer)| !answer.is_empty())
        .collect();
    let session_href = page_path(
        locale.get_untracked(),
        &format!("focus-groups/{}", session.id),
    );
    let calendar = format!("{}?token={}", super::api::FocusGroupCalendar::url(), token);
    let active = !matches!(standing, Standing::Cancelled);
    let token_for_accept = token.clone();
    let token_for_cancel = token.clone();
    let token_for_change = token.clone();
    let token_for_erase = token;
    let name_for_change = name.clone();
    let contact_for_change = contact.clone();
    let needs_for_change = needs.clone();
    view! {
        {new.then(|| view! {
            <div class="notice" role="status">
                <p>{move || td!(locale.get(), focus_groups.signed_up)}</p>
                <p>{move || td!(locale.get(), focus_groups.keep_link)}</p>
            </div>
        })}
        {changed.then(|| view! {
            <p class="notice" role="status">{move || td!(locale.get(), focus_groups.changed)}</p>
        })}
        <h2><a href=session_href><Text text=session.topic.clone() /></a></h2>
        <dl class="facts">
            <dt>{move || td!(locale.get(), focus_groups.when)}</dt>
            <dd><WhenItIs session=session.clone() /></dd>
            <dt>{move || td!(locale.get(), focus_groups.standing)}</dt>
            <dd class="standing"><strong>{move || standing_text(locale.get(), standing)}</strong>
                {place_in_line.map(|place| view! { " · " {move || td!(locale.get(), focus_groups.place_in_line, place = move || place)} })}
            </dd>
            {place.map(|place| view! {
                <dt>{move || td!(locale.get(), focus_groups.place)}</dt>
                <dd dir="auto">{place}</dd>
            })}
            {online_link.map(|link| view! {
                <dt>{move || td!(locale.get(), focus_groups.online_link)}</dt>
                <dd><a href=link.clone() rel="noopener noreferrer">{link.clone()}</a></dd>
            })}
            {(standing == Standing::Confirmed).then(|| view! {
                <dt>{move || td!(locale.get(), focus_groups.check_in_code)}</dt>
                <dd>
                    <code class="check-in-code">{check_in_code}</code>
                    {check_in_qr.map(|qr| view! {
                        <p class="help">{move || td!(locale.get(), focus_groups.check_in_qr)}</p>
                        <div class="qr-code" inner_html=qr></div>
                    })}
                </dd>
            })}
            <dt>{move || td!(locale.get(), focus_groups.name_label)}</dt>
            <dd dir="auto">{name}</dd>
            <dt>{move || td!(locale.get(), focus_groups.contact_label)}</dt>
            <dd dir="ltr">{contact}</dd>
            {(!needs.is_empty()).then(|| view! {
                <dt>{move || td!(locale.get(), focus_groups.needs_label)}</dt>
                <dd dir="auto">{needs}</dd>
            })}
            {answered.into_iter().map(|(prompt, answer)| view! {
                <dt><Text text=prompt /></dt>
                <dd dir="auto">{answer}</dd>
            }).collect_view()}
            <dt>{move || td!(locale.get(), focus_groups.consent_title)}</dt>
            <dd>{move || td!(locale.get(), focus_groups.consent_version, version = move || consent_version)}</dd>
        </dl>
        {offer_until.map(|until| view! {
            <section class="card offer" aria-labelledby="offer-title">
                <h2 id="offer-title">{move || td!(locale.get(), focus_groups.offer_title)}</h2>
                <p>{move || td!(locale.get(), focus_groups.offer_until)} " " <LocalTime moment=until /></p>
                {accept_error}
                <PostForm action=AcceptFocusGroupOffer::url() class="inline-form">
                    <input type="hidden" name="token" value=token_for_accept />
                    <button type="submit" class="button">{move || td!(locale.get(), focus_groups.accept)}</button>
                </PostForm>
            </section>
        })}
        {active.then(|| view! {
            <p><a class="button secondary" href=calendar download>{move || td!(locale.get(), focus_groups.calendar)}</a></p>
        })}
        <h2>{move || td!(locale.get(), focus_groups.history)}</h2>
        <ol class="history">
            {events.into_iter().map(|(event, at)| view! {
                <li>{move || event_text(locale.get(), event)} " " <LocalTime moment=at /></li>
            }).collect_view()}
        </ol>
        {active.then(|| view! {
            <details class="change-details" open=change_error().is_some()>
                <summary>{move || td!(locale.get(), focus_groups.edit_title)}</summary>
                <p class="help">{move || td!(locale.get(), focus_groups.edit_hint)}</p>
                {change_error}
                <PostForm action=ChangeFocusGroupSignup::url()>
                    <input type="hidden" name="token" value=token_for_change />
                    <label for="name">{move || td!(locale.get(), focus_groups.name_label)}</label>
                    <input id="name" name="name" required maxlength="80" autocomplete="nickname" value=name_for_change />
                    <label for="contact">{move || td!(locale.get(), focus_groups.contact_label)}</label>
                    <input id="contact" name="contact" required maxlength="200" autocomplete="email" value=contact_for_change />
                    <label for="needs">{move || td!(locale.get(), focus_groups.needs_label)}</label>
                    <textarea id="needs" name="needs" rows="3" maxlength="2000">{needs_for_change}</textarea>
                    <SessionQuestions questions saved action=change />
                    <button type="submit" class="button">{move || td!(locale.get(), focus_groups.edit_send)}</button>
                </PostForm>
            </details>
        })}
        <h2>{move || td!(locale.get(), focus_groups.change_title)}</h2>
        {cancel_error}
        {active.then(|| view! {
            <PostForm action=CancelFocusGroupSignup::url() class="inline-form">
                <input type="hidden" name="token" value=token_for_cancel />
                <button type="submit" class="button secondary">{move || td!(locale.get(), focus_groups.cancel)}</button>
            </PostForm>
        })}
        <PostForm action=CancelFocusGroupSignup::url()>
            <input type="hidden" name="token" value=token_for_erase />
            <p class="choice">
                <input type="checkbox" id="erase" name="erase" value="yes" required />
                <label for="erase">{move || td!(locale.get(), focus_groups.erase_confirm)}</label>
            </p>
            <button type="submit" class="button danger">{move || td!(locale.get(), focus_groups.erase)}</button>
        </PostForm>
    }
    .into_any()
}
