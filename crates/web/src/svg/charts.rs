//! Line and funnel charts for the dashboard (bars are in `bar.rs`). Each has a `<title>` and a
//! `<desc>` that reads every figure as text.
// Coordinates are drawing, not money: floating point is right here.

use super::esc;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

fn ids(kind: &str) -> (String, String) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    (format!("{kind}{n}-t"), format!("{kind}{n}-d"))
}

/// A line with points over labelled steps (e.g. the twelve months).
pub fn line_chart(title: &str, labels: &[String], values: &[f64], value_text: &[String]) -> String {
    let (tid, did) = ids("line");
    let (w, h, left, top, bottom) = (480.0, 200.0, 30.0, 30.0, 24.0);
    let max = values.iter().copied().fold(0.0_f64, f64::max).max(1.0);
    let step = if values.len() > 1 {
        (w - left - 10.0) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let desc: Vec<String> = labels
        .iter()
        .zip(value_text)
        .map(|(l, v)| format!("{l}：{v}"))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{tid} {did}"><title id="{tid}">{}</title><desc id="{did}">{}</desc>"#,
        esc(title),
        esc(&desc.join("；"))
    );
    let _ = write!(
        s,
        r##"<text x="0" y="16" font-size="14" font-weight="600" fill="#1d1f23">{}</text>"##,
        esc(title)
    );
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#dfe3e8"/>"##,
        h - bottom,
        w - 10.0,
        h - bottom
    );
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", left + step * i as f64, y(*v)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#b3261e" stroke-width="2.5"/>"##,
        pts.join(" ")
    );
    for (i, v) in values.iter().enumerate() {
        let x = left + step * i as f64;
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="#b3261e"><title>{}</title></circle>"##,
            y(*v),
            esc(&desc.get(i).cloned().unwrap_or_default())
        );
        if let Some(l) = labels.get(i) {
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="{}" font-size="11" text-anchor="middle" fill="#5f6670">{}</text>"##,
                h - 6.0,
                esc(l)
            );
        }
    }
    let _ = write!(
        s,
        r##"<text x="2" y="{:.1}" font-size="11" fill="#5f6670">{}</text>"##,
        top + 4.0,
        esc(&format!("{max}"))
    );
    s.push_str("</svg>");
    s
}

/// A funnel: one centred bar per stage, narrowing with the count.
pub fn funnel(title: &str, stages: &[(String, i64)]) -> String {
    let (tid, did) = ids("funnel");
    let (w, row) = (480.0, 26.0);
    let h = 28.0 + row * stages.len() as f64;
    let max = stages.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let desc: Vec<String> = stages.iter().map(|(l, n)| format!("{l}：{n}")).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{tid} {did}"><title id="{tid}">{}</title><desc id="{did}">{}</desc>"#,
        esc(title),
        esc(&desc.join("；"))
    );
    let _ = write!(
        s,
        r##"<text x="0" y="16" font-size="14" font-weight="600" fill="#1d1f23">{}</text>"##,
        esc(title)
    );
    let span = w - 150.0;
    for (i, (label, n)) in stages.iter().enumerate() {
        let y = 26.0 + row * i as f64;
        let bw = (span * (*n as f64) / max).max(2.0);
        let x = 80.0 + (span - bw) / 2.0;
        let _ = write!(
            s,
            r##"<text x="0" y="{:.1}" font-size="13" fill="#1d1f23">{}</text>"##,
            y + 15.0,
            esc(label)
        );
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="20" rx="3" fill="#b3261e" opacity="{:.2}"/>"##,
            0.35 + 0.65 * (i as f64 + 1.0) / stages.len() as f64
        );
        let _ = write!(
            s,
            r##"<text x="{}" y="{:.1}" font-size="13" text-anchor="end" fill="#1d1f23">{n}</text>"##,
            w - 4.0,
            y + 15.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_carry_their_figures_as_text() {
        let l = super::line_chart(
            "拜访",
            &["1月".into(), "2月".into()],
            &[3.0, 5.0],
            &["3".into(), "5".into()],
        );
        assert!(
            l.contains("<title id=") && l.contains("1月：3；2月：5") && l.contains("<polyline")
        );
        let f = super::funnel("项目", &[("线索".into(), 10), ("签约".into(), 2)]);
        assert!(f.contains("线索：10；签约：2") && f.matches("<rect").count() == 2);
    }
}
