//! Test support for zhaoshang: real databases (a SQLite file in a temp dir; a fresh
//! PostgreSQL database when `ZHAOSHANG_TEST_PG_URL` points at a server), a small world of
//! units and people to act in, and the storage conformance suite that every backend passes.

pub mod conformance;
mod db;
pub mod stats_stories;
pub mod world;

pub use db::{TestDb, postgres, sqlite};
