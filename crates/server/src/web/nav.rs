//! The tabs of a product and of a project: one list for their navigation
//! bars, their page titles and the pages the search palette jumps to.

/// A tab: the key a page marks itself with, the path after
/// `/products/{id}` or `/projects/{id}`, its label, and the letter that
/// goes there after `g`.
pub type Tab = (&'static str, &'static str, &'static str, &'static str);

pub const PRODUCT_TABS: &[Tab] = &[
    ("dashboard", "", "Dashboard", "d"),
    ("feedback", "/feedback", "Feedback", "f"),
    ("backlog", "/backlog", "Backlog", "b"),
    ("roadmap", "/roadmap", "Roadmap", "r"),
    ("releases", "/releases", "Releases", "l"),
    ("okrs", "/okrs", "OKRs", "k"),
    ("competitors", "/competitors", "Competitors", "c"),
    ("metrics", "/metrics", "Metrics", "i"),
    ("analytics", "/analytics", "Analytics", "a"),
    ("syncs", "/syncs", "Weekly sync", "y"),
    ("settings", "/settings", "Settings", "s"),
];

pub const PROJECT_TABS: &[Tab] = &[
    ("dashboard", "", "Dashboard", "d"),
    ("tasks", "/tasks", "Tasks", "l"),
    ("gantt", "/gantt", "Gantt", "g"),
    ("board", "/board", "Board", "c"),
    ("sprints", "/sprints", "Sprints", "i"),
    ("standup", "/standup", "Stand-up", "u"),
    ("resources", "/resources", "Resources", "r"),
    ("budget", "/budget", "Budget", "b"),
    ("risks", "/risks", "Risks", "k"),
    ("monte-carlo", "/monte-carlo", "Monte Carlo", "x"),
    ("defects", "/defects", "Defects", "f"),
    ("reports", "/reports", "Reports", "a"),
    ("changes", "/changes", "Changes", "q"),
];

/// The label of tab `key` among `tabs` (the first tab's for an unknown
/// key).
pub fn label(tabs: &[Tab], key: &str) -> &'static str {
    tabs.iter().find(|t| t.0 == key).or(tabs.first()).map_or("", |t| t.2)
}
