//! Server functions of policy drafts. Anyone reads a published draft and
//! its responses; policymakers of a draft's themes write it; residents
//! (and anonymous participants, when the draft allows it) comment.

// Server functions take one argument per form field (the forms post
// them by name), so some take more than seven; the macro also generates
// the browser side, hence a module-wide allow.
#![allow(clippy::too_many_arguments)]

use super::{DraftDiff, DraftList, DraftResponses, DraftSource, DraftView, NewDraftChoices};
use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// The policymaker acting, with the themes they write for.
#[cfg(feature = "ssr")]
pub struct Acting {
    pub id: i64,
    pub client_hash: String,
    pub themes: Option<Vec<i64>>,
}

#[cfg(feature = "ssr")]
impl Acting {
    pub fn writer(&self) -> super::db::Writer<'_> {
        super::db::Writer {
            id: self.id,
            client_hash: &self.client_hash,
            themes: self.themes.clone(),
        }
    }

    /// The policymaker as the reviewer of a queue.
    pub fn reviewer(&self) -> crate::review::triage::Reviewer<'_> {
        crate::review::triage::Reviewer {
            id: self.id,
            client_hash: &self.client_hash,
            themes: self.themes.as_deref(),
        }
    }

    fn of(staff: &crate::auth::roles::Staff) -> Result<Self, AppError> {
        use crate::auth::roles::Role;

        let admin = staff.grants.iter().any(|grant| grant.role == Role::Admin);
        Ok(Acting {
            id: staff.id,
            client_hash: crate::security::address_key()?.hash_current(),
            themes: (!admin).then(|| {
                staff
                    .grants
                    .iter()
                    .filter(|grant| grant.role == Role::Policymaker)
                    .filter_map(|grant| grant.theme_id)
                    .collect()
            }),
        })
    }
}

/// The policymaker (or admin) acting; refused to anyone else.
#[cfg(feature = "ssr")]
pub async fn acting_policymaker() -> Result<Acting, AppError> {
    use crate::auth::roles::{Need, require_role};

    Acting::of(&require_role(Need::AnyPolicymaker).await?)
}

/// The reader as a writer, when they are a policymaker; else None.
#[cfg(feature = "ssr")]
async fn reader_as_writer() -> Result<Option<Acting>, AppError> {
    use crate::auth::roles::{Need, require_role};

    match require_role(Need::AnyPolicymaker).await {
        Ok(staff) => Ok(Some(Acting::of(&staff)?)),
        Err(AppError::Internal { request_id }) => Err(AppError::Internal { request_id }),
        Err(_) => Ok(None),
    }
}

#[server]
pub async fn list_drafts(locale: Locale) -> Result<DraftList, AppError> {
    let acting = reader_as_writer().await?;
    let writer = acting.as_ref().map(Acting::writer);
    super::db::list(&crate::db::db()?, locale, writer.as_ref()).await
}

/// A draft as the reader reads it; `version` 0 is the newest published.
#[server]
pub async fn draft_page(locale: Locale, id: i64, version: i64) -> Result<DraftView, AppError> {
    let acting = reader_as_writer().await?;
    let writer = acting.as_ref().map(Acting::writer);
    let signed_in = crate::auth::api::current_session().await?.is_some();
    super::db::view(
        &crate::db::db()?,
        locale,
        id,
        (version > 0).then_some(version),
        writer.as_ref(),
        signed_in,
        crate::security::now_millis(),
    )
    .await
}

#[server]
pub async fn new_draft_form(locale: Locale) -> Result<NewDraftChoices, AppError> {
    let acting = acting_policymaker().await?;
    super::db::new_draft_form(&crate::db::db()?, locale, &acting.writer()).await
}

/// Starts a draft (its version 1, unpublished) and opens its edit page.
#[server]
pub async fn create_draft(
    locale: Locale,
    title: String,
    summary: String,
    body: String,
    #[server(default)] themes: Vec<i64>,
    #[server(default)] areas: Vec<i64>,
    #[server(default)] anonymous: String,
) -> Result<(), AppError> {
    let acting = acting_policymaker().await?;
    let text = super::DraftText::parse(&title, &summary, &body)?;
    let coverage = super::write::Coverage::from_form(&themes, &areas, &anonymous);
    let (writer, now) = (acting.writer(), crate::security::now_millis());
    let id = crate::db::db()?
        .write(async |tx| {
            super::write::create_in(tx, &writer, locale, &text.as_text(), &coverage, now).await
        })
        .await?;
    tracing::info!(draft = id, writer = acting.id, "draft started");
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("drafts/{id}/edit"),
    ));
    Ok(())
}

#[server]
pub async fn draft_for_edit(locale: Locale, id: i64) -> Result<DraftSource, AppError> {
    let acting = acting_policymaker().await?;
    super::db::source(&crate::db::db()?, locale, id, &acting.writer()).await
}

/// Saves the working copy (a new version when the newest is published);
/// the edit page then shows it rendered, as a preview.
#[server]
pub async fn save_draft(
    locale: Locale,
    id: i64,
    title: String,
    summary: String,
    body: String,
    #[server(default)] themes: Vec<i64>,
    #[server(default)] areas: Vec<i64>,
    #[server(default)] anonymous: String,
) -> Result<(), AppError> {
    let acting = acting_policymaker().await?;
    let text = super::DraftText::parse(&title, &summary, &body)?;
    let coverage = super::write::Coverage::from_form(&themes, &areas, &anonymous);
    let (writer, now) = (acting.writer(), crate::security::now_millis());
    crate::db::db()?
        .write(async |tx| {
            super::write::save_in(tx, &writer, id, &text.as_text(), &coverage, now).await
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("drafts/{id}/edit#preview"),
    ));
    Ok(())
}

/// Publishes the working copy; it never changes after.
#[server]
pub async fn publish_draft(locale: Locale, id: i64) -> Result<(), AppError> {
    let acting = acting_policymaker().await?;
    let (writer, now) = (acting.writer(), crate::security::now_millis());
    let number = crate::db::db()?
        .write(async |tx| super::write::publish_in(tx, &writer, id, now).await)
        .await?;
    tracing::info!(draft = id, version = number, "draft version published");
    leptos_axum::redirect(&crate::locale::page_path(locale, &format!("drafts/{id}")));
    Ok(())
}

/// Moves the draft one step forward; opening takes the consultation's
/// dates (YYYY-MM-DD; opening today and no end when left empty).
#[server]
pub async fn set_draft_status(
    locale: Locale,
    id: i64,
    status: String,
    #[server(default)] opens: String,
    #[server(default)] closes: String,
) -> Result<(), AppError> {
    let acting = acting_policymaker().await?;
    let status = super::DraftStatus::parse(&status)?;
    // A consultation closes at the end of its last day.
    let (opens, closes) = crate::validation::optional_days(&opens, &closes)?;
    let (writer, now) = (acting.writer(), crate::security::now_millis());
    crate::db::db()?
        .write(async |tx| {
            super::write::set_status_in(tx, &writer, id, status, (opens, closes), now).await
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("drafts/{id}/edit"),
    ));
    Ok(())
}

/// Writes the `target` translation of the newest published version.
#[server]
pub async fn translate_draft(
    locale: Locale,
    id: i64,
    target: String,
    title: String,
    summary: String,
    body: String,
) -> Result<(), AppError> {
    use crate::validation::{Field, Invalid, Problem};

    let acting = acting_policymaker().await?;
    let target = crate::locale::parse_locale(target.trim())
        .ok_or_else(|| Invalid::new(Field::Language, Problem::Malformed))?;
    let text = super::DraftText::parse(&title, &summary, &body)?;
    let (writer, now) = (acting.writer(), crate::security::now_millis());
    let language = leptos_i18n::Locale::as_str(target);
    crate::db::db()?
        .write(async |tx| {
            super::write::translate_in(tx, &writer, id, language, &text.as_text(), now).await
        })
        .await?;
    leptos_axum::redirect(&crate::locale::page_path(target, &format!("drafts/{id}")));
    let _ = locale;
    Ok(())
}

/// The difference between two versions.
#[server]
pub async fn compare_versions(id: i64, from: i64, to: i64) -> Result<DraftDiff, AppError> {
    let acting = reader_as_writer().await?;
    let writer = acting.as_ref().map(Acting::writer);
    super::db::diff(&crate::db::db()?, id, from, to, writer.as_ref()).await
}

/// A comment on a section of a published version. Limited per address,
/// like feedback.
#[server]
pub async fn comment_on_section(
    locale: Locale,
    draft: i64,
    version: i64,
    section: i64,
    text: String,
    #[server(default)] remember: String,
) -> Result<(), AppError> {
    use crate::security::rate_limit::FeedbackLimit;

    let text = super::comment_text(&text)?;
    let db = crate::db::db()?;
    let rules = FeedbackLimit::rule_for_address("comment")?;
    let contributor = crate::participation::api::contributor(&db, !remember.is_empty()).await?;
    let comment = super::comments::NewComment {
        draft,
        version,
        section,
        contributor,
        text: &text,
        locale,
        now: crate::security::now_millis(),
    };
    let id = db
        .write(async |tx| super::comments::comment_in(tx, &comment, rules.as_slice()).await)
        .await?;
    tracing::info!(draft, comment = id, "section comment received");
    leptos_axum::redirect(&crate::locale::page_path(
        locale,
        &format!("drafts/{draft}?commented={section}#s-{section}"),
    ));
    Ok(())
}

#[server]
pub async fn responses_of_draft(locale: Locale, id: i64) -> Result<DraftResponses, AppError> {
    let figures = use_context::<std::sync::Arc<crate::dashboard::db::Figures>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no figures in the Leptos context")))?;
    super::db::responses(&crate::db::db()?, &figures, locale, id).await
}
