//! Use cases of zhaoshang as plain functions over the store: what a page or an API call or a
//! CLI command asks for, with the domain's rules applied (gates, permissions, validation).
//! The web and CLI crates call these and nothing below them. Depends on domain and store.

pub mod accounts;
pub mod admin;
pub mod briefing;
pub mod collisions;
pub mod companies;
pub mod demo;
mod error;
pub mod events;
pub mod evidence;
pub mod fixtures;
pub mod generate;
pub mod jobs;
pub mod passwords;
pub mod projects;
pub mod reference;
pub mod rollup;
pub mod sessions;
pub mod stats;
pub mod timeline;
pub mod trips;
pub mod units;
pub mod visits;

pub use error::AppError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;
