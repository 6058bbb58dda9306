//! 小法庭 xiaofating: a community dispute jury for a second-hand marketplace.
//! The layers and their rules are described in `docs/` and DESIGN.md.

rust_i18n::i18n!("locales", fallback = "en");

pub mod chance;
pub mod clock;
pub mod config;
pub mod court_lock;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod file_store;
pub mod i18n;
pub mod jobs;
pub mod memory;
pub mod routes;
pub mod services;
pub mod simulation;
pub mod startup;
pub mod telemetry;
pub mod tls;
