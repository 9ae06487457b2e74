//! A queue's filters as they travel in its address, parsed into what the
//! queue's SQL needs (pure code: no database, tested on its own).

use super::{QueueQuery, Status};
use crate::channel::Channel;
use crate::validation::{Field, Invalid, Problem, optional_days, optional_id};

/// The filters of a queue, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub theme: Option<i64>,
    pub language: Option<String>,
    pub area: Option<i64>,
    pub channel: Option<Channel>,
    /// None: every status.
    pub statuses: Option<Vec<Status>>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub campaign: Option<i64>,
    pub min_score: Option<f64>,
    pub words: Vec<String>,
    pub by_campaign: bool,
    pub assignee: Option<i64>,
    /// Keyset: (campaign size, id) of the last row shown.
    pub after: Option<(i64, i64)>,
}

impl Filters {
    /// Parses the filters of a queue's address; `reader` is who asks (for
    /// "assigned to me").
    pub fn parse(query: &QueueQuery, reader: i64) -> Result<Self, Invalid> {
        let statuses = match query.status.as_str() {
            "" | "open" => Some(vec![Status::New, Status::InReview]),
            "all" => None,
            status => {
                Some(vec![Status::parse(status).ok_or_else(|| {
                    Invalid::new(Field::Status, Problem::Malformed)
                })?])
            }
        };
        let language = match query.language.trim() {
            "" => None,
            code => Some(crate::themes::language_code(code)?),
        };
        let channel = match query.channel.trim() {
            "" => None,
            channel => Some(
                Channel::parse(channel)
                    .ok_or_else(|| Invalid::new(Field::Channel, Problem::Malformed))?,
            ),
        };
        let min_score = match query.confidence.trim() {
            "" | "0" => None,
            percent => {
                let percent: f64 = percent
                    .parse()
                    .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?;
                if !(0.0..=100.0).contains(&percent) {
                    return Err(Invalid::new(Field::Number, Problem::Malformed));
                }
                Some(percent / 100.0)
            }
        };
        let after = match query.after.trim() {
            "" => None,
            cursor => {
                let (size, id) = cursor.split_once('.').unwrap_or(("0", cursor));
                Some((
                    size.parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                    id.parse()
                        .map_err(|_| Invalid::new(Field::Number, Problem::Malformed))?,
                ))
            }
        };
        let (from, to) = optional_days(&query.from, &query.to)?;
        Ok(Filters {
            theme: optional_id(&query.theme, Field::Scope)?,
            language,
            area: optional_id(&query.area, Field::Scope)?,
            channel,
            statuses,
            from,
            to,
            campaign: optional_id(&query.campaign, Field::Number)?,
            min_score,
            words: query
                .q
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .take(16)
                .collect(),
            by_campaign: query.sort == "campaign",
            assignee: (query.mine == "1").then_some(reader),
            after,
        })
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_with_defaults_and_refuse_nonsense() {
        let filters = Filters::parse(&QueueQuery::default(), 7).expect("defaults parse");
        assert_eq!(filters.statuses, Some(vec![Status::New, Status::InReview]));
        assert!(!filters.by_campaign);
        let query = QueueQuery {
            status: "nonsense".to_owned(),
            ..QueueQuery::default()
        };
        assert!(Filters::parse(&query, 7).is_err());
        let query = QueueQuery {
            confidence: "150".to_owned(),
            ..QueueQuery::default()
        };
        assert!(Filters::parse(&query, 7).is_err());
        let query = QueueQuery {
            after: "12.345".to_owned(),
            mine: "1".to_owned(),
            ..QueueQuery::default()
        };
        let filters = Filters::parse(&query, 7).expect("a cursor parses");
        assert_eq!(filters.after, Some((12, 345)));
        assert_eq!(filters.assignee, Some(7));
    }
}
