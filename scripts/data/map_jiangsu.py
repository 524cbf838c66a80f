"""Build data/maps/jiangsu.json (outlines of Jiangsu's 13 cities) from npm echarts 4.9.0,
map/json/province/jiangsu.json.

That file stores coordinates in the echarts "UTF8Encoding" form: each ring is a string in which
every two characters encode one point as a zigzag-encoded delta (char code - 64) from the
previous point, starting from the ring's encodeOffsets; lon = x / 1024, lat = y / 1024.
The decoder below is written from that description.

Output: {"source", "projection", "cities": [{"code", "name", "rings": [[[lon, lat], ...]]}]},
3 decimals, lightly simplified (Douglas-Peucker, TOL degrees).

Usage: python3 scripts/data/map_jiangsu.py [PATH-to-echarts]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import _geo  # noqa: E402
import _pkg  # noqa: E402

TOL = 0.002
ND = 3
SCALE = 1024
BOUNDS = (116.0, 30.7, 122.0, 35.2)   # lon_min, lat_min, lon_max, lat_max of Jiangsu


def unzigzag(v):
    return (v >> 1) ^ (-(v & 1))


def decode_ring(text, offset):
    px, py = offset
    pts = []
    for i in range(0, len(text) - 1, 2):
        px += unzigzag(ord(text[i]) - 64)
        py += unzigzag(ord(text[i + 1]) - 64)
        pts.append([px / SCALE, py / SCALE])
    if pts and pts[0] != pts[-1]:
        pts.append(list(pts[0]))
    return pts


def decode_geometry(g):
    if g["type"] == "Polygon":
        polys, offs = [g["coordinates"]], [g["encodeOffsets"]]
    elif g["type"] == "MultiPolygon":
        polys, offs = g["coordinates"], g["encodeOffsets"]
    else:
        raise ValueError(g["type"])
    return [decode_ring(r, o) for poly, po in zip(polys, offs) for r, o in zip(poly, po)]


def main():
    root = _pkg.fetch("npm", "echarts", "4.9.0", sys.argv[1] if len(sys.argv) > 1 else None)
    with open(os.path.join(root, "map", "json", "province", "jiangsu.json"), encoding="utf-8") as f:
        src = json.load(f)
    if not src.get("UTF8Encoding"):
        raise ValueError("expected an encoded file")
    cities = []
    for feat in src["features"]:
        rings = decode_geometry(feat["geometry"])
        x0, y0, x1, y1 = _geo.bbox(rings)
        if x0 < BOUNDS[0] or y0 < BOUNDS[1] or x1 > BOUNDS[2] or y1 > BOUNDS[3]:
            raise ValueError(f"{feat['properties']['name']} decodes outside Jiangsu: {(x0, y0, x1, y1)}")
        out = []
        for r in rings:
            s = _geo.round_ring(_geo.simplify_ring(r, TOL), ND)
            if len(s) < 4:
                s = _geo.round_ring(r, ND)
            out.append(s)
        cities.append({"code": str(feat["id"]), "name": feat["properties"]["name"], "rings": out})
    cities.sort(key=lambda c: c["code"])
    if len(cities) != 13:
        raise ValueError(f"expected 13 cities, got {len(cities)}")
    x0, y0, x1, y1 = _geo.bbox([r for c in cities for r in c["rings"]])
    print(f"decoded extent lon {x0}..{x1}, lat {y0}..{y1}")
    doc = {
        "source": "npm echarts 4.9.0 map/json/province/jiangsu.json (Apache-2.0 package; origin of the "
                  "outlines undocumented; not an approved base map). Converted by scripts/data/map_jiangsu.py",
        "projection": "equirectangular lon/lat, 3 decimals",
        "cities": cities,
    }
    path = os.path.join(_pkg.repo_root(), "data", "maps", "jiangsu.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    n = sum(len(r) for c in cities for r in c["rings"])
    print(f"wrote data/maps/jiangsu.json: {len(cities)} cities, {n} points, {os.path.getsize(path)} bytes")
    _pkg.cleanup()


if __name__ == "__main__":
    main()
