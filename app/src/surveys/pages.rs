//! `/{l}/surveys`: the list; `/{l}/surveys/{id}` and
//! `/{l}/surveys/{id}/page/{n}`: one section page each, a plain form that
//! saves on the server; `/{l}/surveys/{id}/sent`: the receipt;
//! `/{l}/surveys/{id}/results`: counts as charts and tables. All work
//! without JavaScript.

use super::api::{
    ExportSurveyResponses, SaveSurveySection, SurveyResultsData, list_surveys, load_survey_page,
    load_survey_results,
};
use super::questions::{AnswerIssue, AnswerProblem, Kind, field_name};
use super::results::{QuestionResult, SurveyResults};
use super::{Audience, Openness, QuestionView, SurveyPage, SurveySummary};
use crate::error::AppError;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::participation::pages::RememberDevice;
use crate::taxonomy::LocalText;
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::Moment;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A survey's text: marked with its language when it is not the reader's.
#[component]
pub fn Text(text: LocalText) -> impl IntoView {
    let lang = (!text.in_reader_locale && !text.lang.is_empty()).then_some(text.lang);
    view! { <span lang=lang dir="auto">{text.text}</span> }
}

/// A time on the deployment's clocks, with its zone.
#[component]
pub fn LocalTime(moment: Moment) -> impl IntoView {
    view! { <time datetime=moment.datetime()>{moment.local()}</time> " " {moment.zone()} }
}

/// When a survey takes answers, in words.
#[component]
pub fn When(openness: Openness) -> AnyView {
    let locale = use_locale();
    match openness {
        Openness::Drafting => view! { {move || td!(locale.get(), surveys.drafting)} }.into_any(),
        Openness::NotYet { opens_at } => {
            view! { {move || td!(locale.get(), surveys.opens_at)} " " <LocalTime moment=opens_at /> }
                .into_any()
        }
        Openness::Open {
            closes_at: Some(closes_at),
        } => view! { {move || td!(locale.get(), surveys.open_until)} " " <LocalTime moment=closes_at /> }
            .into_any(),
        Openness::Open { closes_at: None } => {
            view! { {move || td!(locale.get(), surveys.open)} }.into_any()
        }
        Openness::Closed { closed_at } => {
            view! { {move || td!(locale.get(), surveys.closed_at)} " " <LocalTime moment=closed_at /> }
                .into_any()
        }
    }
}

#[component]
pub fn SurveysPage() -> impl IntoView {
    let locale = use_locale();
    let surveys = Resource::new(move || locale.get(), list_surveys);
    view! {
        <Title text=td_string!(locale.get_untracked(), common.nav_surveys).to_string() />
        <section class="section-page">
            <h1>{move || td!(locale.get(), common.nav_surveys)}</h1>
            <p class="lead">{move || td!(locale.get(), sections.surveys_purpose)}</p>
            <StartSurvey />
            <Loaded resource=surveys show=|list| view! { <SurveyList surveys=list level=2 /> }.into_any() />
        </section>
    }
}

/// The way to start a survey, for those who may organise one.
#[component]
fn StartSurvey() -> impl IntoView {
    let locale = use_locale();
    let viewer = Resource::new(|| (), |()| crate::auth::api::current_viewer());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                viewer.await.ok().flatten().filter(|viewer| !viewer.roles.is_empty()).map(|_| {
                    let href = page_path(locale.get_untracked(), "surveys/new");
                    view! { <p><a class="button" href=href>{move || td!(locale.get(), surveys.new_title)}</a></p> }
                })
            })}
        </Suspense>
    }
}

/// Surveys as cards, with when they close and how to take part (the
/// surveys page, the home page's list of what is open now).
#[component]
pub fn SurveyList(
    surveys: Vec<SurveySummary>,
    /// Each survey's title is a heading of this level (2 on the surveys
    /// page, 3 under the home page's "open now").
    #[prop(default = 3)]
    level: u8,
) -> AnyView {
    let locale = use_locale();
    if surveys.is_empty() {
        return view! { <p class="empty-state">{move || td!(locale.get(), surveys.none)}</p> }
            .into_any();
    }
    view! {
        <ul class="consultations">
            {surveys.into_iter().map(|survey| {
                let href = page_path(locale.get_untracked(), &format!("surveys/{}", survey.id));
                let results = page_path(locale.get_untracked(), &format!("surveys/{}/results", survey.id));
                let open = survey.openness.is_open();
                view! {
                    <li class="card consultation">
                        {if level == 2 {
                            view! { <h2><a href=href.clone()><Text text=survey.title.clone() /></a></h2> }.into_any()
                        } else {
                            view! { <h3><a href=href.clone()><Text text=survey.title.clone() /></a></h3> }.into_any()
                        }}
                        <p class="meta"><When openness=survey.openness /></p>
                        {survey.anonymous.then(|| view! { <p class="meta">{move || td!(locale.get(), surveys.anonymous_mode)}</p> })}
                        <p class="actions">
                            {open.then(|| view! { <a class="button" href=href>{move || td!(locale.get(), surveys.take_part)}</a> })}
                            {survey.results_visible.then(|| view! { " " <a href=results>{move || td!(locale.get(), surveys.see_results)}</a> })}
                            {survey.organiser.then(|| {
                                let edit = page_path(locale.get_untracked(), &format!("surveys/{}/edit", survey.id));
                                view! { " " <a href=edit>{move || td!(locale.get(), surveys.edit_link)}</a> }
                            })}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A number in the page's address (`:id`, `:section`, …).
pub(super) fn route_number(
    name: &'static str,
) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).and_then(|value| value.parse().ok())
}

#[component]
pub fn SurveySectionPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let section = route_number("section");
    let page = Resource::new(
        move || (locale.get(), id(), section()),
        |(locale, id, section)| async move {
            match (id, usize::try_from(section.unwrap_or(0))) {
                (Some(id), Ok(section)) => load_survey_page(locale, id, section).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), common.nav_surveys).to_string() />
        <section class="form-page survey">
            <Loaded resource=page show=|page| view! { <SectionBody page /> }.into_any() />
        </section>
    }
}

#[component]
fn SectionBody(page: SurveyPage) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<SaveSurveySection>::new();
    let issues = move || match action.value().get() {
        Some(Err(AppError::Answers(issues))) => issues,
        _ => Vec::new(),
    };
    let error = crate::ui::error_message::action_error(action);
    let SurveyPage {
        id,
        title,
        intro_html,
        openness,
        audience,
        anonymous,
        sections,
        section,
        questions,
        saved,
        sent,
        sealed,
        sections_done,
        partly_translated,
        needs_sign_in,
        needs_code,
        areas,
        area,
        organiser,
        results_visible,
    } = page;
    let code_given = use_query_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let count = sections.len();
    let step = section + 1;
    let heading = sections.get(section).cloned();
    let results_href = page_path(locale.get_untracked(), &format!("surveys/{id}/results"));
    let intro = intro_html.map(|intro| {
        let lang = (!intro.in_reader_locale).then_some(intro.lang);
        view! { <div class="markdown" lang=lang dir="auto" inner_html=intro.text></div> }
    });
    let status = if sealed {
        Some(view! { <p class="notice" role="status">{move || td!(locale.get(), surveys.sealed)}</p> }.into_any())
    } else if sent {
        Some(view! { <p class="notice" role="status">{move || td!(locale.get(), surveys.editing_sent)}</p> }.into_any())
    } else if sections_done > 0 && section == 0 {
        Some(view! { <p class="notice" role="status">{move || td!(locale.get(), surveys.resumed)}</p> }.into_any())
    } else {
        None
    };
    let preview = organiser && openness == Openness::Drafting;
    let form = if !(openness.is_open() || preview) {
        view! { <p class="empty-state"><When openness /></p> }.into_any()
    } else if sealed {
        ().into_any()
    } else if needs_sign_in {
        let href = page_path(
            locale.get_untracked(),
            &format!(
                "signin?next={}",
                crate::locale::percent_encode(&format!(
                    "/{}/surveys/{id}",
                    leptos_i18n::Locale::as_str(locale.get_untracked())
                ))
            ),
        );
        view! { <p class="notice">{move || td!(locale.get(), surveys.sign_in_to_answer)} " " <a href=href>{move || td!(locale.get(), auth.sign_in_link)}</a></p> }.into_any()
    } else {
        let preview = openness == Openness::Drafting;
        let last = step == count;
        view! {
            <PostForm action=SaveSurveySection::url()>
                <input type="hidden" name="survey" value=id />
                <input type="hidden" name="section" value=section />
                {needs_code.then(|| view! {
                    <label for="code">{move || td!(locale.get(), surveys.code_label)}</label>
                    <input id="code" name="code" type="text" required autocomplete="off" maxlength="40" value=code_given.clone() />
                })}
                {questions.into_iter().map(|question| {
                    let saved = saved.clone();
                    view! { <Question question saved issues /> }
                }).collect_view()}
                {(section == 0 && !areas.is_empty()).then(|| view! {
                    <label for="area">{move || td!(locale.get(), surveys.area_label)}</label>
                    <select id="area" name="area">
                        <option value="">{move || td!(locale.get(), feedback.no_choice)}</option>
                        {areas.into_iter().map(|choice| {
                            let selected = area == Some(choice.id);
                            view! { <option value=choice.id selected=selected lang=choice.name.lang>{choice.name.text}</option> }
                        }).collect_view()}
                    </select>
                })}
                {(section == 0 && audience != Audience::Residents).then(|| view! { <RememberDevice /> })}
                {if preview {
                    view! { <p class="notice">{move || td!(locale.get(), surveys.preview)}</p> }.into_any()
                } else {
                    view! {
                        <button type="submit" class="button">
                            {move || if last { td!(locale.get(), surveys.send) .into_any() } else { td!(locale.get(), surveys.save_next).into_any() }}
                        </button>
                    }.into_any()
                }}
            </PostForm>
        }
        .into_any()
    };
    let previous = (section > 0).then(|| {
        let href = if section == 1 {
            page_path(locale.get_untracked(), &format!("surveys/{id}"))
        } else {
            page_path(
                locale.get_untracked(),
                &format!("surveys/{id}/page/{}", section - 1),
            )
        };
        view! { <a href=href>{move || td!(locale.get(), surveys.previous)}</a> }
    });
    view! {
        <h1><Text text=title /></h1>
        <p class="meta"><When openness /></p>
        {(count > 1).then(|| view! {
            <p class="progress">{move || td!(locale.get(), surveys.step, n = move || step, count = move || count)}</p>
        })}
        {status}
        {intro}
        {(section == 0).then(|| view! {
            <p class="notice">{move || if anonymous { td!(locale.get(), surveys.anonymous_explained).into_any() } else { td!(locale.get(), surveys.linked_explained).into_any() }}</p>
        })}
        {partly_translated.then(|| view! { <p class="notice">{move || td!(locale.get(), surveys.partly_translated)}</p> })}
        {heading.filter(|_| count > 1).map(|heading| view! { <h2><Text text=heading /></h2> })}
        {error}
        {form}
        <p class="actions">
            {previous}
            {results_visible.then(|| view! { " " <a href=results_href>{move || td!(locale.get(), surveys.see_results)}</a> })}
        </p>
    }
    .into_any()
}

/// The saved value of field `name`, if any.
fn saved_value(saved: &[(String, String)], name: &str) -> Option<String> {
    saved
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.clone())
}

/// One question as a fieldset, its legend the prompt, its problem (when
/// refused) named beside it.
#[component]
pub fn Question(
    question: QuestionView,
    saved: Vec<(String, String)>,
    issues: impl Fn() -> Vec<AnswerIssue> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_locale();
    let QuestionView {
        id,
        number,
        spec,
        prompt,
        help,
        unit,
        options,
        scale,
        shown_if,
    } = question;
    let problem = move || {
        issues()
            .into_iter()
            .find(|issue| issue.question == id)
            .map(|issue| issue.problem)
    };
    let help_id = format!("q{id}-help");
    let error_id = format!("q{id}-error");
    let described = {
        let help = help.is_some().then(|| help_id.clone());
        let error_id = error_id.clone();
        move || {
            let mut ids: Vec<String> = help.clone().into_iter().collect();
            if problem().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let required = spec.required;
    let name = field_name(id, None);
    let value = saved_value(&saved, &name).unwrap_or_default();
    let control = match spec.kind.clone() {
        Kind::Single { .. } => options
            .into_iter()
            .map(|(code, label)| {
                let input = format!("{name}-{code}");
                let label_for = input.clone();
                let checked = value == code;
                view! {
                    <label class="choice" for=label_for>
                        <input type="radio" id=input name=format!("answers[{name}]") value=code checked=checked />
                        " " <Text text=label />
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        Kind::Multiple { min, max, .. } => view! {
            <p class="hint">{move || td!(locale.get(), surveys.choose_between, min = move || min, max = move || max)}</p>
            {options.into_iter().map(|(code, label)| {
                let field = field_name(id, Some(&code));
                let input = format!("{field}-box");
                let label_for = input.clone();
                let checked = saved_value(&saved, &field).is_some();
                view! {
                    <label class="choice" for=label_for>
                        <input type="checkbox" id=input name=format!("answers[{field}]") value=code checked=checked />
                        " " <Text text=label />
                    </label>
                }
            }).collect_view()}
        }
        .into_any(),
        Kind::Likert { .. } => options
            .into_iter()
            .map(|(code, statement)| {
                let field = field_name(id, Some(&code));
                let chosen = saved_value(&saved, &field).unwrap_or_default();
                let scale = scale.clone();
                view! {
                    <fieldset class="likert">
                        <legend><Text text=statement /></legend>
                        <div class="scale">
                            {scale.into_iter().enumerate().map(|(at, label)| {
                                let point = (at + 1).to_string();
                                let input = format!("{field}-{point}");
                                let label_for = input.clone();
                                let checked = chosen == point;
                                view! {
                                    <label class="choice" for=label_for>
                                        <input type="radio" id=input name=format!("answers[{field}]") value=point checked=checked />
                                        " " <Text text=label />
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                }
            })
            .collect_view()
            .into_any(),
        Kind::Number { min, max, .. } => {
            let input = format!("{name}-input");
            view! {
                <p class="hint">{move || td!(locale.get(), surveys.number_between, min = move || min, max = move || max)}</p>
                <label class="visually-hidden" for=input.clone()>{prompt.text.clone()}</label>
                <input type="text" inputmode="decimal" id=input name=format!("answers[{name}]") value=value size="8" maxlength="20" />
                {unit.map(|unit| view! { " " <Text text=unit /> })}
            }
            .into_any()
        }
        Kind::Text { max } => {
            let input = format!("{name}-input");
            view! {
                <label class="visually-hidden" for=input.clone()>{prompt.text.clone()}</label>
                <textarea id=input name=format!("answers[{name}]") rows="5" maxlength=max dir="auto">{value}</textarea>
            }
            .into_any()
        }
        Kind::Ranking { .. } => {
            let positions = options.len();
            view! {
                <p class="hint">{move || td!(locale.get(), surveys.rank_hint)}</p>
                {options.into_iter().map(|(code, label)| {
                    let field = field_name(id, Some(&code));
                    let input = format!("{field}-rank");
                    let chosen = saved_value(&saved, &field).unwrap_or_default();
                    view! {
                        <div class="rank">
                            <select id=input.clone() name=format!("answers[{field}]")>
                                <option value="">"–"</option>
                                {(1..=positions).map(|at| {
                                    let selected = chosen == at.to_string();
                                    view! { <option value=at selected=selected>{at}</option> }
                                }).collect_view()}
                            </select>
                            " " <label for=input><Text text=label /></label>
                        </div>
                    }
                }).collect_view()}
            }
            .into_any()
        }
        Kind::Date { earliest, latest } => {
            let input = format!("{name}-input");
            view! {
                <label class="visually-hidden" for=input.clone()>{prompt.text.clone()}</label>
                <input type="date" id=input name=format!("answers[{name}]") value=value min=earliest max=latest />
            }
            .into_any()
        }
    };
    view! {
        <fieldset class="question" id=format!("q{id}") aria-describedby=described
            aria-invalid=move || problem().is_some().then_some("true")>
            <legend>
                <span class="number">{number}". "</span>
                <Text text=prompt />
                {if required {
                    view! { " " <small class="required">{move || td!(locale.get(), surveys.required)}</small> }.into_any()
                } else {
                    view! { " " <small>{move || td!(locale.get(), surveys.optional)}</small> }.into_any()
                }}
            </legend>
            {shown_if.map(|(number, value)| view! {
                <p class="hint">{move || td!(locale.get(), surveys.shown_if, n = move || number)} " " <q dir="auto">{value}</q></p>
            })}
            {help.map(|help| view! { <p class="hint" id=help_id><Text text=help /></p> })}
            {move || problem().map(|problem| view! { <p class="error" id=error_id.clone()><ProblemText problem /></p> })}
            {control}
        </fieldset>
    }
}

/// A refused answer's problem in the reader's language.
#[component]
fn ProblemText(problem: AnswerProblem) -> AnyView {
    let locale = use_locale();
    match problem {
        AnswerProblem::Required => td!(locale.get(), surveys.problem_required).into_any(),
        AnswerProblem::Unknown => td!(locale.get(), surveys.problem_unknown).into_any(),
        AnswerProblem::TooFew { min } => {
            td!(locale.get(), surveys.problem_too_few, min = move || min).into_any()
        }
        AnswerProblem::TooMany { max } => {
            td!(locale.get(), surveys.problem_too_many, max = move || max).into_any()
        }
        AnswerProblem::OutOfRange { min, max } => td!(
            locale.get(),
            surveys.problem_out_of_range,
            min = move || min,
            max = move || max
        )
        .into_any(),
        AnswerProblem::Malformed => td!(locale.get(), surveys.problem_malformed).into_any(),
        AnswerProblem::DateOutOfRange => td!(locale.get(), surveys.problem_date).into_any(),
        AnswerProblem::TooLong { max } => {
            td!(locale.get(), validation.too_long, max = move || max).into_any()
        }
        AnswerProblem::ForbiddenCharacters => {
            td!(locale.get(), validation.forbidden_characters).into_any()
        }
        AnswerProblem::Ranks => td!(locale.get(), surveys.problem_ranks).into_any(),
    }
}

/// The refused answers, each linking to its question (inline: it sits in
/// the paragraph every error is shown in).
#[component]
pub fn AnswerIssues(issues: Vec<AnswerIssue>) -> impl IntoView {
    let locale = use_locale();
    view! {
        {move || td!(locale.get(), surveys.some_answers)}
        {issues.into_iter().map(|issue| {
            let number = issue.number;
            view! {
                " "
                <span class="issue">
                    <a href=format!("#q{}", issue.question)>{move || td!(locale.get(), surveys.question_n, n = move || number)}</a>
                    ": " <ProblemText problem=issue.problem />
                </span>
            }
        }).collect_view()}
    }
}

#[component]
pub fn SurveySentPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let page = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| async move {
            match id {
                Some(id) => load_survey_page(locale, id, 0).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.sent_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), surveys.sent_title)}</h1>
            <Loaded resource=page show=|page| view! { <SentBody page /> }.into_any() />
        </section>
    }
}

#[component]
fn SentBody(page: SurveyPage) -> AnyView {
    let locale = use_locale();
    let change = page_path(locale.get_untracked(), &format!("surveys/{}", page.id));
    let results = page_path(
        locale.get_untracked(),
        &format!("surveys/{}/results", page.id),
    );
    let private_link = page_path(locale.get_untracked(), "me/private-link");
    let sealed = page.sealed || use_query_map().read_untracked().get("sealed").is_some();
    let editable = !sealed && page.sent && page.openness.is_open();
    view! {
        <p class="lead" role="status">{move || td!(locale.get(), surveys.thanks)} " " <Text text=page.title /></p>
        {editable.then(|| view! {
            <p>{move || td!(locale.get(), surveys.change_until_close)} " " <a href=change>{move || td!(locale.get(), surveys.change_answers)}</a></p>
            <p>{move || td!(locale.get(), surveys.other_device)} " " <a href=private_link>{move || td!(locale.get(), surveys.private_link)}</a></p>
        })}
        {sealed.then(|| view! { <p>{move || td!(locale.get(), surveys.sealed)}</p> })}
        {page.results_visible.then(|| view! { <p><a href=results>{move || td!(locale.get(), surveys.see_results)}</a></p> })}
    }
    .into_any()
}

#[component]
pub fn SurveyResultsPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let results = Resource::new(
        move || {
            (
                locale.get(),
                id(),
                param("slice"),
                param("from"),
                param("to"),
            )
        },
        |(locale, id, slice, from, to)| async move {
            match id {
                Some(id) => load_survey_results(locale, id, slice, from, to).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.results_title).to_string() />
        <section class="results-page">
            <Loaded resource=results show=|results| view! { <ResultsBody results /> }.into_any() />
        </section>
    }
}

#[component]
fn ResultsBody(results: SurveyResults) -> AnyView {
    let locale = use_locale();
    let query = use_query_map();
    let current = query.read_untracked().get("slice").unwrap_or_default();
    let from = query.read_untracked().get("from").unwrap_or_default();
    let to = query.read_untracked().get("to").unwrap_or_default();
    let SurveyResults {
        id,
        title,
        openness,
        anonymous,
        public,
        organiser,
        responses,
        likely_duplicates,
        questions,
        areas,
        languages,
        crosstabs,
    } = results;
    let action = page_path(locale.get_untracked(), &format!("surveys/{id}/results"));
    // The same figures as open data, under the same filter.
    let data = {
        let mut address = format!(
            "{}?id={id}&lang={}",
            SurveyResultsData::url(),
            locale.get_untracked().as_str()
        );
        for (name, value) in [("slice", &current), ("from", &from), ("to", &to)] {
            if !value.is_empty() {
                address.push_str(&format!("&{name}={}", crate::review::encode(value)));
            }
        }
        address
    };
    let option = |value: String, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let filters = view! {
        <details class="survey-filters" open=!current.is_empty() || !from.is_empty() || !to.is_empty()>
            <summary>{move || td!(locale.get(), surveys.filter)}</summary>
            <form method="get" action=action.clone() class="stacked-form">
                <label for="slice">{move || td!(locale.get(), surveys.filter_by)}</label>
                <select id="slice" name="slice">
                    <option value="">{move || td!(locale.get(), surveys.everyone)}</option>
                    <optgroup label=td_string!(locale.get_untracked(), feedback.area_label)>
                        {areas.into_iter().map(|(value, name)| option(value, name.text, &current)).collect_view()}
                    </optgroup>
                    <optgroup label=td_string!(locale.get_untracked(), surveys.language)>
                        {languages.into_iter().map(|value| {
                            let code = value.trim_start_matches("lang:").to_owned();
                            let label = crate::ui::languages::language_name(locale.get_untracked(), &code);
                            option(value, label, &current)
                        }).collect_view()}
                    </optgroup>
                    <optgroup label=td_string!(locale.get_untracked(), surveys.channel)>
                        {option("channel:online".into(), td_string!(locale.get_untracked(), surveys.channel_online).into(), &current)}
                        {option("channel:paper".into(), td_string!(locale.get_untracked(), surveys.channel_paper).into(), &current)}
                    </optgroup>
                    {crosstabs.into_iter().map(|crosstab| {
                        let label = format!("{} {}", crosstab.number, crosstab.prompt.text);
                        let current = current.clone();
                        view! {
                            <optgroup label=label>
                                {crosstab.options.into_iter().map(|(value, name)| option(value, name.text, &current)).collect_view()}
                            </optgroup>
                        }
                    }).collect_view()}
                </select>
                <p class="hint">{move || td!(locale.get(), surveys.one_filter)}</p>
                <label for="from">{move || td!(locale.get(), surveys.from)}</label>
                <input type="date" id="from" name="from" value=from.clone() />
                <label for="to">{move || td!(locale.get(), surveys.to)}</label>
                <input type="date" id="to" name="to" value=to.clone() aria-describedby="weeks-hint" />
                <p class="hint" id="weeks-hint">{move || td!(locale.get(), surveys.whole_weeks)}</p>
                <button type="submit" class="button">{move || td!(locale.get(), surveys.apply)}</button>
                " " <a href=action.clone()>{move || td!(locale.get(), surveys.clear)}</a>
            </form>
        </details>
    };
    view! {
        <h1><Text text=title /></h1>
        <p class="meta"><When openness /></p>
        <p class="notice">
            {move || if anonymous { td!(locale.get(), surveys.mode_anonymous).into_any() } else { td!(locale.get(), surveys.mode_linked).into_any() }}
            " "
            {move || td!(locale.get(), surveys.small_groups)}
        </p>
        {(organiser && !public).then(|| view! { <p class="notice">{move || td!(locale.get(), surveys.results_private)}</p> })}
        <p class="lead">
            {match responses {
                Some(n) => view! { {move || td!(locale.get(), surveys.responses, count = move || n)} }.into_any(),
                None => view! { {move || td!(locale.get(), surveys.too_few)} }.into_any(),
            }}
        </p>
        {likely_duplicates.map(|n| view! { <p class="meta">{move || td!(locale.get(), surveys.duplicates, count = move || n)}</p> })}
        <p class="meta">
            <a href=format!("{data}&format=json")>{move || td!(locale.get(), dashboard.open_data_json)}</a>
            " · "
            <a href=format!("{data}&format=csv")>{move || td!(locale.get(), dashboard.open_data_csv)}</a>
            {organiser.then(|| view! {
                " · "
                <a href=format!("{}?id={id}", ExportSurveyResponses::url()) download>{move || td!(locale.get(), surveys.export_responses)}</a>
            })}
        </p>
        {filters}
        {questions.into_iter().map(|question| view! { <QuestionChart survey=id question /> }).collect_view()}
    }
    .into_any()
}

/// A count or the mark of a left-out group.
fn shown(count: Option<i64>) -> String {
    count.map_or_else(|| "<5".to_owned(), |n| n.to_string())
}

fn percent(count: Option<i64>, of: i64) -> String {
    match count {
        Some(n) if of > 0 => format!("{} %", (n * 100 + of / 2) / of),
        _ => "–".to_owned(),
    }
}

/// One question's results: an SVG bar chart and the same as a table.
#[component]
fn QuestionChart(survey: i64, question: QuestionResult) -> impl IntoView {
    let locale = use_locale();
    let QuestionResult {
        id,
        number,
        prompt,
        kind,
        answered,
        columns,
        rows,
        median,
        unit,
    } = question;
    let Some(answered) = answered else {
        return view! {
            <section class="result" id=format!("r{id}")>
                <h2><span class="number">{number}". "</span><Text text=prompt /></h2>
                <p class="empty-state">{move || td!(locale.get(), surveys.too_few)}</p>
            </section>
        }
        .into_any();
    };
    let caption_id = format!("r{id}-title");
    // Bars grow from the start of the line: the right in Arabic and Urdu.
    let rtl = locale.get_untracked().direction().as_str() == "rtl";
    let start = move |from: i64, width: i64| if rtl { 100 - from - width } else { from };
    let body = if kind == "text" {
        let themes = page_path(
            locale.get_untracked(),
            &format!("surveys/{survey}/answers/{id}"),
        );
        view! {
            <p>{move || td!(locale.get(), surveys.text_answers)}</p>
            <p><a href=themes>{move || td!(locale.get(), surveys.themes_link)}</a></p>
        }
        .into_any()
    } else if columns.is_empty() {
        // One count per row: horizontal bars, and the table beside.
        let bars = rows
            .iter()
            .enumerate()
            .map(|(at, row)| {
                let width = row
                    .counts
                    .first()
                    .copied()
                    .flatten()
                    .map_or(0, |n| n * 100 / answered.max(1));
                let y = at * 28;
                view! {
                    <g>
                        <rect x=format!("{}%", start(0, width)) y=y + 4 width=format!("{width}%") height="20" class="bar" />
                    </g>
                }
            })
            .collect_view();
        let height = rows.len() * 28;
        let table_rows = rows.into_iter().map(|row| {
            let count = row.counts.first().copied().flatten();
            view! {
                <tr><th scope="row"><Text text=row.label /></th><td>{shown(count)}</td><td>{percent(count, answered)}</td></tr>
            }
        }).collect_view();
        view! {
            <svg class="chart" role="img" aria-labelledby=caption_id.clone() width="100%" height=height preserveAspectRatio="none">{bars}</svg>
            <table class="data">
                <thead><tr><th scope="col">{move || td!(locale.get(), surveys.answer)}</th><th scope="col">{move || td!(locale.get(), surveys.count)}</th><th scope="col">"%"</th></tr></thead>
                <tbody>{table_rows}</tbody>
            </table>
        }
        .into_any()
    } else {
        // Several columns (a scale's points, positions): stacked bars. A
        // Likert scale's diverge from a middle line: the points below the
        // middle before it, those above after it, the middle point split
        // across it; drawn at half scale so that every row fits.
        let points = columns.len();
        let diverging = kind == "likert";
        let start = move |from: f64, width: f64| if rtl { 100.0 - from - width } else { from };
        let bars = rows.iter().enumerate().map(|(at, row)| {
            let counts: Vec<f64> = row.counts.iter().map(|n| n.unwrap_or(0) as f64).collect();
            let total = counts.iter().sum::<f64>().max(1.0);
            let (mut x, scale) = if diverging {
                let below: f64 = counts[..points / 2].iter().sum();
                let middle = if points % 2 == 1 { counts[points / 2] / 2.0 } else { 0.0 };
                (50.0 - (below + middle) * 50.0 / total, 50.0)
            } else {
                (0.0, 100.0)
            };
            let y = at * 28;
            counts.iter().enumerate().map(|(point, n)| {
                let width = n * scale / total;
                let from = start(x, width);
                x += width;
                view! { <rect x=format!("{from:.1}%") y=y + 4 width=format!("{width:.1}%") height="20" class=format!("bar point-{}-of-{points}", point + 1) /> }
            }).collect_view()
        }).collect_view();
        let height = rows.len() * 28;
        let midline = diverging
            .then(|| view! { <line x1="50%" x2="50%" y1="0" y2=height class="midline" /> });
        let has_mean = rows.iter().any(|row| row.mean.is_some());
        let table_rows = rows.into_iter().map(|row| view! {
            <tr>
                <th scope="row"><Text text=row.label /></th>
                {row.counts.into_iter().map(|n| view! { <td>{shown(n)}</td> }).collect_view()}
                {has_mean.then(|| view! { <td>{row.mean.clone().unwrap_or_else(|| "–".to_owned())}</td> })}
            </tr>
        }).collect_view();
        view! {
            <svg class="chart" role="img" aria-labelledby=caption_id.clone() width="100%" height=height preserveAspectRatio="none">{bars}{midline}</svg>
            <table class="data">
                <thead><tr>
                    <th scope="col">{move || td!(locale.get(), surveys.answer)}</th>
                    {columns.into_iter().map(|column| view! { <th scope="col">{column}</th> }).collect_view()}
                    {has_mean.then(|| view! { <th scope="col">{move || td!(locale.get(), surveys.mean_position)}</th> })}
                </tr></thead>
                <tbody>{table_rows}</tbody>
            </table>
        }
        .into_any()
    };
    let multiple = kind == "multiple";
    view! {
        <section class="result" id=format!("r{id}")>
            <h2 id=caption_id><span class="number">{number}". "</span><Text text=prompt /></h2>
            <p class="meta">{move || td!(locale.get(), surveys.answered, count = move || answered)}</p>
            {multiple.then(|| view! { <p class="hint">{move || td!(locale.get(), surveys.multiple_note)}</p> })}
            {median.map(|median| view! {
                <p>{move || td!(locale.get(), surveys.median)} " " <strong>{median}</strong> {unit.map(|unit| view! { " " <Text text=unit /> })}</p>
            })}
            {body}
        </section>
    }
    .into_any()
}
