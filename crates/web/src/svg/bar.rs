//! A small horizontal bar chart: one row per item (label, bar, value as text), scaled to
//! the largest value. Accessible: `role="img"` named by its `<title>`, and a `<desc>` that
//! reads every item as text, so the figures are there without the picture.
// Bar lengths are drawing, not money: floating point is right here.

use super::esc;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// One bar: what it is, its size, and the figure to print next to it (e.g. `2个 · 66.7%`).
#[derive(Debug, Clone, PartialEq)]
pub struct BarItem {
    pub label: String,
    pub value: f64,
    pub text: String,
}

impl BarItem {
    pub fn new(label: impl Into<String>, value: f64, text: impl Into<String>) -> BarItem {
        BarItem {
            label: label.into(),
            value,
            text: text.into(),
        }
    }
}

const WIDTH: f64 = 480.0;
const LABEL_W: f64 = 90.0;
/// room for the figure after the longest bar, e.g. `2个 · 66.7% · 3.00亿元`
const TEXT_W: f64 = 180.0;
const ROW: f64 = 30.0;
const TOP: f64 = 30.0;
const BAR_H: f64 = 18.0;
pub const COLOR: &str = "#b3261e";

/// The chart as an `<svg>` element; an empty chart when there are no items.
pub fn bar_chart(title: &str, items: &[BarItem]) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let (tid, did) = (format!("bar{n}-t"), format!("bar{n}-d"));
    let height = TOP + ROW * items.len().max(1) as f64 + 6.0;
    let max = items.iter().map(|i| i.value).fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL_W - TEXT_W;
    let desc = items
        .iter()
        .map(|i| format!("{}：{}", i.label, i.text))
        .collect::<Vec<_>>()
        .join("；");
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{tid} {did}"><title id="{tid}">{}</title><desc id="{did}">{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    let _ = write!(
        s,
        r##"<text x="0" y="18" font-size="14" font-weight="600" fill="#1d1f23">{}</text>"##,
        esc(title)
    );
    for (k, item) in items.iter().enumerate() {
        let y = TOP + ROW * k as f64;
        let w = if max > 0.0 && item.value > 0.0 {
            (item.value / max * span).max(2.0)
        } else {
            0.0
        };
        let _ = write!(
            s,
            r##"<g><text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#1d1f23">{}</text><rect x="{LABEL_W}" y="{:.1}" width="{:.1}" height="{BAR_H}" rx="3" fill="{COLOR}"></rect><text x="{:.1}" y="{:.1}" font-size="13" fill="#5f6670">{}</text></g>"##,
            LABEL_W - 8.0,
            y + 13.0,
            esc(&item.label),
            y,
            w,
            LABEL_W + w + 6.0,
            y + 13.0,
            esc(&item.text),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_read_as_text() {
        let svg = bar_chart(
            "签约项目行业分布",
            &[
                BarItem::new("服务业", 2.0, "2个 · 66.7%"),
                BarItem::new("工业", 1.0, "1个 · 33.3%"),
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title id=") && svg.contains(">签约项目行业分布</title>"));
        assert!(
            svg.contains("<desc id=") && svg.contains("服务业：2个 · 66.7%；工业：1个 · 33.3%")
        );
        // the largest bar takes the whole span, the other half of it
        assert!(svg.contains(r#"width="210.0""#), "{svg}");
        assert!(svg.contains(r#"width="105.0""#), "{svg}");
        assert!(!bar_chart("<x>", &[]).contains("<x>"));
    }
}
