//! Charts as SVG drawn on the server: no client library, readable without
//! JavaScript, and testable as text. Labels are escaped; numbers are
//! formatted by us, so the output is safe to embed.

use std::fmt::Write;

use super::esc;

/// A number for a label: integers plainly, otherwise one decimal.
pub fn fmt_num(v: f64) -> String {
    let plain = if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") };
    group_thousands(&plain)
}

/// `48170` → `48 170` (a thin space) from five digits on; four stay as
/// they are, as people write years and small counts.
fn group_thousands(n: &str) -> String {
    let (sign, rest) = n.strip_prefix('-').map_or(("", n), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() < 5 {
        return n.to_owned();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    format!("{sign}{out}{}", frac.map_or(String::new(), |f| format!(".{f}")))
}

/// A chart's box and its SVG, named for screen readers.
fn open(title: &str, w: f64, h: f64) -> String {
    format!(
        "<div class=\"chart-box\"><svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    )
}

/// Closes an opened chart that has nothing to draw.
fn no_values(mut svg: String, w: f64, h: f64) -> String {
    let _ =
        write!(svg, "<text x=\"{}\" y=\"{}\" class=\"axis\">No values yet</text></svg></div>", w / 2.0 - 40.0, h / 2.0);
    svg
}

/// A line chart of dated values with its first and last date, the lowest
/// and highest value, and a dot on each point (with a tooltip).
/// A value on the y axis, its right edge at `right` (just left of the
/// plot), on the height `y` of that value.
fn y_label(svg: &mut String, right: f64, y: f64, text: &str) {
    let _ =
        write!(svg, "<text class=\"axis\" text-anchor=\"end\" x=\"{right}\" y=\"{:.1}\">{}</text>", y + 4.0, esc(text));
}

pub fn line_chart(title: &str, points: &[(String, f64)], unit: &str) -> String {
    let (w, h, pad_l, pad_b, pad_t) = (560.0_f64, 180.0_f64, 88.0, 24.0, 10.0);
    let mut svg = open(title, w, h);
    if points.is_empty() {
        return no_values(svg, w, h);
    }
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = points.len();
    let x = |i: usize| pad_l + if n > 1 { i as f64 * (w - pad_l - 8.0) / (n - 1) as f64 } else { (w - pad_l) / 2.0 };
    let y = |v: f64| pad_t + (1.0 - (v - lo) / span) * (h - pad_t - pad_b);
    let _ = write!(
        svg,
        "<line class=\"axis-line\" x1=\"{pad_l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        h - pad_b,
        w - 4.0,
        h - pad_b
    );
    for v in [hi, lo] {
        y_label(&mut svg, pad_l - 6.0, y(v), &format!("{} {unit}", fmt_num(v)));
    }
    let path: Vec<String> = points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1))).collect();
    let _ = write!(svg, "<polyline class=\"series\" points=\"{}\"/>", path.join(" "));
    for (i, (label, v)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {} {}</title></circle>",
            x(i),
            y(*v),
            esc(label),
            fmt_num(*v),
            esc(unit)
        );
    }
    let _ = write!(svg, "<text class=\"axis\" x=\"{pad_l}\" y=\"{}\">{}</text>", h - 6.0, esc(&points[0].0));
    if n > 1 {
        let _ = write!(
            svg,
            "<text class=\"axis\" text-anchor=\"end\" x=\"{}\" y=\"{}\">{}</text>",
            w - 4.0,
            h - 6.0,
            esc(&points[n - 1].0)
        );
    }
    svg.push_str("</svg></div>");
    svg
}

/// A point of an x–y chart: where it sits (x in any unit, such as days),
/// its value, and what people read on hover.
pub struct XyPoint {
    pub x: f64,
    pub y: f64,
    pub tip: String,
}

/// A line over a numeric x axis, so that uneven gaps between points (dates
/// as days) show as gaps; labelled ticks under the axis; the y axis spans
/// `y_range` (such as 0–100 %).
pub fn xy_chart(title: &str, points: &[XyPoint], ticks: &[(f64, String)], y_range: (f64, f64), unit: &str) -> String {
    let (w, h, pad_l, pad_r, pad_b, pad_t) = (560.0_f64, 180.0_f64, 60.0, 14.0, 24.0, 10.0);
    let mut svg = open(title, w, h);
    if points.is_empty() {
        return no_values(svg, w, h);
    }
    // A line runs left to right, whatever order the points came in.
    let mut order: Vec<&XyPoint> = points.iter().collect();
    order.sort_by(|a, b| a.x.total_cmp(&b.x));
    let x0 = points.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
    let x1 = points.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max);
    let span = if x1 > x0 { x1 - x0 } else { 1.0 };
    let (lo, hi) = y_range;
    let yspan = if hi > lo { hi - lo } else { 1.0 };
    let x = |v: f64| pad_l + (v - x0) / span * (w - pad_l - pad_r);
    let y = |v: f64| pad_t + (1.0 - (v - lo) / yspan) * (h - pad_t - pad_b);
    let base = h - pad_b;
    let _ = write!(svg, "<line class=\"axis-line\" x1=\"{pad_l}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>", w - pad_r);
    for v in [lo, hi] {
        y_label(&mut svg, pad_l - 6.0, y(v), &format!("{} {unit}", fmt_num(v)));
    }
    for (i, (t, label)) in ticks.iter().enumerate() {
        let anchor = if i == 0 {
            "start"
        } else if i + 1 == ticks.len() {
            "end"
        } else {
            "middle"
        };
        let tx = x(*t);
        let _ = write!(
            svg,
            "<line class=\"axis-line\" x1=\"{tx:.1}\" y1=\"{base}\" x2=\"{tx:.1}\" y2=\"{}\"/>\
             <text class=\"axis\" text-anchor=\"{anchor}\" x=\"{tx:.1}\" y=\"{}\">{}</text>",
            base + 4.0,
            h - 6.0,
            esc(label)
        );
    }
    let path: Vec<String> = order.iter().map(|p| format!("{:.1},{:.1}", x(p.x), y(p.y))).collect();
    let _ = write!(svg, "<polyline class=\"series\" points=\"{}\"/>", path.join(" "));
    for p in points {
        let _ = write!(
            svg,
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}</title></circle>",
            x(p.x),
            y(p.y),
            esc(&p.tip)
        );
    }
    svg.push_str("</svg></div>");
    svg
}

/// Vertical bars with a label under each.
pub fn bar_chart(title: &str, bars: &[(String, f64)]) -> String {
    let (w, h, pad_b) = (560.0_f64, 150.0_f64, 22.0);
    let mut svg = open(title, w, h);
    let hi = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max).max(1.0);
    let n = bars.len().max(1) as f64;
    let slot = w / n;
    for (i, (label, v)) in bars.iter().enumerate() {
        let bh = v / hi * (h - pad_b - 16.0);
        let x = i as f64 * slot + slot * 0.15;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{}: {}</title></rect>",
            h - pad_b - bh,
            slot * 0.7,
            esc(label),
            fmt_num(*v)
        );
        if slot >= 28.0 {
            let _ = write!(
                svg,
                "<text class=\"axis\" text-anchor=\"middle\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x + slot * 0.35,
                h - pad_b - bh - 3.0,
                fmt_num(*v)
            );
        }
        // Labels need about 56 units each: with many bars, every k-th one.
        let every = ((56.0 / slot).ceil() as usize).max(1);
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text class=\"axis\" text-anchor=\"middle\" x=\"{:.1}\" y=\"{}\">{}</text>",
                x + slot * 0.35,
                h - 6.0,
                esc(label)
            );
        }
    }
    svg.push_str("</svg></div>");
    svg
}

/// One line of a chart with several: its name, colour and values (one per
/// label; `None` where the line has no value).
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
    pub values: Vec<Option<f64>>,
    /// Drawn dashed (plans, ideals).
    pub dashed: bool,
}

/// Several lines over the same labels (dates), with a legend; values of
/// all series share one scale from zero.
pub fn multi_line(title: &str, labels: &[String], series: &[Series<'_>], unit: &str) -> String {
    let (w, h, pad_l, pad_b, pad_t) = (600.0_f64, 220.0_f64, 96.0, 24.0, 22.0);
    let mut svg = open(title, w, h);
    let hi = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0_f64, |a, &b| a.max(b));
    if labels.is_empty() || hi <= 0.0 {
        return no_values(svg, w, h);
    }
    let n = labels.len();
    let x = |i: usize| pad_l + if n > 1 { i as f64 * (w - pad_l - 10.0) / (n - 1) as f64 } else { (w - pad_l) / 2.0 };
    let y = |v: f64| pad_t + (1.0 - v / hi) * (h - pad_t - pad_b);
    let _ = write!(
        svg,
        "<line class=\"axis-line\" x1=\"{pad_l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        h - pad_b,
        w - 4.0,
        h - pad_b
    );
    y_label(&mut svg, pad_l - 6.0, y(hi), &format!("{} {unit}", fmt_num(hi)));
    y_label(&mut svg, pad_l - 6.0, y(0.0), "0");
    let _ = write!(svg, "<text class=\"axis\" x=\"{pad_l}\" y=\"{}\">{}</text>", h - 6.0, esc(&labels[0]));
    let _ = write!(
        svg,
        "<text class=\"axis\" text-anchor=\"end\" x=\"{}\" y=\"{}\">{}</text>",
        w - 4.0,
        h - 6.0,
        esc(&labels[n - 1])
    );
    for (k, s) in series.iter().enumerate() {
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(d, "{}{:.1} {:.1} ", if pen_down { "L" } else { "M" }, x(i), y(*v));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let dash = if s.dashed { " stroke-dasharray=\"5 4\"" } else { "" };
        let _ = write!(
            svg,
            "<path class=\"line line-{k}\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dash}><title>{}</title></path>",
            d.trim_end(),
            esc(s.colour),
            esc(s.name)
        );
        // A dot where a series has a single value: a line would not show.
        if s.values.iter().flatten().count() == 1
            && let Some((i, Some(v))) = s.values.iter().enumerate().find(|(_, v)| v.is_some())
        {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"><title>{}: {}</title></circle>",
                x(i),
                y(*v),
                esc(s.colour),
                esc(s.name),
                fmt_num(*v)
            );
        }
        let lx = pad_l + 10.0 + k as f64 * 120.0;
        let _ = write!(
            svg,
            "<rect x=\"{lx:.0}\" y=\"4\" width=\"12\" height=\"4\" fill=\"{}\"/><text class=\"axis\" x=\"{:.0}\" y=\"10\">{}</text>",
            esc(s.colour),
            lx + 16.0,
            esc(s.name)
        );
    }
    svg.push_str("</svg></div>");
    svg
}

/// One row of the release timeline.
pub struct TimelineRow {
    pub label: String,
    pub target: Option<jiff::civil::Date>,
    pub forecast: Option<jiff::civil::Date>,
    /// Shown beside the label, e.g. `3 features`.
    pub note: String,
}

/// Releases on a date axis: a diamond at each target date, a bar from
/// today to the forecast when there is one (red when late), and today's line.
/// Dates read as `fmt` writes them (the reader's own date form).
pub fn timeline(rows: &[TimelineRow], today: jiff::civil::Date, fmt: impl Fn(jiff::civil::Date) -> String) -> String {
    let row_h = 34.0;
    let (w, label_w) = (720.0_f64, 190.0_f64);
    let h = 30.0 + row_h * rows.len().max(1) as f64;
    let dates: Vec<jiff::civil::Date> =
        rows.iter().flat_map(|r| [r.target, r.forecast]).flatten().chain(std::iter::once(today)).collect();
    let first = dates.iter().min().copied().unwrap_or(today);
    let last = dates.iter().max().copied().unwrap_or(today);
    let days = |d: jiff::civil::Date| (d - first).get_days() as f64;
    let span = days(last).max(30.0) * 1.08;
    let x = |d: jiff::civil::Date| label_w + days(d) / span * (w - label_w - 20.0) + 6.0;
    let mut svg = format!(
        "<div class=\"chart-box\"><svg class=\"chart timeline\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Release timeline\" \
         xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let tx = x(today);
    let _ = write!(svg, "<line class=\"today\" x1=\"{tx:.1}\" y1=\"14\" x2=\"{tx:.1}\" y2=\"{h}\"/>");
    let _ = write!(
        svg,
        "<text class=\"axis\" x=\"{tx:.1}\" y=\"11\" text-anchor=\"middle\">today {}</text>",
        esc(&fmt(today))
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 30.0 + i as f64 * row_h;
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"4\" y=\"{:.1}\">{} <tspan class=\"axis\">({})</tspan></text>",
            y + 14.0,
            esc(&r.label),
            esc(&r.note)
        );
        if let Some(f) = r.forecast {
            let late = tandem_core::progress::is_late(f, r.target);
            let _ = write!(
                svg,
                "<rect class=\"forecast{}\" x=\"{tx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\"><title>forecast {}</title></rect>",
                if late { " late" } else { "" },
                y + 5.0,
                (x(f) - tx).max(2.0),
                esc(&fmt(f))
            );
        }
        if let Some(t) = r.target {
            let cx = x(t);
            let text = esc(&fmt(t));
            // Near the right edge the date sits left of its diamond, so it is never cut off.
            let (tx2, anchor) = if cx > w - 150.0 { (cx - 10.0, "end") } else { (cx + 10.0, "start") };
            let _ = write!(
                svg,
                "<path class=\"target\" d=\"M{cx:.1} {:.1} l7 7 l-7 7 l-7 -7 z\"><title>target {text}</title></path>\
                 <text class=\"axis\" x=\"{tx2:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{text}</text>",
                y + 3.0,
                y + 14.0
            );
        }
    }
    svg.push_str("</svg></div>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_points_drawn() {
        let svg = line_chart("DAU <x>", &[("2026-01-01".into(), 10.0), ("<b>".into(), 20.0)], "users");
        assert!(svg.contains("aria-label=\"DAU &lt;x&gt;\""), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(line_chart("x", &[], "").contains("No values yet"));
        assert_eq!(bar_chart("b", &[("a".into(), 1.0), ("b".into(), 2.0)]).matches("<rect").count(), 2);
    }

    #[test]
    fn xy_points_sit_where_their_x_says() {
        let pts = [
            XyPoint { x: 0.0, y: 10.0, tip: "a".into() },
            XyPoint { x: 1.0, y: 50.0, tip: "b".into() },
            XyPoint { x: 10.0, y: 100.0, tip: "c".into() },
        ];
        let svg = xy_chart("S", &pts, &[(0.0, "1 Jan".into()), (10.0, "11 Jan".into())], (0.0, 100.0), "%");
        // Evenly spaced points would put the second at the middle; it sits a tenth along.
        let cx: Vec<f64> = svg
            .split("<circle class=\"dot\" cx=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(cx.len(), 3);
        let tenth = (cx[1] - cx[0]) / (cx[2] - cx[0]);
        assert!((tenth - 0.1).abs() < 0.01, "{tenth}");
        assert!(svg.contains("<title>b</title>") && svg.contains(">11 Jan</text>"), "{svg}");
    }

    #[test]
    fn numbers_group_thousands_from_five_digits() {
        assert_eq!(fmt_num(48170.0), "48\u{202f}170");
        assert_eq!(fmt_num(2026.0), "2026");
        assert_eq!(fmt_num(-1234567.5), "-1\u{202f}234\u{202f}567.5");
        assert_eq!(fmt_num(116.667), "116.7");
    }

    #[test]
    fn late_forecasts_are_marked() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let rows = [
            TimelineRow {
                label: "1.0".into(),
                target: Some(d("2027-01-01")),
                forecast: Some(d("2027-02-01")),
                note: "2 features".into(),
            },
            TimelineRow { label: "2.0".into(), target: Some(d("2027-06-01")), forecast: None, note: String::new() },
        ];
        let svg = timeline(&rows, d("2026-11-22"), |d| d.to_string());
        assert_eq!(svg.matches("forecast late").count(), 1, "{svg}");
        assert_eq!(svg.matches("class=\"target\"").count(), 2, "{svg}");
    }
}
