//! A multinomial naive Bayes classifier over the words of a case: Latin words, their first four
//! letters (which survive most typos) and neighbouring word pairs; Chinese words as jieba segments
//! them, and the single characters and neighbouring pairs beside them (colloquial, typo-ridden
//! statements segment poorly; characters and pairs still carry them). The claim, the answer and
//! the category are separate features. Its scores are turned into probabilities at a temperature
//! measured on whole writing styles it never saw (docs/triage.md), so a confidence of 0.8 is right
//! about four times in five.

use super::{normalised, CaseText, DisputeType};
use jieba_rs::Jieba;
use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The segmenter with its built-in dictionary, loaded once.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Below this confidence the court does not name one type: it offers the two likeliest.
pub const CONFIDENT: f64 = 0.6;

/// Smoothing of unseen features (chosen by measurement: docs/triage.md).
const ALPHA: f64 = 0.3;

/// Naive Bayes counts every feature as independent evidence, so its raw posteriors are far too
/// sure; dividing the log scores by this (fitted on style-held-out predictions) calibrates them.
pub const TEMPERATURE: f64 = 8.0;

/// Examples written in a real person's style (they carry a `style`) count this many times the
/// project's generated wordings, which are many, short and alike.
const STYLE_WEIGHT: f64 = 3.0;

/// One labelled example of the dataset.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Example {
    #[serde(flatten)]
    pub text: CaseText,
    pub dispute_type: String,
    #[serde(default)]
    pub lang: String,
    /// The writing style it belongs to (whole styles are held out in evaluation); empty for the
    /// generated wordings.
    #[serde(default)]
    pub style: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classification {
    /// The most likely type.
    pub dispute_type: DisputeType,
    /// Its calibrated probability.
    pub confidence: f64,
    /// The second most likely type and its probability, offered beside the first when unsure.
    pub runner_up: DisputeType,
    pub runner_up_confidence: f64,
}

impl Classification {
    /// Whether the court should offer two types and ask, rather than name one.
    pub fn needs_clarifying(&self) -> bool {
        self.confidence < CONFIDENT
    }
}

pub struct Model {
    vocabulary: HashMap<String, usize>,
    /// Per type: the log prior, then each feature's log likelihood.
    log_prior: [f64; 9],
    log_likelihood: Vec<[f64; 9]>,
}

/// An example made ready to count: its features, its type and how much it weighs.
pub struct Prepared {
    features: HashSet<String>,
    kind: DisputeType,
    weight: f64,
}

impl Prepared {
    /// None for an example of an unknown type.
    pub fn of(example: &Example) -> Option<Prepared> {
        let kind = DisputeType::parse(&example.dispute_type)?;
        let weight = if example.style.is_empty() { 1.0 } else { STYLE_WEIGHT };
        Some(Prepared { features: features(&example.text), kind, weight })
    }
}

impl Model {
    /// Trains on labelled examples; examples of unknown types are skipped.
    pub fn train(examples: &[Example]) -> Model {
        // Each example's features are counted and dropped before the next one is read: holding
        // them all raised the server's start-up peak from 72 to 104 MB.
        Model::train_prepared(examples.iter().filter_map(Prepared::of))
    }

    /// Trains on examples whose features are already read (evaluation trains many models).
    pub fn train_prepared(examples: impl IntoIterator<Item = impl Borrow<Prepared>>) -> Model {
        let mut vocabulary = HashMap::new();
        let mut counts: Vec<[f64; 9]> = vec![];
        let mut docs = [0.0; 9];
        let mut totals = [0.0; 9];
        for example in examples {
            let example = example.borrow();
            let k = example.kind.index();
            docs[k] += example.weight;
            for feature in &example.features {
                let next = vocabulary.len();
                let id = *vocabulary.entry(feature.clone()).or_insert(next);
                if id == counts.len() {
                    counts.push([0.0; 9]);
                }
                counts[id][k] += example.weight;
                totals[k] += example.weight;
            }
        }
        let n_docs: f64 = docs.iter().sum::<f64>().max(1.0);
        let v = vocabulary.len() as f64;
        let log_prior = docs.map(|d| ((d + 1.0) / (n_docs + 9.0)).ln());
        let log_likelihood =
            counts.iter().map(|c| std::array::from_fn(|k| ((c[k] + ALPHA) / (totals[k] + ALPHA * v)).ln())).collect();
        Model { vocabulary, log_prior, log_likelihood }
    }

    pub fn classify(&self, text: &CaseText) -> Classification {
        self.classify_features(&features(text))
    }

    pub fn classify_features(&self, features: &HashSet<String>) -> Classification {
        let mut score = self.log_prior;
        for id in features.iter().filter_map(|f| self.vocabulary.get(f)) {
            for (k, s) in score.iter_mut().enumerate() {
                *s += self.log_likelihood[*id][k];
            }
        }
        let top = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights = score.map(|s| ((s - top) / TEMPERATURE).exp());
        let total: f64 = weights.iter().sum();
        let mut ranked: Vec<usize> = (0..score.len()).collect();
        ranked.sort_by(|a, b| score[*b].total_cmp(&score[*a]));
        let (first, second) = (ranked[0], ranked[1]);
        Classification {
            dispute_type: DisputeType::ALL[first],
            confidence: weights[first] / total,
            runner_up: DisputeType::ALL[second],
            runner_up_confidence: weights[second] / total,
        }
    }

    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary.len()
    }
}

impl Prepared {
    pub fn kind(&self) -> DisputeType {
        self.kind
    }

    pub fn features(&self) -> &HashSet<String> {
        &self.features
    }
}

/// The distinct features of a case.
pub fn features(text: &CaseText) -> HashSet<String> {
    let mut out = HashSet::new();
    add_text_features(&mut out, "", &text.claim);
    if let Some(answer) = &text.answer {
        add_text_features(&mut out, "a:", answer);
    }
    if let Some(category) = text.category.as_deref().filter(|c| !c.is_empty()) {
        out.insert(format!("cat:{}", normalised(category)));
    }
    out
}

fn add_text_features(out: &mut HashSet<String>, prefix: &str, text: &str) {
    let text = normalised(text);
    let mut word = String::new();
    let mut previous_word = String::new();
    let mut han = String::new();
    let mut previous_han: Option<char> = None;
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            add_word(out, prefix, &word);
            // Pairs carry what single words do not ("never arrived", "not working").
            if !previous_word.is_empty() {
                out.insert(format!("{prefix}b:{previous_word}_{word}"));
            }
            previous_word = std::mem::take(&mut word);
        }
        if is_han(c) {
            han.push(c);
            out.insert(format!("{prefix}{c}"));
            if let Some(p) = previous_han {
                out.insert(format!("{prefix}{p}{c}"));
            }
            previous_han = Some(c);
        } else {
            add_segments(out, prefix, &han);
            han.clear();
            previous_han = None;
        }
    }
}

/// The words jieba finds in a run of Chinese characters (single characters are already there).
fn add_segments(out: &mut HashSet<String>, prefix: &str, run: &str) {
    if run.chars().nth(1).is_none() {
        return;
    }
    for token in JIEBA.cut(run, true).into_iter().filter(|t| t.word.chars().nth(1).is_some()) {
        out.insert(format!("{prefix}z:{}", token.word));
    }
}

fn add_word(out: &mut HashSet<String>, prefix: &str, word: &str) {
    if word.len() < 2 {
        return;
    }
    out.insert(format!("{prefix}w:{word}"));
    if word.len() > 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
        out.insert(format!("{prefix}p:{}", &word[..4]));
    }
}

/// The whole words of a short text, lower-cased: runs of letters and digits, and the words jieba
/// finds in runs of Chinese characters (with the whole run).
pub fn words(text: &str) -> Vec<String> {
    let text = text.to_lowercase();
    let mut out: Vec<String> = vec![];
    for piece in text.split(|c: char| !(c.is_alphanumeric())).filter(|p| !p.is_empty()) {
        let mut run = String::new();
        let mut other = String::new();
        for c in piece.chars().chain(std::iter::once(' ')) {
            if is_han(c) {
                if !other.is_empty() {
                    out.push(std::mem::take(&mut other));
                }
                run.push(c);
            } else {
                if !run.is_empty() {
                    out.extend(JIEBA.cut(&run, false).into_iter().map(|t| t.word.to_string()));
                    out.push(std::mem::take(&mut run));
                }
                if c != ' ' {
                    other.push(c);
                }
            }
        }
        if !other.is_empty() {
            out.push(other);
        }
    }
    out.sort();
    out.dedup();
    out
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(claim: &str, kind: &str) -> Example {
        Example {
            text: CaseText { claim: claim.into(), ..Default::default() },
            dispute_type: kind.into(),
            lang: String::new(),
            style: String::new(),
        }
    }

    fn model() -> Model {
        Model::train(&[
            example("快递压坏了外箱破损", "damaged_in_transit"),
            example("box arrived crushed by the courier", "damaged_in_transit"),
            example("鉴定是假货", "counterfeit"),
            example("authenticator says fake", "counterfeit"),
        ])
    }

    #[test]
    fn chinese_is_read_by_characters_and_pairs_and_latin_words_by_word_and_prefix() {
        let f = features(&CaseText {
            claim: "外箱破损 Crushed! never arrived".into(),
            answer: None,
            category: Some("Phones".into()),
        });
        for expected in ["外", "外箱", "箱破", "z:破损", "w:crushed", "p:crus", "cat:phones", "b:never_arrived"]
        {
            assert!(f.contains(expected), "{expected} in {f:?}");
        }
        let answered = features(&CaseText { claim: String::new(), answer: Some("假货".into()), category: None });
        assert!(answered.contains("a:假货"), "the answer's words are their own features");
    }

    #[test]
    fn it_learns_both_languages_and_is_unsure_of_what_it_has_not_seen() {
        let m = model();
        let case = |claim: &str| m.classify(&CaseText { claim: claim.into(), ..Default::default() });
        assert_eq!(case("外箱被压坏").dispute_type, DisputeType::DamagedInTransit);
        assert_eq!(case("the courier crushed it").dispute_type, DisputeType::DamagedInTransit);
        assert_eq!(case("是假货").dispute_type, DisputeType::Counterfeit);
        let unknown = case("😀😀😀");
        assert!(unknown.needs_clarifying() && unknown.confidence < CONFIDENT, "{unknown:?}");
        assert_ne!(unknown.dispute_type, unknown.runner_up, "two different types are offered");
    }

    #[test]
    fn odd_input_never_panics() {
        let m = model();
        for claim in ["", "<script>alert(1)</script>", &"长".repeat(100_000), "\u{0}\u{200b}"] {
            let c = m.classify(&CaseText { claim: claim.to_string(), ..Default::default() });
            assert!((0.0..=1.0).contains(&c.confidence));
        }
        assert!(
            Model::train(&[]).classify(&CaseText::default()).needs_clarifying(),
            "a model that learnt nothing asks"
        );
    }
}
