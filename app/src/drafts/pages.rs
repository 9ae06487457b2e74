//! `/{l}/drafts`, `/{l}/drafts/new`, `/{l}/drafts/{id}` (with section
//! comments), `/{l}/drafts/{id}/edit` (writers: text with preview,
//! publishing, status, translations), `/{l}/drafts/{id}/diff` and
//! `/{l}/drafts/{id}/responses`. Every form is a plain POST.

use super::api::{
    CommentOnSection, CreateDraft, PublishDraft, SaveDraft, SetDraftStatus, TranslateDraft,
    compare_versions, draft_for_edit, draft_page, list_drafts, new_draft_form, responses_of_draft,
};
use super::parts::{ChoiceBoxes, StatusLine};
use super::{COMMENT, DRAFT_BODY, DRAFT_SUMMARY, DRAFT_TITLE};
use super::{
    Change, DraftDiff, DraftList, DraftResponses, DraftSource, DraftStatus, DraftView,
    ResponseView, SectionView, ThemeResponses,
};
use crate::i18n::*;
use crate::locale::{page_path, use_locale};
use crate::participation::pages::RememberDevice;
use crate::ui::error_message::{PageError, action_error};
use crate::ui::forms::PostForm;
use crate::ui::loaded::Loaded;
use crate::ui::time::{iso_date, iso_minute};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

fn query_number(name: &'static str) -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        query
            .read()
            .get(name)
            .and_then(|value| value.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

#[component]
pub fn DraftsPage() -> impl IntoView {
    let locale = use_locale();
    let drafts = Resource::new(move || locale.get(), list_drafts);
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.title).to_string() />
        <section class="drafts-page">
            <h1>{move || td!(locale.get(), drafts.title)}</h1>
            <p class="lead">{move || td!(locale.get(), drafts.intro)}</p>
            <Loaded resource=drafts show=|list| view! { <DraftListBody list /> }.into_any() />
        </section>
    }
}

#[component]
fn DraftListBody(list: DraftList) -> AnyView {
    let locale = use_locale();
    let start = list.can_write.then(|| {
        view! {
            <p>
                <a class="button" href=move || page_path(locale.get(), "drafts/new")>
                    {move || td!(locale.get(), drafts.start)}
                </a>
                " "
                <a href=move || page_path(locale.get(), "review")>{move || td!(locale.get(), drafts.review_link)}</a>
            </p>
        }
    });
    if list.drafts.is_empty() {
        return view! { {start} <p>{move || td!(locale.get(), drafts.none)}</p> }.into_any();
    }
    view! {
        {start}
        <ul class="draft-list">
            {list.drafts.into_iter().map(|draft| {
                let id = draft.id;
                view! {
                    <li class="card">
                        <h2>
                            <a href=move || page_path(locale.get(), &format!("drafts/{id}")) lang=draft.title.lang.clone()>
                                {draft.title.text}
                            </a>
                        </h2>
                        <StatusLine status=draft.status opens_at=draft.opens_at closes_at=draft.closes_at />
                        <p lang=draft.summary.lang dir="auto">{draft.summary.text}</p>
                        <p class="meta">
                            {draft.themes.into_iter().map(|theme| view! {
                                <span class="tag" lang=theme.lang>{theme.text}</span> " "
                            }).collect_view()}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn NewDraftPage() -> impl IntoView {
    let locale = use_locale();
    let choices = Resource::new(move || locale.get(), new_draft_form);
    let action = ServerAction::<CreateDraft>::new();
    let error = action_error(action);
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.new_title).to_string() />
        <section class="form-page">
            <h1>{move || td!(locale.get(), drafts.new_title)}</h1>
            <p>{move || td!(locale.get(), drafts.markdown_help)}</p>
            {error}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(choices) => view! {
                            <PostForm action=CreateDraft::url()>
                                <TextFields title=String::new() summary=String::new() body=String::new() />
                                <fieldset>
                                    <legend>{move || td!(locale.get(), drafts.themes_label)}</legend>
                                    <ChoiceBoxes name="themes" choices=choices.themes />
                                </fieldset>
                                <fieldset>
                                    <legend>{move || td!(locale.get(), drafts.areas_label)}</legend>
                                    <ChoiceBoxes name="areas" choices=choices.areas />
                                </fieldset>
                                <AnonymousBox checked=true />
                                <button type="submit" class="button">{move || td!(locale.get(), drafts.create)}</button>
                            </PostForm>
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Title, summary and Markdown text of a version or translation.
#[component]
fn TextFields(
    title: String,
    summary: String,
    body: String,
    #[prop(default = "")] prefix: &'static str,
) -> impl IntoView {
    let locale = use_locale();
    let title_id = format!("{prefix}title");
    let summary_id = format!("{prefix}summary");
    let body_id = format!("{prefix}body");
    view! {
        <label for=title_id.clone()>{move || td!(locale.get(), drafts.title_label)}</label>
        <input id=title_id name="title" type="text" required minlength=DRAFT_TITLE.min maxlength=DRAFT_TITLE.max value=title />
        <label for=summary_id.clone()>{move || td!(locale.get(), drafts.summary_label)}</label>
        <textarea id=summary_id name="summary" rows="3" required maxlength=DRAFT_SUMMARY.max>{summary}</textarea>
        <label for=body_id.clone()>{move || td!(locale.get(), drafts.body_label)}</label>
        <textarea id=body_id name="body" rows="18" required minlength=DRAFT_BODY.min maxlength=DRAFT_BODY.max dir="auto">{body}</textarea>
    }
}

#[component]
fn AnonymousBox(checked: bool) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="check">
            <input type="checkbox" id="anonymous" name="anonymous" value="1" checked=checked />
            <label for="anonymous">{move || td!(locale.get(), drafts.anonymous_label)}</label>
        </p>
    }
}

#[component]
pub fn DraftPage() -> impl IntoView {
    let locale = use_locale();
    let id = id_param();
    let version = query_number("version");
    let draft = Resource::new(
        move || (locale.get(), id(), version()),
        |(locale, id, version)| draft_page(locale, id, version),
    );
    let action = ServerAction::<CommentOnSection>::new();
    let error = action_error(action);
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.title).to_string() />
        <article class="draft-page">
            {error}
            <Loaded resource=draft show=|draft| view! { <DraftBody draft /> }.into_any() />
        </article>
    }
}

#[component]
fn DraftBody(draft: DraftView) -> AnyView {
    let locale = use_locale();
    let commented = query_number("commented");
    let DraftView {
        id,
        status,
        opens_at,
        closes_at,
        allow_anonymous,
        accepting_comments,
        signed_in,
        version,
        working_copy,
        published_at,
        title,
        summary,
        sections,
        lang,
        translated,
        in_reader_locale,
        versions,
        themes,
        areas,
        can_edit,
    } = draft;
    let language_note = if translated {
        Some(view! { <p class="notice">{move || td!(locale.get(), drafts.translation_of, n = move || version)}</p> }.into_any())
    } else if !in_reader_locale {
        Some(
            view! { <p class="notice">{move || td!(locale.get(), drafts.original_only)}</p> }
                .into_any(),
        )
    } else {
        None
    };
    let version_line = match published_at {
        Some(at) => view! {
            <p class="meta">{move || td!(locale.get(), drafts.version_published, n = move || version, date = {
                let date = iso_date(at);
                move || date.clone()
            })}</p>
        }
        .into_any(),
        None => view! { <p class="notice">{move || td!(locale.get(), drafts.working_copy_note, n = move || version)}</p> }.into_any(),
    };
    let previous = versions
        .iter()
        .filter(|(number, published)| *number < version && published.is_some())
        .map(|(number, _)| *number)
        .max();
    let comment_note = if accepting_comments && !working_copy {
        if allow_anonymous || signed_in {
            view! { <p class="lead">{move || td!(locale.get(), drafts.comment_invitation)}</p> }
                .into_any()
        } else {
            view! {
                <p class="notice">
                    <a href=move || page_path(locale.get(), "signin")>{move || td!(locale.get(), drafts.sign_in_to_comment)}</a>
                </p>
            }
            .into_any()
        }
    } else {
        view! { <p class="notice">{move || td!(locale.get(), drafts.not_taking_comments)}</p> }
            .into_any()
    };
    let may_comment = accepting_comments && !working_copy && (allow_anonymous || signed_in);
    view! {
        <header lang=lang.clone()>
            <h1>{title}</h1>
            <StatusLine status opens_at closes_at />
            <p class="lead">{summary}</p>
        </header>
        {language_note}
        {version_line}
        <p class="meta">
            {themes.into_iter().map(|theme| view! { <span class="tag" lang=theme.lang>{theme.text}</span> " " }).collect_view()}
            {areas.into_iter().map(|area| view! { <span class="tag area" lang=area.lang>{area.text}</span> " " }).collect_view()}
        </p>
        <nav class="draft-links" aria-label=move || td_string!(locale.get(), drafts.links_label)>
            {previous.map(|previous| view! {
                <a href=move || page_path(locale.get(), &format!("drafts/{id}/diff?from={previous}&to={version}"))>
                    {move || td!(locale.get(), drafts.changes_since, n = move || previous)}
                </a> " · "
            })}
            {(status != DraftStatus::Drafting).then(|| view! {
                <a href=move || page_path(locale.get(), &format!("drafts/{id}/responses"))>{move || td!(locale.get(), drafts.responses_link)}</a>
            })}
            {can_edit.then(|| view! {
                " · " <a href=move || page_path(locale.get(), &format!("drafts/{id}/edit"))>{move || td!(locale.get(), drafts.edit_link)}</a>
                " · " <a href=move || page_path(locale.get(), &format!("review/{id}"))>{move || td!(locale.get(), drafts.queue_link)}</a>
            })}
        </nav>
        {(versions.len() > 1).then(|| view! {
            <details class="versions">
                <summary>{move || td!(locale.get(), drafts.versions)}</summary>
                <ul>
                    {versions.into_iter().map(|(number, published)| view! {
                        <li>
                            <a href=move || page_path(locale.get(), &format!("drafts/{id}?version={number}"))>
                                {move || td!(locale.get(), drafts.version_n, n = move || number)}
                            </a>
                            " " {published.map(iso_date)}
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        })}
        {comment_note}
        <div lang=lang>
            {sections.into_iter().map(|section| {
                let thanked = move || commented() == section.key;
                view! { <SectionBlock section draft=id version may_comment thanked=thanked() /> }
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn SectionBlock(
    section: SectionView,
    draft: i64,
    version: i64,
    may_comment: bool,
    thanked: bool,
) -> impl IntoView {
    let locale = use_locale();
    let SectionView {
        key,
        number,
        heading,
        html,
        comments,
    } = section;
    let anchor = format!("s-{key}");
    let field = format!("comment-{key}");
    let form = may_comment.then(|| {
        view! {
            <details class="comment-form" open=thanked>
                <summary>{move || td!(locale.get(), drafts.comment_on_section, n = move || number)}</summary>
                {thanked.then(|| view! {
                    <p class="notice success" role="status">{move || td!(locale.get(), drafts.comment_thanks)} " "
                        <a href=move || page_path(locale.get(), "me/contributions")>{move || td!(locale.get(), contributions.title)}</a>
                    </p>
                })}
                <PostForm action=CommentOnSection::url()>
                    <input type="hidden" name="draft" value=draft />
                    <input type="hidden" name="version" value=version />
                    <input type="hidden" name="section" value=key />
                    <label for=field.clone()>{move || td!(locale.get(), drafts.comment_label)}</label>
                    <textarea id=field name="text" rows="4" required minlength=COMMENT.min maxlength=COMMENT.max dir="auto"></textarea>
                    <RememberDevice id=format!("remember-{key}") />
                    <button type="submit" class="button">{move || td!(locale.get(), drafts.comment_send)}</button>
                </PostForm>
            </details>
        }
    });
    view! {
        <section class="draft-section" id=anchor>
            <h2><span class="section-number">{format!("§ {number}")}</span> " " {heading}</h2>
            <div class="prose" inner_html=html></div>
            <p class="meta">{move || td!(locale.get(), drafts.comment_count, count = move || comments)}</p>
            {form}
        </section>
    }
}

#[component]
pub fn EditDraftPage() -> impl IntoView {
    let locale = use_locale();
    let id = id_param();
    let source = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| draft_for_edit(locale, id),
    );
    let save = ServerAction::<SaveDraft>::new();
    let publish = ServerAction::<PublishDraft>::new();
    let status = ServerAction::<SetDraftStatus>::new();
    let translate = ServerAction::<TranslateDraft>::new();
    let errors = (
        action_error(save),
        action_error(publish),
        action_error(status),
        action_error(translate),
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.edit_title).to_string() />
        <section class="form-page draft-edit">
            <h1>{move || td!(locale.get(), drafts.edit_title)}</h1>
            {errors.0} {errors.1} {errors.2} {errors.3}
            <Loaded resource=source show=|source| view! { <EditBody source /> }.into_any() />
        </section>
    }
}

#[component]
fn EditBody(source: DraftSource) -> AnyView {
    let locale = use_locale();
    let DraftSource {
        id,
        status,
        opens_at,
        closes_at,
        allow_anonymous,
        version,
        published,
        title,
        summary,
        body,
        source_locale,
        published_version,
        translations,
        preview,
        themes,
        areas,
    } = source;
    let editing_note = if published {
        view! { <p class="notice">{move || td!(locale.get(), drafts.next_version_note, n = move || version + 1)}</p> }.into_any()
    } else {
        view! { <p class="notice">{move || td!(locale.get(), drafts.working_copy_note, n = move || version)}</p> }.into_any()
    };
    let next_statuses: Vec<DraftStatus> = DraftStatus::ALL
        .into_iter()
        .filter(|next| status.may_become(*next))
        .collect();
    let translation_locales: Vec<Locale> = Locale::get_all()
        .iter()
        .copied()
        .filter(|other| other.as_str() != source_locale)
        .collect();
    view! {
        <p><a href=move || page_path(locale.get(), &format!("drafts/{id}"))>{move || td!(locale.get(), drafts.back_to_draft)}</a></p>
        <StatusLine status opens_at closes_at />
        {editing_note}
        <p>{move || td!(locale.get(), drafts.markdown_help)}</p>
        <PostForm action=SaveDraft::url()>
            <input type="hidden" name="id" value=id />
            <TextFields title summary body />
            <fieldset>
                <legend>{move || td!(locale.get(), drafts.themes_label)}</legend>
                <ChoiceBoxes name="themes" choices=themes />
            </fieldset>
            <fieldset>
                <legend>{move || td!(locale.get(), drafts.areas_label)}</legend>
                <ChoiceBoxes name="areas" choices=areas />
            </fieldset>
            <AnonymousBox checked=allow_anonymous />
            <button type="submit" class="button">{move || td!(locale.get(), drafts.save)}</button>
        </PostForm>
        <h2 id="preview">{move || td!(locale.get(), drafts.preview_title, n = move || version)}</h2>
        <div class="preview" dir="auto">
            {preview.into_iter().map(|section| view! {
                <section class="draft-section">
                    <h3><span class="section-number">{format!("§ {}", section.number)}</span> " " {section.heading}</h3>
                    <div class="prose" inner_html=section.html></div>
                </section>
            }).collect_view()}
        </div>
        {(!published).then(|| view! {
            <PostForm action=PublishDraft::url()>
                <input type="hidden" name="id" value=id />
                <p>{move || td!(locale.get(), drafts.publish_note)}</p>
                <button type="submit" class="button">{move || td!(locale.get(), drafts.publish, n = move || version)}</button>
            </PostForm>
        })}
        <h2>{move || td!(locale.get(), drafts.status_title)}</h2>
        {next_statuses.into_iter().map(|next| {
            let opening = next == DraftStatus::Open;
            view! {
                <PostForm action=SetDraftStatus::url()>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="status" value=next.as_str() />
                    {opening.then(|| view! {
                        <label for="opens">{move || td!(locale.get(), drafts.opens_label)}</label>
                        <input id="opens" name="opens" type="date" />
                        <label for="closes">{move || td!(locale.get(), drafts.closes_label)}</label>
                        <input id="closes" name="closes" type="date" />
                    })}
                    <button type="submit" class="button secondary">
                        {move || td!(locale.get(), drafts.move_to, status = move || super::parts::status_text(locale.get(), next))}
                    </button>
                </PostForm>
            }
        }).collect_view()}
        <h2>{move || td!(locale.get(), drafts.translations_title)}</h2>
        {if published_version == 0 {
            view! { <p>{move || td!(locale.get(), drafts.translate_after_publishing)}</p> }.into_any()
        } else {
            view! {
                <p>{move || td!(locale.get(), drafts.translate_note, n = move || published_version)}</p>
                <p class="meta">{translations.join(", ")}</p>
                <PostForm action=TranslateDraft::url()>
                    <input type="hidden" name="id" value=id />
                    <label for="target">{move || td!(locale.get(), drafts.target_label)}</label>
                    <select id="target" name="target">
                        {translation_locales.into_iter().map(|target| view! {
                            <option value=target.as_str()>{target.as_str()}</option>
                        }).collect_view()}
                    </select>
                    <TextFields title=String::new() summary=String::new() body=String::new() prefix="t-" />
                    <button type="submit" class="button secondary">{move || td!(locale.get(), drafts.translate)}</button>
                </PostForm>
            }
            .into_any()
        }}
    }
    .into_any()
}

#[component]
pub fn DraftDiffPage() -> impl IntoView {
    let locale = use_locale();
    let id = id_param();
    let from = query_number("from");
    let to = query_number("to");
    let diff = Resource::new(
        move || (id(), from(), to()),
        |(id, from, to)| compare_versions(id, from, to),
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.diff_title).to_string() />
        <section class="diff-page">
            <h1>{move || td!(locale.get(), drafts.diff_title)}</h1>
            <Loaded resource=diff show=|diff| view! { <DiffBody diff /> }.into_any() />
        </section>
    }
}

#[component]
fn DiffBody(diff: DraftDiff) -> AnyView {
    let locale = use_locale();
    let DraftDiff {
        id,
        title,
        from,
        to,
        versions,
        sections,
    } = diff;
    view! {
        <p class="lead" dir="auto">{title}</p>
        <form method="get" class="inline-form">
            <label for="from">{move || td!(locale.get(), drafts.from_label)}</label>
            <select id="from" name="from">
                {versions.iter().map(|number| view! { <option value=*number selected=*number == from>{*number}</option> }).collect_view()}
            </select>
            <label for="to">{move || td!(locale.get(), drafts.to_label)}</label>
            <select id="to" name="to">
                {versions.iter().map(|number| view! { <option value=*number selected=*number == to>{*number}</option> }).collect_view()}
            </select>
            <button type="submit" class="button secondary">{move || td!(locale.get(), drafts.compare)}</button>
        </form>
        <p><a href=move || page_path(locale.get(), &format!("drafts/{id}?version={to}"))>{move || td!(locale.get(), drafts.back_to_draft)}</a></p>
        {sections.into_iter().map(|section| {
            let changed = section.runs.iter().any(|(change, _)| *change != Change::Same);
            let place = match (section.old_number, section.new_number) {
                (Some(old), Some(new)) if old != new => format!("§ {old} → § {new}"),
                (_, Some(new)) => format!("§ {new}"),
                (Some(old), None) => format!("§ {old}"),
                (None, None) => String::new(),
            };
            let label = match (section.old_number, section.new_number, changed) {
                (None, _, _) => td_string!(locale.get_untracked(), drafts.diff_added),
                (_, None, _) => td_string!(locale.get_untracked(), drafts.diff_removed),
                (_, _, true) => td_string!(locale.get_untracked(), drafts.diff_changed),
                (_, _, false) => td_string!(locale.get_untracked(), drafts.diff_same),
            };
            view! {
                <section class="diff-section">
                    <h2>{place} " " {section.heading} " " <span class="badge">{label}</span></h2>
                    {changed.then(|| view! {
                        <p class="diff" dir="auto">
                            {section.runs.into_iter().map(|(change, text)| match change {
                                Change::Same => view! { <span>{text}</span> }.into_any(),
                                Change::Removed => view! { <del>{text}</del> }.into_any(),
                                Change::Added => view! { <ins>{text}</ins> }.into_any(),
                            }).collect_view()}
                        </p>
                    })}
                </section>
            }
        }).collect_view()}
    }
    .into_any()
}

#[component]
pub fn DraftResponsesPage() -> impl IntoView {
    let locale = use_locale();
    let id = id_param();
    let responses = Resource::new(
        move || (locale.get(), id()),
        |(locale, id)| responses_of_draft(locale, id),
    );
    view! {
        <Title text=td_string!(locale.get_untracked(), drafts.responses_title).to_string() />
        <section class="responses-page">
            <h1>{move || td!(locale.get(), drafts.responses_title)}</h1>
            <Loaded resource=responses show=|responses| view! { <ResponsesBody responses /> }.into_any() />
        </section>
    }
}

#[component]
fn ResponsesBody(responses: DraftResponses) -> AnyView {
    let locale = use_locale();
    let DraftResponses { id, title, themes } = responses;
    view! {
        <p class="lead" lang=title.lang dir="auto">{title.text}</p>
        <p>
            <a href=move || page_path(locale.get(), &format!("drafts/{id}"))>{move || td!(locale.get(), drafts.back_to_draft)}</a>
            " · "
            <a href=format!("/feed/drafts/{id}.atom")>{move || td!(locale.get(), drafts.feed_link)}</a>
        </p>
        {themes.into_iter().map(|group| view! { <ThemeGroup group /> }).collect_view()}
    }
    .into_any()
}

#[component]
fn ThemeGroup(group: ThemeResponses) -> impl IntoView {
    let locale = use_locale();
    let ThemeResponses {
        theme,
        counts,
        responses,
    } = group;
    let heading = match theme {
        Some(theme) => view! { <h2 lang=theme.lang>{theme.text}</h2> }.into_any(),
        None => view! { <h2>{move || td!(locale.get(), drafts.other_responses)}</h2> }.into_any(),
    };
    view! {
        <section class="theme-responses">
            {heading}
            // In plain words: answered, read (being read, noted, or out of
            // the consultation's reach), and not read yet.
            <p class="meta counts">
                {move || td!(locale.get(), drafts.theme_counts,
                    total = move || counts.iter().sum::<i64>(), answered = move || counts[2],
                    considered = move || counts[1] + counts[3] + counts[4], waiting = move || counts[0])}
            </p>
            {if responses.is_empty() {
                view! { <p>{move || td!(locale.get(), drafts.no_responses)}</p> }.into_any()
            } else {
                responses.into_iter().map(|response| view! { <ResponseCard response /> }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn ResponseCard(response: ResponseView) -> impl IntoView {
    let locale = use_locale();
    let ResponseView {
        id,
        body,
        created_at,
        version,
        section,
        answered,
        quoted,
    } = response;
    let quotes = (!quoted.is_empty()).then(|| view! {
        <details>
            <summary>{move || td!(locale.get(), drafts.quoted_answers)}</summary>
            <ul class="answers">
                {quoted.into_iter().map(|(text, size)| view! {
                    <li>
                        <blockquote class="masked-text" dir="auto">{text}</blockquote>
                        {(size > 1).then(|| view! { <p class="meta">{move || td!(locale.get(), review.campaign_size, count = move || size)}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </details>
    });
    view! {
        <article class="card response" id=format!("r-{id}")>
            <p class="meta"><time>{iso_minute(created_at)}</time>
                {version.map(|version| view! { " · " {move || td!(locale.get(), drafts.version_n, n = move || version)} })}
                {section.map(|section| view! { " · " {section} })}
            </p>
            <p class="response-text" dir="auto">{body}</p>
            <p class="meta">{move || td!(locale.get(), drafts.answers_count, count = move || answered)}</p>
            {quotes}
        </article>
    }
}
