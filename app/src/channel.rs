//! Where a resident's text came from: the channels of input. One type for
//! the browser and the server, with its storage name (the `input_items`
//! column), its parse (from an address or a form) and its label in the
//! reader's language. A new channel is one more variant here, in
//! `input_items`' CHECK, and in the `review.channel_*` translations.

use crate::i18n::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    ForumPost,
    Feedback,
    DraftComment,
    SurveyAnswer,
    FocusGroupNotes,
    Import,
}

impl Channel {
    /// Every channel, in the order filters and charts list them.
    pub const ALL: [Channel; 6] = [
        Channel::ForumPost,
        Channel::Feedback,
        Channel::DraftComment,
        Channel::SurveyAnswer,
        Channel::FocusGroupNotes,
        Channel::Import,
    ];

    /// The name stored in `input_items.channel` and used in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::ForumPost => "forum_post",
            Channel::Feedback => "feedback",
            Channel::DraftComment => "draft_comment",
            Channel::SurveyAnswer => "survey_answer",
            Channel::FocusGroupNotes => "focus_group_notes",
            Channel::Import => "import",
        }
    }

    /// The channel of a stored or typed name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == text.trim())
    }

    /// What a person reads for this channel, in `locale`.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Channel::ForumPost => td_string!(locale, review.channel_forum_post),
            Channel::Feedback => td_string!(locale, review.channel_feedback),
            Channel::DraftComment => td_string!(locale, review.channel_draft_comment),
            Channel::SurveyAnswer => td_string!(locale, review.channel_survey_answer),
            Channel::FocusGroupNotes => td_string!(locale, review.channel_focus_group_notes),
            Channel::Import => td_string!(locale, review.channel_import),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Channel;

    #[test]
    fn every_channel_reads_back_from_its_name() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("forum"), None);
        assert_eq!(Channel::parse(""), None);
    }
}
