use super::{actor_for, facts_with};
use crate::db::models::case::{self, CaseRow, PartyFilter};
use crate::db::DbConnection;
use crate::domain::case::{decide, Actor, CaseState};
use crate::domain::next_step::{next_step, NextStep};
use crate::domain::paging::Page;
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;

/// One row of "My cases".
pub struct CaseSummary {
    pub case: CaseRow,
    pub actor: Actor,
    pub state: CaseState,
    /// What the case asks of this member now, and by when.
    pub next: NextStep,
}

/// Cases per page of "My cases".
const PAGE_ROWS: i64 = 25;

/// The list's search, as typed: words from the item, the order number or the case id; a stage.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    pub q: String,
    /// `open` or `finished`; anything else shows every case.
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub page: String,
}

impl CaseQuery {
    /// The query string of this search on another page.
    pub fn on_page(&self, page: Option<i64>) -> String {
        Page::query(&[("q", &self.q), ("stage", &self.stage)], page)
    }

    pub fn is_filtered(&self) -> bool {
        !self.q.trim().is_empty() || self.states().is_some()
    }

    fn states(&self) -> Option<Vec<&'static str>> {
        let finished =
            |open: bool| CaseState::ALL.into_iter().filter(|s| s.is_final() != open).map(CaseState::as_str).collect();
        match self.stage.as_str() {
            "open" => Some(finished(true)),
            "finished" => Some(finished(false)),
            _ => None,
        }
    }
}

/// One page of "My cases" as searched, and the total.
pub fn find_my_cases(
    conn: &mut DbConnection,
    account: &Account,
    query: &CaseQuery,
    now: NaiveDateTime,
) -> ServiceResult<(Vec<CaseSummary>, Page)> {
    let search: String = query.q.trim().chars().take(100).collect();
    let states = query.states().unwrap_or_default();
    let filter = PartyFilter { search: &search, states: &states };
    let number = Page::requested(&query.page);
    let (rows, total) =
        case::for_party(conn, (account.id, &account.email), &filter, (Page::offset(number, PAGE_ROWS), PAGE_ROWS))?;
    Ok((summaries(rows, account, now), Page { number, size: PAGE_ROWS, total }))
}

/// Every open case of the member (the overview sorts them by whose move it is).
pub fn open_cases(conn: &mut DbConnection, account: &Account, now: NaiveDateTime) -> ServiceResult<Vec<CaseSummary>> {
    let states = CaseQuery { stage: "open".into(), ..Default::default() }.states().unwrap_or_default();
    let filter = PartyFilter { search: "", states: &states };
    let (rows, _) = case::for_party(conn, (account.id, &account.email), &filter, (0, i64::MAX))?;
    Ok(summaries(rows, account, now))
}

fn summaries(rows: Vec<CaseRow>, account: &Account, now: NaiveDateTime) -> Vec<CaseSummary> {
    rows.into_iter()
        .filter_map(|case| {
            let actor = actor_for(&case, account).filter(|a| *a != Actor::Moderator)?;
            let state = case.state;
            // The list reads no offers or rounds: a pending offer and the voting deadline show on the case page.
            let facts = facts_with(&case, None);
            let next = next_step(&facts, actor, None, |c| decide(&facts, actor, c, now).is_ok());
            Some(CaseSummary { case, actor, state, next })
        })
        .collect()
}
