//! The domain of zhaoshang (招商): pure types and rules, no I/O.
//!
//! Everything the platform records — units, users, companies, contacts, projects and their
//! stage log, trips, visits, events, signings, targets — is defined here together with the
//! rules over them (stage gates, pacing and scoring, permissions, amount parsing). Storage,
//! HTTP and the clock live in other crates: functions here take "now" as an argument.
//!
//! This crate must not depend on tokio, sqlx, axum or anything that does I/O; `.ci/run`
//! checks its dependency tree.

pub mod activity;
pub mod auth;
pub mod company;
pub mod credit_code;
pub mod followup;
pub mod ids;
pub mod money;
pub mod names;
pub mod project;
pub mod target;
pub mod unit;

pub use ids::*;
