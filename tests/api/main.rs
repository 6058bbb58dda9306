//! The court's integration tests, one module per area, in one test binary (one link, one set of
//! helpers in `common`). `cargo test --test api browser::` runs one area.

mod access_matrix;
mod accounts;
mod browser;
mod case_properties;
mod cases;
mod common;
mod email_delivery;
mod evidence;
mod hostile_input;
mod html_validity;
mod i18n;
mod jurors;
mod jury_integrity;
mod marketplace;
mod migrations;
mod moderation;
mod parties;
mod platform;
mod privacy;
mod rate_limits;
mod reminders;
mod route_sweep;
mod scale_out;
mod simulate;
mod statements;
mod styles;
mod triage;
mod voting;
