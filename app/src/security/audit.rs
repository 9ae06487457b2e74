//! The append-only audit log: every privileged action and every reading of
//! personal data writes one row. There is deliberately no function here to
//! change or delete a row, and the database refuses both (migration 0002).

use super::now_millis;
use crate::error::AppError;

/// What an audit row records. Stored by name ([`Action::as_str`]); the
/// audit log page offers [`Action::ALL`] as its filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RoleGrant,
    RoleRevoke,
    TwoFactorEnrol,
    TwoFactorReset,
    PersonalDataExport,
    AccountDelete,
    PasswordReset,
    EmailChange,
    PasswordChange,
    PostApprove,
    PostHide,
    PostDelete,
    PostUndo,
    ThreadLock,
    ThreadUnlock,
    ThreadPin,
    ThreadUnpin,
    ThreadMove,
    UserSuspend,
    FilterAdd,
    FilterRemove,
    ForumRules,
    AnnouncementPost,
    AnnouncementEnd,
    JobRetry,
    ThemeCreate,
    ThemeEdit,
    ThemeRuleAdd,
    ThemeRuleRemove,
    InputUnmask,
    DraftCreate,
    DraftEdit,
    DraftPublish,
    DraftStatus,
    DraftTranslate,
    ReviewTriage,
    ReviewAssign,
    ReviewThemes,
    SurveyCreate,
    SurveyEdit,
    SurveyPublish,
    SurveyCodes,
    SurveyExport,
    FocusGroupSelect,
    FocusGroupCreate,
    FocusGroupPublish,
    FocusGroupAttendees,
    FocusGroupExport,
    FocusGroupCheckIn,
    FocusGroupPromote,
    FocusGroupNotes,
    FocusGroupTexts,
}

impl Action {
    pub const ALL: [Action; 52] = [
        Action::RoleGrant,
        Action::RoleRevoke,
        Action::TwoFactorEnrol,
        Action::TwoFactorReset,
        Action::PersonalDataExport,
        Action::AccountDelete,
        Action::PasswordReset,
        Action::EmailChange,
        Action::PasswordChange,
        Action::PostApprove,
        Action::PostHide,
        Action::PostDelete,
        Action::PostUndo,
        Action::ThreadLock,
        Action::ThreadUnlock,
        Action::ThreadPin,
        Action::ThreadUnpin,
        Action::ThreadMove,
        Action::UserSuspend,
        Action::FilterAdd,
        Action::FilterRemove,
        Action::ForumRules,
        Action::AnnouncementPost,
        Action::AnnouncementEnd,
        Action::JobRetry,
        Action::ThemeCreate,
        Action::ThemeEdit,
        Action::ThemeRuleAdd,
        Action::ThemeRuleRemove,
        Action::InputUnmask,
        Action::DraftCreate,
        Action::DraftEdit,
        Action::DraftPublish,
        Action::DraftStatus,
        Action::DraftTranslate,
        Action::ReviewTriage,
        Action::ReviewAssign,
        Action::ReviewThemes,
        Action::SurveyCreate,
        Action::SurveyEdit,
        Action::SurveyPublish,
        Action::SurveyCodes,
        Action::SurveyExport,
        Action::FocusGroupSelect,
        Action::FocusGroupCreate,
        Action::FocusGroupPublish,
        Action::FocusGroupAttendees,
        Action::FocusGroupExport,
        Action::FocusGroupCheckIn,
        Action::FocusGroupPromote,
        Action::FocusGroupNotes,
        Action::FocusGroupTexts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::RoleGrant => "role.grant",
            Action::RoleRevoke => "role.revoke",
            Action::TwoFactorEnrol => "two_factor.enrol",
            Action::TwoFactorReset => "two_factor.reset",
            Action::PersonalDataExport => "personal_data.export",
            Action::AccountDelete => "account.delete",
            Action::PasswordReset => "password.reset",
            Action::EmailChange => "account.email_change",
            Action::PasswordChange => "password.change",
            Action::PostApprove => "post.approve",
            Action::PostHide => "post.hide",
            Action::PostDelete => "post.delete",
            Action::PostUndo => "post.undo",
            Action::ThreadLock => "thread.lock",
            Action::ThreadUnlock => "thread.unlock",
            Action::ThreadPin => "thread.pin",
            Action::ThreadUnpin => "thread.unpin",
            Action::ThreadMove => "thread.move",
            Action::UserSuspend => "user.suspend",
            Action::FilterAdd => "filter.add",
            Action::FilterRemove => "filter.remove",
            Action::ForumRules => "forum.rules",
            Action::AnnouncementPost => "announcement.post",
            Action::AnnouncementEnd => "announcement.end",
            Action::JobRetry => "job.retry",
            Action::ThemeCreate => "theme.create",
            Action::ThemeEdit => "theme.edit",
            Action::ThemeRuleAdd => "theme_rule.add",
            Action::ThemeRuleRemove => "theme_rule.remove",
            Action::InputUnmask => "input.unmask",
            Action::DraftCreate => "draft.create",
            Action::DraftEdit => "draft.edit",
            Action::DraftPublish => "draft.publish",
            Action::DraftStatus => "draft.status",
            Action::DraftTranslate => "draft.translate",
            Action::ReviewTriage => "review.triage",
            Action::ReviewAssign => "review.assign",
            Action::ReviewThemes => "review.themes",
            Action::SurveyCreate => "survey.create",
            Action::SurveyEdit => "survey.edit",
            Action::SurveyPublish => "survey.publish",
            Action::SurveyCodes => "survey.codes",
            Action::SurveyExport => "survey.export",
            Action::FocusGroupSelect => "focus_group.select",
            Action::FocusGroupCreate => "focus_group.create",
            Action::FocusGroupPublish => "focus_group.publish",
            Action::FocusGroupAttendees => "focus_group.attendees",
            Action::FocusGroupExport => "focus_group.export",
            Action::FocusGroupCheckIn => "focus_group.check_in",
            Action::FocusGroupPromote => "focus_group.promote",
            Action::FocusGroupNotes => "focus_group.notes",
            Action::FocusGroupTexts => "focus_group.texts",
        }
    }
}

/// One line of the log. `target` names what was acted on (`"post:42"`);
/// `client_hash` is the keyed hash of the client address
/// ([`super::AddressKey::hash`]), never the address itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub actor: Option<i64>,
    pub action: Action,
    pub target: &'a str,
    pub client_hash: &'a str,
}

/// Appends `entry`, in the caller's transaction so that the action and its
/// record stand or fall together.
#[tracing::instrument(skip(executor))]
pub async fn record<'e, E>(executor: E, entry: &Entry<'_>) -> Result<(), AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, client_hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_millis())
    .bind(entry.actor)
    .bind(entry.action.as_str())
    .bind(entry.target)
    .bind(entry.client_hash)
    .execute(executor)
    .await?;
    Ok(())
}
