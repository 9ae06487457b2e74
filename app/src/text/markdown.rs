//! Markdown to safe HTML, once, when a text is written.
//!
//! pulldown-cmark parses CommonMark with tables and strikethrough. Raw HTML
//! in the source is never passed through: it becomes text, shown as typed.
//! Images become links to the image (an image from a stranger's server
//! would tell that server who reads the post, and weighs on a cheap phone's
//! data). ammonia then sanitises the result against a small allow-list, and
//! gives every link `rel="nofollow ugc noopener"`.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// A rendered text: the safe HTML to store, and how many links it holds
/// (for the new-account link limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub links: usize,
}

/// The elements a rendered text may contain.
pub const ALLOWED_TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The attributes allowed, per element; no other element has any.
pub const ALLOWED_ATTRIBUTES: &[(&str, &[&str])] =
    &[("a", &["href", "title", "rel"]), ("ol", &["start"])];

/// The URL schemes a link may use (relative links are allowed too).
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Renders `source` (Markdown) to sanitised HTML.
pub fn render(source: &str) -> Rendered {
    let mut links = 0;
    let events = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        // Raw HTML is shown as the text it is.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            links += 1;
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        Event::Start(Tag::Link { .. }) => {
            links += 1;
            event
        }
        Event::Text(ref text) => {
            links += bare_links(text);
            event
        }
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    Rendered {
        html: sanitiser().clean(&html).to_string(),
        links,
    }
}

/// Addresses typed as plain text (`www.example.org`, `https://…`): not
/// clickable, but they count against the link limit all the same.
fn bare_links(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| {
            let word = word.to_ascii_lowercase();
            word.contains("://") || word.starts_with("www.")
        })
        .count()
}

fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .tag_attributes(
            ALLOWED_ATTRIBUTES
                .iter()
                .filter(|(_, attributes)| !attributes.contains(&"rel"))
                .map(|(tag, attributes)| (*tag, attributes.iter().copied().collect()))
                .chain([("a", ["href", "title"].into_iter().collect())])
                .collect(),
        )
        .url_schemes(ALLOWED_SCHEMES.iter().copied().collect::<HashSet<_>>())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("nofollow ugc noopener"))
        .clean_content_tags(["script", "style"].into_iter().collect());
    builder
}

/// The plain text of a Markdown source, for a quote's excerpt and for
/// feeds that want text: the words, without markup.
pub fn plain_text(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    for event in Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !text.ends_with(' ') => {
                text.push(' ');
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hostile inputs, separated by `----` lines, after a `#` header.
    const VECTORS: &str = include_str!("../forums/xss_vectors.txt");

    fn vectors() -> Vec<&'static str> {
        let body: String = VECTORS
            .lines()
            .skip_while(|line| line.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let body: &'static str = Box::leak(body.into_boxed_str());
        body.split("\n----\n")
            .map(str::trim)
            .filter(|vector| !vector.is_empty())
            .collect()
    }

    /// Checks `html` against the allow-list by reading it tag by tag:
    /// every element and attribute allowed, every link's scheme allowed,
    /// nothing that looks like script outside a tag's text.
    fn assert_allowed(html: &str, source: &str) {
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after
                .find('>')
                .unwrap_or_else(|| panic!("unclosed tag in {html:?} from {source:?}"));
            let tag = &after[..end];
            rest = &after[end + 1..];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let tag = tag.strip_suffix('/').unwrap_or(tag).trim();
            let (name, attributes) = tag.split_once(' ').unwrap_or((tag, ""));
            assert!(
                ALLOWED_TAGS.contains(&name),
                "element <{name}> in {html:?} from {source:?}"
            );
            let allowed: &[&str] = ALLOWED_ATTRIBUTES
                .iter()
                .find(|(tag, _)| *tag == name)
                .map_or(&[], |(_, attributes)| attributes);
            for (attribute, value) in attributes_of(attributes) {
                assert!(
                    allowed.contains(&attribute.as_str()),
                    "attribute {attribute} on <{name}> in {html:?} from {source:?}"
                );
                if attribute == "href" {
                    let lower = value.to_ascii_lowercase();
                    let scheme = lower.split_once(':').map(|(scheme, _)| scheme);
                    // Without a valid scheme (a letter, then letters, digits,
                    // `+ - .`), a browser reads the address as relative.
                    let relative = scheme.is_none_or(|s| {
                        !s.starts_with(|c: char| c.is_ascii_alphabetic())
                            || !s
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    });
                    assert!(
                        relative || scheme.is_some_and(|s| ALLOWED_SCHEMES.contains(&s)),
                        "href {value:?} in {html:?} from {source:?}"
                    );
                }
                if attribute == "rel" {
                    assert_eq!(value, "nofollow ugc noopener");
                }
            }
        }
        assert!(!rest.contains('>') || !rest.contains('<'));
    }

    /// `name="value"` pairs of a tag as ammonia writes them (always quoted).
    fn attributes_of(mut text: &str) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        loop {
            text = text.trim_start();
            let Some((name, after)) = text.split_once("=\"") else {
                assert!(text.is_empty(), "unquoted attribute in {text:?}");
                return pairs;
            };
            let Some((value, after)) = after.split_once('"') else {
                panic!("unterminated attribute in {text:?}");
            };
            pairs.push((name.trim().to_owned(), value.replace("&amp;", "&")));
            text = after;
        }
    }

    #[test]
    fn there_are_many_vectors() {
        assert!(vectors().len() >= 100, "{} vectors", vectors().len());
    }

    #[test]
    fn every_hostile_vector_renders_within_the_allow_list() {
        for vector in vectors() {
            let rendered = render(vector);
            assert_allowed(&rendered.html, vector);
        }
    }

    #[test]
    fn ordinary_markdown_renders() {
        let rendered = render(
            "**Bold** and ~~struck~~, a [link](https://example.org/a?b=1).\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        );
        assert!(rendered.html.contains("<strong>Bold</strong>"));
        assert!(rendered.html.contains("<del>struck</del>"));
        assert!(rendered.html.contains(
            "<a href=\"https://example.org/a?b=1\" rel=\"nofollow ugc noopener\">link</a>"
        ));
        assert!(rendered.html.contains("<table>"));
        assert_eq!(rendered.links, 1);
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let rendered = render("Hello <b onclick=\"x()\">there</b>");
        assert!(rendered.html.contains("&lt;b onclick"), "{}", rendered.html);
        assert!(!rendered.html.contains("<b"));
    }

    #[test]
    fn images_become_links_and_scripts_lose_their_links() {
        let image = render("![map](https://example.org/map.png)");
        assert!(
            image
                .html
                .contains("<a href=\"https://example.org/map.png\"")
        );
        assert!(!image.html.contains("<img"));
        let script = render("[x](javascript:alert(1))");
        assert!(!script.html.contains("javascript"), "{}", script.html);
    }

    #[test]
    fn links_are_counted_clickable_or_not() {
        assert_eq!(
            render("see www.example.org and https://a.example/x").links,
            2
        );
        assert_eq!(
            render("[a](https://a.example) [b](https://b.example)").links,
            2
        );
        assert_eq!(render("no links here").links, 0);
    }

    #[test]
    fn plain_text_drops_the_markup() {
        assert_eq!(plain_text("**Hi** _there_\n\n> quoted"), "Hi there quoted");
    }
}
