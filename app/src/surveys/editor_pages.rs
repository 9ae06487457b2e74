//! The organiser's pages: `/{l}/surveys/new`, `/{l}/surveys/{id}/edit`
//! (settings, pages and questions, languages, publishing, invitation
//! codes), `/{l}/surveys/{id}/translate/{locale}` and
//! `/{l}/surveys/{id}/codes/{batch}` (a sheet of cards to print). Plain
//! forms, each answered by the editor again.

use super::api::{
    AddSurveyOption, AddSurveyQuestion, AddSurveySection, CreateSurvey, MakeSurveyCodes,
    PublishSurvey, RemoveSurveyQuestion, SaveSurveySettings, SaveSurveyTexts, new_survey_choices,
    survey_code_sheet, survey_editor, survey_translation,
};
use super::pages::route_number;
use super::questions::Kind;
use super::{
    Audience, CodeSheet, EditorQuestion, NewSurveyChoices, SurveyEditor, SurveyTranslation,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::ui::error_message::action_error;
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::Moment;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Who may answer, when, and what is shown: the fields shared by the new
/// survey's form and the settings form.
#[component]
fn SettingsFields(
    audience: Audience,
    anonymous: bool,
    results_public: bool,
    opens_at: Option<Moment>,
    closes_at: Option<Moment>,
    /// The deployment's time zone, in which the times are read.
    zone: String,
) -> impl IntoView {
    let locale = use_locale();
    let radio = move |value: Audience, label: AnyView| {
        let id = format!("audience-{}", value.as_str());
        let label_for = id.clone();
        view! {
            <label class="choice" for=label_for>
                <input type="radio" id=id name="audience" value=value.as_str() checked=audience == value />
                " " {label}
            </label>
        }
    };
    view! {
        <fieldset>
            <legend>{move || td!(locale.get(), surveys.audience)}</legend>
            {radio(Audience::Anyone, view! { {move || td!(locale.get(), surveys.audience_anyone)} }.into_any())}
            {radio(Audience::Residents, view! { {move || td!(locale.get(), surveys.audience_residents)} }.into_any())}
            {radio(Audience::Codes, view! { {move || td!(locale.get(), surveys.audience_codes)} }.into_any())}
        </fieldset>
        <label class="choice" for="anonymous">
            <input type="checkbox" id="anonymous" name="anonymous" value="on" checked=anonymous />
            " " {move || td!(locale.get(), surveys.anonymous_choice)}
        </label>
        <label class="choice" for="results_public">
            <input type="checkbox" id="results_public" name="results_public" value="on" checked=results_public />
            " " {move || td!(locale.get(), surveys.results_public_choice)}
        </label>
        <label for="opens">{move || td!(locale.get(), surveys.opens_label)}</label>
        <input type="datetime-local" id="opens" name="opens" value=opens_at.map(Moment::input) aria-describedby="times-hint" />
        <label for="closes">{move || td!(locale.get(), surveys.closes_label)}</label>
        <input type="datetime-local" id="closes" name="closes" value=closes_at.map(Moment::input) aria-describedby="times-hint" />
        <p class="hint" id="times-hint">{move || td!(locale.get(), surveys.times_in_zone, zone = zone.clone())}</p>
    }
}

#[component]
pub fn NewSurveyPage() -> impl IntoView {
    let locale = use_locale();
    let choices = Resource::new(move || locale.get(), new_survey_choices);
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.new_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), surveys.new_title)}</h1>
            <Loaded resource=choices show=|choices| view! { <NewSurveyForm choices /> }.into_any() />
        </section>
    }
}

#[component]
fn NewSurveyForm(choices: NewSurveyChoices) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<CreateSurvey>::new();
    let error = action_error(action);
    view! {
        {error}
        <PostForm action=CreateSurvey::url()>
            <label for="title">{move || td!(locale.get(), surveys.title_label)}</label>
            <input id="title" name="title" type="text" required minlength=super::limits::TITLE.min maxlength=super::limits::TITLE.max />
            <label for="intro">{move || td!(locale.get(), surveys.intro_label)}</label>
            <textarea id="intro" name="intro" rows="6" maxlength=super::limits::INTRO.max aria-describedby="intro-hint"></textarea>
            <p class="hint" id="intro-hint">{move || td!(locale.get(), surveys.markdown_hint)}</p>
            <label for="scope">{move || td!(locale.get(), surveys.scope_label)}</label>
            <select id="scope" name="scope" required>
                <optgroup label=td_string!(locale.get_untracked(), surveys.scope_themes)>
                    {choices.themes.into_iter().map(|(id, name)| view! {
                        <option value=format!("theme:{id}") lang=name.lang>{name.text}</option>
                    }).collect_view()}
                </optgroup>
                <optgroup label=td_string!(locale.get_untracked(), surveys.scope_areas)>
                    {choices.areas.into_iter().map(|(id, name)| view! {
                        <option value=format!("area:{id}") lang=name.lang>{name.text}</option>
                    }).collect_view()}
                </optgroup>
            </select>
            <SettingsFields audience=Audience::Anyone anonymous=false results_public=false opens_at=None closes_at=None zone=choices.zone />
            <button type="submit" class="button">{move || td!(locale.get(), surveys.start)}</button>
        </PostForm>
    }
    .into_any()
}

#[component]
pub fn EditSurveyPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let editor = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| async move {
            match id {
                Some(id) => survey_editor(locale, id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.edit_title).to_string() />
        <section class="form-page survey-editor">
            <Loaded resource=editor show=|editor| view! { <Editor editor /> }.into_any() />
        </section>
    }
}

/// A question's kind in the reader's language.
fn kind_name(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "single" => td_string!(locale, surveys.kind_single),
        "multiple" => td_string!(locale, surveys.kind_multiple),
        "likert" => td_string!(locale, surveys.kind_likert),
        "number" => td_string!(locale, surveys.kind_number),
        "text" => td_string!(locale, surveys.kind_text),
        "ranking" => td_string!(locale, surveys.kind_ranking),
        _ => td_string!(locale, surveys.kind_date),
    }
}

#[component]
fn Editor(editor: SurveyEditor) -> AnyView {
    let locale = use_locale();
    let settings = ServerAction::<SaveSurveySettings>::new();
    let question = ServerAction::<AddSurveyQuestion>::new();
    let section = ServerAction::<AddSurveySection>::new();
    let publish = ServerAction::<PublishSurvey>::new();
    let codes = ServerAction::<MakeSurveyCodes>::new();
    let remove = ServerAction::<RemoveSurveyQuestion>::new();
    let option = ServerAction::<AddSurveyOption>::new();
    let SurveyEditor {
        id,
        drafting,
        answered,
        openness,
        source_locale,
        title,
        intro: _,
        audience,
        anonymous,
        results_public,
        opens_at,
        closes_at,
        zone,
        sections,
        missing,
        batches,
    } = editor;
    let preview = page_path(locale.get_untracked(), &format!("surveys/{id}"));
    let results = page_path(locale.get_untracked(), &format!("surveys/{id}/results"));
    // Earlier questions a new one may depend on: choice options and numbers.
    let conditions: Vec<(String, String)> = sections
        .iter()
        .flat_map(|section| section.questions.iter())
        .flat_map(|question| {
            let EditorQuestion {
                id,
                number,
                spec,
                prompt,
                options,
            } = question;
            match &spec.kind {
                Kind::Single { .. } | Kind::Multiple { .. } => options
                    .iter()
                    .map(|(code, label)| {
                        (
                            format!("{id}:{code}"),
                            format!("{number}. {prompt}: {label}"),
                        )
                    })
                    .collect::<Vec<_>>(),
                Kind::Number { .. } => vec![(format!("{id}:"), format!("{number}. {prompt}"))],
                _ => Vec::new(),
            }
        })
        .collect();
    let section_choices: Vec<(i64, String)> = sections
        .iter()
        .enumerate()
        .map(|(at, section)| (section.id, format!("{}. {}", at + 1, section.title)))
        .collect();
    let state = if drafting {
        view! { <p class="notice">{move || td!(locale.get(), surveys.state_drafting)}</p> }
            .into_any()
    } else if answered {
        view! { <p class="notice">{move || td!(locale.get(), surveys.state_answered)}</p> }
            .into_any()
    } else {
        view! { <p class="notice">{move || td!(locale.get(), surveys.state_published)}</p> }
            .into_any()
    };
    let list = sections.into_iter().enumerate().map(|(at, section)| {
        let page = at + 1;
        view! {
            <h3>{move || td!(locale.get(), surveys.page_n, n = move || page)} " " <span dir="auto">{section.title}</span></h3>
            {if section.questions.is_empty() {
                view! { <p class="empty-state">{move || td!(locale.get(), surveys.page_empty)}</p> }.into_any()
            } else {
                view! {
                    <ol class="editor-questions">
                        {section.questions.into_iter().map(|question| {
                            let qid = question.id;
                            let kind = question.spec.kind.name();
                            let required = question.spec.required;
                            let choice = matches!(question.spec.kind, Kind::Single { .. } | Kind::Multiple { .. } | Kind::Ranking { .. });
                            view! {
                                <li id=format!("question-{qid}") value=question.number>
                                    <strong dir="auto">{question.prompt}</strong>
                                    " " <small>"(" {move || kind_name(locale.get(), kind)} {required.then(|| view! { ", " {move || td!(locale.get(), surveys.required_short)} })} ")"</small>
                                    {(!question.options.is_empty()).then(|| view! {
                                        <ul class="editor-options">
                                            {question.options.into_iter().map(|(_, label)| view! { <li><span dir="auto">{label}</span></li> }).collect_view()}
                                        </ul>
                                    })}
                                    <div class="actions">
                                        {choice.then(|| view! {
                                            <PostForm action=AddSurveyOption::url() class="inline-form">
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="question" value=qid />
                                                <label for=format!("option-{qid}")>{move || td!(locale.get(), surveys.add_option)}</label>
                                                <input type="text" id=format!("option-{qid}") name="label" required maxlength="200" />
                                                <button type="submit" class="button secondary">{move || td!(locale.get(), surveys.add)}</button>
                                            </PostForm>
                                        })}
                                        {(!answered).then(|| view! {
                                            <PostForm action=RemoveSurveyQuestion::url() class="inline-form">
                                                <input type="hidden" name="id" value=id />
                                                <input type="hidden" name="question" value=qid />
                                                <button type="submit" class="button secondary">{move || td!(locale.get(), surveys.remove_question)}</button>
                                            </PostForm>
                                        })}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        }
    }).collect_view();
    let errors = move || {
        [
            action_error(settings)(),
            action_error(question)(),
            action_error(section)(),
            action_error(publish)(),
            action_error(codes)(),
            action_error(remove)(),
            action_error(option)(),
        ]
        .into_iter()
        .flatten()
        .collect_view()
    };
    view! {
        <h1><span dir="auto">{title}</span></h1>
        <p class="meta"><super::pages::When openness /></p>
        {state}
        {errors}
        <p class="actions">
            <a href=preview>{move || if drafting { td!(locale.get(), surveys.preview_link).into_any() } else { td!(locale.get(), surveys.open_link).into_any() }}</a>
            " " <a href=results>{move || td!(locale.get(), surveys.see_results)}</a>
        </p>
        {drafting.then(|| view! {
            <PostForm action=PublishSurvey::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button">{move || td!(locale.get(), surveys.publish)}</button>
            </PostForm>
        })}

        <h2 id="questions">{move || td!(locale.get(), surveys.questions)}</h2>
        {list}
        <details class="add-question" open=true>
            <summary>{move || td!(locale.get(), surveys.add_question)}</summary>
            <PostForm action=AddSurveyQuestion::url()>
                <input type="hidden" name="id" value=id />
                <label for="section">{move || td!(locale.get(), surveys.on_page)}</label>
                <select id="section" name="section">
                    {section_choices.iter().rev().map(|(value, label)| view! { <option value=*value>{label.clone()}</option> }).collect_view()}
                </select>
                <label for="kind">{move || td!(locale.get(), surveys.kind_label)}</label>
                <select id="kind" name="kind">
                    {["single", "multiple", "likert", "number", "text", "ranking", "date"].into_iter().map(|kind| view! {
                        <option value=kind>{move || kind_name(locale.get(), kind)}</option>
                    }).collect_view()}
                </select>
                <label for="prompt">{move || td!(locale.get(), surveys.prompt_label)}</label>
                <textarea id="prompt" name="prompt" rows="2" required maxlength="500" dir="auto"></textarea>
                <label for="help">{move || td!(locale.get(), surveys.help_label)}</label>
                <input type="text" id="help" name="help" maxlength="500" dir="auto" />
                <label class="choice" for="required">
                    <input type="checkbox" id="required" name="required" value="on" />
                    " " {move || td!(locale.get(), surveys.required_choice)}
                </label>
                <label for="options">{move || td!(locale.get(), surveys.options_label)}</label>
                <textarea id="options" name="options" rows="5" dir="auto" aria-describedby="options-hint"></textarea>
                <p class="hint" id="options-hint">{move || td!(locale.get(), surveys.options_hint)}</p>
                <div class="field-row">
                    <span>
                        <label for="min">{move || td!(locale.get(), surveys.min_label)}</label>
                        <input type="text" inputmode="numeric" id="min" name="min" size="6" />
                    </span>
                    <span>
                        <label for="max">{move || td!(locale.get(), surveys.max_label)}</label>
                        <input type="text" inputmode="numeric" id="max" name="max" size="6" />
                    </span>
                </div>
                <p class="hint">{move || td!(locale.get(), surveys.min_max_hint)}</p>
                <label for="points">{move || td!(locale.get(), surveys.points_label)}</label>
                <select id="points" name="points">
                    <option value="5">"5"</option>
                    <option value="7">"7"</option>
                </select>
                <label for="scale">{move || td!(locale.get(), surveys.scale_label)}</label>
                <textarea id="scale" name="scale" rows="3" dir="auto"></textarea>
                <label for="unit">{move || td!(locale.get(), surveys.unit_label)}</label>
                <input type="text" id="unit" name="unit" maxlength="200" dir="auto" />
                <label for="decimals">{move || td!(locale.get(), surveys.decimals_label)}</label>
                <input type="text" inputmode="numeric" id="decimals" name="decimals" size="3" />
                <div class="field-row">
                    <span>
                        <label for="earliest">{move || td!(locale.get(), surveys.earliest_label)}</label>
                        <input type="date" id="earliest" name="earliest" />
                    </span>
                    <span>
                        <label for="latest">{move || td!(locale.get(), surveys.latest_label)}</label>
                        <input type="date" id="latest" name="latest" />
                    </span>
                </div>
                <label for="condition">{move || td!(locale.get(), surveys.condition_label)}</label>
                <select id="condition" name="condition">
                    <option value="">{move || td!(locale.get(), surveys.always_shown)}</option>
                    {conditions.into_iter().map(|(value, label)| view! { <option value=value dir="auto">{label}</option> }).collect_view()}
                </select>
                <div class="field-row">
                    <span>
                        <label for="condition_test">{move || td!(locale.get(), surveys.condition_test_label)}</label>
                        <select id="condition_test" name="condition_test">
                            <option value="at_least">{move || td!(locale.get(), surveys.at_least)}</option>
                            <option value="at_most">{move || td!(locale.get(), surveys.at_most)}</option>
                            <option value="equals">{move || td!(locale.get(), surveys.equals)}</option>
                        </select>
                    </span>
                    <span>
                        <label for="condition_value">{move || td!(locale.get(), surveys.condition_value_label)}</label>
                        <input type="text" inputmode="decimal" id="condition_value" name="condition_value" size="6" />
                    </span>
                </div>
                <button type="submit" class="button">{move || td!(locale.get(), surveys.add_question)}</button>
            </PostForm>
        </details>
        <PostForm action=AddSurveySection::url() class="inline-form">
            <input type="hidden" name="id" value=id />
            <label for="section-title">{move || td!(locale.get(), surveys.new_page_label)}</label>
            <input type="text" id="section-title" name="title" required maxlength="200" dir="auto" />
            <button type="submit" class="button secondary">{move || td!(locale.get(), surveys.add_page)}</button>
        </PostForm>

        <h2 id="languages">{move || td!(locale.get(), surveys.languages)}</h2>
        <p>{move || td!(locale.get(), surveys.languages_intro)}</p>
        <ul class="editor-languages">
            <li>
                <a href=page_path(locale.get_untracked(), &format!("surveys/{id}/translate/{source_locale}"))>{crate::ui::languages::language_name(locale.get_untracked(), &source_locale)}</a>
                " " {move || td!(locale.get(), surveys.original_language)}
            </li>
            {missing.into_iter().map(|(code, lacking)| {
                let href = page_path(locale.get_untracked(), &format!("surveys/{id}/translate/{code}"));
                view! {
                    <li>
                        <a href=href>{crate::ui::languages::language_name(locale.get_untracked(), &code)}</a>
                        " "
                        {if lacking == 0 {
                            view! { {move || td!(locale.get(), surveys.translated_fully)} }.into_any()
                        } else {
                            view! { {move || td!(locale.get(), surveys.texts_missing, count = move || lacking)} }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>

        <h2 id="settings">{move || td!(locale.get(), surveys.settings)}</h2>
        {(!drafting).then(|| view! { <p class="hint">{move || td!(locale.get(), surveys.settings_published)}</p> })}
        <PostForm action=SaveSurveySettings::url()>
            <input type="hidden" name="id" value=id />
            <SettingsFields audience anonymous results_public opens_at closes_at zone />
            <button type="submit" class="button">{move || td!(locale.get(), surveys.save_settings)}</button>
        </PostForm>

        {(audience == Audience::Codes).then(|| view! {
            <h2 id="codes">{move || td!(locale.get(), surveys.codes)}</h2>
            <ul>
                {batches.into_iter().map(|(batch, size, used)| {
                    let href = page_path(locale.get_untracked(), &format!("surveys/{id}/codes/{batch}"));
                    view! { <li><a href=href>{move || td!(locale.get(), surveys.codes_batch, count = move || size, used = move || used)}</a></li> }
                }).collect_view()}
            </ul>
            <PostForm action=MakeSurveyCodes::url() class="inline-form">
                <input type="hidden" name="id" value=id />
                <label for="count">{move || td!(locale.get(), surveys.codes_count)}</label>
                <input type="text" inputmode="numeric" id="count" name="count" required size="5" value="20" />
                <button type="submit" class="button">{move || td!(locale.get(), surveys.make_codes)}</button>
            </PostForm>
        })}
    }
    .into_any()
}

#[component]
pub fn TranslateSurveyPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let params = use_params_map();
    let target = move || params.read().get("target").unwrap_or_default();
    let translation = Resource::new(
        move || (locale.get(), id(), target()),
        |(locale, id, target)| async move {
            match id {
                Some(id) => survey_translation(locale, id, target).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.translate_title).to_string() />
        <section class="form-page">
            <Loaded resource=translation show=|translation| view! { <TranslateForm translation /> }.into_any() />
        </section>
    }
}

#[component]
fn TranslateForm(translation: SurveyTranslation) -> AnyView {
    let locale = use_locale();
    let action = ServerAction::<SaveSurveyTexts>::new();
    let error = action_error(action);
    let SurveyTranslation {
        id,
        title,
        locale: target,
        source_locale,
        texts,
    } = translation;
    let own = target == source_locale;
    let language = crate::ui::languages::language_name(locale.get_untracked(), &target);
    let back = page_path(
        locale.get_untracked(),
        &format!("surveys/{id}/edit#languages"),
    );
    view! {
        <h1>{move || td!(locale.get(), surveys.translate_title)} ": " {language}</h1>
        <p dir="auto">{title}</p>
        <p class="hint">{move || if own { td!(locale.get(), surveys.own_language_hint).into_any() } else { td!(locale.get(), surveys.translate_hint).into_any() }}</p>
        {error}
        <PostForm action=SaveSurveyTexts::url()>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="target" value=target.clone() />
            {texts.into_iter().enumerate().map(|(at, (key, what, original, translated))| {
                let field = format!("text-{at}");
                let long = original.len() > 80 || original.contains('\n');
                let value = if own { original.clone() } else { translated };
                let label = match what.as_str() {
                    "title" => td_string!(locale.get_untracked(), surveys.title_label).to_owned(),
                    "intro" => td_string!(locale.get_untracked(), surveys.intro_label).to_owned(),
                    "section" => td_string!(locale.get_untracked(), surveys.page_title).to_owned(),
                    number => format!("{} {number}", td_string!(locale.get_untracked(), surveys.question)),
                };
                let lang = (!own).then(|| target.clone());
                view! {
                    <label for=field.clone()>{label}</label>
                    {(!own).then(|| view! { <p class="original" lang=source_locale.clone() dir="auto">{original.clone()}</p> })}
                    {if long {
                        view! { <textarea id=field name=format!("texts[{key}]") rows="3" lang=lang dir="auto">{value}</textarea> }.into_any()
                    } else {
                        view! { <input type="text" id=field name=format!("texts[{key}]") value=value lang=lang dir="auto" /> }.into_any()
                    }}
                }
            }).collect_view()}
            <button type="submit" class="button">{move || td!(locale.get(), surveys.save_texts)}</button>
        </PostForm>
        <p><a href=back>{move || td!(locale.get(), surveys.back_to_editor)}</a></p>
    }
    .into_any()
}

#[component]
pub fn CodeSheetPage() -> impl IntoView {
    let locale = use_locale();
    let id = route_number("id");
    let batch = route_number("batch");
    let sheet = Resource::new(
        move || (locale.get(), id(), batch()),
        |(locale, id, batch)| async move {
            match (id, batch) {
                (Some(id), Some(batch)) => survey_code_sheet(locale, id, batch).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), surveys.codes).to_string() />
        <section class="code-sheet">
            <Loaded resource=sheet show=|sheet| view! { <Cards sheet /> }.into_any() />
        </section>
    }
}

#[component]
fn Cards(sheet: CodeSheet) -> AnyView {
    let locale = use_locale();
    let CodeSheet {
        id,
        title,
        address,
        codes,
    } = sheet;
    let back = page_path(locale.get_untracked(), &format!("surveys/{id}/edit#codes"));
    let title_text = title.text.clone();
    view! {
        <h1 class="screen-only">{move || td!(locale.get(), surveys.codes)}</h1>
        <p class="screen-only">{move || td!(locale.get(), surveys.codes_print)} " " <a href=back>{move || td!(locale.get(), surveys.back_to_editor)}</a></p>
        <ul class="cards">
            {codes.into_iter().map(|(code, used, qr)| {
                let title = title_text.clone();
                let address = address.clone();
                view! {
                    <li class="invitation" class:used=used>
                        <p class="card-title" dir="auto">{title}</p>
                        <div class="qr-code" inner_html=qr></div>
                        <p>{move || td!(locale.get(), surveys.card_go_to)} " " <span class="address">{address}</span></p>
                        <p>{move || td!(locale.get(), surveys.card_code)} " " <strong class="code">{code}</strong></p>
                        {used.then(|| view! { <p class="screen-only">{move || td!(locale.get(), surveys.card_used)}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
