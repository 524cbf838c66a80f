//! Charts and maps as small server-rendered SVG of our own: no chart library, no script.
//! Every chart has a title and a text alternative.

pub mod bar;
pub mod charts;
pub mod map;

/// Escapes text for SVG / XML content and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Six shades from pale to the brand red; zero is grey.
pub const SHADES: [&str; 6] = [
    "#f3d9d6", "#e9b3ad", "#db857c", "#c9574c", "#b3261e", "#7a140f",
];
pub const EMPTY: &str = "#e6e9ed";

/// The shade of `v` on a scale up to `max` (square-root scale: a few big values do not wash
/// out the rest).
pub fn shade(v: f64, max: f64) -> &'static str {
    if v <= 0.0 || max <= 0.0 {
        return EMPTY;
    }
    let t = (v / max).sqrt().clamp(0.0, 1.0);
    SHADES[((t * (SHADES.len() as f64 - 1.0)).round() as usize).min(SHADES.len() - 1)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn shades() {
        assert_eq!(super::shade(0.0, 10.0), super::EMPTY);
        assert_eq!(super::shade(10.0, 10.0), super::SHADES[5]);
        assert_eq!(super::shade(1.0, 100.0), super::SHADES[1]);
        assert_eq!(super::esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
