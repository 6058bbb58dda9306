//! Lookups in the zh-CN / en catalogues under `locales/`.

use crate::domain::locale::Locale;
use std::borrow::Cow;

pub fn t(locale: Locale, key: &str) -> Cow<'static, str> {
    match crate::_rust_i18n_try_translate(locale.code(), key) {
        Some(text) => Cow::Owned(text.into_owned()),
        None => Cow::Owned(key.to_string()),
    }
}

/// A lookup with `%{name}` placeholders filled in.
pub fn tf(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(locale, key).into_owned();
    for (name, value) in args {
        text = text.replace(&format!("%{{{name}}}"), value);
    }
    text
}

/// Whether the catalogue of `locale` has `key` (without falling back to another language).
pub fn has_translation(locale: Locale, key: &str) -> bool {
    crate::_RUST_I18N_BACKEND.translate(locale.code(), key).is_some()
}
