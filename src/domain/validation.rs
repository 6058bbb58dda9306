/// Validation problems of one form, as (field, i18n message key) pairs, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, &'static str)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &'static str, key: &'static str) -> Self {
        Self(vec![(field, key)])
    }

    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push((field, key));
    }

    /// Records the error of a parse, returning the parsed value when there was none.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, &'static str>) -> Option<T> {
        parsed.map_err(|key| self.add(field, key)).ok()
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
