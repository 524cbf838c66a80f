//! Page handlers, one file per area. Each area lists its routes in a `routes()` function;
//! [`areas`] collects them into the route table.

pub mod account;
pub mod admin;
pub mod board;
pub mod briefing;
pub mod collisions;
pub mod companies;
pub mod dashboard;
pub mod events;
pub mod evidence;
pub mod followups;
pub mod health;
pub mod home;
pub mod login;
pub mod map;
pub mod monthly_xlsx;
pub mod project_team;
pub mod projects;
pub mod targets;
pub mod targets_admin;
pub mod trip_report;
pub mod trips;
pub mod views;
pub mod visits;

use crate::routes::Route;

/// Every area's page routes (the core ones are in `routes::table`).
pub fn areas() -> Vec<Route> {
    let areas: Vec<Vec<Route>> = vec![
        projects::routes(),
        collisions::routes(),
        evidence::routes(),
        board::routes(),
        admin::routes(),
        companies::routes(),
        targets::routes(),
        targets_admin::routes(),
        monthly_xlsx::routes(),
        map::routes(),
        briefing::routes(),
        visits::routes(),
        trips::routes(),
        trip_report::routes(),
        events::routes(),
        dashboard::routes(),
        followups::routes(),
        views::routes(),
    ];
    areas.into_iter().flatten().collect()
}

/// `?page=` and `?per=` for lists, clamped.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct Paging {
    pub page: Option<i64>,
    pub per: Option<i64>,
}

impl Paging {
    pub fn per(&self) -> i64 {
        self.per.unwrap_or(50).clamp(10, 200)
    }
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
    pub fn offset(&self) -> i64 {
        (self.page() - 1) * self.per()
    }
}

/// Empty form fields are absent values.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
