//! The investment map (招商地图): the world by country and Jiangsu by city, drawn from the
//! shipped boundary data (data/maps, see data/SOURCES.md), shaded by a figure per area.
//! Coordinates are degrees (equirectangular); paths are built once and cached.
// Map geometry is drawing, not money: floating point is right here.

use super::{esc, shade};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

const WORLD: &str = include_str!("../../../../data/maps/world.json");
const JIANGSU: &str = include_str!("../../../../data/maps/jiangsu.json");

#[derive(Deserialize)]
struct WorldFile {
    countries: Vec<Country>,
}

#[derive(Deserialize)]
struct Country {
    iso2: Option<String>,
    name_zh: String,
    rings: Vec<Vec<[f64; 2]>>,
}

#[derive(Deserialize)]
struct JiangsuFile {
    cities: Vec<City>,
}

#[derive(Deserialize)]
struct City {
    code: String,
    name: String,
    rings: Vec<Vec<[f64; 2]>>,
}

/// An area ready to draw: its key (ISO code or division code), name and SVG path data.
pub struct Area {
    pub key: String,
    pub name: String,
    pub d: String,
    /// label anchor (the centre of its largest ring's bounding box)
    pub cx: f64,
    pub cy: f64,
}

fn path(rings: &[Vec<[f64; 2]>], project: impl Fn(f64, f64) -> (f64, f64)) -> (String, f64, f64) {
    let mut d = String::new();
    let mut best = (0.0, 0.0, 0.0);
    for ring in rings {
        let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (i, [lon, lat]) in ring.iter().enumerate() {
            let (x, y) = project(*lon, *lat);
            let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, x, y);
            minx = minx.min(x);
            maxx = maxx.max(x);
            miny = miny.min(y);
            maxy = maxy.max(y);
        }
        d.push('Z');
        let area = (maxx - minx) * (maxy - miny);
        if area > best.0 {
            best = (area, (minx + maxx) / 2.0, (miny + maxy) / 2.0);
        }
    }
    (d, best.1, best.2)
}

/// World: x = (lon + 180) × 2, y = (90 − lat) × 2, in a 720 × 360 box.
pub fn world() -> &'static [Area] {
    static W: OnceLock<Vec<Area>> = OnceLock::new();
    W.get_or_init(|| {
        let f: WorldFile =
            serde_json::from_str(WORLD).unwrap_or_else(|e| panic!("data/maps/world.json: {e}"));
        f.countries
            .into_iter()
            .map(|c| {
                let (d, cx, cy) = path(&c.rings, |lon, lat| {
                    ((lon + 180.0) * 2.0, (90.0 - lat) * 2.0)
                });
                Area {
                    key: c.iso2.unwrap_or_default(),
                    name: c.name_zh,
                    d,
                    cx,
                    cy,
                }
            })
            .collect()
    })
}

/// Jiangsu: 100 px per degree of longitude, 120 per degree of latitude (about 1/cos 33°).
pub fn jiangsu() -> &'static [Area] {
    static J: OnceLock<Vec<Area>> = OnceLock::new();
    J.get_or_init(|| {
        let f: JiangsuFile =
            serde_json::from_str(JIANGSU).unwrap_or_else(|e| panic!("data/maps/jiangsu.json: {e}"));
        f.cities
            .into_iter()
            .map(|c| {
                let (d, cx, cy) = path(&c.rings, |lon, lat| {
                    ((lon - 116.2) * 100.0, (35.3 - lat) * 120.0)
                });
                Area {
                    key: c.code,
                    name: c.name,
                    d,
                    cx,
                    cy,
                }
            })
            .collect()
    })
}

/// Draws `areas` shaded by `values` (by key), each a link to `href(key)` with a tooltip.
pub fn render(
    areas: &[Area],
    values: &HashMap<String, f64>,
    view_box: &str,
    title: &str,
    href: impl Fn(&str) -> String,
    label: impl Fn(&str, &str, f64) -> String,
    show_names: bool,
) -> String {
    let max = values.values().copied().fold(0.0, f64::max);
    let mut s = String::with_capacity(200_000);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" role="img" aria-labelledby="map-title" class="map">"#
    );
    let _ = write!(s, r#"<title id="map-title">{}</title>"#, esc(title));
    for a in areas {
        let v = values.get(&a.key).copied().unwrap_or(0.0);
        let tip = label(&a.key, &a.name, v);
        if a.key.is_empty() {
            let _ = write!(
                s,
                r##"<path d="{}" fill="#e6e9ed" stroke="#fff" stroke-width="0.3"><title>{}</title></path>"##,
                a.d,
                esc(&tip)
            );
        } else {
            let _ = write!(
                s,
                r##"<a href="{}"><path d="{}" fill="{}" stroke="#fff" stroke-width="0.3" data-key="{}"><title>{}</title></path></a>"##,
                esc(&href(&a.key)),
                a.d,
                shade(v, max),
                esc(&a.key),
                esc(&tip)
            );
        }
    }
    if show_names {
        for a in areas {
            let _ = write!(
                s,
                r##"<text x="{:.0}" y="{:.0}" font-size="14" text-anchor="middle" fill="#1d1f23" pointer-events="none">{}</text>"##,
                a.cx,
                a.cy,
                esc(&a.name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_maps_load_with_china_and_every_jiangsu_city() {
        let w = world();
        assert!(w.len() > 200);
        assert!(w.iter().any(|a| a.key == "CN" && a.name.contains("中国")));
        assert!(w.iter().any(|a| a.key == "KZ"));
        let j = jiangsu();
        assert_eq!(j.len(), 13);
        assert!(j.iter().any(|a| a.key == "320400" && a.name == "常州市"));
        // every Jiangsu point lands inside the drawing box
        assert!(
            j.iter()
                .all(|a| (0.0..=600.0).contains(&a.cx) && (0.0..=560.0).contains(&a.cy))
        );
    }

    #[test]
    fn render_shades_links_and_titles() {
        let mut v = HashMap::new();
        v.insert("JP".to_string(), 3.0);
        let svg = render(
            world(),
            &v,
            "0 10 720 300",
            "出访国家",
            |k| format!("/map?country={k}"),
            |_, n, v| format!("{n}: {v}"),
            false,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"href="/map?country=JP""#));
        assert!(svg.contains("<title id=\"map-title\">出访国家</title>"));
        assert!(svg.contains("日本: 3"));
    }
}
