use crate::domain::dispute::Category;
use crate::domain::quorum::QuorumPolicy;
use crate::routes::context::{AppState, Ctx};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    /// The jury rule this court is configured with, and the categories that use another.
    rule: QuorumPolicy,
    exceptions: Vec<(Category, QuorumPolicy)>,
    evidence_hours: i64,
}

impl HomePage {
    /// The rule in one sentence, in the reader's language.
    fn describe(&self, policy: &QuorumPolicy) -> String {
        match *policy {
            QuorumPolicy::FirstTo { panel, wins } => {
                self.ctx.tf("home.rule.first_to", &[("panel", &panel.to_string()), ("wins", &wins.to_string())])
            }
            QuorumPolicy::Confident { min_votes, threshold, cap, .. } => self.ctx.tf(
                "home.rule.confident",
                &[
                    ("seats", &policy.initial_panel().to_string()),
                    ("min", &min_votes.to_string()),
                    ("percent", &format!("{:.0}", threshold * 100.0)),
                    ("cap", &cap.to_string()),
                ],
            ),
        }
    }

    /// The two figures the facts grid shows for the rule: (number, label key).
    fn rule_facts(&self) -> [(String, &'static str); 2] {
        match self.rule {
            QuorumPolicy::FirstTo { panel, wins } => {
                [(panel.to_string(), "home.fact_first_panel"), (wins.to_string(), "home.fact_first_wins")]
            }
            QuorumPolicy::Confident { threshold, .. } => [
                (self.rule.initial_panel().to_string(), "home.fact_confident_panel"),
                (format!("{:.0}%", threshold * 100.0), "home.fact_confident_threshold"),
            ],
        }
    }
}

pub async fn get_home(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let quorums = &state.settings.jury.quorums;
    ok_page(&HomePage {
        ctx,
        rule: quorums.default,
        exceptions: quorums.by_category.clone(),
        evidence_hours: state.settings.windows.evidence.num_hours(),
    })
}
