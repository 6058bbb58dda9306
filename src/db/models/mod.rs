//! Rows and queries, one file per table.

pub mod api_key;
pub mod audit_log;
pub mod auth_session;
pub mod calibration_audit;
pub mod case;
pub mod case_event;
pub mod case_override;
pub mod court_setting;
pub mod email_token;
pub mod evidence;
pub mod flag;
pub mod idempotency;
pub mod job;
pub mod juror;
pub mod jury_round;
pub mod leaderboard_snapshot;
pub mod mock_review;
pub mod notification;
pub mod order;
pub mod outbox;
pub mod rate_limit;
pub mod reestimation;
pub mod settlement_offer;
pub mod sign_in;
pub mod summons;
pub mod user;
pub mod vote;

/// A juror's answer with what the recompute needs: (juror, case, vote, category, known outcome).
pub type JudgementRow =
    (i32, crate::domain::ids::CaseId, crate::domain::dispute::Side, String, Option<crate::domain::dispute::Side>);
