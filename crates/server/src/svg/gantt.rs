//! The Gantt chart as SVG drawn on the server: WBS names on the left, a
//! time scale by day, week or month, bars (critical ones red) with their
//! progress, summary brackets, milestone diamonds, dependency arrows,
//! baseline bars, and today and status-date lines. Colours are
//! presentation attributes, so the same SVG reads alone (`gantt.svg`) and
//! inside a page. Pure: text in, text out; labels are escaped.

use std::collections::HashMap;
use std::fmt::Write;

use jiff::civil::Date;
use tandem_core::Id;
use tandem_core::project::{Dependency, DependencyType, LocalTime, Task};
use tandem_core::tracking::Baseline;

use tandem_app::ops::project::GanttData;
use tandem_app::plan::ScheduleView;

tandem_core::str_enum! {
    /// How much time one column stands for.
    pub enum Zoom { Day = "day", Week = "week", Month = "month" }
}

impl Zoom {
    fn px_per_day(self) -> f64 {
        match self {
            Zoom::Day => 28.0,
            Zoom::Week => 9.0,
            Zoom::Month => 2.5,
        }
    }
}

/// What the chart shows besides the plan.
pub struct Marks {
    pub today: Date,
    pub status_date: Option<LocalTime>,
    pub baseline: Option<Baseline>,
    pub zoom: Zoom,
}

use super::esc;

/// A project's chart with its latest baseline (or the one asked for).
pub fn project(d: &GanttData, zoom: Zoom) -> String {
    let c = &d.computed;
    let marks = Marks { today: d.today.0, status_date: c.plan.project.status_date, baseline: d.baseline.clone(), zoom };
    svg(&c.plan.tasks, &c.view, &c.plan.deps, &marks)
}

const ROW: f64 = 22.0;
const LABEL_W: f64 = 300.0;
const HEAD: f64 = 36.0;
const RED: &str = "#c0392b";
const BLUE: &str = "#3b6fb6";

/// Days since `origin` as a fraction, for a local time.
fn days_since(origin: Date, t: LocalTime) -> f64 {
    let d = (t.0.date() - origin).get_days() as f64;
    d + (f64::from(t.0.hour()) * 60.0 + f64::from(t.0.minute())) / 1440.0
}

pub fn svg(tasks: &[Task], view: &ScheduleView, deps: &[Dependency], marks: &Marks) -> String {
    let rows = &view.tasks;
    let base: HashMap<Id, (LocalTime, LocalTime)> = marks
        .baseline
        .as_ref()
        .map(|b| b.tasks.iter().map(|r| (r.task_id, (r.start, r.finish))).collect())
        .unwrap_or_default();
    let mut first = view.project.start.0.date();
    let mut last = view.project.finish.0.date();
    for (s, f) in base.values() {
        first = first.min(s.0.date());
        last = last.max(f.0.date());
    }
    if let Some(sd) = marks.status_date {
        last = last.max(sd.0.date());
    }
    // Start on the Monday before, end a little after.
    let back = i64::from(first.weekday().to_monday_zero_offset());
    let origin = first.checked_sub(jiff::Span::new().days(back)).unwrap_or(first);
    let span_days = ((last - origin).get_days() + 7).clamp(7, 366 * 30) as f64;
    let px = marks.zoom.px_per_day();
    let width = LABEL_W + span_days * px + 20.0;
    let height = HEAD + ROW * rows.len().max(1) as f64 + 8.0;
    let x = |t: LocalTime| LABEL_W + days_since(origin, t) * px;
    let mut out = String::with_capacity(400 + rows.len() * 420);
    let _ = write!(
        out,
        "<svg class=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"Gantt chart\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#666\"/></marker></defs>");
    // Time scale: a tick per day, week (Mondays) or month.
    let mut d = origin;
    let end = origin.checked_add(jiff::Span::new().days(span_days as i64)).unwrap_or(origin);
    while d <= end {
        let tick = match marks.zoom {
            Zoom::Day => true,
            Zoom::Week => d.weekday() == jiff::civil::Weekday::Monday,
            Zoom::Month => d.day() == 1,
        };
        if tick {
            let tx = LABEL_W + (d - origin).get_days() as f64 * px;
            let label = match marks.zoom {
                Zoom::Day => d.strftime("%d").to_string(),
                Zoom::Week => d.strftime("%d %b").to_string(),
                Zoom::Month => d.strftime("%b %Y").to_string(),
            };
            let weekend = marks.zoom == Zoom::Day && d.weekday().to_monday_zero_offset() >= 5;
            if weekend {
                let _ = write!(
                    out,
                    "<rect x=\"{tx:.1}\" y=\"{HEAD}\" width=\"{px:.1}\" height=\"{:.0}\" fill=\"#f3f3f3\"/>",
                    height - HEAD
                );
            }
            let _ = write!(
                out,
                "<line x1=\"{tx:.1}\" y1=\"20\" x2=\"{tx:.1}\" y2=\"{height:.0}\" stroke=\"#e4e4e4\"/><text x=\"{:.1}\" y=\"30\" fill=\"#666\">{label}</text>",
                tx + 2.0
            );
        }
        let Ok(next) = d.checked_add(jiff::Span::new().days(1)) else { break };
        d = next;
    }
    let _ = write!(out, "<text x=\"4\" y=\"14\" fill=\"#666\">{} → {}</text>", view.project.start, view.project.finish);
    let index: HashMap<Id, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    for (i, (r, t)) in rows.iter().zip(tasks).enumerate() {
        let y = HEAD + i as f64 * ROW;
        let indent = 4.0 + 12.0 * f64::from(t.outline_level.saturating_sub(1).min(12));
        let name: String = t.name.chars().take(40).collect();
        let weight = if r.summary { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            out,
            "<a href=\"/tasks/{}\"><g class=\"row{}\" data-task=\"{}\"><text x=\"{indent:.0}\" y=\"{:.1}\"{weight} fill=\"#222\">{} {}</text>",
            r.id,
            if r.critical && !r.summary { " critical" } else { "" },
            r.id,
            y + 15.0,
            esc(&r.wbs),
            esc(&name)
        );
        if let Some((bs, bf)) = base.get(&r.id) {
            let (bx, bw) = (x(*bs), (x(*bf) - x(*bs)).max(2.0));
            let _ = write!(
                out,
                "<rect class=\"baseline\" x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"4\" fill=\"#9aa5b1\"><title>baseline {bs} → {bf}</title></rect>",
                y + 16.0
            );
        }
        let (sx, fx) = (x(r.start), x(r.finish));
        let tip = format!("{} {}: {} → {}, slack {} min", r.key, name, r.start, r.finish, r.total_slack_minutes);
        if r.milestone {
            let c = if r.critical { RED } else { "#333" };
            let _ = write!(
                out,
                "<path class=\"milestone{}\" d=\"M{sx:.1} {:.1} l7 7 l-7 7 l-7 -7 z\" fill=\"{c}\"><title>{}</title></path>",
                if r.critical { " critical" } else { "" },
                y + 4.0,
                esc(&tip)
            );
        } else if r.summary {
            let w = (fx - sx).max(2.0);
            let _ = write!(
                out,
                "<path class=\"summary\" d=\"M{sx:.1} {:.1} h{w:.1} v9 l-4 -4 h{:.1} l-4 4 z\" fill=\"#222\"><title>{}</title></path>",
                y + 5.0,
                -(w - 8.0).max(0.0),
                esc(&tip)
            );
        } else {
            let w = (fx - sx).max(2.0);
            let c = if r.critical { RED } else { BLUE };
            let _ = write!(
                out,
                "<rect class=\"bar{}\" x=\"{sx:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"11\" rx=\"2\" fill=\"{c}\" fill-opacity=\"0.85\"><title>{}</title></rect>",
                if r.critical { " critical" } else { "" },
                y + 4.0,
                esc(&tip)
            );
            if t.percent_complete > 0 {
                let pw = w * t.percent_complete.clamp(0, 100) as f64 / 100.0;
                let _ = write!(
                    out,
                    "<rect class=\"progress\" x=\"{sx:.1}\" y=\"{:.1}\" width=\"{pw:.1}\" height=\"3\" fill=\"#222\"/>",
                    y + 8.0
                );
            }
        }
        // Each row opens its task's page.
        out.push_str("</g></a>");
    }
    // Dependency arrows: out of the predecessor's start or finish, into the
    // successor's start or finish, with one elbow.
    for d in deps {
        let (Some(&p), Some(&s)) = (index.get(&d.predecessor_id), index.get(&d.successor_id)) else { continue };
        let (pr, sr) = (&rows[p], &rows[s]);
        let from_x = if matches!(d.kind, DependencyType::Fs | DependencyType::Ff) { x(pr.finish) } else { x(pr.start) };
        let to_finish = matches!(d.kind, DependencyType::Ff | DependencyType::Sf);
        let to_x = if to_finish { x(sr.finish) } else { x(sr.start) };
        let (py, sy) = (HEAD + p as f64 * ROW + 10.0, HEAD + s as f64 * ROW + 10.0);
        let crit = pr.critical && sr.critical;
        let mid = if to_finish { to_x + 8.0 } else { (to_x - 6.0).max(from_x + 4.0).min(to_x - 2.0).max(from_x) };
        let _ = write!(
            out,
            "<path class=\"link{}\" d=\"M{from_x:.1} {py:.1} H{mid:.1} V{sy:.1} H{to_x:.1}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\" marker-end=\"url(#arrow)\"/>",
            if crit { " critical" } else { "" },
            if crit { RED } else { "#666" }
        );
    }
    // Labels on two heights, so that close lines stay readable.
    let line = |out: &mut String, t: LocalTime, class: &str, colour: &str, label: &str, y: u8| {
        let lx = x(t);
        let _ = write!(
            out,
            "<line class=\"{class}\" x1=\"{lx:.1}\" y1=\"20\" x2=\"{lx:.1}\" y2=\"{height:.0}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{y}\" fill=\"{colour}\">{label}</text>",
            lx + 2.0
        );
    };
    line(&mut out, LocalTime(marks.today.at(12, 0, 0, 0)), "today", RED, "today", 18);
    if let Some(sd) = marks.status_date {
        line(&mut out, sd, "status-date", "#2e7d32", "status date", 8);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooms_parse() {
        assert_eq!(Zoom::parse("week"), Some(Zoom::Week));
        assert_eq!(Zoom::parse("year"), None);
    }
}
