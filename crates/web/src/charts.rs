//! Server-rendered SVG charts: sparklines, a line chart with axes, and a heat map. Colours come
//! from CSS classes (app.css), so charts follow the accent colour and dark mode; every chart
//! has a title and a description, and pages pair each with a data table for screen readers.

use std::fmt::Write;

/// Escapes text for SVG/HTML content and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn scale(v: f64, max: f64, height: f64) -> f64 {
    if max <= 0.0 {
        height
    } else {
        height - (v / max) * height
    }
}

/// A small trend line without axes (a card's sparkline), 120×32.
pub fn sparkline(values: &[f64], title: &str) -> String {
    let (w, h) = (120.0, 32.0);
    let max = values.iter().cloned().fold(0.0_f64, f64::max);
    let step = if values.len() > 1 {
        w / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                2.0 + scale(*v, max, h - 4.0)
            )
        })
        .collect();
    format!(
        "<svg class=\"sparkline\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title><polyline class=\"chart-line\" fill=\"none\" points=\"{}\"/></svg>",
        points.join(" "),
        t = escape(title)
    )
}

/// A line chart of labelled points with a y axis from 0, gridlines and x labels.
/// `format` renders a value for the axis ticks.
pub fn line_chart(
    id: &str,
    title: &str,
    y_label: &str,
    points: &[(String, f64)],
    format: fn(f64) -> String,
) -> String {
    let (w, h) = (640.0, 240.0);
    let (left, right, top, bottom) = (56.0, 28.0, 12.0, 40.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let max = if max <= 0.0 { 1.0 } else { nice_ceiling(max) };
    let step = if points.len() > 1 {
        pw / (points.len() - 1) as f64
    } else {
        0.0
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}. The table below lists the values.</desc>",
        escape(title),
        escape(y_label)
    );
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let y = top + scale(v, max, ph);
        let _ = write!(
            svg,
            "<line class=\"chart-grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"chart-tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + pw,
            left - 6.0,
            y + 4.0,
            escape(&format(v))
        );
    }
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (left + i as f64 * step, top + scale(p.1, max, ph)))
        .collect();
    let line: Vec<String> = coords
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"chart-line\" fill=\"none\" points=\"{}\"/>",
        line.join(" ")
    );
    for ((x, y), (label, v)) in coords.iter().zip(points) {
        let _ = write!(
            svg,
            "<circle class=\"chart-dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"><title>{}: {}</title></circle>\
             <text class=\"chart-tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            escape(label),
            escape(&format(*v)),
            top + ph + 18.0,
            escape(label.get(2..).unwrap_or(label))
        );
    }
    let _ = write!(
        svg,
        "<text class=\"chart-axis\" x=\"12\" y=\"{:.1}\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">{}</text></svg>",
        top + ph / 2.0,
        top + ph / 2.0,
        escape(y_label)
    );
    svg
}

/// A heat map: one row per labelled series of optional shares (0..1); empty cells are blank.
pub fn heat_map(
    id: &str,
    title: &str,
    rows: &[(String, Vec<Option<f64>>)],
    column_label: fn(usize) -> String,
) -> String {
    let (cell_w, cell_h, left, top) = (44.0, 24.0, 64.0, 22.0);
    let cols = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let w = left + cell_w * cols as f64 + 4.0;
    let h = top + cell_h * rows.len() as f64 + 4.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart heat\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title>",
        escape(title)
    );
    for c in 0..cols {
        let _ = write!(
            svg,
            "<text class=\"chart-tick\" x=\"{:.1}\" y=\"14\" text-anchor=\"middle\">{}</text>",
            left + cell_w * c as f64 + cell_w / 2.0,
            escape(&column_label(c))
        );
    }
    for (r, (label, cells)) in rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            svg,
            "<text class=\"chart-tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + cell_h / 2.0 + 4.0,
            escape(label)
        );
        for (c, cell) in cells.iter().enumerate() {
            let Some(share) = cell else { continue };
            let x = left + cell_w * c as f64;
            let _ = write!(
                svg,
                "<rect class=\"heat-cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill-opacity=\"{:.2}\"><title>{label}, month {c}: {:.0}%</title></rect>\
                 <text class=\"heat-value{}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.0}</text>",
                cell_w - 2.0,
                cell_h - 2.0,
                0.08 + 0.92 * share.clamp(0.0, 1.0),
                share * 100.0,
                if *share > 0.55 { " on-dark" } else { "" },
                x + cell_w / 2.0 - 1.0,
                y + cell_h / 2.0 + 3.0,
                share * 100.0,
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `v`: a round top for an axis.
fn nice_ceiling(v: f64) -> f64 {
    let magnitude = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * magnitude >= v {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_have_titles_and_escape_labels() {
        let svg = line_chart(
            "mau",
            "Monthly <active>",
            "members",
            &[("2026-10".into(), 3.0), ("2026-11".into(), 7.0)],
            |v| format!("{v:.0}"),
        );
        assert!(svg.contains("<title id=\"mau-title\">Monthly &lt;active&gt;</title>"));
        assert!(svg.contains("2026-11: 7"));
        assert_eq!(svg.matches("<circle").count(), 2);
        let spark = sparkline(&[0.0, 0.0], "flat");
        assert!(spark.contains("points=\"0.0,30.0 120.0,30.0\""));
        let heat = heat_map(
            "r",
            "Retention",
            &[("2026-11".into(), vec![Some(0.5), None])],
            |c| format!("+{c}"),
        );
        assert_eq!(heat.matches("<rect").count(), 1);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(0.42), 0.5);
    }
}
