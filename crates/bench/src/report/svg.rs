//! A small hand-written SVG: one grouped bar chart per workload, with its target as a dashed
//! line, laid out on a grid. No dependencies; the numbers come straight from the results JSON.

use std::fmt::Write;

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 290.0;
const COLUMNS: usize = 3;
const COLORS: [&str; 4] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"];

/// One chart: groups of bars (one bar per series) over a value axis.
#[derive(Clone)]
pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<String>,
    /// (group label, one value per series; `None` for a missing bar).
    pub groups: Vec<(String, Vec<Option<f64>>)>,
    /// (value, label) of the target line.
    pub target: Option<(f64, String)>,
    /// Lines of small print under the chart.
    pub note: Vec<String>,
    /// A logarithmic axis (for latencies, whose p99 can be 100× their p50).
    pub log: bool,
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
    let values: Vec<f64> = p
        .groups
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .chain(p.target.as_ref().map(|t| t.0))
        .collect();
    let axis = Axis::new(&values, p.log);
    let scale = |v: f64| bottom - axis.fraction(v) * (bottom - top);
    // Axis and grid.
    for tick in axis.ticks() {
        let y = scale(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{}" y="{:.1}" text-anchor="end" fill="#555">{}</text>"##,
            left - 4.0,
            y + 4.0,
            fmt_value(tick)
        );
    }
    let unit = if p.log {
        format!("{} (log scale)", p.unit)
    } else {
        p.unit.clone()
    };
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#555" transform="rotate(-90 {} {})" text-anchor="middle">{}</text>"##,
        x0 + 10.0,
        (top + bottom) / 2.0,
        x0 + 10.0,
        (top + bottom) / 2.0,
        esc(&unit)
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
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#c00" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" fill="#c00" font-size="10">{}</text>"##,
            left + 3.0,
            y - 3.0,
            esc(label)
        );
    }
    for (i, line) in p.note.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" fill="#555" font-size="10">{}</text>"##,
            x0 + 4.0,
            bottom + 32.0 + 12.0 * i as f64,
            esc(line)
        );
    }
}

/// The value axis: linear from 0 with round steps, or logarithmic by decades.
struct Axis {
    log: bool,
    lo: f64,
    hi: f64,
    step: f64,
}

impl Axis {
    fn new(values: &[f64], log: bool) -> Axis {
        let max = values.iter().copied().fold(0.0f64, f64::max);
        if log {
            let min = values
                .iter()
                .copied()
                .filter(|v| *v > 0.0)
                .fold(f64::INFINITY, f64::min);
            let min = if min.is_finite() { min } else { 1.0 };
            let lo = 10f64.powf(min.log10().floor()).max(1e-3);
            let hi = 10f64.powf(max.max(lo * 10.0).log10().ceil());
            Axis {
                log,
                lo,
                hi,
                step: 10.0,
            }
        } else {
            let (step, hi) = nice_axis(max * 1.1);
            Axis {
                log,
                lo: 0.0,
                hi,
                step,
            }
        }
    }

    /// Where `v` sits between the bottom (0) and the top (1).
    fn fraction(&self, v: f64) -> f64 {
        if self.log {
            let v = v.max(self.lo);
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            v / self.hi
        }
    }

    fn ticks(&self) -> Vec<f64> {
        let mut out = Vec::new();
        let mut t = self.lo;
        while t <= self.hi * 1.0001 {
            out.push(t);
            t = if self.log {
                t * self.step
            } else {
                t + self.step
            };
        }
        out
    }
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
    fn log_axes_span_decades() {
        let a = Axis::new(&[0.3, 250.0], true);
        assert_eq!(a.ticks().len(), 5);
        assert!((a.fraction(1.0) - 0.25).abs() < 1e-9);
    }

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
            note: vec![],
            log: false,
        };
        let mut log = Panel {
            log: true,
            ..panel.clone()
        };
        log.groups[0].1[0] = Some(0.05);
        assert!(render("t", "s", &[log]).contains(">0.010<"));
        let svg = render("t", "s", &[panel]);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt;"));
    }
}
