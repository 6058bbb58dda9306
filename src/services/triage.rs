//! Triage as the court uses it: the classifier trained once per process from the dataset in the
//! repository, a case's report (type, confidence, disagreement, suggestions) in a language, and
//! the held-out evaluation.

use crate::db::models::case::CaseRow;
use crate::db::models::evidence::EvidenceRow;
use crate::domain::locale::Locale;
use crate::domain::triage::checklist::{suggestions, Submitted, Suggestions};
use crate::domain::triage::classifier::{Classification, Example, Model};
use crate::domain::triage::disagreement::{disagreement, Line};
use crate::domain::triage::{CaseText, DisputeType};
use crate::i18n::{t, tf};
use std::sync::LazyLock;

const TRAINING_SET: &str = include_str!("../../datasets/triage/train.jsonl");
pub const HELD_OUT_SET: &str = include_str!("../../datasets/triage/heldout.jsonl");

/// Trained once per process (at start-up by `serve`: about 165 ms, most of it loading jieba's
/// dictionary), then shared.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| Model::train(&parse_examples(TRAINING_SET)));

/// The examples of a JSON Lines dataset; a line that does not parse is a bug in the dataset.
pub fn parse_examples(jsonl: &str) -> Vec<Example> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad dataset line {l}: {e}")))
        .collect()
}

/// What triage says of a case, ready to show or print.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub dispute_type: &'static str,
    pub confidence: f64,
    pub disagreement: Vec<String>,
    pub suggestions: Vec<String>,
    /// A question for the claimant when the type is unclear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarifying_question: Option<String>,
}

pub fn classify(case: &CaseText) -> Classification {
    MODEL.classify(case)
}

/// A filed case's triage as its pages show it: the type it is heard as, who said so, and the
/// points in dispute.
#[derive(Debug, Clone)]
pub struct CaseTriage {
    /// The claimant's choice; for a case filed before claimants chose, the classifier's reading.
    pub kind: DisputeType,
    /// The classifier's reading when no one chose the type (shown as a reading, not a finding).
    pub reading: Option<Classification>,
    /// The type as the respondent sees it, when different.
    pub respondent_view: Option<DisputeType>,
    /// The classifier's type and confidence at filing, for the moderators.
    pub classifier: Option<(DisputeType, f64)>,
    pub lines: Vec<Line>,
}

impl CaseTriage {
    pub fn of(case: &CaseRow) -> CaseTriage {
        let text = text_of(case);
        let chosen = case.dispute_type.as_deref().and_then(DisputeType::parse);
        let reading = chosen.is_none().then(|| classify(&text));
        let kind = chosen.or(reading.map(|c| c.dispute_type)).unwrap_or(DisputeType::Other);
        let respondent_view = case.respondent_type.as_deref().and_then(DisputeType::parse).filter(|v| *v != kind);
        let mut lines = disagreement(kind, &text);
        if let Some(view) = respondent_view {
            lines.insert(1, Line::TypeDisputed(kind, view));
        }
        let classifier = case.triage_type.as_deref().and_then(DisputeType::parse).zip(case.triage_confidence);
        CaseTriage { kind, reading, respondent_view, classifier, lines }
    }

    pub fn kind(&self) -> DisputeType {
        self.kind
    }

    pub fn type_key(&self) -> String {
        type_key(self.kind)
    }

    /// Whether no one chose the type and the classifier could not tell: the claimant is asked.
    pub fn unsure(&self) -> bool {
        self.reading.is_some_and(|c| c.needs_clarifying())
    }

    /// For an unsure reading: the two likeliest types, as label keys.
    pub fn maybe_keys(&self) -> Option<(String, String)> {
        self.reading.filter(|c| c.needs_clarifying()).map(|c| (type_key(c.best_guess), type_key(c.runner_up)))
    }

    /// A confident reading's confidence as a whole percentage (never "100").
    pub fn reading_percent(&self) -> Option<String> {
        self.reading.filter(|c| !c.needs_clarifying()).map(|c| percent(c.confidence))
    }

    pub fn respondent_key(&self) -> Option<String> {
        self.respondent_view.map(type_key)
    }

    /// What the classifier said at filing, for moderators: (label key, percent).
    pub fn classifier_said(&self) -> Option<(String, String)> {
        self.classifier.map(|(kind, confidence)| (type_key(kind), percent(confidence)))
    }

    pub fn texts(&self, locale: &Locale) -> Vec<String> {
        self.lines.iter().map(|l| line_text(*l, *locale)).collect()
    }
}

fn type_key(kind: DisputeType) -> String {
    format!("triage.type.{}", kind.as_str())
}

fn percent(confidence: f64) -> String {
    format!("{:.0}", (confidence * 100.0).floor().min(99.0))
}

/// The classifier's suggestion for a claim being written: one type when it is sure, else two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub first: DisputeType,
    pub second: Option<DisputeType>,
}

impl Suggestion {
    pub fn of(statement: &str, category: &str) -> Suggestion {
        let text = CaseText { claim: statement.to_string(), answer: None, category: Some(category.to_string()) };
        let c = classify(&text);
        Suggestion { first: c.best_guess, second: c.needs_clarifying().then_some(c.runner_up) }
    }

    /// The type to preselect on the form: only a sure one.
    pub fn preselect(&self) -> Option<DisputeType> {
        self.second.is_none().then_some(self.first)
    }

    /// What the form says about it, in the reader's language.
    pub fn text(&self, locale: Locale) -> String {
        let label = |kind: DisputeType| t(locale, &type_key(kind)).into_owned();
        match self.second {
            None => tf(locale, "file.suggested", &[("type", &label(self.first))]),
            Some(second) => {
                tf(locale, "file.suggested_unsure", &[("first", &label(self.first)), ("second", &label(second))])
            }
        }
    }
}

/// What triage reads of a stored case.
pub fn text_of(case: &CaseRow) -> CaseText {
    CaseText {
        claim: case.claim_statement.clone(),
        answer: case.answer_statement.clone(),
        category: Some(case.category.clone()),
    }
}

/// One party's evidence checklist: the type's proof, marked against the statements and files
/// they added (their own claim or answer does not count: saying "I have a video" is not one).
pub fn checklist_of(kind: DisputeType, evidence: &[EvidenceRow], party: i32) -> Suggestions {
    let submitted: Vec<Submitted> = evidence
        .iter()
        .filter(|e| e.submitted_by == party)
        .map(|e| Submitted {
            text: [e.body.as_deref(), e.file_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" "),
            is_image: e.is_image(),
        })
        .collect();
    suggestions(kind, &submitted)
}

/// Words a juror's interests can match for this type (the label in both languages).
pub fn matching_tags(kind: DisputeType) -> Vec<String> {
    [Locale::ZhCn, Locale::En]
        .into_iter()
        .map(|l| t(l, &format!("triage.type.{}", kind.as_str())).to_lowercase())
        .collect()
}

/// The report of one case for the command line: suggestions are what is still to gather (nothing
/// submitted is known here).
pub fn report(case: &CaseText, locale: Locale) -> Report {
    let c = classify(case);
    let missing = suggestions(c.dispute_type, &[]);
    Report {
        dispute_type: c.dispute_type.as_str(),
        confidence: (c.confidence * 1000.0).round() / 1000.0,
        disagreement: disagreement(c.dispute_type, case).iter().map(|l| line_text(*l, locale)).collect(),
        suggestions: missing
            .missing()
            .map(|p| t(locale, &format!("triage.evidence.{}", p.key())).into_owned())
            .collect(),
        clarifying_question: c.needs_clarifying().then(|| t(locale, "triage.clarify").into_owned()),
    }
}

pub fn line_text(line: Line, locale: Locale) -> String {
    let point = |p: crate::domain::triage::disagreement::Point| t(locale, &format!("triage.point.{}", p.key()));
    match line {
        Line::Core(kind) => t(locale, &format!("triage.core.{}", kind.as_str())).into_owned(),
        Line::Both(p) => tf(locale, "triage.line.both", &[("point", &point(p))]),
        Line::OnlyClaim(p) => tf(locale, "triage.line.only_claim", &[("point", &point(p))]),
        Line::OnlyAnswer(p) => tf(locale, "triage.line.only_answer", &[("point", &point(p))]),
        Line::Neither(p) => tf(locale, "triage.line.neither", &[("point", &point(p))]),
        Line::AwaitingAnswer => t(locale, "triage.line.awaiting_answer").into_owned(),
        Line::TypeDisputed(claimant, respondent) => tf(
            locale,
            "triage.type_disputed",
            &[("claimant", &t(locale, &type_key(claimant))), ("respondent", &t(locale, &type_key(respondent)))],
        ),
    }
}

/// Accuracy and per-type F1 on a labelled set, overall and per language.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub examples: usize,
    pub accuracy: f64,
    /// (language, examples, accuracy)
    pub by_language: Vec<(String, usize, f64)>,
    /// (type, precision, recall, F1, examples)
    pub by_type: Vec<(&'static str, f64, f64, f64, usize)>,
}

pub fn evaluate(examples: &[Example]) -> Evaluation {
    let predicted: Vec<DisputeType> = examples.iter().map(|e| classify(&e.text).dispute_type).collect();
    let truth: Vec<Option<DisputeType>> = examples.iter().map(|e| DisputeType::parse(&e.dispute_type)).collect();
    let right = |i: usize| truth[i] == Some(predicted[i]);
    let share = |hits: usize, of: usize| if of == 0 { 0.0 } else { hits as f64 / of as f64 };
    let mut languages: Vec<String> = examples.iter().map(|e| e.lang.clone()).collect();
    languages.sort();
    languages.dedup();
    let by_language = languages
        .into_iter()
        .map(|lang| {
            let of: Vec<usize> = (0..examples.len()).filter(|i| examples[*i].lang == lang).collect();
            let hits = of.iter().filter(|i| right(**i)).count();
            (lang, of.len(), share(hits, of.len()))
        })
        .collect();
    let by_type = DisputeType::ALL
        .into_iter()
        .map(|kind| {
            let tp = (0..examples.len()).filter(|i| predicted[*i] == kind && truth[*i] == Some(kind)).count();
            let predicted_n = predicted.iter().filter(|p| **p == kind).count();
            let actual_n = truth.iter().filter(|t| **t == Some(kind)).count();
            let (precision, recall) = (share(tp, predicted_n), share(tp, actual_n));
            let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            (kind.as_str(), precision, recall, f1, actual_n)
        })
        .collect();
    let hits = (0..examples.len()).filter(|i| right(*i)).count();
    Evaluation { examples: examples.len(), accuracy: share(hits, examples.len()), by_language, by_type }
}
