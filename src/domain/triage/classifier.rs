//! A multinomial naive Bayes classifier over the words of a case: Latin words and their first
//! four letters (which survive most typos); Chinese words as jieba segments them, and the single
//! characters and neighbouring pairs beside them (colloquial, typo-ridden statements segment
//! poorly; characters and pairs still carry them). The claim, the answer and the category are
//! separate features.

use super::{normalised, CaseText, DisputeType};
use jieba_rs::Jieba;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The segmenter with its built-in dictionary, loaded once.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Below this posterior the classifier does not commit: the type is `other` and the party is asked.
pub const CONFIDENT: f64 = 0.5;

/// Laplace smoothing.
const ALPHA: f64 = 0.5;

/// One labelled example of the dataset.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Example {
    #[serde(flatten)]
    pub text: CaseText,
    pub dispute_type: String,
    #[serde(default)]
    pub lang: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classification {
    pub dispute_type: DisputeType,
    /// The posterior of the most likely type (also when that was not confident enough).
    pub confidence: f64,
    /// The most likely type, whether or not it was confident enough to be `dispute_type`.
    pub best_guess: DisputeType,
    /// The second most likely type, offered beside the first when the classifier is unsure.
    pub runner_up: DisputeType,
}

impl Classification {
    /// Whether the party should be asked what the dispute is about.
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

impl Model {
    /// Trains on labelled examples; examples of unknown types are skipped.
    pub fn train(examples: &[Example]) -> Model {
        let mut vocabulary = HashMap::new();
        let mut counts: Vec<[f64; 9]> = vec![];
        let mut docs = [0.0; 9];
        let mut totals = [0.0; 9];
        for example in examples {
            let Some(kind) = DisputeType::parse(&example.dispute_type) else { continue };
            let k = kind.index();
            docs[k] += 1.0;
            for feature in features(&example.text) {
                let next = vocabulary.len();
                let id = *vocabulary.entry(feature).or_insert(next);
                if id == counts.len() {
                    counts.push([0.0; 9]);
                }
                counts[id][k] += 1.0;
                totals[k] += 1.0;
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
        let mut score = self.log_prior;
        for id in features(text).iter().filter_map(|f| self.vocabulary.get(f)) {
            for (k, s) in score.iter_mut().enumerate() {
                *s += self.log_likelihood[*id][k];
            }
        }
        let top = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = score.iter().map(|s| (s - top).exp()).sum();
        let mut ranked: Vec<usize> = (0..score.len()).collect();
        ranked.sort_by(|a, b| score[*b].total_cmp(&score[*a]));
        let (best_guess, runner_up) = (DisputeType::ALL[ranked[0]], DisputeType::ALL[ranked[1]]);
        let confidence = 1.0 / total;
        let dispute_type = if confidence >= CONFIDENT { best_guess } else { DisputeType::Other };
        Classification { dispute_type, confidence, best_guess, runner_up }
    }

    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary.len()
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
    let mut han = String::new();
    let mut previous_han: Option<char> = None;
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            add_word(out, prefix, &word);
            word.clear();
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
        let f =
            features(&CaseText {
                claim: "外箱破损 Crushed!".into(), answer: None, category: Some("Phones".into())
            });
        for expected in ["外", "外箱", "箱破", "z:破损", "w:crushed", "p:crus", "cat:phones"] {
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
        assert_eq!(unknown.dispute_type, DisputeType::Other);
        assert!(unknown.needs_clarifying() && unknown.confidence < CONFIDENT);
    }

    #[test]
    fn odd_input_never_panics() {
        let m = model();
        for claim in ["", "<script>alert(1)</script>", &"长".repeat(100_000), "\u{0}\u{200b}"] {
            let c = m.classify(&CaseText { claim: claim.to_string(), ..Default::default() });
            assert!((0.0..=1.0).contains(&c.confidence));
        }
        assert_eq!(Model::train(&[]).classify(&CaseText::default()).dispute_type, DisputeType::Other);
    }
}
