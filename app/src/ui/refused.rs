//! The page a refused cross-site request gets (server only): why, in the
//! reader's language, and the same form to send again from Parley.

use crate::i18n::*;
use leptos_i18n::Locale as _;

/// The whole page, for a request to `action` that carried `fields`.
pub fn page(locale: Locale, action: &str, fields: &[(String, String)]) -> String {
    let hidden: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(name),
                escape(value)
            )
        })
        .collect();
    let dir = if matches!(locale.as_str(), "ar" | "ur") {
        "rtl"
    } else {
        "ltr"
    };
    let resend = if fields.is_empty() {
        String::new()
    } else {
        format!(
            r#"<form method="post" action="{action}">{hidden}<button type="submit" class="button">{}</button></form>"#,
            escape(td_string!(locale, errors.refused_send_again)),
            action = escape(action),
        )
    };
    format!(
        r#"<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><link rel="stylesheet" href="/pkg/parley.css"></head><body><main id="main" class="refused"><h1>{title}</h1><p>{body}</p>{resend}<p><a href="/{lang}">{home}</a></p></main></body></html>"#,
        lang = locale.as_str(),
        title = escape(td_string!(locale, errors.refused_title)),
        body = escape(td_string!(locale, errors.refused_body)),
        home = escape(td_string!(locale, errors.refused_home)),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_comes_back_escaped() {
        let page = page(
            Locale::ar,
            "/api/send_feedback",
            &[("text".to_owned(), "<b>\"hi\"</b>".to_owned())],
        );
        assert!(page.contains(r#"dir="rtl""#));
        assert!(page.contains(r#"value="&lt;b&gt;&quot;hi&quot;&lt;/b&gt;""#));
        assert!(!page.contains("<b>"));
    }
}
