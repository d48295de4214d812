use super::*;
use crate::network::{Lag, LinkType, Task};
use crate::time::{format, parse};

fn at(s: &str) -> Minute {
    parse(s).unwrap()
}

fn days(n: i64) -> i64 {
    n * 480
}

/// A → B → D and A → C → D, B longer than C.
fn diamond() -> Network {
    let mut net = Network::new(at("2026-03-02T08:00:00"));
    let a = net.add(Task::new(days(2)));
    let b = net.add(Task::new(days(5)));
    let c = net.add(Task::new(days(2)));
    let d = net.add(Task::new(days(1)));
    for (p, s) in [(a, b), (a, c), (b, d), (c, d)] {
        net.link(p, s, LinkType::FinishToStart, Lag::Working(0));
    }
    net
}

#[test]
fn forward_and_backward_on_a_diamond() {
    let s = schedule(&diamond()).unwrap();
    let f = |v: &Vec<Minute>, i: usize| format(v[i]);
    assert_eq!(f(&s.early_start, 1), "2026-03-04T08:00:00");
    assert_eq!(f(&s.early_finish, 1), "2026-03-10T17:00:00");
    assert_eq!(f(&s.early_start, 3), "2026-03-11T08:00:00");
    assert_eq!(format(s.project_finish), "2026-03-11T17:00:00");
    assert_eq!(f(&s.late_start, 2), "2026-03-09T08:00:00");
    assert_eq!(s.total_slack, vec![0, 0, days(3), 0]);
    assert_eq!(s.free_slack, vec![0, 0, days(3), 0]);
    assert_eq!(s.critical, vec![true, true, false, true]);
    assert_eq!(s.critical_path(), vec![0, 1, 3]);
}

#[test]
fn link_types_and_lags() {
    let mut net = Network::new(at("2026-03-02T08:00:00"));
    let a = net.add(Task::new(days(3)));
    let ss = net.add(Task::new(days(2)));
    let ff = net.add(Task::new(days(1)));
    let sf = net.add(Task::new(days(1)));
    let lag = net.add(Task::new(days(1)));
    let lead = net.add(Task::new(days(1)));
    let elapsed = net.add(Task::new(days(1)));
    let pct = net.add(Task::new(days(1)));
    let ms = net.add(Task::new(0));
    net.link(a, ss, LinkType::StartToStart, Lag::Working(days(1)));
    net.link(a, ff, LinkType::FinishToFinish, Lag::Working(0));
    net.link(a, sf, LinkType::StartToFinish, Lag::Working(days(2)));
    net.link(a, lag, LinkType::FinishToStart, Lag::Working(days(2)));
    net.link(a, lead, LinkType::FinishToStart, Lag::Working(-days(1)));
    net.link(a, elapsed, LinkType::FinishToStart, Lag::Elapsed(3 * 1440));
    net.link(a, pct, LinkType::FinishToStart, Lag::Percent(5000));
    net.link(a, ms, LinkType::FinishToStart, Lag::Working(0));
    let s = schedule(&net).unwrap();
    let es = |i: TaskIx| format(s.early_start[i as usize]);
    let ef = |i: TaskIx| format(s.early_finish[i as usize]);
    assert_eq!(es(ss), "2026-03-03T08:00:00");
    assert_eq!(ef(ff), "2026-03-04T17:00:00");
    assert_eq!(es(ff), "2026-03-04T08:00:00");
    assert_eq!(ef(sf), "2026-03-03T17:00:00");
    assert_eq!(es(lag), "2026-03-09T08:00:00");
    assert_eq!(es(lead), "2026-03-04T08:00:00");
    // Wednesday 17:00 + 72 h = Saturday 17:00 → Monday 08:00.
    assert_eq!(es(elapsed), "2026-03-09T08:00:00");
    // Half of three days after Wednesday 17:00: Friday 12:00 → 13:00.
    assert_eq!(es(pct), "2026-03-06T13:00:00");
    // A milestone sits at its predecessor's finish.
    assert_eq!(es(ms), "2026-03-04T17:00:00");
    assert_eq!(ef(ms), "2026-03-04T17:00:00");
}

#[test]
fn summaries_span_their_children_and_pass_links_down() {
    let mut net = Network::new(at("2026-03-02T08:00:00"));
    let first = net.add(Task::new(days(2)));
    let summary = net.add(Task::new(0));
    let mut c1 = Task::new(days(1));
    c1.parent = Some(summary);
    let c1 = net.add(c1);
    let mut c2 = Task::new(days(3));
    c2.parent = Some(summary);
    let c2 = net.add(c2);
    let after = net.add(Task::new(days(1)));
    net.link(first, summary, LinkType::FinishToStart, Lag::Working(0));
    net.link(summary, after, LinkType::FinishToStart, Lag::Working(0));
    let s = schedule(&net).unwrap();
    assert!(s.is_summary[summary as usize]);
    assert_eq!(format(s.early_start[c1 as usize]), "2026-03-04T08:00:00");
    assert_eq!(format(s.early_start[summary as usize]), "2026-03-04T08:00:00");
    assert_eq!(format(s.early_finish[summary as usize]), "2026-03-06T17:00:00");
    assert_eq!(format(s.early_start[after as usize]), "2026-03-09T08:00:00");
    assert_eq!(s.total_slack[c1 as usize], days(2));
    assert_eq!(s.total_slack[c2 as usize], 0);
    assert_eq!(format(s.late_finish[c1 as usize]), "2026-03-06T17:00:00");
}

#[test]
fn constraints() {
    let base = at("2026-03-02T08:00:00");
    let with = |c: Constraint| {
        let mut net = Network::new(base);
        let a = net.add(Task::new(days(2)));
        let mut t = Task::new(days(1));
        t.constraint = c;
        let b = net.add(t);
        let end = net.add(Task::new(days(5)));
        net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
        let _ = end;
        schedule(&net).unwrap()
    };
    let s = with(Constraint::StartNoEarlierThan(at("2026-03-05T08:00:00")));
    assert_eq!(format(s.early_start[1]), "2026-03-05T08:00:00");
    let s = with(Constraint::MustStartOn(at("2026-03-02T08:00:00")));
    assert_eq!(format(s.early_start[1]), "2026-03-02T08:00:00", "honoured over the link");
    let s = with(Constraint::FinishNoLaterThan(at("2026-03-03T17:00:00")));
    assert_eq!(format(s.early_finish[1]), "2026-03-03T17:00:00");
    let s = with(Constraint::FinishNoEarlierThan(at("2026-03-06T17:00:00")));
    assert_eq!(format(s.early_start[1]), "2026-03-06T08:00:00");
    let s = with(Constraint::AsLateAsPossible);
    assert_eq!(format(s.start[1]), "2026-03-06T08:00:00");
    assert_eq!(format(s.early_start[1]), "2026-03-04T08:00:00");
    // A start-no-later-than before the links allow holds the task at
    // its date and leaves negative slack on the predecessor.
    let s = with(Constraint::StartNoLaterThan(at("2026-03-03T08:00:00")));
    assert_eq!(format(s.early_start[1]), "2026-03-03T08:00:00");
    assert_eq!(s.total_slack[0], -days(1));
    assert!(s.critical[0]);
}

#[test]
fn multiple_critical_paths_end_each_path_critical() {
    // A (two days) then B (one day); C (five days) sets the finish.
    let mut net = Network::new(at("2026-03-02T08:00:00"));
    let a = net.add(Task::new(days(2)));
    let b = net.add(Task::new(days(1)));
    let c = net.add(Task::new(days(5)));
    net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
    let s = schedule(&net).unwrap();
    assert_eq!((s.total_slack[a as usize], s.total_slack[b as usize]), (days(2), days(2)));
    net.multiple_critical_paths = true;
    let s = schedule(&net).unwrap();
    // B has no successor: it is late at its own finish, and so is A.
    assert_eq!((s.total_slack[a as usize], s.total_slack[b as usize]), (0, 0));
    assert!(s.critical[a as usize] && s.critical[b as usize] && s.critical[c as usize]);
    assert_eq!(format(s.project_finish), "2026-03-06T17:00:00");
}

#[test]
fn without_honouring_constraint_dates_links_win() {
    // A (two days) then B, whose hard constraint says Tuesday: the link
    // allows Wednesday at the earliest.
    let with = |c: Constraint| {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        net.honor_constraints = false;
        let a = net.add(Task::new(days(2)));
        let mut t = Task::new(days(1));
        t.constraint = c;
        let b = net.add(t);
        net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
        schedule(&net).unwrap()
    };
    for c in [
        Constraint::MustStartOn(at("2026-03-03T08:00:00")),
        Constraint::MustFinishOn(at("2026-03-03T17:00:00")),
        Constraint::StartNoLaterThan(at("2026-03-03T08:00:00")),
        Constraint::FinishNoLaterThan(at("2026-03-03T17:00:00")),
    ] {
        let s = with(c);
        assert_eq!(format(s.start[1]), "2026-03-04T08:00:00", "{c:?}");
        // The constraint still bounds the late dates: a day behind.
        assert_eq!(s.total_slack[1], -days(1), "{c:?}");
        assert_eq!(s.total_slack[0], -days(1), "{c:?}");
    }
    // A must-start-on later than the links allow still holds the task.
    let s = with(Constraint::MustStartOn(at("2026-03-06T08:00:00")));
    assert_eq!(format(s.start[1]), "2026-03-06T08:00:00");
}

#[test]
fn a_task_split_while_in_progress_resumes_after_the_gap() {
    let mut net = diamond();
    // A: two days, one day done Monday, stopped, resumed Wednesday.
    net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
    net.tasks[0].progress.stop = Some(at("2026-03-02T17:00:00"));
    net.tasks[0].progress.resume = Some(at("2026-03-04T08:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.early_finish[0]), "2026-03-04T17:00:00");
}

#[test]
fn a_split_inside_the_work_done_is_not_work() {
    let mut net = diamond();
    // A: two days. Half a day Monday, nothing Tuesday, half a day
    // Wednesday: one day done by Wednesday 13:00 (actual duration),
    // though the working time since the start is two and a half days.
    let p = &mut net.tasks[0].progress;
    p.actual_start = Some(at("2026-03-02T08:00:00"));
    p.stop = Some(at("2026-03-04T13:00:00"));
    p.resume = Some(at("2026-03-04T13:00:00"));
    p.done = Some(8 * 60);
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.early_finish[0]), "2026-03-05T12:00:00");
    // Without the actual duration, all the working time since the start
    // counts as work done: the task is done when it stopped.
    net.tasks[0].progress.done = None;
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.early_finish[0]), "2026-03-04T13:00:00");
}

#[test]
fn scheduled_from_the_finish() {
    // MS Project's finish-scheduled project: tasks are as late as
    // possible, the backward pass runs from the finish date, the project
    // starts where the earliest task must, and the early dates run forward
    // from there, whatever start the file stored.
    let mut net = diamond();
    for t in &mut net.tasks {
        t.constraint = Constraint::AsLateAsPossible;
    }
    net.start = at("2026-01-05T08:00:00");
    net.finish = Some(at("2026-03-13T17:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.project_finish), "2026-03-13T17:00:00");
    assert_eq!(format(s.project_start), "2026-03-04T08:00:00");
    assert_eq!(format(s.finish[3]), "2026-03-13T17:00:00");
    assert_eq!(format(s.start[0]), "2026-03-04T08:00:00");
    // C sits late, after A: three days of slack from its early start.
    assert_eq!(format(s.start[2]), "2026-03-11T08:00:00");
    assert_eq!(format(s.early_start[2]), "2026-03-06T08:00:00");
    assert_eq!(s.total_slack, vec![0, 0, days(3), 0]);
    assert_eq!(s.critical, vec![true, true, false, true]);

    // An as-soon-as-possible task goes against a project scheduled from
    // its finish: it sits at its early dates and MS Project counts it
    // critical (as an ALAP task in a project scheduled from its start).
    net.tasks[2].constraint = Constraint::AsSoonAsPossible;
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.start[2]), "2026-03-06T08:00:00");
    assert_eq!(s.total_slack[2], 0);
    assert!(s.critical[2]);
    // The project still starts where A must.
    assert_eq!(format(s.project_start), "2026-03-04T08:00:00");
}

#[test]
fn an_alap_task_has_no_slack_left_but_shows_an_overrun() {
    let mut net = diamond();
    net.tasks[2].constraint = Constraint::AsLateAsPossible;
    let s = schedule(&net).unwrap();
    assert_eq!(s.total_slack[2], 0);
    assert!(s.critical[2]);
    // A deadline a day before C can finish: the day shows.
    net.tasks[2].deadline = Some(at("2026-03-04T17:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(s.total_slack[2], -days(1));
}

#[test]
fn a_hard_constraint_broken_by_its_predecessors() {
    // A takes two days from Monday (to Tuesday 17:00); the milestone M
    // after it must finish on Monday 17:00, a day earlier; C follows M.
    let with = |c: Constraint, duration: i64| {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        let a = net.add(Task::new(days(2)));
        let mut t = Task::new(duration);
        t.constraint = c;
        let m = net.add(t);
        let c = net.add(Task::new(days(1)));
        net.link(a, m, LinkType::FinishToStart, Lag::Working(0));
        net.link(m, c, LinkType::FinishToStart, Lag::Working(0));
        schedule(&net).unwrap()
    };
    let s = with(Constraint::MustFinishOn(at("2026-03-02T17:00:00")), 0);
    // MS Project honours the date: M stays on it, its successor follows.
    assert_eq!(format(s.start[1]), "2026-03-02T17:00:00");
    assert_eq!(format(s.start[2]), "2026-03-03T08:00:00");
    // The chain is a day late, and so is the pinned task itself.
    assert_eq!(s.total_slack, vec![-days(1), -days(1), 0]);
    assert_eq!(s.critical, vec![true, true, true]);
    // The same for the other hard constraints on a one-day task.
    for c in [
        Constraint::MustStartOn(at("2026-03-03T08:00:00")),
        Constraint::MustFinishOn(at("2026-03-03T17:00:00")),
        Constraint::StartNoLaterThan(at("2026-03-03T08:00:00")),
        Constraint::FinishNoLaterThan(at("2026-03-03T17:00:00")),
    ] {
        let s = with(c, days(1));
        assert_eq!(format(s.start[1]), "2026-03-03T08:00:00", "{c:?}");
        assert_eq!((s.total_slack[0], s.total_slack[1]), (-days(1), -days(1)), "{c:?}");
    }
    // A constraint the links leave room for costs nothing.
    let s = with(Constraint::MustStartOn(at("2026-03-05T08:00:00")), days(1));
    assert_eq!(format(s.start[1]), "2026-03-05T08:00:00");
    assert_eq!(s.total_slack[1], 0);
    assert_eq!(s.total_slack[0], days(1));
}

#[test]
fn manual_tasks_are_critical_by_their_slack_unless_placeholders() {
    use crate::network::{Manual, ManualKind};
    // A (three days) sets the finish; M is manually scheduled on the same
    // three days with no links; B (two days) precedes the manual N, typed
    // on the Wednesday after it.
    let build = |kind: ManualKind| {
        let mut net = Network::new(at("2026-03-02T08:00:00"));
        net.add(Task::new(days(3)));
        let mut m = Task::new(days(3));
        m.manual = Some(Manual { start: at("2026-03-02T08:00:00"), finish: at("2026-03-04T17:00:00"), kind });
        net.add(m);
        let mut early = Task::new(days(1));
        early.manual = Some(Manual { start: at("2026-03-02T08:00:00"), finish: at("2026-03-02T17:00:00"), kind });
        net.add(early);
        let b = net.add(Task::new(days(2)));
        let mut n = Task::new(days(1));
        n.manual = Some(Manual::dated(at("2026-03-04T08:00:00"), at("2026-03-04T17:00:00")));
        let n = net.add(n);
        net.link(b, n, LinkType::FinishToStart, Lag::Working(0));
        schedule(&net).unwrap()
    };
    let s = build(ManualKind::Dated);
    // A manual task with dates has slack like any task and is critical
    // when it has none, linked or not (MS Project's Critical field).
    assert_eq!(s.total_slack[1], 0);
    assert!(s.critical[1], "unlinked manual task with no slack");
    assert_eq!(s.total_slack[2], days(2));
    assert!(!s.critical[2], "manual task with slack");
    assert_eq!(s.total_slack[4], 0);
    assert!(s.critical[4] && s.critical[3], "linked manual chain without slack");
    // A placeholder (duration not given yet) keeps its place, never
    // critical; nor is an inactive task.
    for kind in [ManualKind::Placeholder, ManualKind::Inactive] {
        let s = build(kind);
        assert_eq!(format(s.start[1]), "2026-03-02T08:00:00");
        assert_eq!(s.total_slack[1], 0);
        assert!(!s.critical[1], "{kind:?}");
    }
}

#[test]
fn deadlines_and_progress() {
    let mut net = diamond();
    net.tasks[3].deadline = Some(at("2026-03-10T17:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(s.total_slack[3], -days(1));

    let mut net = diamond();
    net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
    net.tasks[0].progress.actual_finish = Some(at("2026-03-05T17:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.early_start[1]), "2026-03-06T08:00:00");
    assert!(!s.critical[0], "finished tasks are not critical");

    // Remaining work after a status date.
    let mut net = diamond();
    net.tasks[0].progress.actual_start = Some(at("2026-03-02T08:00:00"));
    net.tasks[0].progress.remaining = Some(days(1));
    net.status_date = Some(at("2026-03-05T08:00:00"));
    let s = schedule(&net).unwrap();
    assert_eq!(format(s.early_finish[0]), "2026-03-05T17:00:00");
    assert_eq!(format(s.early_start[2]), "2026-03-06T08:00:00");
}
