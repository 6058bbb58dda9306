/// Validation problems of one form, as (field, i18n message key) pairs, in field order, and for
/// free text the bounds it missed, so the message can name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, &'static str)>, Vec<(&'static str, TextBounds)>);

/// The length rule a text missed, and how long it was (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextBounds {
    pub min: usize,
    pub max: usize,
    pub count: usize,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &'static str, key: &'static str) -> Self {
        Self(vec![(field, key)], vec![])
    }

    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push((field, key));
    }

    /// Records the error of a parse, returning the parsed value when there was none.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, &'static str>) -> Option<T> {
        parsed.map_err(|key| self.add(field, key)).ok()
    }

    /// `parse_text`, recording a text that is too short or too long with the bounds it missed.
    pub fn check_text(&mut self, field: &'static str, raw: &str, min: usize, max: usize) -> Option<String> {
        let parsed = parse_text(raw, min, max);
        if matches!(parsed, Err("error.text_short" | "error.text_long")) {
            self.1.push((field, TextBounds { min, max, count: normalised(raw).chars().count() }));
        }
        self.check(field, parsed)
    }

    /// The bounds a field's text missed, when its error is about length.
    pub fn bounds(&self, field: &str) -> Option<TextBounds> {
        self.1.iter().find(|(f, _)| *f == field).map(|(_, b)| *b)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message key for a field, if it has an error.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(&'static str, &'static str)> {
        self.0.iter()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// Checks free text a person wrote: trimmed, line endings normalised, no control characters but
/// line breaks and tabs, between `min` and `max` characters. Errors name `<field>_required`,
/// `text_short`, `text_long` or `text_invalid` under `error.`.
pub fn parse_text(raw: &str, min: usize, max: usize) -> Result<String, &'static str> {
    let text = normalised(raw);
    let text = text.trim();
    if text.is_empty() {
        return Err("error.text_required");
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("error.text_invalid");
    }
    let chars = text.chars().count();
    if chars < min {
        return Err("error.text_short");
    }
    if chars > max {
        return Err("error.text_long");
    }
    Ok(text.to_string())
}

fn normalised(raw: &str) -> String {
    raw.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_clean() {
        assert_eq!(parse_text("  你好，世界 \r\n", 2, 10), Ok("你好，世界".to_string()));
        assert_eq!(parse_text("   ", 1, 10), Err("error.text_required"));
        assert_eq!(parse_text("a", 2, 10), Err("error.text_short"));
        assert_eq!(parse_text(&"字".repeat(11), 2, 10), Err("error.text_long"));
        assert_eq!(parse_text("a\u{0000}b", 1, 10), Err("error.text_invalid"));
        assert_eq!(parse_text("emoji 😀 and 中文 mixed", 2, 40).unwrap(), "emoji 😀 and 中文 mixed");
        assert_eq!(parse_text("line one\r\nline two", 2, 40).unwrap(), "line one\nline two");
    }

    #[test]
    fn a_text_out_of_bounds_keeps_the_bounds_for_its_message() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check_text("reason", &"很".repeat(30), 2, 20), None);
        assert_eq!(errors.get("reason"), Some("error.text_long"));
        assert_eq!(errors.bounds("reason"), Some(TextBounds { min: 2, max: 20, count: 30 }));
        assert_eq!(errors.check_text("note", " ok ", 1, 5), Some("ok".to_string()));
        assert_eq!(errors.bounds("note"), None);
    }
}
