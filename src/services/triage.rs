//! Triage as the court uses it: the classifier trained once per process from the dataset in the
//! repository, a case's report (type, confidence, disagreement, suggestions) in a language, and
//! the held-out evaluation.

use crate::db::models::case::CaseRow;
use crate::db::models::evidence::EvidenceRow;
use crate::domain::locale::Locale;
use crate::domain::triage::checklist::{suggestions, Declared, Suggestions};
use crate::domain::triage::classifier::{Classification, Example, Model, Prepared};
use crate::domain::triage::disagreement::{disagreement, quote, Line};
use crate::domain::triage::{CaseText, DisputeType};
use crate::i18n::{t, tf};
use std::sync::LazyLock;

/// The project's generated wordings (datasets/triage/generate.py) and their held-out wordings.
const GENERATED_SET: &str = include_str!("../../datasets/triage/train.jsonl");
pub const HELD_OUT_SET: &str = include_str!("../../datasets/triage/heldout.jsonl");

/// Disputes written in the styles real people use, one file per style (docs/triage.md).
const STYLE_SETS: [&str; 8] = [
    include_str!("../../datasets/triage/styles/zh-review.jsonl"),
    include_str!("../../datasets/triage/styles/zh-narrative.jsonl"),
    include_str!("../../datasets/triage/styles/zh-chat.jsonl"),
    include_str!("../../datasets/triage/styles/zh-formal.jsonl"),
    include_str!("../../datasets/triage/styles/en-forum.jsonl"),
    include_str!("../../datasets/triage/styles/en-seller.jsonl"),
    include_str!("../../datasets/triage/styles/en-review.jsonl"),
    include_str!("../../datasets/triage/styles/en-message.jsonl"),
];

/// Everything the court learns from: the generated wordings and every style.
pub fn training_examples() -> Vec<Example> {
    let mut examples = parse_examples(GENERATED_SET);
    examples.extend(style_examples());
    examples
}

/// The examples written in real people's styles.
pub fn style_examples() -> Vec<Example> {
    STYLE_SETS.iter().flat_map(|set| parse_examples(set)).collect()
}

/// Trained once per process (at start-up by `serve`: a few hundred ms, much of it loading jieba's
/// dictionary), then shared.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| Model::train(&training_examples()));

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
    /// The two likeliest types with their confidence, the first being `dispute_type`.
    pub alternatives: [Alternative; 2],
    pub disagreement: Vec<String>,
    pub suggestions: Vec<String>,
    /// A question for the claimant when the type is unclear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarifying_question: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Alternative {
    pub dispute_type: &'static str,
    pub confidence: f64,
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
    /// Per line: the claimant's and the respondent's own sentence on its point, where they spoke
    /// to it.
    pub quotes: Vec<(Option<String>, Option<String>)>,
}

impl CaseTriage {
    /// As the parties and moderators read it: each side quoted as written.
    pub fn of(case: &CaseRow) -> CaseTriage {
        CaseTriage::quoting(case, |text| text.to_string())
    }

    /// As jurors read it: the statements pass through `mask` before anything is quoted from them,
    /// so a quote never holds what the masked statement hides.
    pub fn masked(case: &CaseRow, mask: impl Fn(&str) -> String) -> CaseTriage {
        CaseTriage::quoting(case, mask)
    }

    fn quoting(case: &CaseRow, shown: impl Fn(&str) -> String) -> CaseTriage {
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
        let quotes = lines
            .iter()
            .map(|line| match *line {
                Line::Both(p) | Line::OnlyClaim(p) | Line::OnlyAnswer(p) => {
                    (quote(p, &shown(&text.claim)), text.answer.as_deref().and_then(|a| quote(p, &shown(a))))
                }
                _ => (None, None),
            })
            .collect();
        CaseTriage { kind, reading, respondent_view, classifier, lines, quotes }
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
        self.reading.filter(|c| c.needs_clarifying()).map(|c| (type_key(c.dispute_type), type_key(c.runner_up)))
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

    /// Each line in words, with the two sides' quotes on its point.
    pub fn texts(&self, locale: &Locale) -> Vec<(String, Option<String>, Option<String>)> {
        let said = |key: &str, quote: &Option<String>| quote.as_deref().map(|q| tf(*locale, key, &[("quote", q)]));
        self.lines
            .iter()
            .zip(&self.quotes)
            .map(|(line, (claim, answer))| {
                (
                    line_text(*line, *locale),
                    said("triage.quote.claimant", claim),
                    said("triage.quote.respondent", answer),
                )
            })
            .collect()
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
        Suggestion { first: c.dispute_type, second: c.needs_clarifying().then_some(c.runner_up) }
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

/// One party's evidence checklist: the type's proof, ticked by what they declared their own
/// evidence to be (their statements' words tick nothing).
pub fn checklist_of(kind: DisputeType, evidence: &[EvidenceRow], party: i32) -> Suggestions {
    let declared: Vec<Declared> = evidence
        .iter()
        .filter(|e| e.submitted_by == party && !e.from_marketplace)
        .filter_map(EvidenceRow::declared)
        .collect();
    suggestions(kind, &declared)
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
    let rounded = |p: f64| (p * 1000.0).round() / 1000.0;
    Report {
        dispute_type: c.dispute_type.as_str(),
        confidence: rounded(c.confidence),
        alternatives: [
            Alternative { dispute_type: c.dispute_type.as_str(), confidence: rounded(c.confidence) },
            Alternative { dispute_type: c.runner_up.as_str(), confidence: rounded(c.runner_up_confidence) },
        ],
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

/// Accuracy, per-type F1 and calibration on a labelled set, overall, per language and per style.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub examples: usize,
    pub accuracy: f64,
    /// (language, examples, accuracy)
    pub by_language: Vec<(String, usize, f64)>,
    /// (style, examples, accuracy); empty for the generated wordings.
    pub by_style: Vec<(String, usize, f64)>,
    /// (type, precision, recall, F1, examples)
    pub by_type: Vec<(&'static str, f64, f64, f64, usize)>,
    /// Expected calibration error over ten confidence bins: how far the stated confidence is from
    /// the share actually right, weighted by how many cases sit at each confidence.
    pub calibration_error: f64,
}

/// The court's model on a labelled set (the generated held-out wordings).
pub fn evaluate(examples: &[Example]) -> Evaluation {
    let judged: Vec<(Classification, &Example)> = examples.iter().map(|e| (classify(&e.text), e)).collect();
    score(&judged)
}

/// Each style judged by a model trained on everything but that style: how the court does on a
/// way of writing it has never seen, which is what real complaints are.
pub fn evaluate_by_style() -> Evaluation {
    let generated: Vec<Prepared> = parse_examples(GENERATED_SET).iter().filter_map(Prepared::of).collect();
    let styled: Vec<(Example, Prepared)> =
        style_examples().into_iter().filter_map(|e| Prepared::of(&e).map(|p| (e, p))).collect();
    let mut styles: Vec<&str> = styled.iter().map(|(e, _)| e.style.as_str()).collect();
    styles.sort_unstable();
    styles.dedup();
    let mut judged = vec![];
    for style in styles {
        let others = styled.iter().filter(|(e, _)| e.style != style).map(|(_, p)| p);
        let model = Model::train_prepared(generated.iter().chain(others));
        let held = styled.iter().filter(|(e, _)| e.style == style);
        judged.extend(held.map(|(e, p)| (model.classify_features(p.features()), e)));
    }
    score(&judged)
}

fn score(judged: &[(Classification, &Example)]) -> Evaluation {
    let share = |hits: usize, of: usize| if of == 0 { 0.0 } else { hits as f64 / of as f64 };
    let right = |judged: &(Classification, &Example)| judged.0.dispute_type.as_str() == judged.1.dispute_type;
    let accuracy_by = |key: fn(&Example) -> &str| {
        let mut groups: Vec<&str> = judged.iter().map(|(_, e)| key(e)).filter(|k| !k.is_empty()).collect();
        groups.sort_unstable();
        groups.dedup();
        groups
            .into_iter()
            .map(|group| {
                let of: Vec<_> = judged.iter().filter(|(_, e)| key(e) == group).collect();
                let hits = of.iter().filter(|j| right(j)).count();
                (group.to_string(), of.len(), share(hits, of.len()))
            })
            .collect()
    };
    let by_type = DisputeType::ALL
        .into_iter()
        .map(|kind| {
            let is = |name: &str| name == kind.as_str();
            let tp = judged.iter().filter(|(c, e)| c.dispute_type == kind && is(&e.dispute_type)).count();
            let predicted_n = judged.iter().filter(|(c, _)| c.dispute_type == kind).count();
            let actual_n = judged.iter().filter(|(_, e)| is(&e.dispute_type)).count();
            let (precision, recall) = (share(tp, predicted_n), share(tp, actual_n));
            let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
            (kind.as_str(), precision, recall, f1, actual_n)
        })
        .collect();
    let hits = judged.iter().filter(|j| right(j)).count();
    Evaluation {
        examples: judged.len(),
        accuracy: share(hits, judged.len()),
        by_language: accuracy_by(|e| &e.lang),
        by_style: accuracy_by(|e| &e.style),
        by_type,
        calibration_error: calibration_error(judged.iter().map(|j| (j.0.confidence, right(j)))),
    }
}

/// Expected calibration error over ten equal-width confidence bins.
fn calibration_error(judged: impl Iterator<Item = (f64, bool)>) -> f64 {
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    let mut n = 0;
    for (confidence, right) in judged {
        let bin = &mut bins[((confidence * 10.0).ceil() as usize).clamp(1, 10) - 1];
        bin.0 += 1;
        bin.1 += confidence;
        bin.2 += usize::from(right);
        n += 1;
    }
    bins.iter()
        .filter(|(count, ..)| *count > 0)
        .map(|(count, confidence, right)| {
            let count = *count as f64;
            count / n as f64 * (confidence / count - *right as f64 / count).abs()
        })
        .sum()
}
