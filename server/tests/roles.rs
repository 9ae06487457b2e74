//! Roles, the one guard, two-step sign-in and the admin screens, over real
//! HTTP on SQLite and PostgreSQL.
//!
//! `every_server_function_is_classified` lists every server function the
//! application registers: a new one fails it until it is added to
//! [`PUBLIC`] or to [`privileged`], and everything in [`privileged`] is then
//! walked by the role matrix with every caller below its requirement.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::admin::api::{AuditLog, GrantRole, ResetTwoFactor, RevokeRole, RolesOverview};
use app::admin::{AuditPage, StaffOverview};
use app::announcements::api::{
    ActiveAnnouncements, AnnouncementBoard, EndAnnouncement, PostAnnouncement,
};
use app::auth::api::{
    ChangeEmail, ChangePassword, ConfirmTwoFactor, CurrentViewer, DeleteAccount, ExportMyData,
    MyAccount, RequestPasswordReset, ResetPassword, SignIn, SignInCode, SignOut, SignUp,
    TwoFactorEnrolment,
};
use app::auth::roles::Role;
use app::contributions::api::MyContributions;
use app::dashboard::api::LoadDashboard;
use app::drafts::api::{
    CommentOnSection, CompareVersions, CreateDraft, DraftForEdit, DraftPage, ListDrafts,
    NewDraftForm, PublishDraft, ResponsesOfDraft, SaveDraft, SetDraftStatus, TranslateDraft,
};
use app::error::AppError;
use app::feedback::api::{FollowFeedback, SendFeedback};
use app::focus_groups::api::{
    AcceptFocusGroupOffer, AddFocusGroupNotes, CancelFocusGroupSignup, ChangeFocusGroupSignup,
    CheckInFocusGroup, CreateFocusGroup, ExportFocusGroup, FocusGroupAttendance,
    FocusGroupCalendar, FocusGroupPage, FocusGroupTexts, ListFocusGroups, MyFocusGroup,
    NewFocusGroupChoices, PromoteFocusGroupSignup, PublishFocusGroup, SaveFocusGroupTexts,
    SelectFocusGroup, SignUpFocusGroup, UploadFocusGroupNotes,
};
use app::forums::api::{
    CategoryThreads, EditPost, EditablePost, ListAreaCategories, ListForums, React, ReadThread,
    Reply, ReportPost, StartThread,
};
use app::jobs::api::{JobQueue, RetryJob};
use app::moderation::api::{
    AddFilter, ApprovePost, DeletePost, HidePost, LockThread, ModerationFilters, ModerationQueue,
    MoveThread, PinThread, PostRevisions, RemoveFilter, SetForumRules, SuspendUser, UndoDecision,
};
use app::participation::api::{
    CreatePrivateLink, ForgetDevice, ParticipationStatus, RestoreParticipation,
};
use app::review::api::{
    CorrectItemThemes, ExportQueue, InputForReview, ReviewQueue, ReviewQueues, TriageItems,
    UnmaskInput,
};
use app::surveys::api::{
    AddSurveyOption, AddSurveyQuestion, AddSurveySection, CreateSurvey, ExportSurveyResponses,
    ListSurveys, LoadSurveyPage, LoadSurveyResults, MakeSurveyCodes, NewSurveyChoices,
    PublishSurvey, RemoveSurveyQuestion, SaveSurveySection, SaveSurveySettings, SaveSurveyTexts,
    SurveyCodeSheet, SurveyEditor, SurveyResultsData, SurveyTranslation,
};
use app::taxonomy::api::LoadTown;
use app::themes::api::{AddThemeRule, CreateTheme, ListThemesAdmin, RemoveThemeRule, SetThemeText};
use leptos::server_fn::ServerFn as _;
use support::{Backend, PASSWORD, TestApp, session_of, spawn_app, totp_now};

on_both_backends!(
    every_privileged_function_refuses_every_role_below_it,
    privileged_screens_need_the_second_factor,
    two_step_sign_in_asks_for_a_code_once,
    recovery_codes_work_once,
    admins_grant_and_revoke_roles_audited,
    the_audit_log_filters_by_actor_action_and_date,
    privileged_pages_are_refused_to_residents,
    admins_reset_a_lost_second_factor,
);

/// Server functions that need no role (some need a signed-in resident,
/// which their own tests check).
const PUBLIC: &[&str] = &[
    SignUp::PATH,
    SignIn::PATH,
    SignInCode::PATH,
    SignOut::PATH,
    CurrentViewer::PATH,
    MyAccount::PATH,
    ExportMyData::PATH,
    DeleteAccount::PATH,
    ChangeEmail::PATH,
    ChangePassword::PATH,
    TwoFactorEnrolment::PATH,
    ConfirmTwoFactor::PATH,
    RequestPasswordReset::PATH,
    ResetPassword::PATH,
    ParticipationStatus::PATH,
    CreatePrivateLink::PATH,
    RestoreParticipation::PATH,
    ForgetDevice::PATH,
    LoadTown::PATH,
    ListForums::PATH,
    ListAreaCategories::PATH,
    CategoryThreads::PATH,
    ReadThread::PATH,
    StartThread::PATH,
    Reply::PATH,
    EditablePost::PATH,
    EditPost::PATH,
    React::PATH,
    ReportPost::PATH,
    ActiveAnnouncements::PATH,
    AnnouncementBoard::PATH,
    SendFeedback::PATH,
    FollowFeedback::PATH,
    ListDrafts::PATH,
    DraftPage::PATH,
    CompareVersions::PATH,
    CommentOnSection::PATH,
    ResponsesOfDraft::PATH,
    MyContributions::PATH,
    // Anyone may answer; results refuse whoever may not see them yet
    // (tests/surveys.rs).
    ListSurveys::PATH,
    LoadSurveyPage::PATH,
    SaveSurveySection::PATH,
    LoadSurveyResults::PATH,
    SurveyResultsData::PATH,
    app::surveys::free_text::SurveyTextAnswers::PATH,
    // Anyone may sign up; a sign-up is reached by its private link only
    // (tests/focus_groups.rs).
    ListFocusGroups::PATH,
    FocusGroupPage::PATH,
    SignUpFocusGroup::PATH,
    MyFocusGroup::PATH,
    ChangeFocusGroupSignup::PATH,
    AcceptFocusGroupOffer::PATH,
    CancelFocusGroupSignup::PATH,
    FocusGroupCalendar::PATH,
];

/// Who a privileged function is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requirement {
    Admin,
    /// A moderator of the fixture's area (or an admin).
    ModeratorOfArea,
    /// Any moderator (each then sees only their areas).
    AnyModerator,
    /// A moderator of the fixture's area, or a policymaker (or an admin).
    Announcer,
    /// Any policymaker (or an admin).
    AnyPolicymaker,
    /// A policymaker of the fixture's theme, the theme of its draft (or an
    /// admin).
    PolicymakerOfTheme,
    /// Any moderator or policymaker (or an admin): each then reaches only
    /// their scope.
    AnyStaff,
}

/// The callers of the matrix, from no session up; the admin comes last,
/// outside it.
const CALLERS: [&str; 6] = [
    "anonymous",
    "resident",
    "moderator of the area",
    "moderator of another area",
    "policymaker",
    "policymaker of another theme",
];

/// Fields that name something with a scope (an area, a theme, a draft, an
/// item, a post...): a function taking one reaches only its caller's
/// scope, so its requirement must be scoped too.
const SCOPED_FIELDS: &[&str] = &[
    "area",
    "theme",
    "themes[0]",
    "draft",
    "item",
    "items[0]",
    "id",
    "post",
    "thread",
    "category",
    "filter",
    "announcement",
];

impl Requirement {
    /// Whether the requirement is bound to a scope, and the caller of
    /// another scope that must be refused.
    fn other_scope(self) -> Option<&'static str> {
        match self {
            Requirement::ModeratorOfArea | Requirement::Announcer => {
                Some("moderator of another area")
            }
            Requirement::PolicymakerOfTheme => Some("policymaker of another theme"),
            Requirement::Admin
            | Requirement::AnyModerator
            | Requirement::AnyPolicymaker
            | Requirement::AnyStaff => None,
        }
    }
}

/// One privileged server function: its requirement and a valid call (so
/// that a refusal comes from the guard, not from the input).
struct Privileged {
    path: &'static str,
    requirement: Requirement,
    form: Vec<(&'static str, String)>,
}

/// Every privileged server function, with a valid call on the fixture's
/// database (`area` and `theme` are real ids; `grant` is an existing grant).
fn privileged(fixture: &Fixture) -> Vec<Privileged> {
    let en = || ("locale", "en".to_owned());
    vec![
        Privileged {
            path: RolesOverview::PATH,
            requirement: Requirement::Admin,
            form: vec![en()],
        },
        Privileged {
            path: GrantRole::PATH,
            requirement: Requirement::Admin,
            form: vec![
                en(),
                ("account", "Resident R".to_owned()),
                ("role", "moderator".to_owned()),
                ("area", fixture.area.to_string()),
                ("theme", String::new()),
            ],
        },
        Privileged {
            path: RevokeRole::PATH,
            requirement: Requirement::Admin,
            form: vec![en(), ("grant", fixture.grant.to_string())],
        },
        Privileged {
            path: ResetTwoFactor::PATH,
            requirement: Requirement::Admin,
            form: vec![en(), ("account", "Moderator Here".to_owned())],
        },
        Privileged {
            path: AuditLog::PATH,
            requirement: Requirement::Admin,
            form: vec![("filter[actor]", String::new())],
        },
        Privileged {
            path: NewDraftForm::PATH,
            requirement: Requirement::AnyPolicymaker,
            form: vec![en()],
        },
        Privileged {
            path: CreateDraft::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("title", "A new plan".to_owned()),
                ("summary", "What it says.".to_owned()),
                ("body", "## One\nThe first section.".to_owned()),
                ("themes[0]", fixture.theme.to_string()),
            ],
        },
        Privileged {
            path: NewSurveyChoices::PATH,
            requirement: Requirement::AnyStaff,
            form: vec![en()],
        },
        Privileged {
            path: CreateSurvey::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("title", "How safe is the park?".to_owned()),
                ("scope", format!("theme:{}", fixture.theme)),
                ("audience", "anyone".to_owned()),
            ],
        },
        Privileged {
            path: SurveyEditor::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.survey.to_string())],
        },
        Privileged {
            path: SaveSurveySettings::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("audience", "codes".to_owned()),
            ],
        },
        Privileged {
            path: AddSurveyQuestion::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("section", fixture.survey_section.to_string()),
                ("kind", "multiple".to_owned()),
                ("prompt", "Which days?".to_owned()),
                ("options", "Monday\nTuesday".to_owned()),
            ],
        },
        Privileged {
            path: AddSurveyOption::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("question", fixture.survey_question.to_string()),
                ("label", "Not sure".to_owned()),
            ],
        },
        Privileged {
            path: PublishSurvey::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.survey.to_string())],
        },
        Privileged {
            path: AddSurveySection::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("title", "About you".to_owned()),
            ],
        },
        Privileged {
            path: SurveyTranslation::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("target", "fr".to_owned()),
            ],
        },
        Privileged {
            path: SaveSurveyTexts::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("target", "fr".to_owned()),
                ("texts[title]", "Un questionnaire".to_owned()),
            ],
        },
        Privileged {
            path: MakeSurveyCodes::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("count", "5".to_owned()),
            ],
        },
        Privileged {
            path: SurveyCodeSheet::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("batch", fixture.survey_batch.to_string()),
            ],
        },
        Privileged {
            path: ExportSurveyResponses::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![("id", fixture.survey.to_string())],
        },
        Privileged {
            path: RemoveSurveyQuestion::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.survey.to_string()),
                ("question", fixture.survey_question.to_string()),
            ],
        },
        Privileged {
            path: DraftForEdit::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.draft.to_string())],
        },
        Privileged {
            path: SaveDraft::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.draft.to_string()),
                ("title", "The plan".to_owned()),
                ("summary", "What it says.".to_owned()),
                ("body", "## One\nThe first section, edited.".to_owned()),
                ("themes[0]", fixture.theme.to_string()),
            ],
        },
        Privileged {
            path: PublishDraft::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.draft.to_string())],
        },
        Privileged {
            path: SetDraftStatus::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.draft.to_string()),
                ("status", "open".to_owned()),
            ],
        },
        Privileged {
            path: TranslateDraft::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.draft.to_string()),
                ("target", "fr".to_owned()),
                ("title", "Le plan".to_owned()),
                ("summary", "Ce qu'il dit.".to_owned()),
                ("body", "## Un\nLa première partie, modifiée.".to_owned()),
            ],
        },
        Privileged {
            path: ReviewQueues::PATH,
            requirement: Requirement::AnyPolicymaker,
            form: vec![en()],
        },
        Privileged {
            path: ReviewQueue::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("draft", fixture.draft.to_string()),
                ("query[status]", "all".to_owned()),
            ],
        },
        Privileged {
            path: TriageItems::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("draft", fixture.draft.to_string()),
                ("items[0]", fixture.item.to_string()),
                ("action", "in_review".to_owned()),
            ],
        },
        Privileged {
            path: CorrectItemThemes::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("draft", fixture.draft.to_string()),
                ("item", fixture.item.to_string()),
                ("themes[0]", fixture.theme.to_string()),
            ],
        },
        Privileged {
            path: ExportQueue::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                ("draft", fixture.draft.to_string()),
                ("filters", "status=all".to_owned()),
            ],
        },
        Privileged {
            path: LoadDashboard::PATH,
            requirement: Requirement::AnyPolicymaker,
            form: vec![en()],
        },
        Privileged {
            path: InputForReview::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.item.to_string())],
        },
        Privileged {
            path: UnmaskInput::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.item.to_string()),
                ("reason", "answer".to_owned()),
            ],
        },
        Privileged {
            path: JobQueue::PATH,
            requirement: Requirement::Admin,
            form: vec![],
        },
        Privileged {
            path: RetryJob::PATH,
            requirement: Requirement::Admin,
            form: vec![en(), ("job", fixture.job.to_string())],
        },
        Privileged {
            path: ListThemesAdmin::PATH,
            requirement: Requirement::Admin,
            form: vec![en()],
        },
        Privileged {
            path: CreateTheme::PATH,
            requirement: Requirement::Admin,
            form: vec![
                en(),
                ("slug", "night-buses".to_owned()),
                ("name", "Night buses".to_owned()),
                ("description", String::new()),
            ],
        },
        Privileged {
            path: SetThemeText::PATH,
            requirement: Requirement::Admin,
            form: vec![
                en(),
                ("theme", fixture.theme.to_string()),
                ("name", "Safety".to_owned()),
                ("description", String::new()),
            ],
        },
        Privileged {
            path: AddThemeRule::PATH,
            requirement: Requirement::Admin,
            form: vec![
                en(),
                ("theme", fixture.theme.to_string()),
                ("language", "en".to_owned()),
                ("keyword", "lamp post".to_owned()),
            ],
        },
        Privileged {
            path: RemoveThemeRule::PATH,
            requirement: Requirement::Admin,
            form: vec![en(), ("rule", fixture.rule.to_string())],
        },
        Privileged {
            path: ModerationQueue::PATH,
            requirement: Requirement::AnyModerator,
            form: vec![en()],
        },
        Privileged {
            path: ModerationFilters::PATH,
            requirement: Requirement::AnyModerator,
            form: vec![en()],
        },
        Privileged {
            path: ApprovePost::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![en(), ("post", fixture.post.to_string())],
        },
        Privileged {
            path: UndoDecision::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![en(), ("post", fixture.post.to_string())],
        },
        Privileged {
            path: HidePost::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("post", fixture.post.to_string()),
                ("reason", "Off topic.".to_owned()),
            ],
        },
        Privileged {
            path: PostRevisions::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![("post", fixture.post.to_string())],
        },
        Privileged {
            path: LockThread::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("thread", fixture.thread.to_string()),
                ("on", "true".to_owned()),
            ],
        },
        Privileged {
            path: PinThread::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("thread", fixture.thread.to_string()),
                ("on", "true".to_owned()),
            ],
        },
        Privileged {
            path: MoveThread::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("thread", fixture.thread.to_string()),
                ("category", fixture.category.to_string()),
            ],
        },
        Privileged {
            path: SuspendUser::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("area", fixture.area.to_string()),
                ("user", fixture.resident.to_string()),
                ("days", "2".to_owned()),
                ("reason", "Insults.".to_owned()),
            ],
        },
        Privileged {
            path: AddFilter::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("area", fixture.area.to_string()),
                ("language", String::new()),
                ("phrase", "nasty word".to_owned()),
                ("action", "hold".to_owned()),
            ],
        },
        Privileged {
            path: RemoveFilter::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![en(), ("filter", fixture.filter.to_string())],
        },
        Privileged {
            path: SetForumRules::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("area", fixture.area.to_string()),
                ("report_threshold", "4".to_owned()),
                ("held_first_posts", "1".to_owned()),
            ],
        },
        Privileged {
            path: PostAnnouncement::PATH,
            requirement: Requirement::Announcer,
            form: vec![
                en(),
                ("area", fixture.area.to_string()),
                ("severity", "notice".to_owned()),
                ("title", "Meeting moved".to_owned()),
                ("body", "To Thursday.".to_owned()),
                ("starts", "2026-01-01T10:00".to_owned()),
                ("ends", "2099-01-01T10:00".to_owned()),
            ],
        },
        Privileged {
            path: EndAnnouncement::PATH,
            requirement: Requirement::Announcer,
            form: vec![en(), ("announcement", fixture.announcement.to_string())],
        },
        // Last: the admin's successful call removes the post's text.
        Privileged {
            path: DeletePost::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![en(), ("post", fixture.post.to_string())],
        },
        Privileged {
            path: NewFocusGroupChoices::PATH,
            requirement: Requirement::AnyStaff,
            form: vec![en()],
        },
        Privileged {
            path: CreateFocusGroup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("scope", format!("theme:{}", fixture.theme)),
                ("mode", "first_come".to_owned()),
                ("topic", "Feeling safe at night".to_owned()),
                (
                    "consent",
                    "We keep your name until 30 days after.".to_owned(),
                ),
                ("languages[0]", "en".to_owned()),
                ("starts", "2099-01-01T18:00".to_owned()),
                ("ends", "2099-01-01T20:00".to_owned()),
                ("place", "The library".to_owned()),
                ("capacity", "10".to_owned()),
            ],
        },
        Privileged {
            path: FocusGroupAttendance::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.focus_group.to_string())],
        },
        // A session of the fixture's area: its moderator organises it, a
        // moderator of another area and the policymakers do not.
        Privileged {
            path: FocusGroupAttendance::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![en(), ("id", fixture.focus_group_of_area.to_string())],
        },
        Privileged {
            path: FocusGroupTexts::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.focus_group.to_string()),
                ("target", "fr".to_owned()),
            ],
        },
        Privileged {
            path: SaveFocusGroupTexts::PATH,
            requirement: Requirement::ModeratorOfArea,
            form: vec![
                en(),
                ("id", fixture.focus_group_of_area.to_string()),
                ("target", "fr".to_owned()),
                ("texts[topic]", "Se sentir en sécurité".to_owned()),
            ],
        },
        Privileged {
            path: ExportFocusGroup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![("id", fixture.focus_group.to_string())],
        },
        // In this order for the admin: a place given by hand, its person
        // checked in, then the selection of the others.
        Privileged {
            path: PromoteFocusGroupSignup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.focus_group.to_string()),
                ("signup", fixture.focus_group_signup.to_string()),
            ],
        },
        Privileged {
            path: CheckInFocusGroup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.focus_group.to_string()),
                ("signup", fixture.focus_group_signup.to_string()),
            ],
        },
        Privileged {
            path: SelectFocusGroup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.focus_group.to_string())],
        },
        Privileged {
            path: PublishFocusGroup::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![en(), ("id", fixture.focus_group_past.to_string())],
        },
        Privileged {
            path: UploadFocusGroupNotes::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.focus_group_past.to_string()),
                (
                    "file",
                    "People asked for a bench by the bus stop.".to_owned(),
                ),
            ],
        },
        Privileged {
            path: AddFocusGroupNotes::PATH,
            requirement: Requirement::PolicymakerOfTheme,
            form: vec![
                en(),
                ("id", fixture.focus_group_past.to_string()),
                ("notes", "People asked for better lighting.".to_owned()),
            ],
        },
    ]
}

#[test]
fn every_server_function_is_classified() {
    let fixture = Fixture::default();
    // A function may be called more than once in the matrix (once for
    // each kind of scope it reaches), so its paths are counted once.
    let privileged: std::collections::BTreeSet<&str> =
        privileged(&fixture).iter().map(|p| p.path).collect();
    let registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    assert!(registered.len() >= PUBLIC.len() + privileged.len());
    for path in registered {
        assert!(
            PUBLIC.contains(&path) || privileged.contains(&path),
            "server function {path} is in neither PUBLIC nor privileged(): \
             classify it (and guard it with require_role if it is privileged)"
        );
    }
}

/// A role reaches its own areas and themes: a privileged function that
/// names something scoped is classified with a scoped requirement, and the
/// matrix then calls it as someone of another scope.
#[test]
fn every_scoped_function_faces_callers_of_another_scope() {
    for function in privileged(&Fixture::default()) {
        let names_scope = function
            .form
            .iter()
            .any(|(field, _)| SCOPED_FIELDS.contains(field));
        if names_scope && function.requirement != Requirement::Admin {
            let other = function.requirement.other_scope().unwrap_or_else(|| {
                panic!(
                    "{} names a scoped thing but is open to {:?}: give it a scoped requirement",
                    function.path, function.requirement
                )
            });
            assert!(CALLERS.contains(&other), "no caller {other} in the matrix");
            assert!(
                below(function.requirement, other),
                "{} is not refused to the {other}",
                function.path
            );
        }
    }
}

/// The accounts and ids the matrix uses.
#[derive(Default)]
struct Fixture {
    area: i64,
    other_area: i64,
    grant: i64,
    /// A post, its thread, and another category, in `area`.
    post: i64,
    thread: i64,
    category: i64,
    /// A word filter and an announcement of `area`.
    filter: i64,
    announcement: i64,
    resident: i64,
    /// A theme, a parked job and a keyword rule.
    theme: i64,
    job: i64,
    rule: i64,
    /// An input item.
    item: i64,
    /// A draft of `theme` (version 1 published, version 2 a working copy,
    /// still in drafting) whose queue holds `item`.
    draft: i64,
    /// A survey of `theme` (published, for holders of invitation codes),
    /// a page of it, a question, and a batch of codes.
    survey: i64,
    survey_section: i64,
    survey_question: i64,
    survey_batch: i64,
    /// A published apply-then-select session of `theme` whose
    /// applications have closed, with one applicant (`focus_group_signup`);
    /// a session of `theme` being prepared that has already ended.
    focus_group: i64,
    focus_group_signup: i64,
    focus_group_past: i64,
    /// A published session of `area` (no theme).
    focus_group_of_area: i64,
}

/// A caller of the matrix: a session, and a name for failure messages.
struct Caller {
    name: &'static str,
    session: Option<String>,
}

async fn fixture(app: &TestApp) -> (Fixture, Vec<Caller>, String) {
    app.seed().await;
    let area = app.area_id("riverside").await;
    let other_area = app.area_id("old-town").await;
    let theme = app.theme_id("public-safety").await;
    let resident = app.sign_up("Resident R", "").await;
    let moderator_here = app.sign_up("Moderator Here", "").await;
    let moderator_elsewhere = app.sign_up("Moderator Elsewhere", "").await;
    let policymaker = app.sign_up("Policymaker P", "").await;
    let policymaker_elsewhere = app.sign_up("Policymaker Elsewhere", "").await;
    let admin = app.sign_up("Admin A", "").await;
    app.grant("Moderator Here", Role::Moderator, (Some(area), None))
        .await;
    app.grant(
        "Moderator Elsewhere",
        Role::Moderator,
        (Some(other_area), None),
    )
    .await;
    app.grant("Policymaker P", Role::Policymaker, (None, Some(theme)))
        .await;
    // A theme of its own, with no draft: nothing of the fixture is theirs.
    let other_theme: i64 = sqlx::query_scalar(
        "INSERT INTO themes (slug, source_locale) VALUES ('elsewhere', 'en') RETURNING id",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    app.grant(
        "Policymaker Elsewhere",
        Role::Policymaker,
        (None, Some(other_theme)),
    )
    .await;
    app.grant("Admin A", Role::Admin, (None, None)).await;
    let (_, moderator_here) = app.enrol_two_factor(&moderator_here).await;
    let (_, moderator_elsewhere) = app.enrol_two_factor(&moderator_elsewhere).await;
    let (_, policymaker) = app.enrol_two_factor(&policymaker).await;
    let (_, policymaker_elsewhere) = app.enrol_two_factor(&policymaker_elsewhere).await;
    let (_, admin) = app.enrol_two_factor(&admin).await;
    let grant: i64 = sqlx::query_scalar("SELECT MIN(id) FROM roles")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let sessions = [
        None,
        Some(resident),
        Some(moderator_here),
        Some(moderator_elsewhere),
        Some(policymaker),
        Some(policymaker_elsewhere),
    ];
    let callers = CALLERS
        .into_iter()
        .zip(sessions)
        .map(|(name, session)| Caller { name, session })
        .collect();
    let (post, thread): (i64, i64) = sqlx::query_as(
        "SELECT id, thread_id FROM posts WHERE area_id = $1 AND status = 'visible' ORDER BY id LIMIT 1",
    )
    .bind(area)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let category: i64 = sqlx::query_scalar(
        "SELECT c.id FROM forum_categories c WHERE c.area_id = $1 AND c.id <> (SELECT category_id FROM threads WHERE id = $2) ORDER BY c.id LIMIT 1",
    )
    .bind(area)
    .bind(thread)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let filter: i64 = sqlx::query_scalar(
        "INSERT INTO word_filters (area_id, phrase, pattern, action, created_at) VALUES ($1, 'bad', 'bad', 'hold', 0) RETURNING id",
    )
    .bind(area)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let announcement: i64 = sqlx::query_scalar(
        "INSERT INTO announcements (area_id, severity, locale, title, body_source, body_html, starts_at, ends_at, created_at)
         VALUES ($1, 'info', 'en', 'A notice', 'Text', '<p>Text</p>', 0, 4102444800000, 0) RETURNING id",
    )
    .bind(area)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let job: i64 = sqlx::query_scalar(
        "UPDATE jobs SET parked_at = 1, last_error = 'test' WHERE id = (SELECT MIN(id) FROM jobs) RETURNING id",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let rule: i64 = sqlx::query_scalar("SELECT MIN(id) FROM theme_rules")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let item: i64 = sqlx::query_scalar("SELECT MIN(id) FROM input_items")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let draft = draft_of(app, theme, item).await;
    let (survey, survey_section, survey_question, survey_batch) = survey_of(app, theme).await;
    let (focus_group, focus_group_signup, focus_group_past) = focus_groups_of(app, theme).await;
    let focus_group_of_area = focus_group_of_area(app, area).await;
    let fixture = Fixture {
        focus_group,
        focus_group_signup,
        focus_group_past,
        focus_group_of_area,
        draft,
        survey,
        survey_section,
        survey_question,
        survey_batch,
        item,
        theme,
        job,
        rule,
        area,
        other_area,
        grant,
        post,
        thread,
        category,
        filter,
        announcement,
        resident: app.user_id("Resident R").await,
    };
    (fixture, callers, admin)
}

/// A draft of `theme` with a published version 1 and a working copy 2,
/// still in drafting, and `item` in its queue.
async fn draft_of(app: &TestApp, theme: i64, item: i64) -> i64 {
    use app::drafts::write::{Coverage, Text, create_in, publish_in, save_in};

    let mut conn = app.db.pool().acquire().await.unwrap();
    let text = Text {
        title: "The plan",
        summary: "What it says.",
        body: "## One\nThe first section.",
    };
    let coverage = Coverage {
        themes: &[theme],
        areas: &[],
        allow_anonymous: true,
    };
    let writer = app::drafts::db::Writer {
        id: app.user_id("Policymaker P").await,
        client_hash: "",
        themes: Some(vec![theme]),
    };
    let draft = create_in(
        &mut conn,
        &writer,
        app::i18n::Locale::en,
        &text,
        &coverage,
        0,
    )
    .await
    .unwrap();
    publish_in(&mut conn, &writer, draft, 1).await.unwrap();
    save_in(&mut conn, &writer, draft, &text, &coverage, 2)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO input_themes (item_id, theme_id, score, source) VALUES ($1, $2, 0.9, 'rule')
         ON CONFLICT (item_id, theme_id) DO NOTHING",
    )
    .bind(item)
    .bind(theme)
    .execute(&mut *conn)
    .await
    .unwrap();
    draft
}

/// Two sessions of `theme`: one published for applications, closed an
/// hour ago, with one applicant; one being prepared that ended yesterday.
async fn focus_groups_of(app: &TestApp, theme: i64) -> (i64, i64, i64) {
    use app::focus_groups::db::{NewSession, NewSignup, create_in, publish_in, sign_up_in};

    const HOUR: i64 = 3_600_000;
    let now = app::security::now_millis();
    let session = |mode, starts_at: i64| NewSession {
        mode,
        area: None,
        theme: Some(theme),
        source_locale: "en",
        languages: &["en"],
        starts_at,
        ends_at: starts_at + 2 * HOUR,
        place: Some("The library"),
        online_link: None,
        capacity: 3,
        applications_close_at: Some(now - HOUR),
        targets: &[],
        topic: "Feeling safe",
        description: "",
        consent: "We keep your name until 30 days after.",
        accessibility: "",
        questions: &[],
        created_by: None,
    };
    app.db
        .write(async |tx| {
            let open = create_in(
                tx,
                &session(app::focus_groups::Mode::Select, now + 240 * HOUR),
                now - 48 * HOUR,
            )
            .await?;
            publish_in(tx, open).await?;
            let (signup, _) = sign_up_in(
                tx,
                open,
                &NewSignup {
                    name: "Ann",
                    contact: "ann@example.org",
                    languages: &["en"],
                    categories: &[],
                    needs: None,
                    answers: None,
                    locale: "en",
                    token_hash: "roles-applicant",
                    link_sealed: None,
                    user_id: None,
                    participant_id: None,
                },
                now - 2 * HOUR,
            )
            .await?;
            let past = create_in(
                tx,
                &session(app::focus_groups::Mode::FirstCome, now - 48 * HOUR),
                now - 96 * HOUR,
            )
            .await?;
            Ok((open, signup, past))
        })
        .await
        .unwrap()
}

/// A published first-come session of `area` alone, a week ahead.
async fn focus_group_of_area(app: &TestApp, area: i64) -> i64 {
    use app::focus_groups::db::{NewSession, create_in, publish_in};

    let now = app::security::now_millis();
    let session = NewSession {
        mode: app::focus_groups::Mode::FirstCome,
        area: Some(area),
        theme: None,
        source_locale: "en",
        languages: &["en"],
        starts_at: now + 7 * 86_400_000,
        ends_at: now + 7 * 86_400_000 + 7_200_000,
        place: Some("Riverside library"),
        online_link: None,
        capacity: 5,
        applications_close_at: None,
        targets: &[],
        topic: "Riverside at night",
        description: "",
        consent: "We keep your name until 30 days after.",
        accessibility: "",
        questions: &[],
        created_by: None,
    };
    app.db
        .write(async |tx| {
            let id = create_in(tx, &session, now).await?;
            publish_in(tx, id).await?;
            Ok(id)
        })
        .await
        .unwrap()
}

/// A survey of `theme` for holders of codes, with a batch of codes.
async fn survey_of(app: &TestApp, theme: i64) -> (i64, i64, i64, i64) {
    use app::surveys::build::{NewQuestion, NewSection, NewSurvey, create_codes_in, create_in};
    use app::surveys::questions::{Kind, Spec};

    let survey = NewSurvey {
        source_locale: "en".into(),
        theme: Some(theme),
        area: None,
        audience: app::surveys::Audience::Codes,
        anonymous: false,
        results_public: false,
        status: "drafting".into(),
        opens_at: None,
        closes_at: None,
        texts: [(
            "en".to_owned(),
            [("title".to_owned(), "A survey".to_owned())].into(),
        )]
        .into(),
        sections: vec![NewSection {
            titles: Default::default(),
            questions: vec![NewQuestion {
                spec: Spec {
                    required: false,
                    show_if: None,
                    kind: Kind::Single {
                        options: vec!["yes".into(), "no".into()],
                    },
                },
                texts: Default::default(),
            }],
        }],
    };
    let key = app::security::AddressKey::load_or_create(&app.db)
        .await
        .unwrap();
    app.db
        .write(async |tx| {
            let id = create_in(tx, &survey, None, 0).await?;
            let batch = create_codes_in(tx, &key, id, 3, 0).await?;
            let definition = app::surveys::db::definition(tx, id).await?;
            Ok((id, definition.sections[0], definition.questions[0].0, batch))
        })
        .await
        .unwrap()
}

/// Whether the caller named `caller` is below `requirement`.
fn below(requirement: Requirement, caller: &str) -> bool {
    match requirement {
        // Everyone in the matrix is below an admin.
        Requirement::Admin => true,
        Requirement::AnyModerator => !caller.starts_with("moderator"),
        Requirement::ModeratorOfArea => caller != "moderator of the area",
        Requirement::Announcer => {
            caller != "moderator of the area" && !caller.starts_with("policymaker")
        }
        Requirement::AnyPolicymaker => !caller.starts_with("policymaker"),
        Requirement::PolicymakerOfTheme => caller != "policymaker",
        Requirement::AnyStaff => caller == "anonymous" || caller == "resident",
    }
}

async fn every_privileged_function_refuses_every_role_below_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (fixture, callers, admin) = fixture(&app).await;
    assert_ne!(fixture.area, fixture.other_area);
    let roles_before: i64 = app.count("SELECT COUNT(*) FROM roles").await;

    for function in privileged(&fixture) {
        for caller in callers
            .iter()
            .filter(|c| below(function.requirement, c.name))
        {
            let form: Vec<(&str, &str)> = function
                .form
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            let response = call(&app, function.path, &form, caller.session.as_deref()).await;
            let status = response.status().as_u16();
            let error: Result<AppError, _> = response.json().await;
            let expected = if caller.session.is_none() {
                (401, AppError::SignInRequired)
            } else {
                (403, AppError::Forbidden)
            };
            assert_eq!(
                (status, error.ok()),
                (expected.0, Some(expected.1)),
                "{} called by {}",
                function.path,
                caller.name
            );
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles").await,
        roles_before,
        "a refused call changed the roles"
    );
    // The same calls succeed for the admin: the refusals came from the guard.
    for function in privileged(&fixture) {
        let form: Vec<(&str, &str)> = function
            .form
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let status = call(&app, function.path, &form, Some(&admin))
            .await
            .status();
        assert!(
            status.is_success() || status.is_redirection(),
            "{} refused the admin: {status}",
            function.path
        );
    }
}

/// Calls a server function: GET for those that are links (the CSV
/// export), POST for the rest.
async fn call(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    session: Option<&str>,
) -> reqwest::Response {
    // The exports are read with GET, as a download link does.
    if [
        ExportQueue::PATH,
        ExportSurveyResponses::PATH,
        SurveyResultsData::PATH,
        ExportFocusGroup::PATH,
    ]
    .contains(&path)
    {
        let mut request = app.client.get(app.url(path)).query(form);
        if let Some(token) = session {
            request = request.header("cookie", format!("parley_session={token}"));
        }
        request.send().await.expect("request")
    } else if path == UploadFocusGroupNotes::PATH {
        // A file is sent as a multipart form.
        app.call_multipart(path, form, "notes.txt", session).await
    } else {
        app.call(path, form, session).await
    }
}

async fn privileged_screens_need_the_second_factor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app.sign_up("Admin Without Code", "").await;
    app.grant("Admin Without Code", Role::Admin, (None, None))
        .await;

    let before = app
        .call(RolesOverview::PATH, &[("locale", "en")], Some(&admin))
        .await;
    let (before_status, before_error) = (
        before.status().as_u16(),
        before.json::<AppError>().await.unwrap(),
    );
    let (_, admin) = app.enrol_two_factor(&admin).await;
    let after = app
        .call(RolesOverview::PATH, &[("locale", "en")], Some(&admin))
        .await;

    assert_eq!(
        (before_status, before_error),
        (403, AppError::SecondFactorRequired)
    );
    assert_eq!(after.status().as_u16(), 200);
    let overview: StaffOverview = after.json().await.unwrap();
    assert_eq!(overview.staff.len(), 1);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'two_factor.enrol'")
        .await;
    assert_eq!(audited, 1);
}

/// Signs in with the password; returns the (half-signed-in) session.
async fn password_step(app: &TestApp, name: &str) -> String {
    let response = app
        .call(
            SignIn::PATH,
            &[("locale", "en"), ("login", name), ("password", PASSWORD)],
            None,
        )
        .await;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(location.as_deref(), Some("/en/signin/code"));
    session_of(&response).unwrap()
}

async fn two_step_sign_in_asks_for_a_code_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = app.sign_up("Leila Two", "").await;
    let (secret, _) = app.enrol_two_factor(&first).await;

    let pending = password_step(&app, "Leila Two").await;
    let half_signed_in = app.viewer(&pending).await;
    let wrong = app
        .call(
            SignInCode::PATH,
            &[("locale", "en"), ("code", "000000")],
            Some(&pending),
        )
        .await;
    // The enrolment used the current step: the next one is still valid.
    let code = totp_now(&secret, 1);
    let right = app
        .call(
            SignInCode::PATH,
            &[("locale", "en"), ("code", &code)],
            Some(&pending),
        )
        .await;
    let signed_in = session_of(&right).unwrap();
    let again = password_step(&app, "Leila Two").await;
    let replay = app
        .call(
            SignInCode::PATH,
            &[("locale", "en"), ("code", &code)],
            Some(&again),
        )
        .await;

    assert_eq!(half_signed_in, None, "a password alone must not sign in");
    assert_eq!(wrong.status().as_u16(), 401);
    assert_eq!(wrong.json::<AppError>().await.unwrap(), AppError::WrongCode);
    assert_eq!(right.status().as_u16(), 200);
    assert_ne!(signed_in, pending, "the session must rotate after the code");
    assert_eq!(app.viewer(&pending).await, None);
    assert_eq!(
        app.viewer(&signed_in).await.unwrap().display_name,
        "Leila Two"
    );
    assert_eq!(replay.status().as_u16(), 401, "a code must work once");
}

async fn recovery_codes_work_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let session = app.sign_up("Omar Recovery", "").await;
    let offer: app::auth::Enrolment = app
        .call(TwoFactorEnrolment::PATH, &[], Some(&session))
        .await
        .json()
        .await
        .unwrap();
    let app::auth::Enrolment::Offer {
        secret,
        recovery_codes,
        ..
    } = offer
    else {
        panic!("expected an offer");
    };
    let secret: String = secret.split_whitespace().collect();
    let confirm = app
        .call(
            ConfirmTwoFactor::PATH,
            &[("locale", "en"), ("code", &totp_now(&secret, 0))],
            Some(&session),
        )
        .await;
    assert_eq!(confirm.status().as_u16(), 200);
    assert_eq!(recovery_codes.len(), 10);
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(
        recovery_codes.iter().all(|code| !stored.contains(code)),
        "codes stored in clear"
    );

    let pending = password_step(&app, "Omar Recovery").await;
    let used = app
        .call(
            SignInCode::PATH,
            &[
                ("locale", "en"),
                ("code", &recovery_codes[3].to_uppercase()),
            ],
            Some(&pending),
        )
        .await;
    let pending_again = password_step(&app, "Omar Recovery").await;
    let reused = app
        .call(
            SignInCode::PATH,
            &[("locale", "en"), ("code", &recovery_codes[3])],
            Some(&pending_again),
        )
        .await;

    assert_eq!(used.status().as_u16(), 200);
    assert_eq!(reused.status().as_u16(), 401);
}

async fn admins_grant_and_revoke_roles_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.seed().await;
    let area = app.area_id("riverside").await;
    let admin = app.sign_up("Admin G", "").await;
    app.grant("Admin G", Role::Admin, (None, None)).await;
    let (_, admin) = app.enrol_two_factor(&admin).await;
    app.sign_up("Future Moderator", "").await;
    let area_text = area.to_string();

    let no_scope = app
        .call(
            GrantRole::PATH,
            &[
                ("locale", "en"),
                ("account", "Future Moderator"),
                ("role", "moderator"),
                ("area", ""),
                ("theme", ""),
            ],
            Some(&admin),
        )
        .await;
    let unknown = app
        .call(
            GrantRole::PATH,
            &[
                ("locale", "en"),
                ("account", "Nobody"),
                ("role", "moderator"),
                ("area", &area_text),
                ("theme", ""),
            ],
            Some(&admin),
        )
        .await;
    let granted = app
        .call(
            GrantRole::PATH,
            &[
                ("locale", "en"),
                ("account", "future moderator"),
                ("role", "moderator"),
                ("area", &area_text),
                ("theme", ""),
            ],
            Some(&admin),
        )
        .await;
    let overview: StaffOverview = app
        .call(RolesOverview::PATH, &[("locale", "en")], Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let member = overview
        .staff
        .iter()
        .find(|m| m.display_name == "Future Moderator")
        .expect("the new moderator is listed");
    let grant = member.grants[0].clone();
    let revoked = app
        .call(
            RevokeRole::PATH,
            &[("locale", "en"), ("grant", &grant.id.to_string())],
            Some(&admin),
        )
        .await;
    let own_admin: i64 = sqlx::query_scalar("SELECT r.id FROM roles r JOIN users u ON u.id = r.user_id WHERE u.display_name = 'Admin G'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let self_revoke = app
        .call(
            RevokeRole::PATH,
            &[("locale", "en"), ("grant", &own_admin.to_string())],
            Some(&admin),
        )
        .await;

    assert_eq!(no_scope.status().as_u16(), 422);
    assert_eq!(unknown.status().as_u16(), 422);
    assert!(granted.status().is_success());
    assert_eq!(grant.role, Role::Moderator);
    assert_eq!(grant.scope.as_deref(), Some("Riverside"));
    assert!(revoked.status().is_success());
    assert_eq!(self_revoke.status().as_u16(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles").await,
        1 + 6,
        "admin G plus the demo staff (each policymaker holds two themes)"
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'role.%' AND actor IS NOT NULL ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["role.grant", "role.revoke"]);
}

async fn the_audit_log_filters_by_actor_action_and_date(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app.sign_up("Admin Audit", "").await;
    app.grant("Admin Audit", Role::Admin, (None, None)).await;
    let (_, admin) = app.enrol_two_factor(&admin).await;
    let resident = app.sign_up("Resident Audit", "").await;
    let (exported, _) = app.get_as(ExportMyData::PATH, &resident).await;
    assert_eq!(exported, 200);
    let resident_id = app.user_id("Resident Audit").await;
    let today = app::ui::time::iso_date(app::security::now_millis());

    let page = |filter: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            // The page sends every field, empty when unused.
            let mut form: Vec<(&str, &str)> = [
                "filter[actor]",
                "filter[action]",
                "filter[from]",
                "filter[to]",
            ]
            .into_iter()
            .filter(|key| !filter.iter().any(|(k, _)| k == key))
            .map(|key| (key, ""))
            .collect();
            form.extend(filter.iter().map(|(k, v)| (*k, v.as_str())));
            let response = app.call(AuditLog::PATH, &form, Some(&admin)).await;
            assert_eq!(response.status().as_u16(), 200);
            response.json::<AuditPage>().await.unwrap()
        }
    };
    let all = page(vec![]).await;
    let by_name = page(vec![("filter[actor]", "resident audit".into())]).await;
    let by_id = page(vec![("filter[actor]", resident_id.to_string())]).await;
    let by_action = page(vec![("filter[action]", "two_factor.enrol".into())]).await;
    let today_only = page(vec![
        ("filter[from]", today.clone()),
        ("filter[to]", today.clone()),
    ])
    .await;
    let long_ago = page(vec![("filter[to]", "2001-01-01".into())]).await;
    let bad_date = app
        .call(
            AuditLog::PATH,
            &[("filter[from]", "31/12/2026")],
            Some(&admin),
        )
        .await;

    assert_eq!(all.entries.len(), 2);
    assert!(all.actions.contains(&"personal_data.export".to_owned()));
    assert_eq!(by_name.entries.len(), 1);
    assert_eq!(by_name.entries[0].action, "personal_data.export");
    assert_eq!(
        by_name.entries[0].actor_name.as_deref(),
        Some("Resident Audit")
    );
    assert_eq!(by_id, by_name);
    assert_eq!(by_action.entries.len(), 1);
    assert_eq!(today_only.entries.len(), 2);
    assert!(long_ago.entries.is_empty());
    assert_eq!(bad_date.status().as_u16(), 422);
}

async fn privileged_pages_are_refused_to_residents(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let resident = app.sign_up("Resident Page", "").await;

    for path in [
        "/en/admin",
        "/en/admin/roles",
        "/en/admin/audit",
        "/en/admin/themes",
        "/en/admin/jobs",
        "/en/review/items/1",
        "/ar/admin/audit",
    ] {
        let (status, body) = app.get_as(path, &resident).await;
        let (anonymous, _) = app.get_text(path).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(anonymous, 401, "{path}");
        let locale = &path[1..3];
        let message = support::translation(locale, "errors", "forbidden");
        assert!(
            body.contains(&support::html_escaped(&message)),
            "{path} lacks the refusal"
        );
    }
}

async fn admins_reset_a_lost_second_factor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = app.sign_up("Admin Reset", "").await;
    app.grant("Admin Reset", Role::Admin, (None, None)).await;
    let (_, admin) = app.enrol_two_factor(&admin).await;
    let lost = app.sign_up("Lost Phone", "").await;
    let (_, lost) = app.enrol_two_factor(&lost).await;

    let unknown = app
        .call(
            ResetTwoFactor::PATH,
            &[("locale", "en"), ("account", "Nobody Here")],
            Some(&admin),
        )
        .await;
    let reset = app
        .call(
            ResetTwoFactor::PATH,
            &[("locale", "en"), ("account", "lost phone")],
            Some(&admin),
        )
        .await;
    let relogin = app
        .call(
            SignIn::PATH,
            &[
                ("locale", "en"),
                ("login", "Lost Phone"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    let location = relogin
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    assert_eq!(unknown.status().as_u16(), 422);
    assert!(reset.status().is_success() || reset.status().is_redirection());
    assert_eq!(app.viewer(&lost).await, None, "the old sessions end");
    assert_eq!(
        location.as_deref(),
        Some("/en"),
        "a password alone signs in again"
    );
    let left = app.count("SELECT COUNT(*) FROM totp_credentials").await
        + app
            .count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await;
    assert_eq!(
        left,
        1 + 10,
        "only the admin's own credential and codes remain"
    );
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'two_factor.reset'")
        .await;
    assert_eq!(audited, 1);
}
