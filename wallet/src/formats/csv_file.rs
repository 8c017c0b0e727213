//! CSV files a person opens in a spreadsheet: RFC 4180 through the `csv` crate, CRLF line ends,
//! fields quoted when they hold a comma, quote or line end, and guarded against formulas.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field starting with `=`, `+`, `-`, `@`, tab or carriage return, with a leading `'`, so a
/// spreadsheet shows it as text instead of running it as a formula; any other field as it is.
pub fn guard(field: &str) -> Cow<'_, str> {
    if field.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{field}")) } else { Cow::Borrowed(field) }
}

/// The CSV text of `header` and `rows`, every field guarded by [`guard`].
pub fn write<R, F>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = F>,
    F: IntoIterator<Item = String>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    // Writing to memory cannot fail, and every field is a `String`, so the bytes are UTF-8.
    let mut write_row = |fields: Vec<String>| {
        writer.write_record(fields.iter().map(|field| guard(field).into_owned())).expect("CSV into memory")
    };
    write_row(header.iter().map(|field| (*field).to_owned()).collect());
    for row in rows {
        write_row(row.into_iter().collect());
    }
    let bytes = writer.into_inner().expect("CSV into memory");
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One field as written in a row beside another.
    fn field(text: &str) -> String {
        let csv = write(&["a", "b"], [vec![text.to_owned(), "x".to_owned()]]);
        let row = csv.strip_prefix("a,b\r\n").expect("header");
        row.strip_suffix(",x\r\n").expect("row").to_owned()
    }

    #[test]
    fn fields_are_quoted_and_guarded_against_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("Jansen, Zn."), "\"Jansen, Zn.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+31 45"), "'+31 45");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field(""), "");
    }

    #[test]
    fn rows_end_in_crlf_after_the_header() {
        assert_eq!(write(&["a", "b"], [vec!["1".to_owned(), "2".to_owned()]]), "a,b\r\n1,2\r\n");
        assert_eq!(write(&["a"], Vec::<Vec<String>>::new()), "a\r\n");
    }
}
