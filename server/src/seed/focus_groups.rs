//! The demo town's focus groups: a first-come session in Riverside that is
//! full with people waiting; an apply-then-select session on policing and
//! trust whose applications have just closed, with targets and applicants
//! for an organiser to run the selection on; an online hour on youth
//! spaces with one place left. Texts in several languages.

use app::focus_groups::Mode;
use app::focus_groups::db::{NewSession, NewSignup, create_in, publish_in, sign_up_in};
use app::focus_groups::questions::NewQuestion;
use app::focus_groups::selection::Target;
use std::collections::HashMap;

const HOUR: i64 = 60 * 60 * 1000;
const DAY: i64 = 24 * HOUR;

/// Topic and description of a session, per locale.
type Texts = &'static [(&'static str, &'static str, &'static str)];

const WALKING_HOME: Texts = &[
    (
        "en",
        "Feeling safe walking home after dark",
        "An evening conversation about the streets, paths and bus stops of Riverside after dark: where people feel safe, where they do not, and what would help. Tea and interpreters provided.",
    ),
    (
        "fr",
        "Se sentir en sécurité en rentrant à pied le soir",
        "Une soirée pour parler des rues, des chemins et des arrêts de bus de Riverside une fois la nuit tombée : où l’on se sent en sécurité, où on ne l’est pas, et ce qui aiderait. Thé et interprètes prévus.",
    ),
    (
        "ar",
        "الشعور بالأمان عند العودة سيرًا بعد حلول الظلام",
        "أمسية حوار حول شوارع ريفرسايد وممراتها ومواقف الحافلات فيها بعد حلول الظلام: أين يشعر الناس بالأمان، وأين لا يشعرون به، وما الذي قد يساعد. يتوفر الشاي ومترجمون.",
    ),
    (
        "ur",
        "اندھیرا ہونے کے بعد پیدل گھر جاتے ہوئے محفوظ محسوس کرنا",
        "رات کے وقت ریور سائیڈ کی گلیوں، راستوں اور بس اسٹاپوں پر ایک شام کی گفتگو: لوگ کہاں محفوظ محسوس کرتے ہیں، کہاں نہیں، اور کیا چیز مدد کرے گی۔ چائے اور ترجمان موجود ہوں گے۔",
    ),
];

const POLICING_TRUST: Texts = &[
    (
        "en",
        "Young people and the police: building trust",
        "A small, balanced group of residents talks with the council about stop and search, reporting and being heard. Places are chosen so that younger people and every neighbourhood are represented.",
    ),
    (
        "fr",
        "Les jeunes et la police : bâtir la confiance",
        "Un petit groupe équilibré d’habitants échange avec la mairie sur les contrôles, les signalements et le fait d’être écouté. Les places sont attribuées pour que les jeunes et chaque quartier soient représentés.",
    ),
    (
        "id",
        "Anak muda dan polisi: membangun kepercayaan",
        "Sekelompok kecil warga yang seimbang berdiskusi dengan dewan kota tentang pemeriksaan, pelaporan, dan didengar. Tempat dipilih agar anak muda dan setiap lingkungan terwakili.",
    ),
];

const YOUTH_SPACES: Texts = &[
    (
        "en",
        "Youth spaces in Northfield: an online hour",
        "What should the youth club and the park be like in the evenings? One hour online, with young people and their families.",
    ),
    (
        "ur",
        "نارتھ فیلڈ میں نوجوانوں کی جگہیں: ایک گھنٹہ آن لائن",
        "شام کے وقت یوتھ کلب اور پارک کیسے ہونے چاہئیں؟ نوجوانوں اور ان کے خاندانوں کے ساتھ ایک گھنٹہ آن لائن۔",
    ),
    (
        "ar",
        "أماكن الشباب في نورثفيلد: ساعة عبر الإنترنت",
        "كيف ينبغي أن يكون نادي الشباب والحديقة في المساء؟ ساعة واحدة عبر الإنترنت مع الشباب وعائلاتهم.",
    ),
];

const CONSENT: &str = "We keep your name, contact, languages, accessibility needs and answers only to run this session: the organiser sees them, nobody else. They are erased automatically 30 days after the session; only anonymous counts remain. You can cancel and erase them at any time from your private link.";

const NAMES: [&str; 24] = [
    "Amina", "Tom", "Farah", "Luis", "Nadia", "Oscar", "Priya", "Jonas", "Leila", "Sam", "Yusuf",
    "Grace", "Omar", "Chloé", "Bilal", "Rosa", "Hassan", "Mei", "Dara", "Ines", "Kofi", "Sara",
    "Ali", "Nina",
];

struct Person {
    languages: &'static [&'static str],
    categories: Vec<String>,
    /// Their answers to the session's questions (JSON).
    answers: Option<String>,
}

pub async fn seed_focus_groups(
    tx: &mut sqlx::AnyConnection,
    areas: &HashMap<String, i64>,
    themes: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let now = app::security::now_millis();
    // Sessions start at six in the evening (UTC) of their day.
    let at_hour = |millis: i64| millis - millis % DAY + 18 * HOUR;
    let organiser: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE display_name = 'Demo Policymaker'")
            .fetch_optional(&mut *tx)
            .await?;
    let area_slugs = ["riverside", "old-town", "northfield"];

    // First come: eight places, eleven sign-ups.
    let starts = at_hour(now + 9 * DAY);
    let walking_home = session(
        tx,
        &NewSession {
            mode: Mode::FirstCome,
            area: areas.get("riverside").copied(),
            theme: themes.get("public-safety").copied(),
            source_locale: "en",
            languages: &["en", "ur", "ar"],
            starts_at: starts,
            ends_at: starts + 2 * HOUR,
            place: Some("Riverside Community Centre, 12 Mill Lane, room 2"),
            online_link: None,
            capacity: 8,
            applications_close_at: None,
            targets: &[],
            topic: WALKING_HOME[0].1,
            description: WALKING_HOME[0].2,
            consent: CONSENT,
            accessibility: "Step-free entrance from Mill Lane, a hearing loop, an accessible toilet on the ground floor.",
            questions: &[NewQuestion {
                prompt: "Is there a place on your way home that worries you?".to_owned(),
                options: Vec::new(),
                required: false,
            }],
            created_by: organiser,
        },
        WALKING_HOME,
        now - 10 * DAY,
    )
    .await?;
    for n in 0..11 {
        let person = Person {
            languages: [&["en"][..], &["ur", "en"], &["ar"]][n % 3],
            categories: Vec::new(),
            answers: None,
        };
        sign_up(
            tx,
            walking_home,
            n,
            &person,
            now - DAY + i64::try_from(n)? * HOUR,
        )
        .await?;
    }

    // Apply then select: ten places, twenty-four applicants, applications
    // closed yesterday, the selection not yet run.
    let starts = at_hour(now + 14 * DAY);
    let targets = [
        Target {
            category: "age:under_30".to_owned(),
            min: Some(4),
            max: None,
        },
        Target {
            category: "area:riverside".to_owned(),
            min: Some(2),
            max: None,
        },
        Target {
            category: "area:northfield".to_owned(),
            min: Some(2),
            max: None,
        },
        Target {
            category: "language:en".to_owned(),
            min: None,
            max: Some(6),
        },
    ];
    let policing = session(
        tx,
        &NewSession {
            mode: Mode::Select,
            area: None,
            theme: themes.get("policing-and-trust").copied(),
            source_locale: "en",
            languages: &["en", "fr", "id"],
            starts_at: starts,
            ends_at: starts + 2 * HOUR,
            place: None,
            online_link: Some("https://meet.example.org/parley-policing-trust"),
            capacity: 10,
            applications_close_at: Some(now - DAY),
            targets: &targets,
            topic: POLICING_TRUST[0].1,
            description: POLICING_TRUST[0].2,
            consent: CONSENT,
            accessibility: "Online, with live captions; a phone dial-in on request.",
            questions: &[NewQuestion {
                prompt: "Have you been in touch with the police in the last year?".to_owned(),
                options: vec![
                    "Yes".to_owned(),
                    "No".to_owned(),
                    "I would rather not say".to_owned(),
                ],
                required: true,
            }],
            created_by: organiser,
        },
        POLICING_TRUST,
        now - 20 * DAY,
    )
    .await?;
    let ages = ["under_30", "30_to_64", "65_plus"];
    for n in 0..24 {
        let languages: &'static [&'static str] =
            [&["en"][..], &["fr", "en"], &["id"], &["en"]][n % 4];
        let mut categories: Vec<String> = languages
            .iter()
            .map(|language| format!("language:{language}"))
            .collect();
        // Fewer young applicants than older ones, as in life.
        categories.push(format!("age:{}", ages[(n * 7 + 1) % 5 % 3]));
        categories.push(format!("area:{}", area_slugs[(n * 5) % 3]));
        let person = Person {
            languages,
            categories,
            answers: Some(format!(r#"{{"1":"o{}"}}"#, n % 3 + 1)),
        };
        sign_up(
            tx,
            policing,
            100 + n,
            &person,
            now - 10 * DAY + i64::try_from(n)? * HOUR,
        )
        .await?;
    }
    // An online hour: two places, one taken.
    let starts = at_hour(now + 6 * DAY);
    let youth = session(
        tx,
        &NewSession {
            mode: Mode::FirstCome,
            area: areas.get("northfield").copied(),
            theme: themes.get("youth").copied(),
            source_locale: "en",
            languages: &["en", "ur", "ar"],
            starts_at: starts,
            ends_at: starts + HOUR,
            place: None,
            online_link: Some("https://meet.example.org/parley-youth-spaces"),
            capacity: 2,
            applications_close_at: None,
            targets: &[],
            topic: YOUTH_SPACES[0].1,
            description: YOUTH_SPACES[0].2,
            consent: CONSENT,
            accessibility: "Online, with live captions.",
            questions: &[],
            created_by: organiser,
        },
        YOUTH_SPACES,
        now - 3 * DAY,
    )
    .await?;
    let person = Person {
        languages: &["en"],
        categories: Vec::new(),
        answers: None,
    };
    sign_up(tx, youth, 200, &person, now - 2 * DAY).await?;
    // Demo people have no private links: nothing is mailed to them.
    sqlx::query("UPDATE focus_group_events SET mailed_at = $1 WHERE mailed_at IS NULL")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn session(
    tx: &mut sqlx::AnyConnection,
    new: &NewSession<'_>,
    texts: Texts,
    at: i64,
) -> anyhow::Result<i64> {
    let id = create_in(tx, new, at).await?;
    for (locale, topic, description) in texts.iter().skip(1) {
        for (key, text) in [("topic", topic), ("description", description)] {
            sqlx::query(
                "INSERT INTO focus_group_texts (focus_group_id, locale, text_key, text) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(locale)
            .bind(key)
            .bind(*text)
            .execute(&mut *tx)
            .await?;
        }
    }
    publish_in(tx, id).await?;
    Ok(id)
}

async fn sign_up(
    tx: &mut sqlx::AnyConnection,
    session: i64,
    n: usize,
    person: &Person,
    at: i64,
) -> anyhow::Result<()> {
    let name = NAMES[n % NAMES.len()];
    let contact = format!("{}.{n}@example.org", name.to_lowercase());
    // A hash that no token has: the demo's sign-ups have no private link.
    let token_hash = format!("demo:{session}:{n}");
    let categories: Vec<&str> = person.categories.iter().map(String::as_str).collect();
    sign_up_in(
        tx,
        session,
        &NewSignup {
            name,
            contact: &contact,
            languages: person.languages,
            categories: &categories,
            needs: (n % 4 == 1).then_some("Step-free access, please."),
            answers: person.answers.as_deref(),
            locale: person.languages.first().copied().unwrap_or("en"),
            token_hash: &token_hash,
            link_sealed: None,
            user_id: None,
            participant_id: None,
        },
        at,
    )
    .await?;
    Ok(())
}
