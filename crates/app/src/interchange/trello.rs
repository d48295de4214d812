//! A Trello board export as a plan to store: each list with cards becomes
//! a summary task, its cards tasks under it in board order; a card's
//! checklists give its progress, its members resources, its due date a
//! deadline. Trello has no dependencies; archived lists and cards are left
//! out.

use std::collections::HashMap;

use tandem_core::project::BoardStatus;
use tandem_formats::trello::{self, Board};
use tandem_store::tasks::{ImportTask, PlanImport};

use super::Notes;
use super::target::{People, Target, deadline_on};
use crate::error::AppError;

/// A card takes one working day: Trello cards carry no estimate.
const CARD_MINUTES: i64 = 480;

/// Lists whose cards count as finished.
const DONE_LISTS: [&str; 6] = ["done", "complete", "completed", "finished", "shipped", "released"];

/// Reads the board (text already) and turns it into a plan for the target
/// project.
pub fn import(text: &str, target: Target) -> Result<(PlanImport, Notes), AppError> {
    let board = trello::read(text, &trello::Limits::default())?;
    Ok(plan(&board, target))
}

fn plan(board: &Board, target: Target) -> (PlanImport, Notes) {
    let mut notes = Notes::new();
    let members: HashMap<&str, &str> = board
        .members
        .iter()
        .map(|m| {
            (m.id.as_str(), if m.full_name.trim().is_empty() { m.username.as_str() } else { m.full_name.as_str() })
        })
        .collect();
    let mut comments: HashMap<&str, Vec<trello::Comment<'_>>> = HashMap::new();
    for c in board.comments() {
        comments.entry(c.card).or_default().push(c);
    }
    let mut checks: HashMap<&str, (usize, usize)> = HashMap::new();
    for c in &board.checklists {
        let e = checks.entry(c.id_card.as_str()).or_default();
        e.0 += c.check_items.iter().filter(|i| i.state == "complete").count();
        e.1 += c.check_items.len();
    }
    let mut lists: Vec<_> = board.lists.iter().filter(|l| !l.closed).collect();
    lists.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    let mut cards: Vec<_> = board.cards.iter().filter(|c| !c.closed).collect();
    cards.sort_by(|a, b| a.pos.total_cmp(&b.pos));
    let archived = board.cards.len() - cards.len();
    if archived > 0 {
        notes.push(format!("{archived} archived cards are left out"));
    }
    let mut people = People::default();
    let mut tasks = Vec::new();
    let mut cut = 0;
    let mut placed = 0;
    for (n, list) in lists.iter().enumerate() {
        let mine: Vec<_> = cards.iter().filter(|c| c.id_list == list.id).collect();
        if mine.is_empty() {
            continue;
        }
        let parent = tasks.len();
        tasks.push(ImportTask {
            parent: None,
            edit: target.task(&list.name, format!("List {}", n + 1), CARD_MINUTES),
            calendar: None,
            slack_calendar: None,
            assignments: Vec::new(),
        });
        let done_list = DONE_LISTS.contains(&list.name.trim().to_lowercase().as_str());
        for (k, card) in mine.into_iter().enumerate() {
            let mut edit = target.task(&card.name, format!("Card {}", k + 1), CARD_MINUTES);
            let (complete, items) = checks.get(card.id.as_str()).copied().unwrap_or_default();
            edit.percent_complete = if done_list || card.due_complete {
                100
            } else {
                (complete * 100).checked_div(items).map_or(0, |p| p.min(99) as i64)
            };
            edit.status = match edit.percent_complete {
                100 => BoardStatus::Done,
                0 => BoardStatus::Todo,
                _ => BoardStatus::InProgress,
            };
            edit.deadline = card.due_date().map(deadline_on);
            let full = notes_of(card, comments.get(card.id.as_str()), &members);
            edit.notes = super::import_notes(&full);
            cut += usize::from(full.chars().count() > tandem_core::validate::MAX_TEXT_CHARS);
            // A member named twice is assigned once.
            let mut assignments: Vec<(usize, i64)> = Vec::new();
            for name in card.id_members.iter().filter_map(|m| members.get(m.as_str())) {
                let r = people.add(name);
                if !assignments.iter().any(|a| a.0 == r) {
                    assignments.push((r, 100));
                }
            }
            tasks.push(ImportTask { parent: Some(parent), edit, calendar: None, slack_calendar: None, assignments });
            placed += 1;
        }
    }
    if cut > 0 {
        notes.push(format!(
            "{cut} cards' description and comments run past {} characters: their notes are cut there",
            tandem_core::validate::MAX_TEXT_CHARS
        ));
    }
    let unplaced = cards.len() - placed;
    if unplaced > 0 {
        notes.push(format!("{unplaced} cards are on archived or missing lists and are left out"));
    }
    if placed > 0 {
        notes.push("cards take one working day each: Trello carries no estimates".into());
    } else {
        notes.push("the board has no open cards: nothing to import".into());
    }
    (target.plan(people.list, tasks, Vec::new()), notes)
}

/// A card's notes: its description, then its comments, oldest first, each
/// under its writer's name and day.
fn notes_of(card: &trello::Card, comments: Option<&Vec<trello::Comment<'_>>>, members: &HashMap<&str, &str>) -> String {
    let mut out = card.desc.clone();
    for c in comments.into_iter().flatten() {
        let who = c.member.and_then(|m| members.get(m)).copied().unwrap_or("Someone");
        let day = c
            .date
            .and_then(|d| d.parse::<jiff::Timestamp>().ok())
            .map(|t| format!(", {}", t.to_zoned(jiff::tz::TimeZone::UTC).strftime("%-d %b %Y")))
            .unwrap_or_default();
        if !out.is_empty() {
            out.push_str("\n\n---\n\n");
        }
        out.push_str(&format!("**{who}**{day} (Trello comment):\n\n{}", c.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_become_phases_and_checklists_progress() {
        let json = r#"{"name": "Launch",
            "lists": [{"id": "l2", "name": "Done", "pos": 2}, {"id": "l1", "name": "Doing", "pos": 1},
                      {"id": "l3", "name": "Empty", "pos": 3}],
            "cards": [{"id": "c1", "name": "Copy", "idList": "l1", "pos": 1, "idMembers": ["m1", "m1"]},
                      {"id": "c2", "name": "Logo", "idList": "l2", "pos": 1},
                      {"id": "c3", "name": "Old", "idList": "l1", "closed": true}],
            "checklists": [{"idCard": "c1", "checkItems": [{"name": "a", "state": "complete"}, {"name": "b", "state": "incomplete"}]}],
            "members": [{"id": "m1", "fullName": "Ada Lovelace"}]}"#;
        let (p, notes) = import(json, Target::for_tests()).unwrap();
        let names: Vec<&str> = p.tasks.iter().map(|t| t.edit.name.as_str()).collect();
        assert_eq!(names, ["Doing", "Copy", "Done", "Logo"]);
        assert_eq!(p.tasks[1].parent, Some(0));
        assert_eq!(p.tasks[1].edit.percent_complete, 50);
        assert_eq!(p.tasks[1].assignments, [(0, 100)]);
        assert_eq!(p.tasks[3].edit.status, BoardStatus::Done);
        assert!(notes.iter().any(|n| n.contains("1 archived")), "{notes:?}");
        assert!(import("{}", Target::for_tests()).is_err());
    }
}
