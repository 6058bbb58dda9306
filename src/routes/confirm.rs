//! The confirm step before an act that cannot be undone (a vote, an appeal, accepting a claim,
//! withdrawing a case): a page that says what will happen. It works without JavaScript and keeps
//! what was typed: "change it" goes back to the form with the words in place.

use crate::routes::context::Ctx;
use askama::Template;

/// Where the person stands: the form's `confirm` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// First submission: show what will happen and ask.
    Ask,
    /// They chose to change what they wrote.
    Edit,
    /// They confirmed: act.
    Confirmed,
}

/// The acts that ask first.
pub const ACTS: [&str; 5] = ["vote", "appeal", "accept_claim", "accept_offer", "withdraw"];

pub fn step(confirm: &str) -> Step {
    match confirm {
        "yes" => Step::Confirmed,
        "edit" => Step::Edit,
        _ => Step::Ask,
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub ctx: Ctx,
    /// Which act (one of `ACTS`): its wording is `confirm.<act>.title`, `.warning` and `.submit`.
    pub act: &'static str,
    /// What will be sent, as (label, value) pairs the person reads back.
    pub summary: Vec<(String, String)>,
    pub action: String,
    /// The form's fields, sent again when confirmed.
    pub fields: Vec<(&'static str, String)>,
    /// The page to go back to when nothing was typed (otherwise "change it" posts the words back).
    pub back: Option<String>,
}

impl ConfirmPage {
    fn key(&self, part: &str) -> String {
        format!("confirm.{}.{part}", self.act)
    }
}
