//! The drafts' demo: "Safer streets after dark", written by the demo
//! policymaker in two published versions (the second reworded, moved and
//! extended, so the diff has something to show), translated into Arabic,
//! open for consultation with section comments in four languages, a queue
//! partly triaged, and responses published ("you said, we did").

use anyhow::Context as _;
use app::channel::Channel;
use app::drafts::DraftStatus;
use app::drafts::comments::{NewComment, comment_in};
use app::drafts::db::Writer;
use app::drafts::write::{
    Coverage, Text, create_in, publish_in, save_in, set_status_in, translate_in,
};
use app::i18n::Locale;
use app::input::contribute::Contributor;
use app::review::Status;
use app::review::triage::{Reviewer, Triage, triage_in};
use app::security::now_millis;
use std::collections::HashMap;

const DAY: i64 = 24 * 60 * 60 * 1000;

const TITLE: &str = "Safer streets after dark";
const SUMMARY: &str = "What the town proposes for the evenings: light where people walk, somewhere to go for young people, and an easier way to report what worries you.";

const FIRST: &str = "Many of you told us that you avoid some streets after dark. This plan sets out what the town will do in the next two years.

## Street lighting
We will repair every broken street light within ten days of it being reported, and add lights on the canal path between the market and the station.

## Youth centres
The youth centres of Riverside and Northfield will stay open until 9 pm on weekdays, with staff trained in mediation.

## Reporting what worries you
A phone line will take reports in English, Arabic, Urdu and Somali from 8 am to 8 pm.
";

const SECOND: &str = "Many of you told us that you avoid some streets after dark. This plan sets out what the town will do in the next two years, and what changed after the first round of comments.

## Reporting what worries you
A phone line will take reports in English, Arabic, Urdu, Somali and French, from 8 am to 10 pm, and an online form will be open at all hours. You do not have to give your name.

## Lighting on streets and paths
We will repair every broken street light within five days of it being reported, and add lights on the canal path between the market and the station and in the Northfield underpass.

## Night buses
Line 4 will run every 30 minutes until 1 am on Fridays and Saturdays, with a stop at the youth centres.

## Youth centres
The youth centres of Riverside and Northfield will stay open until 10 pm on weekdays, with staff trained in mediation.
";

const ARABIC: &str = "أخبرنا كثير منكم أنكم تتجنبون بعض الشوارع بعد حلول الظلام. تحدد هذه الخطة ما ستفعله المدينة خلال العامين المقبلين، وما تغيّر بعد الجولة الأولى من التعليقات.

## الإبلاغ عما يقلقك
سيستقبل خط هاتفي البلاغات بالإنجليزية والعربية والأردية والصومالية والفرنسية من الثامنة صباحًا حتى العاشرة مساءً، وسيكون نموذج إلكتروني متاحًا في كل الأوقات. لا يلزمك ذكر اسمك.

## الإنارة في الشوارع والممرات
سنصلح كل مصباح شارع معطل خلال خمسة أيام من الإبلاغ عنه، ونضيف إنارة على ممر القناة بين السوق والمحطة وفي نفق نورثفيلد.

## حافلات ليلية
سيعمل الخط 4 كل 30 دقيقة حتى الواحدة صباحًا يومي الجمعة والسبت، مع محطة عند مراكز الشباب.

## مراكز الشباب
ستبقى مراكز الشباب في ضفة النهر ونورثفيلد مفتوحة حتى العاشرة مساءً في أيام الأسبوع، مع موظفين مدرَّبين على الوساطة.
";

/// (section heading in version 1, language, text, days ago).
const COMMENTS: &[(&str, &str, &str, i64)] = &[
    (
        "Street lighting",
        "en",
        "The canal path is the only way home from the night shift at the hospital. Ten days is too long to wait for a light to be fixed.",
        18,
    ),
    (
        "Street lighting",
        "ar",
        "الممر تحت الجسر في نورثفيلد مظلم تمامًا، ونحن النساء لا نمر منه بعد المغرب. أرجو إضافته إلى الخطة.",
        17,
    ),
    (
        "Youth centres",
        "fr",
        "Mon fils a 16 ans : 21 h, c'est trop tôt le vendredi. Les jeunes restent dehors ensuite, sans adulte.",
        16,
    ),
    (
        "Reporting what worries you",
        "ur",
        "ہماری گلی میں بہت سے بزرگ صرف اردو بولتے ہیں، لیکن فون لائن رات آٹھ بجے بند ہو جاتی ہے۔ مسئلے اکثر رات کو ہوتے ہیں۔",
        15,
    ),
    (
        "Reporting what worries you",
        "en",
        "Please let us report without giving a name. People on our estate are afraid of being seen talking to the council.",
        14,
    ),
    (
        "Youth centres",
        "en",
        "There is no bus back from the youth centre after 9. Keeping it open later only helps if young people can get home.",
        12,
    ),
];

pub async fn seed_drafts(
    tx: &mut sqlx::AnyConnection,
    areas: &HashMap<String, i64>,
    themes: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let now = now_millis();
    let writer_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name = 'Demo Policymaker'")
            .fetch_one(&mut *tx)
            .await?;
    let safety = id_of(themes, "public-safety")?;
    let policing = id_of(themes, "policing-and-trust")?;
    let covered = [safety, policing];
    // The demo policymaker holds both themes; the audit log records what
    // they did, from nowhere in particular.
    let writer = Writer {
        id: writer_id,
        client_hash: "",
        themes: Some(covered.to_vec()),
    };
    let local = [id_of(areas, "riverside")?, id_of(areas, "northfield")?];
    let coverage = Coverage {
        themes: &covered,
        areas: &local,
        allow_anonymous: true,
    };
    let first = Text {
        title: TITLE,
        summary: SUMMARY,
        body: FIRST,
    };
    let draft = create_in(tx, &writer, Locale::en, &first, &coverage, now - 21 * DAY).await?;
    publish_in(tx, &writer, draft, now - 20 * DAY).await?;
    set_status_in(
        tx,
        &writer,
        draft,
        DraftStatus::Open,
        (Some(now - 20 * DAY), Some(now + 30 * DAY)),
        now - 20 * DAY,
    )
    .await?;
    let first_version: i64 =
        sqlx::query_scalar("SELECT id FROM draft_versions WHERE draft_id = $1 AND number = 1")
            .bind(draft)
            .fetch_one(&mut *tx)
            .await?;
    let keys: Vec<(String, i64)> =
        sqlx::query_as("SELECT heading, section_key FROM draft_sections WHERE version_id = $1")
            .bind(first_version)
            .fetch_all(&mut *tx)
            .await?;
    let keys: HashMap<String, i64> = keys.into_iter().collect();
    let residents: Vec<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.user_id = u.id)
         ORDER BY u.id LIMIT 6",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut comment_items = Vec::new();
    for (index, (heading, lang, text, days_ago)) in COMMENTS.iter().enumerate() {
        let author = *residents
            .get(index % residents.len().max(1))
            .context("the demo drafts need residents")?;
        let comment = comment_in(
            tx,
            &NewComment {
                draft,
                version: 1,
                section: id_of(&keys, heading)?,
                contributor: Contributor::Account(author),
                text,
                locale: app::locale::parse_locale(lang).unwrap_or(Locale::en),
                now: now - days_ago * DAY,
            },
            &[],
        )
        .await?;
        comment_items.push(item_of(tx, Channel::DraftComment, comment).await?);
    }

    // Version 2 answers the comments; it keeps the sections' keys.
    let second = Text {
        title: TITLE,
        summary: SUMMARY,
        body: SECOND,
    };
    save_in(tx, &writer, draft, &second, &coverage, now - 6 * DAY).await?;
    publish_in(tx, &writer, draft, now - 5 * DAY).await?;
    let arabic = Text {
        title: "شوارع أكثر أمانًا بعد حلول الظلام",
        summary: "ما تقترحه المدينة للأمسيات: إنارة حيث يمشي الناس، ومكان يقصده الشباب، وطريقة أسهل للإبلاغ عما يقلقك.",
        body: ARABIC,
    };
    translate_in(tx, &writer, draft, "ar", &arabic, now - 4 * DAY).await?;

    // Responses: four comments addressed by version 2 (each taken into
    // review, then answered), one in review and assigned; feedback about
    // public safety in review, noted or out of scope. The same triage as
    // the queue's, audited.
    let reviewer = Reviewer {
        id: writer_id,
        client_hash: "",
        themes: Some(&covered),
    };
    let lighting = id_of(&keys, "Street lighting")?;
    let reporting = id_of(&keys, "Reporting what worries you")?;
    let responses = [
        (
            comment_items[0],
            safety,
            lighting,
            "Version 2 halves the time to repair a street light to five days, and the canal path gets new lights this winter.",
        ),
        (
            comment_items[1],
            safety,
            lighting,
            "The Northfield underpass is now in the plan (section \u{a7} 2 of version 2).",
        ),
        (
            comment_items[3],
            policing,
            reporting,
            "The phone line now answers until 10 pm, and an online form is open at all hours, in five languages.",
        ),
        (
            comment_items[4],
            policing,
            reporting,
            "Version 2 says it plainly: you never have to give your name to report.",
        ),
    ];
    for (item, theme, section, body) in responses {
        let addressed = Triage::Move {
            status: Status::Addressed,
            response: Some(body.to_owned()),
            theme: Some(theme),
            section: Some((2, section)),
            // The demo shows responses quoting what they answer.
            quote: true,
        };
        triage_in(
            tx,
            &reviewer,
            draft,
            (&[item], &[]),
            &addressed,
            now - 5 * DAY,
        )
        .await?;
    }
    let comment_in_review = [comment_items[2]];
    for triage in [decision(Status::InReview), Triage::Assign(Some(writer_id))] {
        triage_in(
            tx,
            &reviewer,
            draft,
            (&comment_in_review, &[]),
            &triage,
            now - 5 * DAY,
        )
        .await?;
    }
    let reviewed: Vec<i64> = sqlx::query_scalar(
        "SELECT i.id FROM input_items i JOIN input_themes it ON it.item_id = i.id
         WHERE it.theme_id = $1 AND i.channel = $2 ORDER BY i.id LIMIT 8",
    )
    .bind(safety)
    .bind(Channel::Feedback.as_str())
    .fetch_all(&mut *tx)
    .await?;
    for (index, item) in reviewed.iter().enumerate() {
        let status = match index {
            0..=3 => Status::InReview,
            4..=5 => Status::Noted,
            _ => Status::OutOfScope,
        };
        triage_in(
            tx,
            &reviewer,
            draft,
            (&[*item], &[]),
            &decision(status),
            now - 3 * DAY,
        )
        .await?;
    }
    Ok(())
}

/// A move to `status` with nothing more (no response).
fn decision(status: Status) -> Triage {
    Triage::Move {
        status,
        response: None,
        theme: None,
        section: None,
        quote: false,
    }
}

/// The input item of a channel's record.
async fn item_of(
    tx: &mut sqlx::AnyConnection,
    channel: Channel,
    source: i64,
) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT id FROM input_items WHERE channel = $1 AND source_id = $2")
            .bind(channel.as_str())
            .bind(source)
            .fetch_one(&mut *tx)
            .await?,
    )
}

fn id_of(ids: &HashMap<String, i64>, name: &str) -> anyhow::Result<i64> {
    ids.get(name)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the demo drafts need {name}"))
}
