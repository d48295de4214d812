//! The tabs of a product and of a project: one list for their navigation
//! bars, their page titles and the pages the search palette jumps to.

/// A tab: the key a page marks itself with, the path after
/// `/products/{id}` or `/projects/{id}`, and its label.
pub type Tab = (&'static str, &'static str, &'static str);

pub const PRODUCT_TABS: &[Tab] = &[
    ("dashboard", "", "Dashboard"),
    ("feedback", "/feedback", "Feedback"),
    ("backlog", "/backlog", "Backlog"),
    ("roadmap", "/roadmap", "Roadmap"),
    ("releases", "/releases", "Releases"),
    ("okrs", "/okrs", "OKRs"),
    ("competitors", "/competitors", "Competitors"),
    ("metrics", "/metrics", "Metrics"),
    ("syncs", "/syncs", "Weekly sync"),
];

pub const PROJECT_TABS: &[Tab] = &[
    ("dashboard", "", "Dashboard"),
    ("tasks", "/tasks", "Tasks"),
    ("gantt", "/gantt", "Gantt"),
    ("board", "/board", "Board"),
    ("sprints", "/sprints", "Sprints"),
    ("resources", "/resources", "Resources"),
    ("budget", "/budget", "Budget"),
    ("risks", "/risks", "Risks"),
    ("monte-carlo", "/monte-carlo", "Monte Carlo"),
    ("defects", "/defects", "Defects"),
    ("reports", "/reports", "Reports"),
    ("changes", "/changes", "Changes"),
];

/// The label of tab `key` among `tabs` (the first tab's for an unknown
/// key).
pub fn label(tabs: &[Tab], key: &str) -> &'static str {
    tabs.iter().find(|t| t.0 == key).or(tabs.first()).map_or("", |t| t.2)
}
