"""Build data/maps/world.json from npm @surbowl/world-geo-json-zh 2.1.5 (world.zh.json).

Output: {"source", "projection", "countries": [{"iso2", "name_zh", "rings": [[[lon, lat], ...], ...]}]}
- one entry per ISO 3166-1 alpha-2 code; the rings of all features with that code are listed
  together (outer rings and holes alike, even-odd fill), nothing is merged geometrically;
- China (CN) is copied as the data draws it: no simplification and no ring dropped (islands,
  the South China Sea ten-dash line are small rings that must stay), coordinates rounded only;
- other features: Douglas-Peucker with TOL degrees, rings under MIN_AREA square degrees dropped
  unless they are the largest ring of their country, 2 decimals;
- features without an ISO code (-99): 索马里兰 -> SO, 北塞浦路斯 -> CY (one country each under
  China's and the UN's position); 锡亚琴冰川 (disputed, no country) is kept with iso2 null.

Usage: python3 scripts/data/map_world.py [PATH-to-@surbowl/world-geo-json-zh]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import _geo  # noqa: E402
import _pkg  # noqa: E402

TOL = 0.05
MIN_AREA = 0.01
ND = 2
NO_CODE = {"索马里兰": "SO", "北塞浦路斯": "CY", "锡亚琴冰川": None}
UNSIMPLIFIED = {"CN"}


def polygons(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    raise ValueError(geom["type"])


def main():
    root = _pkg.fetch("npm", "@surbowl/world-geo-json-zh", "2.1.5", sys.argv[1] if len(sys.argv) > 1 else None)
    with open(os.path.join(root, "world.zh.json"), encoding="utf-8") as f:
        src = json.load(f)

    countries = {}   # key -> {"iso2", "name_zh", "rings"}
    for feat in src["features"]:
        p = feat["properties"]
        iso2 = p["iso_a2"]
        if iso2 == "-99":
            if p["name"] not in NO_CODE:
                raise ValueError(f"feature without ISO code: {p}")
            iso2 = NO_CODE[p["name"]]
        key = iso2 or p["name"]
        entry = countries.setdefault(key, {"iso2": iso2, "name_zh": None, "rings": [], "main": 0.0})
        rings = [r for poly in polygons(feat["geometry"]) for r in poly]
        a = max(_geo.area(r) for r in rings)
        if a > entry["main"] and p["iso_a2"] != "-99":
            entry["main"], entry["name_zh"] = a, p["name"]
        elif entry["name_zh"] is None:
            entry["name_zh"] = p["name"]
        entry["rings"].extend(rings)

    out = []
    for key in sorted(countries, key=lambda k: (countries[k]["iso2"] is None, k)):
        e = countries[key]
        if e["iso2"] in UNSIMPLIFIED:
            rings = [_geo.round_ring(r, ND) for r in e["rings"]]
            if any(len(r) < 4 for r in rings):
                raise ValueError(f"{key}: a ring collapsed when rounded")
        else:
            largest = max(e["rings"], key=_geo.area)
            rings = []
            for r in e["rings"]:
                if r is not largest and _geo.area(r) < MIN_AREA:
                    continue
                s = _geo.round_ring(_geo.simplify_ring(r, TOL), ND)
                if len(s) < 4 or _geo.area(s) == 0:
                    if r is not largest:
                        continue
                    s = _geo.round_ring(r, ND)   # keep tiny countries visible
                    if len(s) < 4:
                        s = _geo.round_ring(r, 3)
                rings.append(s)
        out.append({"iso2": e["iso2"], "name_zh": e["name_zh"], "rings": rings})

    doc = {
        "source": "npm @surbowl/world-geo-json-zh 2.1.5 world.zh.json (Natural Earth 1:50m, adjusted to "
                  "China's official maps GS(2023)2767, GS(2021)5443; Unlicense). "
                  "Converted by scripts/data/map_world.py",
        "projection": "equirectangular lon/lat, 2 decimals",
        "countries": out,
    }
    path = os.path.join(_pkg.repo_root(), "data", "maps", "world.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    npts = sum(len(r) for c in out for r in c["rings"])
    print(f"wrote data/maps/world.json: {len(out)} countries, {sum(len(c['rings']) for c in out)} rings, "
          f"{npts} points, {os.path.getsize(path)} bytes")
    _pkg.cleanup()


if __name__ == "__main__":
    main()
