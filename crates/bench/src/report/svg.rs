//! A small hand-written SVG: one grouped bar chart per workload, with its target as a dashed
//! line, laid out on a grid. No dependencies; the numbers come straight from the results JSON.

use std::fmt::Write;

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 290.0;
const COLUMNS: usize = 3;
const COLORS: [&str; 4] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"];

/// One chart: groups of bars (one bar per series) over a linear axis from 0.
pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<String>,
    /// (group label, one value per series; `None` for a missing bar).
    pub groups: Vec<(String, Vec<Option<f64>>)>,
    /// (value, label) of the target line.
    pub target: Option<(f64, String)>,
    /// A line of small print under the chart.
    pub note: String,
}

pub fn render(title: &str, subtitle: &str, panels: &[Panel]) -> String {
    let rows = panels.len().div_ceil(COLUMNS).max(1);
    let width = PANEL_W * COLUMNS as f64 + 20.0;
    let height = PANEL_H * rows as f64 + 70.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="12" y="24" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="12" y="42" fill="#555">{}</text>"##,
        esc(subtitle)
    );
    for (i, panel) in panels.iter().enumerate() {
        let x = 10.0 + PANEL_W * (i % COLUMNS) as f64;
        let y = 56.0 + PANEL_H * (i / COLUMNS) as f64;
        draw_panel(&mut s, panel, x, y);
    }
    s.push_str("</svg>\n");
    s
}

fn draw_panel(s: &mut String, p: &Panel, x0: f64, y0: f64) {
    let (left, right, top, bottom) = (
        x0 + 52.0,
        x0 + PANEL_W - 14.0,
        y0 + 40.0,
        y0 + PANEL_H - 62.0,
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="13" font-weight="bold">{}</text>"#,
        x0 + 4.0,
        y0 + 16.0,
        esc(&p.title)
    );
    // Legend.
    let mut lx = x0 + 4.0;
    for (k, name) in p.series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="{}" width="9" height="9" fill="{color}"/><text x="{}" y="{}">{}</text>"#,
            y0 + 24.0,
            lx + 12.0,
            y0 + 32.0,
            esc(name)
        );
        lx += 20.0 + 6.0 * name.chars().count() as f64;
    }
    let values = p
        .groups
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied());
    let max = values
        .chain(p.target.as_ref().map(|t| t.0))
        .fold(0.0f64, f64::max);
    let (step, top_value) = nice_axis(max * 1.1);
    let scale = |v: f64| bottom - (v / top_value) * (bottom - top);
    // Axis and grid.
    let mut tick = 0.0;
    while tick <= top_value + step / 2.0 {
        let y = scale(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{}" y="{:.1}" text-anchor="end" fill="#555">{}</text>"##,
            left - 4.0,
            y + 4.0,
            fmt_value(tick)
        );
        tick += step;
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#555" transform="rotate(-90 {} {})" text-anchor="middle">{}</text>"##,
        x0 + 10.0,
        (top + bottom) / 2.0,
        x0 + 10.0,
        (top + bottom) / 2.0,
        esc(&p.unit)
    );
    // Bars.
    let groups = p.groups.len().max(1) as f64;
    let group_w = (right - left) / groups;
    let bar_w = (group_w * 0.8 / p.series.len().max(1) as f64).min(40.0);
    for (g, (label, vals)) in p.groups.iter().enumerate() {
        let gx = left + group_w * g as f64;
        let bars_w = bar_w * vals.len() as f64;
        let start = gx + (group_w - bars_w) / 2.0;
        for (k, v) in vals.iter().enumerate() {
            let Some(v) = *v else { continue };
            let bx = start + bar_w * k as f64;
            let by = scale(v);
            let color = COLORS[k % COLORS.len()];
            let _ = writeln!(
                s,
                r#"<rect x="{bx:.1}" y="{by:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{}: {}</title></rect>"#,
                bar_w - 2.0,
                (bottom - by).max(0.5),
                esc(label),
                fmt_value(v)
            );
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="9">{}</text>"#,
                bx + bar_w / 2.0 - 1.0,
                by - 3.0,
                fmt_value(v)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            gx + group_w / 2.0,
            bottom + 14.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>"##
    );
    if let Some((v, label)) = &p.target {
        let y = scale(*v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#c00" stroke-dasharray="6 4"/><text x="{right}" y="{:.1}" text-anchor="end" fill="#c00">{}</text>"##,
            y - 4.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#555" font-size="10">{}</text>"##,
        x0 + 4.0,
        bottom + 34.0,
        esc(&p.note)
    );
}

/// A tick step of 1, 2 or 5 × 10^k giving about 5 ticks, and the axis top (a multiple of it).
fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1.0);
    }
    let rough = max / 5.0;
    let mag = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * mag);
    (step, (max / step).ceil() * step)
}

pub fn fmt_value(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else if v.abs() >= 1000.0 {
        super::targets::fmt_int(v.round() as u64)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(0.9), (0.2, 1.0));
        assert_eq!(nice_axis(23_000.0), (5_000.0, 25_000.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
    }

    #[test]
    fn renders_a_well_formed_document() {
        let panel = Panel {
            title: "a <b>".into(),
            unit: "ms".into(),
            series: vec!["p50".into()],
            groups: vec![("10".into(), vec![Some(0.5)]), ("x".into(), vec![None])],
            target: Some((1.0, "target".into())),
            note: String::new(),
        };
        let svg = render("t", "s", &[panel]);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt;"));
    }
}
