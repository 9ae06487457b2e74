//! The demo's surveys: one on feeling safe (every kind of question, a
//! condition, two pages) and one anonymous check-in on getting on
//! together, in six languages, with a few hundred responses in several
//! languages, some on paper. Responses are drawn from a fixed seed, so
//! every demo town has the same results.

use anyhow::Context as _;
use app::surveys::build::{NewSurvey, WholeResponse, check_whole, create_in, record_whole_in};
use app::surveys::db::definition;
use app::surveys::questions::{Kind, field_name};
use serde::Deserialize;
use std::collections::HashMap;

const DEMO_SURVEYS: &str = include_str!("demo_surveys.json");
const DAY: i64 = 24 * 60 * 60 * 1000;

#[derive(Deserialize)]
struct DemoSurvey {
    theme_slug: String,
    #[serde(flatten)]
    survey: NewSurvey,
}

/// Free-text answers a demo respondent may give, by language.
const TEXTS: &[(&str, &str)] = &[
    (
        "en",
        "More light in the underpass and someone around in the evening would change everything.",
    ),
    (
        "en",
        "The last bus leaves too early, so young people walk home through the park at night.",
    ),
    (
        "en",
        "Please keep the youth centre open later; it is the only warm place for teenagers.",
    ),
    (
        "en",
        "A mural and regular cleaning would make the underpass feel cared for.",
    ),
    (
        "fr",
        "Il faudrait plus d'éclairage dans le passage souterrain et des rondes le soir.",
    ),
    (
        "fr",
        "Le dernier bus part trop tôt, les jeunes rentrent à pied par le parc.",
    ),
    (
        "es",
        "Más luz en el paso subterráneo y alguien presente por la noche ayudaría mucho.",
    ),
    (
        "es",
        "El centro juvenil debería abrir hasta más tarde los fines de semana.",
    ),
    (
        "ar",
        "نحتاج إلى إنارة أفضل في النفق وإلى وجود أشخاص في المساء.",
    ),
    (
        "ar",
        "آخر حافلة تغادر مبكرا جدا، فيعود الشباب مشيا عبر الحديقة ليلا.",
    ),
    (
        "ur",
        "انڈر پاس میں زیادہ روشنی اور شام کو کسی کی موجودگی سے بہت فرق پڑے گا۔",
    ),
    (
        "ur",
        "یوتھ سینٹر کو رات دیر تک کھلا رکھیں، نوجوانوں کے لیے یہی جگہ ہے۔",
    ),
    (
        "id",
        "Lampu yang lebih terang di terowongan dan petugas di malam hari akan sangat membantu.",
    ),
    (
        "id",
        "Bus terakhir berangkat terlalu awal, anak muda pulang jalan kaki lewat taman.",
    ),
];

/// A small fixed-seed generator (xorshift): the same demo every time.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    /// An index of `weights`, drawn in proportion to them.
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut left = self.below(weights.iter().sum());
        for (at, weight) in weights.iter().enumerate() {
            if left < *weight {
                return at;
            }
            left -= weight;
        }
        0
    }
}

pub async fn seed_surveys(
    tx: &mut sqlx::AnyConnection,
    areas: &HashMap<String, i64>,
    themes: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let demos: Vec<DemoSurvey> =
        serde_json::from_str(DEMO_SURVEYS).context("demo_surveys.json is malformed")?;
    let now = app::security::now_millis();
    let organiser: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name = 'Demo Policymaker'")
            .fetch_optional(&mut *tx)
            .await?;
    let area_ids: Vec<i64> = ["riverside", "old-town", "northfield"]
        .iter()
        .filter_map(|slug| areas.get(*slug).copied())
        .collect();
    let mut draw = Draw(0x5eed_cafe_f00d_u64);
    for (at, demo) in demos.into_iter().enumerate() {
        let mut survey = demo.survey;
        survey.theme = Some(
            *themes
                .get(&demo.theme_slug)
                .with_context(|| format!("demo survey for unknown theme {}", demo.theme_slug))?,
        );
        survey.opens_at = Some(now - 21 * DAY);
        survey.closes_at = Some(now + 30 * DAY);
        let id = create_in(tx, &survey, organiser, now - 22 * DAY)
            .await
            .map_err(|error| anyhow::anyhow!("demo survey {at}: {error}"))?;
        let definition = definition(tx, id)
            .await
            .map_err(|error| anyhow::anyhow!("demo survey {at}: {error}"))?;
        let count = if at == 0 { 280 } else { 70 };
        let mut responses = Vec::with_capacity(count);
        for _ in 0..count {
            let locale = ["en", "fr", "es", "ar", "ur", "id"][draw.weighted(&[10, 3, 3, 4, 3, 2])];
            let mut fields = HashMap::new();
            for (question, _, spec) in &definition.questions {
                // Some leave an optional question out.
                if !spec.required && draw.below(4) == 0 {
                    continue;
                }
                answer_at_random(&mut draw, *question, &spec.kind, locale, &mut fields);
            }
            let answers = check_whole(&definition, &fields)
                .map_err(|issues| anyhow::anyhow!("a demo response was refused: {issues:?}"))?;
            let paper = draw.below(7) == 0;
            responses.push(WholeResponse {
                answers,
                channel: if paper { "paper" } else { "online" },
                locale: locale.to_owned(),
                area: area_ids.get(draw.below(area_ids.len() + 1)).copied(),
                at: now - i64::try_from(draw.below(20 * 24)).unwrap_or(0) * 60 * 60 * 1000,
            });
        }
        record_whole_in(tx, &definition, &responses)
            .await
            .map_err(|error| anyhow::anyhow!("demo responses: {error}"))?;
    }
    Ok(())
}

/// Form fields answering `kind` (skewed towards the first options, as
/// real answers are).
fn answer_at_random(
    draw: &mut Draw,
    question: i64,
    kind: &Kind,
    locale: &str,
    fields: &mut HashMap<String, String>,
) {
    let skewed = |draw: &mut Draw, n: usize| {
        let weights: Vec<usize> = (0..n).map(|at| n + 2 - at.min(n)).collect();
        draw.weighted(&weights)
    };
    match kind {
        Kind::Single { options } => {
            let code = &options[skewed(draw, options.len())];
            fields.insert(field_name(question, None), code.clone());
        }
        Kind::Multiple { options, min, max } => {
            let wanted = usize::try_from(*min).unwrap_or(1)
                + draw.below(usize::try_from(max - min + 1).unwrap_or(1));
            let mut left: Vec<&String> = options.iter().collect();
            for _ in 0..wanted.min(options.len()) {
                let code = left.remove(draw.below(left.len()));
                fields.insert(field_name(question, Some(code)), code.clone());
            }
        }
        Kind::Likert { statements, points } => {
            for statement in statements {
                let point = 1 + skewed(draw, usize::from(*points));
                fields.insert(field_name(question, Some(statement)), point.to_string());
            }
        }
        Kind::Number { min, max, .. } => {
            let span = usize::try_from((max - min).min(20)).unwrap_or(0) + 1;
            let value = min + i64::try_from(draw.below(span)).unwrap_or(0);
            fields.insert(field_name(question, None), value.to_string());
        }
        Kind::Text { .. } => {
            let mine: Vec<&str> = TEXTS
                .iter()
                .filter(|(lang, _)| *lang == locale)
                .map(|(_, text)| *text)
                .collect();
            if !mine.is_empty() && draw.below(3) == 0 {
                fields.insert(
                    field_name(question, None),
                    mine[draw.below(mine.len())].to_owned(),
                );
            }
        }
        Kind::Ranking { options } => {
            let mut order: Vec<usize> = (1..=options.len()).collect();
            for code in options {
                let position = order.remove(draw.below(order.len()));
                fields.insert(field_name(question, Some(code)), position.to_string());
            }
        }
        Kind::Date { .. } => {
            let day = 20_454 + i64::try_from(draw.below(330)).unwrap_or(0);
            fields.insert(
                field_name(question, None),
                app::ui::time::iso_date(day * DAY),
            );
        }
    }
}
