//! CSV cells that any spreadsheet opens safely: quoted where a reader
//! could misread them, and never run as a formula.

/// One CSV cell. A cell a spreadsheet would run as a formula (starting
/// with =, +, -, @, a tab or a carriage return) is prefixed with an
/// apostrophe; a cell holding a comma, a quote or a line break is quoted.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One CSV line of `cells`, each made safe by [`cell`].
pub fn line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut out = cells
        .into_iter()
        .map(|text| cell(text.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(
            cell("=HYPERLINK(\"x\"), said [name]"),
            "\"'=HYPERLINK(\"\"x\"\"), said [name]\""
        );
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            line(["a", "b,c", "two\nlines"]),
            "a,\"b,c\",\"two\nlines\"\n"
        );
    }
}
