//! The drafts' demo: "Safer streets after dark", written by the demo
//! policymaker in two published versions (the second reworded, moved and
//! extended, so the diff has something to show), translated into Arabic,
//! open for consultation with section comments in four languages, a queue
//! partly triaged, and responses published ("you said, we did").

use app::drafts::db::{Coverage, Text, create_in, publish_in, save_in};
use app::input::db::{Channel, NewItem, insert_item};
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
    let writer: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name = 'Demo Policymaker'")
            .fetch_one(&mut *tx)
            .await?;
    let safety = id_of(themes, "public-safety")?;
    let policing = id_of(themes, "policing-and-trust")?;
    let covered = [safety, policing];
    let local = [id_of(areas, "riverside")?, id_of(areas, "northfield")?];
    let first = Text {
        title: TITLE,
        summary: SUMMARY,
        body: FIRST,
    };
    let draft = create_in(
        tx,
        writer,
        "en",
        &first,
        &Coverage {
            themes: &covered,
            areas: &local,
            allow_anonymous: true,
        },
        now - 21 * DAY,
    )
    .await?;
    publish_in(tx, draft, now - 20 * DAY).await?;
    sqlx::query("UPDATE drafts SET status = 'open', opens_at = $2, closes_at = $3 WHERE id = $1")
        .bind(draft)
        .bind(now - 20 * DAY)
        .bind(now + 30 * DAY)
        .execute(&mut *tx)
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
        let at = now - days_ago * DAY;
        let author = residents.get(index % residents.len().max(1)).copied();
        let section = id_of(&keys, heading)?;
        let comment: i64 = sqlx::query_scalar(
            "INSERT INTO draft_comments (draft_id, version_id, section_key, user_id, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(draft)
        .bind(first_version)
        .bind(section)
        .bind(author)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let item = insert_item(
            tx,
            &NewItem {
                channel: Channel::DraftComment,
                source_id: comment,
                area: None,
                author,
                participant: None,
                text,
                created_at: at,
                language_hint: Some(lang),
            },
        )
        .await?;
        sqlx::query("UPDATE input_items SET draft_id = $2 WHERE id = $1")
            .bind(item)
            .bind(draft)
            .execute(&mut *tx)
            .await?;
        comment_items.push(item);
    }

    // Version 2 answers the comments; it keeps the sections' keys.
    let second = Text {
        title: TITLE,
        summary: SUMMARY,
        body: SECOND,
    };
    save_in(tx, writer, draft, &second, now - 6 * DAY).await?;
    publish_in(tx, draft, now - 5 * DAY).await?;
    let second_version: i64 =
        sqlx::query_scalar("SELECT id FROM draft_versions WHERE draft_id = $1 AND number = 2")
            .bind(draft)
            .fetch_one(&mut *tx)
            .await?;
    let second_keys: Vec<(i64, String)> = sqlx::query_as(
        "SELECT section_key, heading FROM draft_sections WHERE version_id = $1 ORDER BY position",
    )
    .bind(second_version)
    .fetch_all(&mut *tx)
    .await?;
    translate_in(tx, second_version, &second_keys, writer, now - 4 * DAY).await?;

    // Responses: three comments addressed by version 2, one noted; the
    // rest of the queue partly in review.
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
        let response: i64 = sqlx::query_scalar(
            "INSERT INTO responses (draft_id, theme_id, version, section_key, body, written_by, created_at)
             VALUES ($1, $2, 2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(draft)
        .bind(theme)
        .bind(section)
        .bind(body)
        .bind(writer)
        .bind(now - 5 * DAY)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE input_items SET review_status = 'addressed', response_id = $2, reviewed_at = $3 WHERE id = $1",
        )
        .bind(item)
        .bind(response)
        .bind(now - 5 * DAY)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE input_items SET review_status = 'in_review', assignee_id = $2 WHERE id = $1",
    )
    .bind(comment_items[2])
    .bind(writer)
    .execute(&mut *tx)
    .await?;
    // Reviewed feedback about public safety: a few in review, noted, out
    // of scope.
    let reviewed: Vec<i64> = sqlx::query_scalar(
        "SELECT i.id FROM input_items i JOIN input_themes it ON it.item_id = i.id
         WHERE it.theme_id = $1 AND i.channel = 'feedback' ORDER BY i.id LIMIT 8",
    )
    .bind(safety)
    .fetch_all(&mut *tx)
    .await?;
    for (index, item) in reviewed.iter().enumerate() {
        let status = match index {
            0..=3 => "in_review",
            4..=5 => "noted",
            _ => "out_of_scope",
        };
        sqlx::query("UPDATE input_items SET review_status = $2, reviewed_at = $3 WHERE id = $1")
            .bind(*item)
            .bind(status)
            .bind(now - 3 * DAY)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

fn id_of(ids: &HashMap<String, i64>, name: &str) -> anyhow::Result<i64> {
    ids.get(name)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the demo drafts need {name}"))
}

/// The Arabic translation of version 2, section by section.
async fn translate_in(
    tx: &mut sqlx::AnyConnection,
    version: i64,
    keys: &[(i64, String)],
    writer: i64,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO draft_translations (version_id, locale, title, summary, body, translated_by, translated_at)
         VALUES ($1, 'ar', $2, $3, $4, $5, $6)",
    )
    .bind(version)
    .bind("شوارع أكثر أمانًا بعد حلول الظلام")
    .bind("ما تقترحه المدينة للأمسيات: إنارة حيث يمشي الناس، ومكان يقصده الشباب، وطريقة أسهل للإبلاغ عما يقلقك.")
    .bind(ARABIC)
    .bind(writer)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let sections = split_for_seed(ARABIC);
    anyhow::ensure!(
        sections.len() == keys.len(),
        "the Arabic demo translation has {} sections, version 2 has {}",
        sections.len(),
        keys.len()
    );
    for ((key, _), (heading, body)) in keys.iter().zip(sections) {
        sqlx::query(
            "INSERT INTO draft_translation_sections (version_id, locale, section_key, heading, html)
             VALUES ($1, 'ar', $2, $3, $4)",
        )
        .bind(version)
        .bind(*key)
        .bind(heading)
        .bind(app::text::markdown::render(&body).html)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The sections of a demo text: what the product's splitter makes of it.
fn split_for_seed(markdown: &str) -> Vec<(String, String)> {
    app::drafts::sections::split(markdown)
        .into_iter()
        .map(|section| (section.heading, section.body))
        .collect()
}
