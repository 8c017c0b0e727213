//! A minimal PDF writer for plain-text documents (the year-end statement for a benefits desk):
//! A4 pages of monospaced lines in the standard Courier font, no dependencies. Characters
//! outside printable ASCII are written as `?`; the statement itself is ASCII.

use std::fmt::Write as _;

/// Lines per A4 page at 10 pt with 12 pt leading between 56 pt margins.
const LINES_PER_PAGE: usize = 60;

/// Escapes a line for a PDF string literal.
fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A PDF of `lines` (each at most ~90 characters fits the page width), `title` in the document
/// information.
pub fn text_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let pages: Vec<&[String]> = if lines.is_empty() { vec![&[]] } else { lines.chunks(LINES_PER_PAGE).collect() };
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then per page: page, content.
    let mut objects: Vec<String> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 5 + 2 * i).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_owned());
    objects.push(format!("<< /Title ({}) /Producer (heitje) >>", escape(title)));
    for (i, page) in pages.iter().enumerate() {
        let content_id = page_ids[i] + 1;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> \
             /Contents {content_id} 0 R >>"
        ));
        let mut stream = String::from("BT /F1 10 Tf 12 TL 56 786 Td\n");
        for line in *page {
            let _ = writeln!(stream, "({}) Tj T*", escape(line));
        }
        stream.push_str("ET\n");
        objects.push(format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in &offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ =
        write!(out, "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let lines: Vec<String> = (0..130).map(|i| format!("line {i} (with parentheses) and a \\ backslash")).collect();
        let pdf = text_pdf("Statement 2026", &lines);
        let text = String::from_utf8(pdf).expect("ASCII");
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(text[start..].starts_with("xref\n"));
        let entries: Vec<usize> = text[start..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().expect("offset"))
            .collect();
        assert_eq!(entries.len(), 4 + 2 * 3, "catalog, pages, font, info and 3 pages of 60 lines");
        for (i, offset) in entries.iter().enumerate() {
            assert!(text[*offset..].starts_with(&format!("{} 0 obj", i + 1)), "object {} at {offset}", i + 1);
        }
        assert!(text.contains("(line 129 \\(with parentheses\\) and a \\\\ backslash) Tj"));
        assert!(text.contains("/Count 3"));
    }

    #[test]
    fn non_ascii_is_replaced_not_broken() {
        let pdf = text_pdf("t", &["€ 5 — Heerlen".to_owned()]);
        assert!(String::from_utf8(pdf).expect("ASCII").contains("(? 5 ? Heerlen) Tj"));
    }
}
