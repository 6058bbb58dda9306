//! The court's route table (`xiaofating::routes::ROUTES`, the list the server is configured
//! from, so a route added tomorrow is in every sweep tomorrow), and real ids to fill its paths with.

/// (METHOD, path) of every route.
pub fn routes() -> Vec<(String, String)> {
    xiaofating::routes::ROUTES.iter().map(|(method, path)| (method.to_uppercase(), path.to_string())).collect()
}

/// The ids a request fills in, so that a request the court wrongly accepted would act.
#[derive(Clone)]
pub struct Ids {
    pub case: String,
    pub evidence: String,
    pub vote: i32,
    pub summons: i32,
    pub juror: String,
}

impl Ids {
    pub fn fill(&self, path: &str) -> String {
        let id = if path.contains("/evidence/{id}") {
            self.evidence.clone()
        } else if path.starts_with("/juror/summons/") {
            self.summons.to_string()
        } else if path.starts_with("/moderation/jurors/") {
            self.juror.clone()
        } else if path.starts_with("/moderation/mail/")
            || path.starts_with("/moderation/jobs/")
            || path.starts_with("/dev/mail/")
        {
            "1".to_string()
        } else {
            self.case.clone()
        };
        path.replace("{id}", &id)
            .replace("{case}", &self.case)
            .replace("{evidence}", &self.evidence)
            .replace("{vote}", &self.vote.to_string())
            .replace("{answer}", "decline")
            .replace("{decision}", "hide")
    }
}
