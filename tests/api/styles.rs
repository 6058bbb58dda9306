//! Every class a template uses is styled by `static/app.css`, or is a hook named here (for a test,
//! the script or a section's identity) — so a page never renders unstyled because a rule was
//! forgotten, as the moderators' navigation once did.

use std::collections::BTreeSet;

/// Classes that mark a section for tests or the script, and need no style of their own.
const HOOKS: [&str; 11] = [
    "appeal",
    "case-row-main",
    "checklist",
    "facts",
    "flag",
    "hidden-statement",
    "letter",
    "roles",
    "triage",
    "verdict",
    "verdict-outcome",
];

fn templates(dir: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            templates(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(std::fs::read_to_string(path).unwrap());
        }
    }
}

#[test]
fn every_class_in_a_template_is_styled_or_a_named_hook() {
    let css = std::fs::read_to_string("static/app.css").unwrap();
    let styled = |class: &str| {
        css.match_indices(&format!(".{class}")).any(|(at, m)| {
            let next = css[at + m.len()..].chars().next().unwrap_or(' ');
            !(next.is_ascii_alphanumeric() || next == '-' || next == '_')
        })
    };
    let mut pages = vec![];
    templates(std::path::Path::new("templates"), &mut pages);
    let mut unstyled = BTreeSet::new();
    for page in &pages {
        for attribute in page.split("class=\"").skip(1) {
            let value = attribute.split('"').next().unwrap();
            // Literal class names only: askama expressions and their words are not classes.
            // (An attribute cut short by a quote inside an expression ends in an unclosed `{%`.)
            let mut parts = value.split("{%");
            let first = parts.next().unwrap_or_default().to_string();
            let literal = parts
                .filter_map(|part| part.split_once("%}").map(|(_, after)| after))
                .fold(first, |all, after| all + " " + after);
            for class in literal.split_whitespace() {
                let plain = class.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if plain && !class.ends_with('-') && !styled(class) && !HOOKS.contains(&class) {
                    unstyled.insert(class.to_string());
                }
            }
        }
    }
    assert!(unstyled.is_empty(), "classes with no rule in static/app.css: {unstyled:?}");
}

/// Templates compare states and standings as the enums they are (`d.state == CaseState::Escalated`),
/// never as words (`.as_str() == "escalated"`): a renamed or misspelt word would compile and
/// silently never match.
#[test]
fn templates_compare_states_as_enums_not_words() {
    let mut found = vec![];
    templates(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"), &mut found);
    let words: Vec<&str> = found
        .iter()
        .flat_map(|t| t.match_indices(".as_str() ").map(|(at, _)| &t[at..(at + 30).min(t.len())]))
        .filter(|rest| rest.starts_with(".as_str() == \"") || rest.starts_with(".as_str() != \""))
        .collect();
    assert!(words.is_empty(), "compare with the enum: {words:?}");
}
