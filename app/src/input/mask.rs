//! Masking personal data in what residents write, so that reviewers read
//! `[email]` instead of an address. Each kind has its own detector; checks
//! that can be computed are (Luhn for card numbers, mod 97 for IBANs, the
//! address parser for IP addresses), so that an ordinary number is not
//! taken for one. Where spans overlap, the earlier kind in [`Label::ALL`]
//! wins, then the longer span.
//!
//! `parley mask` runs this on standard input; `mask_testset.txt` (beside
//! this file) is the annotated test set its precision and recall are
//! measured on.

use regex::Regex;
use std::sync::LazyLock;

/// What a masked span was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Email,
    Url,
    Iban,
    Card,
    Ip,
    Phone,
    Address,
    Name,
}

impl Label {
    pub const ALL: [Label; 8] = [
        Label::Email,
        Label::Url,
        Label::Iban,
        Label::Card,
        Label::Ip,
        Label::Phone,
        Label::Address,
        Label::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Email => "email",
            Label::Url => "url",
            Label::Iban => "iban",
            Label::Card => "card",
            Label::Ip => "ip",
            Label::Phone => "phone",
            Label::Address => "address",
            Label::Name => "name",
        }
    }

    pub fn parse(text: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|label| label.as_str() == text)
    }
}

/// One piece of personal data: byte offsets into the text, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: Label,
}

/// `text` with every piece of personal data replaced by `[label]`.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in find(text) {
        out.push_str(&text[at..span.start]);
        out.push('[');
        out.push_str(span.label.as_str());
        out.push(']');
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The personal data in `text`, in order, without overlaps.
pub fn find(text: &str) -> Vec<Span> {
    let mut candidates: Vec<Span> = Vec::new();
    for label in Label::ALL {
        detect(label, text, &mut candidates);
    }
    // Earlier kinds first, then longer spans; keep what does not overlap
    // anything kept before.
    candidates.sort_by_key(|s| (s.label, std::cmp::Reverse(s.end - s.start), s.start));
    let mut kept: Vec<Span> = Vec::new();
    for span in candidates {
        if kept
            .iter()
            .all(|k| span.end <= k.start || span.start >= k.end)
        {
            kept.push(span);
        }
    }
    kept.sort_by_key(|s| s.start);
    kept
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern)
        .unwrap_or_else(|error| unreachable!("a masking pattern is invalid: {error}"))
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}"));
static URL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)(?:https?://|www\.)[^\s<>()\[\]{}]+\?[^\s<>()\[\]{}]+"));
static IBAN: LazyLock<Regex> = LazyLock::new(|| regex(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"));
static CARD: LazyLock<Regex> = LazyLock::new(|| regex(r"\b\d(?:[ -]?\d){12,18}\b"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b")
});
static IPV6: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%\w+)?"));
/// A run of digits with the separators phone numbers use, maybe after `+`
/// or `00`, maybe with an area code in parentheses. Any script's digits.
static PHONE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:\+|\b00)?\(?\d[\d\s().\-]{6,20}\d\b"));
static ACCOUNT_HEAD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4})*\s*$"));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^(?:(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ](?:19|20)\d\d)")
});
static ADDRESS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // English: "12 Mill Lane", "221B Baker Street", "Flat 3, 4 Kings Road".
        r"\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\p{L}'’-]+\s+){1,3}(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Crescent|Grove|Gardens|Square|Row|Hill|Walk|Mews|Parade|View|Rise|Green|Vale|Park|Boulevard)\b\.?",
        // French: "14 rue des Lilas", "3 bis avenue Victor Hugo".
        r"\b\d{1,5}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|chemin|place|impasse|allée|allee|quai|cours|route)\s+(?:(?:de|du|des|la|le|l'|d')\s*)*[\p{Lu}\p{Ll}'’-]+(?:\s+[\p{Lu}][\p{L}'’-]+){0,3}",
        // Spanish: "calle Mayor 5", "Avenida de la Paz 23", "C/ Sol, 7".
        r"(?i)\b(?:calle|c/|avenida|avda\.?|plaza|paseo|camino|carrer)\s+(?:(?:de|del|la|las|los|el)\s+)*[\p{L}'’-]+(?:\s+[\p{L}'’-]+){0,3}?,?\s+(?:n[º°o]\.?\s*)?\d{1,4}\b",
        // Indonesian: "Jl. Merdeka No. 10", "Jalan Sudirman 45".
        r"\b(?:Jl\.?|Jalan)\s+[\p{Lu}][\p{L}.'-]*(?:\s+[\p{Lu}][\p{L}.'-]*){0,3},?\s+(?:No\.?\s*)?\d{1,4}[A-Za-z]?\b",
        // Arabic: "شارع الملك فهد 12", "شارع النصر رقم 5".
        r"شارع\s+\p{Arabic}+(?:\s+\p{Arabic}+){0,3}?\s+(?:رقم\s+)?[\d٠-٩۰-۹]{1,4}",
        // Urdu: "گلی نمبر 4", "مکان نمبر 12", "سڑک نمبر 3".
        r"(?:گلی|مکان|سڑک|بلاک|فلیٹ)\s+نمبر\s+[\d٠-٩۰-۹]{1,4}",
        // UK postcodes: "SW1A 1AA", "M1 1AE".
        r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
        // French postcode and town: "75011 Paris".
        r"\b\d{5}\s+[\p{Lu}][\p{Ll}]+(?:-[\p{Lu}][\p{Ll}]+)*\b",
    ]
    .into_iter()
    .map(regex)
    .collect()
});
/// A cue that a name follows, and the name: capitalised words in Latin
/// scripts (one to three), or one to three words in Arabic script.
static NAME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i:\bmy name is|\bi am called|\bi'm called|\bcall me|\bje m'appelle|\bje m’appelle|\bmon nom est|\bme llamo|\bmi nombre es|\bnama saya(?: adalah)?|\bsaya bernama)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,2})",
        // A second word starting with و ("and") begins the next clause.
        r"(?:اسمي|إسمي|أنا اسمي)\s+(\p{Arabic}+(?:\s+[\p{Arabic}&&[^و\s]]\p{Arabic}*)?)",
        r"میرا نام\s+(\p{Arabic}+(?:\s+\p{Arabic}+){0,2})\s+ہے",
    ]
    .into_iter()
    .map(regex)
    .collect()
});

fn detect(label: Label, text: &str, out: &mut Vec<Span>) {
    let mut push = |start: usize, end: usize| out.push(Span { start, end, label });
    match label {
        Label::Email => EMAIL
            .find_iter(text)
            .filter(|m| !names_a_file(m.as_str()))
            .for_each(|m| push(m.start(), m.end())),
        Label::Url => URL.find_iter(text).for_each(|m| {
            // A sentence's full stop or comma is not part of the address.
            let trimmed = m
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
            push(m.start(), m.start() + trimmed.len());
        }),
        Label::Iban => IBAN
            .find_iter(text)
            .filter(|m| iban_valid(m.as_str()))
            .for_each(|m| push(m.start(), m.end())),
        Label::Card => CARD
            .find_iter(text)
            .filter(|m| luhn_valid(m.as_str()))
            .for_each(|m| push(m.start(), m.end())),
        Label::Ip => {
            IPV4.find_iter(text)
                .filter(|m| stands_alone(text, m.start(), m.end()))
                .filter(|m| !numbering(text[..m.start()].trim_end(), m.as_str()))
                .for_each(|m| push(m.start(), m.end()));
            IPV6.find_iter(text)
                .filter(|m| stands_alone(text, m.start(), m.end()))
                .filter(|m| looks_like_ipv6(m.as_str()))
                .for_each(|m| push(m.start(), m.end()));
        }
        Label::Phone => PHONE.find_iter(text).for_each(|m| {
            if let Some((start, end)) = phone_span(text, m.start(), m.end()) {
                push(start, end);
            }
        }),
        Label::Address => {
            for pattern in ADDRESS.iter() {
                pattern
                    .find_iter(text)
                    .filter(|m| !continues_as_date(&text[m.end()..]))
                    .for_each(|m| push(m.start(), m.end()));
            }
        }
        Label::Name => {
            for pattern in NAME.iter() {
                for captures in pattern.captures_iter(text) {
                    if let Some(name) = captures.get(1) {
                        push(name.start(), name.end());
                    }
                }
            }
        }
    }
}

/// Whether what looks like an email address is a file name
/// ("logo@2x.png"): no domain ends in these.
fn names_a_file(found: &str) -> bool {
    const EXTENSIONS: [&str; 16] = [
        "png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "doc", "docx", "xls", "xlsx", "txt",
        "zip", "csv", "mp4", "html",
    ];
    found
        .rsplit('.')
        .next()
        .is_some_and(|tail| EXTENSIONS.contains(&tail.to_lowercase().as_str()))
}

/// Whether a network address found at `start..end` stands on its own:
/// not glued to a word (`std::map`, `build-10.2.0.1-rc`), not part of a
/// longer run of dotted or coloned parts (`1.2.3.4.5`, `a:b:c::d:e:f:g:h:i`).
/// A colon may stand before an IPv4 address (`IP:192.0.2.1`), not before
/// an IPv6 one, whose groups it separates.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let ipv6 = text[start..end].contains(':');
    let mut before = text[..start].chars().rev();
    let glued_before = match before.next() {
        None => false,
        Some(':') => ipv6,
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '.' | '\\') => true,
        // `build-10.2.0.1`, `dir/10.0.0.1`, but a range `10.0.0.1-10.0.0.9` is two.
        Some('-') => before.next().is_some_and(char::is_alphabetic),
        Some('/') => before.next().is_some_and(char::is_alphanumeric),
        Some(_) => false,
    };
    let mut after = text[end..].chars();
    let glued_after = match after.next() {
        None => false,
        // After an IPv4 address, a colon and digits are its port.
        Some(':') => ipv6 || after.next().is_some_and(char::is_alphabetic),
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '\\') => true,
        Some('.') => after.next().is_some_and(char::is_alphanumeric),
        Some('-') => after.next().is_some_and(char::is_alphabetic),
        Some(_) => false,
    };
    !glued_before && !glued_after
}

/// Words after which a dotted number is a version or a section
/// ("version 4.2.1.7", "article 3.1.2.4"), in the six interface
/// languages: matched whole, case and punctuation aside.
const NUMBERING_WORDS: [&str; 33] = [
    "version",
    "ver",
    "v",
    "release",
    "build",
    "firmware",
    "section",
    "article",
    "chapter",
    "paragraph",
    "clause",
    "art",
    "versión",
    "sección",
    "artículo",
    "capítulo",
    "apartado",
    "chapitre",
    "paragraphe",
    "versi",
    "rilis",
    "bab",
    "pasal",
    "bagian",
    "الإصدار",
    "إصدار",
    "النسخة",
    "المادة",
    "الفقرة",
    "البند",
    "ورژن",
    "دفعہ",
    "شق",
];

/// Whether a dotted quad is a numbering rather than an address: after a
/// word that says so, or made of single digits only ("4.2.1.7"; the few
/// such addresses, like public resolvers, belong to no resident).
fn numbering(before: &str, found: &str) -> bool {
    found.split('.').all(|part| part.len() == 1)
        || before.ends_with('§')
        || words_before(before)
            .next()
            .is_some_and(|word| NUMBERING_WORDS.contains(&word.as_str()))
}

/// Whether a run of hexadecimal groups and colons is an IPv6 address as
/// people write them: it parses, it has at least two groups and a digit,
/// and it is written whole or has a group of three or four (`2001:db8::1`,
/// `fe80::1`), unlike `a::b`, `dead::beef` or a time such as `12:30:45`.
fn looks_like_ipv6(found: &str) -> bool {
    let address = found.split('%').next().unwrap_or("");
    if address.parse::<std::net::Ipv6Addr>().is_err() {
        return false;
    }
    let groups: Vec<&str> = address.split(':').filter(|g| !g.is_empty()).collect();
    groups.len() >= 2
        && address.chars().any(|c| c.is_ascii_digit())
        && (groups.len() == 8 || groups.iter().any(|g| g.len() >= 3))
}

/// Whether the text after a number goes on like a date or a reference
/// (`12/03/2026`, `12-5`): then the number was not a house number.
fn continues_as_date(after: &str) -> bool {
    let mut chars = after.chars();
    matches!(chars.next(), Some('/' | '-' | '.')) && chars.next().and_then(digit).is_some()
}

/// The value of a decimal digit in any of the scripts residents write
/// numbers in (ASCII, Arabic-Indic, Eastern Arabic-Indic, Devanagari).
fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        '\u{0966}'..='\u{096F}' => Some(c as u32 - 0x0966),
        _ => None,
    }
}

fn luhn_valid(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(digit).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn iban_valid(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        let width = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * width + value) % 97;
    }
    remainder == 1
}

/// Whether a run of digits looks like a phone number, and its bounds
/// without the trailing punctuation: 8 to 15 digits, not a date, a time,
/// an amount or a decimal number.
fn phone_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let candidate = text[start..end].trim_end_matches(['.', ')', ' ']);
    let candidate = if candidate.starts_with('(')
        || candidate.starts_with('+')
        || candidate.starts_with("00")
    {
        candidate
    } else {
        candidate.trim_start_matches('(')
    };
    let offset = text[start..end].find(candidate).unwrap_or(0);
    let digits = candidate.chars().filter(|c| digit(*c).is_some()).count();
    if !(8..=15).contains(&digits) {
        return None;
    }
    let (start, end) = (start + offset, start + offset + candidate.len());
    // Glued to a word ("INV0012345678", "dossier/00451234"): not a phone.
    if glued_to_a_word(&text[..start]) {
        return None;
    }
    // What the words around say counts only for a number not shaped like
    // a phone: one with `+`, one 0 then another digit, or 00 in groups
    // (an international call) stays a phone whatever word comes before
    // ("Rp 07700 900123" is no amount); an unbroken 00… after "order
    // no." is a zero-padded reference.
    let mut digits_of = candidate.chars().filter_map(digit);
    let grouped = candidate.trim().contains(|c: char| !c.is_alphanumeric());
    let phone_shaped = candidate.starts_with('+')
        || (digits_of.next() == Some(0) && (grouped || digits_of.next().is_some_and(|d| d != 0)));
    if !phone_shaped && words_say_otherwise(&text[..start], &text[end..]) {
        return None;
    }
    // Dates (2026-03-12, 12.03.2026, 12/03/2026), maybe followed by an
    // hour: not phones.
    // Digits of any script as ASCII, so that shapes are judged alike.
    let ascii: String = candidate
        .chars()
        .map(|c| digit(c).and_then(|d| char::from_digit(d, 10)).unwrap_or(c))
        .collect();
    if DATE.is_match(&ascii) {
        return None;
    }
    let groups: Vec<&str> = ascii
        .split(|c: char| !c.is_alphanumeric())
        .filter(|g| !g.is_empty())
        .collect();
    let separators: Vec<char> = ascii
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect();
    // A dotted quad that is no address ("192.168.1.256"), a decimal
    // number ("20261206.3"), or a list of small numbers drawn in a raffle
    // ("04 11 23 35 42 49"): not phones.
    let dotted_quad = groups.len() == 4
        && separators.iter().all(|c| *c == '.')
        && groups.iter().all(|g| g.len() <= 3);
    let decimal =
        matches!(separators.as_slice(), ['.' | ',']) && !ascii.contains(char::is_whitespace);
    let small_numbers =
        groups.len() >= 6 && groups.iter().all(|g| g.len() <= 2) && !candidate.starts_with('+');
    if dotted_quad || decimal || small_numbers {
        return None;
    }
    // A reference that starts with a year ("2026-0312-4478").
    let year_first = groups
        .first()
        .is_some_and(|g| g.chars().count() == 4 && (g.starts_with("19") || g.starts_with("20")))
        && candidate.chars().nth(4) == Some('-');
    // The tail of an account number ("GB82 WEST 1234 5698 …").
    if year_first || ACCOUNT_HEAD.is_match(&text[..start]) {
        return None;
    }
    // Shaped like a card number (four groups of four) that failed its
    // check digit: not a phone. Cards never start with 0 or +.
    let card_shaped = groups.len() >= 4
        && groups[..3].iter().all(|g| g.chars().count() == 4)
        && candidate
            .chars()
            .next()
            .and_then(digit)
            .is_some_and(|d| d != 0);
    if card_shaped {
        return None;
    }
    let prefixed = candidate.starts_with('+')
        || candidate.starts_with("00")
        || candidate.starts_with('(')
        || candidate.chars().next().and_then(digit) == Some(0);
    // Without a prefix or a leading 0, a first group of one or two digits
    // starts a list, a score, a time or a decimal ("7 14 21 28 35",
    // "3.14159265", "10.30-12.30"); groups of three after dots are
    // thousands ("125.000.000"). Phones start with a longer group.
    let first_group_short = groups.first().is_some_and(|g| g.chars().count() <= 2);
    let thousands = groups.len() >= 3
        && groups[1..].iter().all(|g| g.chars().count() == 3)
        && candidate
            .chars()
            .filter(|c| digit(*c).is_none())
            .all(|c| c == '.');
    if !prefixed && (first_group_short || thousands) {
        return None;
    }
    let starts_like_phone = prefixed || groups.len() >= 2;
    if !starts_like_phone {
        // A long unbroken number that does not start with 0 or + is a
        // reference, not a phone: except 9-digit Spanish numbers (6, 7, 9).
        let first = candidate.chars().next().and_then(digit);
        if !(digits == 9 && matches!(first, Some(6 | 7 | 9))) {
            return None;
        }
    }
    Some((start, end))
}

/// Whether the words around a number say it is a reference ("order no.
/// 00123456789") or an amount (a currency just before or after).
fn words_say_otherwise(before: &str, after: &str) -> bool {
    let last: String = before.chars().rev().take(3).collect();
    after_reference_word(before)
        || last.contains(['£', '$', '€', '¥', '₹'])
        || words_before(before)
            .next()
            .is_some_and(|word| CURRENCY_CODES.contains(&word.as_str()))
        || currency_follows(after)
}

/// The words of `before`, last first, lowercased, without the punctuation
/// around them ("Réf.:" is "réf"); a word of punctuation alone ("#") is
/// skipped.
fn words_before(before: &str) -> impl Iterator<Item = String> + '_ {
    before
        .split_whitespace()
        .rev()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|word| !word.is_empty())
}

/// Whether a number starts right after a letter, `_` or `#`, or after a
/// `/` or `-` that follows a letter: part of a code, not a phone.
fn glued_to_a_word(before: &str) -> bool {
    let mut chars = before.chars().rev();
    match chars.next() {
        Some(c) if c.is_alphabetic() || matches!(c, '_' | '#') => true,
        Some('/' | '-') => chars.next().is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// Words that say "number" ("no.", "n°", "numéro", "nomor", "رقم", "نمبر"),
/// which may stand between a reference word and its number.
const NUMBER_WORDS: [&str; 12] = [
    "number", "no", "n", "nº", "num", "nr", "numéro", "número", "nomor", "nummer", "رقم", "نمبر",
];

/// Words that name a reference, a case or an order in the six interface
/// languages: a number after them is that reference, not a phone.
const REFERENCE_WORDS: &[&str] = &[
    "ref",
    "reference",
    "case",
    "order",
    "invoice",
    "ticket",
    "tracking",
    "receipt",
    "booking",
    "claim",
    "serial",
    "application",
    "permit",
    "réf",
    "référence",
    "dossier",
    "commande",
    "facture",
    "colis",
    "suivi",
    "contrat",
    "demande",
    "referencia",
    "expediente",
    "pedido",
    "factura",
    "caso",
    "solicitud",
    "seguimiento",
    "recibo",
    "tiket",
    "pesanan",
    "resi",
    "faktur",
    "laporan",
    "perkara",
    "registrasi",
    "الطلب",
    "الملف",
    "القضية",
    "الفاتورة",
    "المرجع",
    "مرجع",
    "التذكرة",
    "الشكوى",
    "کیس",
    "آرڈر",
    "حوالہ",
    "شکایت",
    "فائل",
    "درخواست",
    "ٹکٹ",
    "isbn",
    "issn",
    "sn",
    "série",
    "serie",
    "seri",
    "customer",
    "client",
    "cliente",
    "pelanggan",
    "member",
    "membre",
    "socio",
    "anggota",
    "العميل",
    "الاشتراك",
    "صارف",
];

fn after_reference_word(before: &str) -> bool {
    let mut words = words_before(before).peekable();
    if words
        .peek()
        .is_some_and(|word| NUMBER_WORDS.contains(&word.as_str()))
    {
        words.next();
    }
    words.next().is_some_and(|word| {
        REFERENCE_WORDS.contains(&word.as_str()) || NUMBERING_WORDS.contains(&word.as_str())
    })
}

/// Currency codes written before or after an amount ("Rs 12500000").
const CURRENCY_CODES: [&str; 11] = [
    "eur", "usd", "gbp", "idr", "pkr", "rs", "rp", "mad", "sar", "aed", "dh",
];

/// Currency names an amount may be followed by ("12 500 000 rupiah").
const CURRENCY_NAMES: [&str; 13] = [
    "euro",
    "dollar",
    "pound",
    "rupiah",
    "rupee",
    "peso",
    "franc",
    "dirham",
    "روپ",
    "ريال",
    "ریال",
    "درهم",
    "دولار",
];

/// Whether the text after a number starts with a currency.
fn currency_follows(after: &str) -> bool {
    let after = after.trim_start();
    if after.starts_with(['€', '$', '£', '¥', '₹']) {
        return true;
    }
    let word: String = after
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    CURRENCY_CODES.contains(&word.as_str())
        || CURRENCY_NAMES.iter().any(|name| word.starts_with(name))
}

/// Counts of one kind over an annotated test set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Precision and recall of [`find`] per kind, and over all kinds, on an
/// annotated test set: one text per line, each piece of personal data
/// written `{{label:text}}`; `#` lines and blank lines are skipped. A
/// found span counts when it overlaps an annotated span of the same kind.
pub fn evaluate(test_set: &str) -> (Vec<(Label, Counts)>, Counts, usize) {
    let mut per_label: Vec<(Label, Counts)> =
        Label::ALL.iter().map(|l| (*l, Counts::default())).collect();
    let mut lines = 0;
    for line in test_set
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        lines += 1;
        let (text, expected) = annotated(line);
        let found = find(&text);
        let overlaps =
            |a: &Span, b: &Span| a.label == b.label && a.start < b.end && b.start < a.end;
        for (label, counts) in per_label.iter_mut() {
            let found: Vec<&Span> = found.iter().filter(|s| s.label == *label).collect();
            let expected: Vec<&Span> = expected.iter().filter(|s| s.label == *label).collect();
            counts.true_positives += expected
                .iter()
                .filter(|e| found.iter().any(|f| overlaps(f, e)))
                .count();
            counts.false_negatives += expected
                .iter()
                .filter(|e| !found.iter().any(|f| overlaps(f, e)))
                .count();
            counts.false_positives += found
                .iter()
                .filter(|f| !expected.iter().any(|e| overlaps(f, e)))
                .count();
        }
    }
    let mut total = Counts::default();
    for (_, counts) in &per_label {
        total.add(*counts);
    }
    (per_label, total, lines)
}

/// The plain text of an annotated line, and its annotated spans.
fn annotated(line: &str) -> (String, Vec<Span>) {
    let mut text = String::with_capacity(line.len());
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &after[..close];
        match inner
            .split_once(':')
            .and_then(|(label, value)| Some((Label::parse(label)?, value)))
        {
            Some((label, value)) => {
                let start = text.len();
                text.push_str(value);
                spans.push(Span {
                    start,
                    end: text.len(),
                    label,
                });
            }
            None => text.push_str(inner),
        }
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    (text, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_masked() {
        let cases = [
            (
                "write to amina.yusuf@example.org today",
                "write to [email] today",
            ),
            (
                "call +44 20 7946 0958 or 07700 900123.",
                "call [phone] or [phone].",
            ),
            ("from 203.0.113.7 and 2001:db8::1", "from [ip] and [ip]"),
            ("see https://example.org/form?id=12&ref=x.", "see [url]."),
            ("card 4111 1111 1111 1111 please", "card [card] please"),
            ("IBAN GB82 WEST 1234 5698 7654 32 ok", "IBAN [iban] ok"),
            ("I live at 12 Mill Lane", "I live at [address]"),
            ("My name is Amina Yusuf and", "My name is [name] and"),
            ("je m'appelle Claire Dubois", "je m'appelle [name]"),
            ("اسمي كريم", "اسمي [name]"),
            ("میرا نام فرحان ہے", "میرا نام [name] ہے"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask(text), masked, "{text}");
        }
    }

    #[test]
    fn ordinary_numbers_and_addresses_stay() {
        for text in [
            "The meeting is on 12/03/2026 at 21:30.",
            "It cost £1,250.00 last year, 3 000 € this year.",
            "Bus 42 comes every 15 minutes; call 999 in an emergency.",
            "See https://example.org/consultation for the draft.",
            "The card 4111 1111 1111 1112 fails its check digit.",
            "From 2026-03-12 21:30 until 2026-03-14.",
            "The lights on Mill Lane are broken.",
            "Councillor Ahmed said the plan is ready.",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    /// Text that only looks like personal data, in the six languages (the
    /// rules' own examples; `mask_nearmiss.txt` is held out and never read
    /// while writing them).
    #[test]
    fn near_misses_stay() {
        for text in [
            "Run std::vector<int> v; then call Foo::bar() again.",
            "The log said ERROR at 12:30:45, retry in 00:05:00, ratio 3:2:1.",
            "The camera firmware version 4.2.1.7 fixed it; Version: 10.0.0.2 broke it.",
            "See article 12.3.4.1, section 10.2.1.3 and § 1.20.3.4 of the plan.",
            "Lotto 7 14 21 28 35 42, pi 3.14159265, open 10.30-12.30, 125.000.000 spent.",
            "Mi artículo 4.1.2.10 dice que cuesta 12.500.000 pesos.",
            "Voir le chapitre 2.10.1.5 ; les scores 3-2 1-0 2-2 4-1 ; 12.500.000 habitants.",
            "Lihat pasal 10.2.3.4 dan bab 3.1.20.2 dalam rancangan.",
            "build-10.2.0.1-rc crashed on the kiosk, then 1.2.3.4.5 appeared.",
            "The key dead::beef and a::b are not addresses.",
            "The card 4111 1111 1111 113 was refused.",
            "Invoice INV0012345678 is unpaid, order no. 00123456789 too.",
            "Le dossier n° 0045123456 est ouvert, référence : 00451234567.",
            "Mi pedido 0012345678 no llegó; costó 12 500 000 pesos.",
            "Nomor tiket 0012345678 belum dijawab, biaya 12 500 000 rupiah.",
            "رقم الطلب 0012345678 لم يصل بعد، النسخة 4.2.1.7 من التطبيق.",
            "کیس نمبر 0045123456 ابھی کھلا ہے، PKR 12 500 000 خرچ ہوئے۔",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn addresses_and_phones_written_tightly_are_still_masked() {
        for (text, masked) in [
            ("IP:192.0.2.1 was blocked", "IP:[ip] was blocked"),
            ("from 192.0.2.1:8080 today", "from [ip]:8080 today"),
            (
                "link-local fe80::1 and 2001:db8::1.",
                "link-local [ip] and [ip].",
            ),
            (
                "Tel:0612345678 or (0161) 496 0000",
                "Tel:[phone] or [phone]",
            ),
            ("my number is 0612345678.", "my number is [phone]."),
            ("رقم هاتفي 0612345678", "رقم هاتفي [phone]"),
            ("Rp 07000 000000 v 00000 000 000", "Rp [phone] v [phone]"),
        ] {
            assert_eq!(mask(text), masked, "{text}");
        }
    }

    #[test]
    fn checksums_decide() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("GB82WEST12345698765433"));
    }

    const TEST_SET: &str = include_str!("mask_testset.txt");
    const NEAR_MISSES_DEV: &str = include_str!("mask_nearmiss_dev.txt");

    /// The near-misses the rules were written on (`mask_nearmiss.txt`
    /// stays held out and is only measured, in `make bench`).
    #[test]
    fn masking_quality_on_the_near_misses_it_was_written_on() {
        let (per_label, total, lines) = evaluate(NEAR_MISSES_DEV);
        assert!(lines >= 120, "{lines} lines");
        for (label, counts) in &per_label {
            assert_eq!(counts.false_positives, 0, "{}: {counts:?}", label.as_str());
        }
        assert!(total.recall() >= 0.99, "recall {:.3}", total.recall());
    }

    #[test]
    fn annotations_are_read() {
        let (text, spans) = annotated("Mail {{email:a@example.org}} now.");
        assert_eq!(text, "Mail a@example.org now.");
        assert_eq!(
            spans,
            vec![Span {
                start: 5,
                end: 18,
                label: Label::Email
            }]
        );
    }

    /// The measured quality, printed, with a floor so that a change that
    /// makes masking worse fails here (the figures are in bench/RESULTS.md).
    #[test]
    fn masking_quality_on_the_test_set() {
        let (per_label, total, lines) = evaluate(TEST_SET);
        assert!(lines >= 200, "{lines} lines");
        for (label, counts) in &per_label {
            println!(
                "{:8} precision {:.3} recall {:.3} ({:?})",
                label.as_str(),
                counts.precision(),
                counts.recall(),
                counts
            );
        }
        println!(
            "all      precision {:.3} recall {:.3}",
            total.precision(),
            total.recall()
        );
        assert!(
            total.precision() >= 0.9,
            "precision {:.3}",
            total.precision()
        );
        assert!(total.recall() >= 0.85, "recall {:.3}", total.recall());
    }
}
