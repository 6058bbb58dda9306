//! Every message key the code and templates use exists in both the zh-CN and the en catalogue.

use std::collections::BTreeSet;
use std::path::Path;
use xiaofating::domain::locale::Locale;
use xiaofating::i18n::has_translation;

/// Top-level namespaces of the catalogue (lines of en.yml without indentation).
fn namespaces() -> BTreeSet<String> {
    std::fs::read_to_string("locales/en.yml")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(' ') && l.ends_with(':'))
        .map(|l| l.trim_end_matches(':').to_string())
        .collect()
}

/// String literals shaped like `namespace.key…` in every source and template file.
fn used_keys(dir: &Path, namespaces: &BTreeSet<String>, keys: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            used_keys(&path, namespaces, keys);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for literal in text.split('"').skip(1).step_by(2) {
            let shaped = literal.contains('.')
                && literal.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && !literal.ends_with('.')
                && ![".html", ".txt"].iter().any(|ext| literal.ends_with(ext));
            if shaped && namespaces.contains(literal.split('.').next().unwrap()) {
                keys.insert(literal.to_string());
            }
        }
    }
}

#[test]
fn every_used_key_is_translated_in_both_languages() {
    let namespaces = namespaces();
    let mut keys = BTreeSet::new();
    used_keys(Path::new("src"), &namespaces, &mut keys);
    used_keys(Path::new("templates"), &namespaces, &mut keys);
    // The webhooks' event names look like keys of the `case` namespace, and are not messages.
    for event in xiaofating::domain::marketplace::WebhookEvent::ALL {
        keys.remove(event.as_str());
    }
    use xiaofating::domain::case::{CaseState, EVENT_KINDS};
    use xiaofating::domain::dispute::{Category, Remedy};
    // Keys the code builds at run time from a name.
    for state in CaseState::ALL {
        keys.insert(format!("state.{}", state.as_str()));
    }
    for key in xiaofating::domain::next_step::KEYS {
        keys.insert(format!("next.{key}"));
        keys.insert(format!("next.then.{key}"));
    }
    for state in CaseState::ALL {
        keys.insert(format!("moderation.next.{}", state.as_str()));
    }
    for anchor in ["answer", "appeal", "offer", "evidence_form"] {
        keys.insert(format!("next.go.{anchor}"));
    }
    for unit in ["days", "hours", "minutes"] {
        keys.insert(format!("next.left.{unit}"));
    }
    for act in xiaofating::routes::confirm::ACTS {
        for part in ["title", "warning", "submit"] {
            keys.insert(format!("confirm.{act}.{part}"));
        }
    }
    // A text out of its bounds is worded with them (`Ctx::err`).
    for key in ["error.text_long", "error.text_short"] {
        keys.insert(format!("{key}_bounded"));
    }
    for c in Category::ALL {
        keys.insert(c.label_key());
    }
    for kind in Remedy::KINDS.into_iter().chain(["reject"]) {
        keys.insert(format!("remedy.{kind}"));
    }
    for side in ["buyer", "seller"] {
        keys.insert(format!("side.{side}"));
        keys.insert(format!("moderation.rings_favour_{side}"));
    }
    for kind in EVENT_KINDS {
        keys.insert(format!("event.{kind}"));
    }
    let events = xiaofating::email::message::CASE_EVENTS.into_iter().chain(xiaofating::email::message::JUROR_EVENTS);
    for (event, variant) in events {
        let key = variant.map_or(format!("mail.{event}"), |v| format!("mail.{event}.{v}"));
        keys.insert(format!("{key}.subject"));
        keys.insert(format!("{key}.body"));
    }
    for state in ["pending", "sent", "dead"] {
        keys.insert(format!("devmail.state.{state}"));
    }
    for status in [400, 403, 404, 405, 409, 413, 422, 429, 500, 503] {
        keys.insert(format!("error.page.{status}.title"));
        keys.insert(format!("error.page.{status}.message"));
    }
    assert!(keys.len() > 100, "the scan found the keys ({})", keys.len());
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            Locale::ALL.into_iter().filter(|l| !has_translation(*l, k)).map(move |l| format!("{}: {k}", l.code()))
        })
        .collect();
    assert!(missing.is_empty(), "missing translations:\n{}", missing.join("\n"));
}

#[test]
fn both_catalogues_have_the_same_keys() {
    let keys_of = |file: &str| -> Vec<String> {
        // Indentation-aware flattening of the simple YAML the catalogues use.
        let mut stack: Vec<(usize, String)> = Vec::new();
        let mut keys = Vec::new();
        for line in std::fs::read_to_string(file).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let indent = line.len() - line.trim_start().len();
            let (key, value) = line.trim().split_once(':').unwrap();
            stack.retain(|(i, _)| *i < indent);
            let path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).chain([key.trim_matches('"')]).collect();
            if value.trim().is_empty() {
                stack.push((indent, key.trim_matches('"').to_string()));
            } else {
                keys.push(path.join("."));
            }
        }
        keys.sort();
        keys
    };
    assert_eq!(keys_of("locales/en.yml"), keys_of("locales/zh-CN.yml"));
}

/// People know a case by its item, not by a random id: no email subject names the id.
#[test]
fn email_subjects_name_the_item_not_the_case_id() {
    for file in ["locales/en.yml", "locales/zh-CN.yml"] {
        for line in std::fs::read_to_string(file).unwrap().lines().filter(|l| l.trim_start().starts_with("subject:")) {
            assert!(!line.contains("%{case}"), "{file}: {line}");
        }
    }
}
