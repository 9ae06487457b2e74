//! The forums' rules, free of I/O: what a title and a body may be, the
//! states of a post, and whether a new post is published, held for a
//! moderator or refused. The same parsing runs in the browser and on the
//! server.

use crate::validation::{Bounds, Field, Invalid, Problem};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Visible,
    /// Waiting for a moderator's approval.
    Held,
    /// Hidden by residents' reports, pending review.
    Reported,
    /// Hidden by a moderator, with a reason.
    Hidden,
    /// Removed by a moderator; the text is gone.
    Deleted,
}

impl PostStatus {
    pub const ALL: [PostStatus; 5] = [
        PostStatus::Visible,
        PostStatus::Held,
        PostStatus::Reported,
        PostStatus::Hidden,
        PostStatus::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Visible => "visible",
            PostStatus::Held => "held",
            PostStatus::Reported => "reported",
            PostStatus::Hidden => "hidden",
            PostStatus::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReactionKind {
    Agree,
    Helpful,
}

impl ReactionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReactionKind::Agree => "agree",
            ReactionKind::Helpful => "helpful",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agree" => Some(ReactionKind::Agree),
            "helpful" => Some(ReactionKind::Helpful),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Abuse,
    Hate,
    PersonalData,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Spam,
        ReportReason::Abuse,
        ReportReason::Hate,
        ReportReason::PersonalData,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Abuse => "abuse",
            ReportReason::Hate => "hate",
            ReportReason::PersonalData => "personal_data",
            ReportReason::Other => "other",
        }
    }

    /// The reason `text` names; none chosen is [`Problem::Empty`] (the
    /// form pre-selects nothing: the reporter chooses).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            return Err(Invalid::new(Field::Reason, Problem::Empty));
        }
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or(Invalid::new(Field::Reason, Problem::Malformed))
    }
}

/// What a word filter does to a post that contains its phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterAction {
    /// The post waits for a moderator.
    Hold,
    /// The post is refused, with a message that says so.
    Refuse,
}

impl FilterAction {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterAction::Hold => "hold",
            FilterAction::Refuse => "refuse",
        }
    }

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        match text {
            "hold" => Ok(FilterAction::Hold),
            "refuse" => Ok(FilterAction::Refuse),
            _ => Err(Invalid::new(Field::Phrase, Problem::Malformed)),
        }
    }
}

/// A thread's title: 5 to 200 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub const BOUNDS: Bounds = Bounds::line(Field::Title, 5, 200);

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::BOUNDS.check(text).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's Markdown source: 2 to 20,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody(String);

impl PostBody {
    pub const BOUNDS: Bounds = Bounds::text(Field::Body, 2, 20_000);
    pub const MAX: u32 = Self::BOUNDS.max;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::BOUNDS.check(text).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reason given to a resident (a hidden post, a suspension) or a note
/// with a report.
pub const REASON: Bounds = Bounds::text(Field::Reason, 1, 500);

/// A reason or a note; `required` when it may not be empty.
pub fn reason_text(text: &str, required: bool) -> Result<String, Invalid> {
    if !required && text.trim().is_empty() {
        return Ok(String::new());
    }
    REASON.check(text)
}

/// A word filter's phrase.
pub const FILTER_PHRASE: Bounds = Bounds::line(Field::Phrase, 2, 100);

/// A filter phrase, checked.
pub fn filter_phrase(text: &str) -> Result<String, Invalid> {
    FILTER_PHRASE.check(text)
}

/// How an area's forums are moderated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumRules {
    /// Distinct residents whose reports hide a post pending review.
    pub report_threshold: i64,
    /// How many first posts of an account in the area wait for approval.
    pub held_first_posts: i64,
}

impl ForumRules {
    pub const DEFAULT: ForumRules = ForumRules {
        report_threshold: 3,
        held_first_posts: 3,
    };

    pub fn parse(report_threshold: &str, held_first_posts: &str) -> Result<Self, Invalid> {
        let number = |text: &str, min: i64| -> Result<i64, Invalid> {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=100).contains(n))
                .ok_or(Invalid::new(Field::Number, Problem::Malformed))
        };
        Ok(ForumRules {
            report_threshold: number(report_threshold, 1)?,
            held_first_posts: number(held_first_posts, 0)?,
        })
    }
}

/// The limits on posting that the server configures (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingLimits {
    /// Minutes after writing during which the author may edit a post.
    pub edit_window_minutes: i64,
    /// Posts any account may write per minute (against floods).
    pub posts_per_minute: i64,
    /// Posts a new account may write per day.
    pub new_account_posts_per_day: i64,
    /// Links a new account may put in one post.
    pub new_account_links: i64,
    /// Days an account counts as new.
    pub new_account_days: i64,
}

impl PostingLimits {
    pub const DEFAULT: PostingLimits = PostingLimits {
        edit_window_minutes: 15,
        posts_per_minute: 5,
        new_account_posts_per_day: 10,
        new_account_links: 2,
        new_account_days: 7,
    };

    /// Whether an account this old counts as new (moderators never do).
    pub fn is_new_account(&self, account_age_millis: i64, moderator: bool) -> bool {
        !moderator && account_age_millis < self.new_account_days * 86_400_000
    }

    /// The rate limits a post of `author` counts against: posts per minute
    /// for everyone (moderators too: floods are floods), and posts per day
    /// for a new account. Applied by the contribution contract, in the
    /// transaction that writes the post.
    #[cfg(feature = "ssr")]
    pub fn rules(&self, author: i64, new_account: bool) -> Vec<crate::security::rate_limit::Rule> {
        use crate::security::rate_limit::{Limit, Rule};

        let count = |max: i64| u32::try_from(max.max(0)).unwrap_or(u32::MAX);
        let mut rules = vec![Rule::new(
            format!("post:minute:{author}"),
            Limit::per(count(self.posts_per_minute), 60),
        )];
        if new_account {
            rules.push(Rule::new(
                format!("post:day:{author}"),
                Limit::per(count(self.new_account_posts_per_day), 86_400),
            ));
        }
        rules
    }

    /// The limits of the current server (a Leptos context), or the defaults.
    pub fn current() -> Self {
        leptos::prelude::use_context::<PostingLimits>().unwrap_or(Self::DEFAULT)
    }
}

/// What the server knows about an author when they post in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorFacts {
    pub account_age_millis: i64,
    /// Published posts of the author in this area.
    pub approved_in_area: i64,
    /// The end of a suspension in this area, if one runs.
    pub suspended_until: Option<i64>,
    /// Moderators of the area (and admins) skip the new-account rules.
    pub moderator: bool,
}

impl PostStatus {
    /// Whether a post in this status shows its text to a reader: everyone
    /// reads a visible post; its author and the area's moderators a held
    /// one; only moderators a reported or hidden one; nobody a deleted one.
    pub fn readable_by(self, author: bool, moderator: bool) -> bool {
        match self {
            PostStatus::Visible => true,
            PostStatus::Held => author || moderator,
            PostStatus::Reported | PostStatus::Hidden => moderator,
            PostStatus::Deleted => false,
        }
    }
}

/// Why a post is refused before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Suspended { until: i64 },
    TooManyLinks { max: i64 },
    Filtered,
}

impl From<Refusal> for crate::error::AppError {
    fn from(refusal: Refusal) -> Self {
        use crate::error::AppError;
        match refusal {
            Refusal::Suspended { until } => AppError::Suspended { until },
            Refusal::TooManyLinks { max } => {
                Invalid::new(Field::Body, Problem::TooManyLinks { max }).into()
            }
            Refusal::Filtered => Invalid::new(Field::Body, Problem::Filtered).into(),
        }
    }
}

/// Whether a post is published at once or held for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Publish,
    HoldNewAccount,
    HoldFiltered,
}

/// Decides the fate of a new post from the author's facts, the area's
/// rules, the links it holds and what the word filters said. (How many
/// posts an author may write in a minute or a day is a rate limit:
/// [`PostingLimits::rules`].)
pub fn place_post(
    facts: &AuthorFacts,
    rules: &ForumRules,
    limits: &PostingLimits,
    links: i64,
    filtered: Option<FilterAction>,
) -> Result<Placement, Refusal> {
    if let Some(until) = facts.suspended_until {
        return Err(Refusal::Suspended { until });
    }
    let new_account = limits.is_new_account(facts.account_age_millis, facts.moderator);
    if judge_text(new_account, limits, links, filtered)? {
        return Ok(Placement::HoldFiltered);
    }
    if !facts.moderator && facts.approved_in_area < rules.held_first_posts {
        return Ok(Placement::HoldNewAccount);
    }
    Ok(Placement::Publish)
}

/// Whether an edited text may replace the old one, and then whether it
/// must wait for a moderator (`true`): the same link limit and filters as
/// a new post.
pub fn place_edit(
    account_age_millis: i64,
    moderator: bool,
    limits: &PostingLimits,
    links: i64,
    filtered: Option<FilterAction>,
) -> Result<bool, Refusal> {
    judge_text(
        limits.is_new_account(account_age_millis, moderator),
        limits,
        links,
        filtered,
    )
}

/// The checks on a text itself: a new account's link limit, then the word
/// filters. `Ok(true)`: a filter holds it for review.
fn judge_text(
    new_account: bool,
    limits: &PostingLimits,
    links: i64,
    filtered: Option<FilterAction>,
) -> Result<bool, Refusal> {
    if new_account && links > limits.new_account_links {
        return Err(Refusal::TooManyLinks {
            max: limits.new_account_links,
        });
    }
    match filtered {
        Some(FilterAction::Refuse) => Err(Refusal::Filtered),
        Some(FilterAction::Hold) => Ok(true),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_meet_the_link_limit_and_the_filters_again() {
        let limits = PostingLimits::DEFAULT;
        assert_eq!(place_edit(3_600_000, false, &limits, 2, None), Ok(false));
        assert_eq!(
            place_edit(3_600_000, false, &limits, 3, None),
            Err(Refusal::TooManyLinks { max: 2 })
        );
        assert_eq!(place_edit(3_600_000, true, &limits, 3, None), Ok(false));
        assert_eq!(
            place_edit(30 * 86_400_000, false, &limits, 9, Some(FilterAction::Hold)),
            Ok(true)
        );
        assert_eq!(
            place_edit(
                30 * 86_400_000,
                false,
                &limits,
                0,
                Some(FilterAction::Refuse)
            ),
            Err(Refusal::Filtered)
        );
    }

    fn settled() -> AuthorFacts {
        AuthorFacts {
            account_age_millis: 30 * 86_400_000,
            approved_in_area: 10,
            suspended_until: None,
            moderator: false,
        }
    }

    fn place(
        facts: AuthorFacts,
        links: i64,
        filtered: Option<FilterAction>,
    ) -> Result<Placement, Refusal> {
        place_post(
            &facts,
            &ForumRules::DEFAULT,
            &PostingLimits::DEFAULT,
            links,
            filtered,
        )
    }

    #[test]
    fn a_settled_resident_publishes() {
        assert_eq!(place(settled(), 5, None), Ok(Placement::Publish));
    }

    #[test]
    fn the_first_posts_in_an_area_are_held() {
        for approved in 0..3 {
            let facts = AuthorFacts {
                approved_in_area: approved,
                ..settled()
            };
            assert_eq!(place(facts, 0, None), Ok(Placement::HoldNewAccount));
        }
        let moderator = AuthorFacts {
            approved_in_area: 0,
            moderator: true,
            ..settled()
        };
        assert_eq!(place(moderator, 0, None), Ok(Placement::Publish));
    }

    #[test]
    fn new_accounts_have_link_and_daily_limits() {
        let new = AuthorFacts {
            account_age_millis: 3_600_000,
            ..settled()
        };
        assert_eq!(place(new, 2, None), Ok(Placement::Publish));
        assert_eq!(place(new, 3, None), Err(Refusal::TooManyLinks { max: 2 }));
        // An older account is not limited in links.
        assert_eq!(place(settled(), 9, None), Ok(Placement::Publish));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn posts_are_limited_per_minute_and_new_accounts_per_day() {
        // Per minute for everyone, per day for new accounts only.
        let limits = PostingLimits::DEFAULT;
        let buckets = |new: bool| -> Vec<(String, u32)> {
            limits
                .rules(7, new)
                .into_iter()
                .map(|rule| (rule.bucket, rule.limit.max))
                .collect()
        };
        assert_eq!(buckets(false), [("post:minute:7".to_owned(), 5)]);
        assert_eq!(
            buckets(true),
            [
                ("post:minute:7".to_owned(), 5),
                ("post:day:7".to_owned(), 10)
            ]
        );
    }

    #[test]
    fn suspensions_refuse() {
        let suspended = AuthorFacts {
            suspended_until: Some(99),
            ..settled()
        };
        assert_eq!(
            place(suspended, 0, None),
            Err(Refusal::Suspended { until: 99 })
        );
    }

    #[test]
    fn filters_hold_or_refuse() {
        assert_eq!(
            place(settled(), 0, Some(FilterAction::Hold)),
            Ok(Placement::HoldFiltered)
        );
        assert_eq!(
            place(settled(), 0, Some(FilterAction::Refuse)),
            Err(Refusal::Filtered)
        );
    }

    #[test]
    fn titles_and_bodies_are_bounded() {
        assert!(Title::parse("Streetlights on Mill Lane").is_ok());
        assert_eq!(
            Title::parse("  ").map(|_| ()),
            Err(Invalid::new(Field::Title, Problem::Empty))
        );
        assert_eq!(
            Title::parse("Hi").map(|_| ()),
            Err(Invalid::new(Field::Title, Problem::TooShort { min: 5 }))
        );
        assert_eq!(
            Title::parse("Two\nlines here").map(|_| ()),
            Err(Invalid::new(Field::Title, Problem::ForbiddenCharacters))
        );
        assert!(
            PostBody::parse("Line one\r\nline two")
                .is_ok_and(|b| b.as_str() == "Line one\nline two")
        );
        let long = "a".repeat(20_001);
        assert_eq!(
            PostBody::parse(&long).map(|_| ()),
            Err(Invalid::new(Field::Body, Problem::TooLong { max: 20_000 }))
        );
    }

    #[test]
    fn names_round_trip() {
        for status in PostStatus::ALL {
            assert_eq!(PostStatus::parse(status.as_str()), Some(status));
        }
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Ok(reason));
        }
        assert!(ReportReason::parse("boring").is_err());
        assert_eq!(
            ForumRules::parse("3", "0"),
            Ok(ForumRules {
                report_threshold: 3,
                held_first_posts: 0
            })
        );
        assert!(ForumRules::parse("0", "3").is_err());
    }
}
