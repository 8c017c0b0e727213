//! Names in the EPC's basic Latin character set, which every SEPA bank must carry.

use super::batch::MAX_NAME_CHARS;

/// A name in the EPC's basic Latin character set (`a-z A-Z 0-9 / - ? : ( ) . , ' +` and space),
/// which every SEPA bank must carry: accented letters lose their accents (`é` → `e`, `ß` →
/// `ss`, `æ` → `ae`), `&` becomes `+`, typographic quotes and dashes become `'` and `-`, any
/// other character becomes a space; runs of spaces collapse and the result is cut to
/// [`MAX_NAME_CHARS`]. May return an empty string.
pub fn sepa_name(name: &str) -> String {
    let mut latin = String::with_capacity(name.len());
    for character in name.chars() {
        push_latin(character, &mut latin);
    }
    let collapsed = latin.split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ");
    let cut: String = collapsed.chars().take(MAX_NAME_CHARS).collect();
    cut.trim_end().to_owned()
}
/// Whether a converted name kept at least one letter or digit.
pub(super) fn has_alphanumeric(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The EPC basic Latin character set.
fn is_sepa(character: char) -> bool {
    character.is_ascii_alphanumeric()
        || matches!(character, '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' ')
}

/// Appends `character` in the SEPA character set, or a space when it has no Latin form.
fn push_latin(character: char, out: &mut String) {
    if is_sepa(character) {
        out.push(character);
    } else if let Some(text) = punctuation(character) {
        out.push_str(text);
    } else if let Some(text) = character.to_lowercase().next().and_then(unaccented) {
        if character.is_lowercase() {
            out.push_str(text);
        } else {
            out.push_str(&text.to_ascii_uppercase());
        }
    } else if !('\u{300}'..='\u{36f}').contains(&character) {
        // Combining accents (a decomposed é is e + U+0301) are dropped; the letter stays.
        out.push(' ');
    }
}

fn punctuation(character: char) -> Option<&'static str> {
    Some(match character {
        '&' => "+",
        '‘' | '’' | '‚' | '‛' | '`' | '´' | 'ʼ' | '′' => "'",
        '‐' | '‑' | '‒' | '–' | '—' | '−' => "-",
        // Its lower case is two characters (i + combining dot).
        'İ' => "I",
        _ => return None,
    })
}

/// The unaccented form of a lower-case Latin letter.
fn unaccented(letter: char) -> Option<&'static str> {
    Some(match letter {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}
