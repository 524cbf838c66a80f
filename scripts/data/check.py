"""Check every file in data/: UTF-8, LF, header, row counts, unique codes, parents exist.

Usage: python3 scripts/data/check.py      (exit status 1 on any problem)
"""
import csv
import io
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")
problems = []


def bad(msg):
    problems.append(msg)
    print("FAIL", msg)


def read(rel, header):
    path = os.path.join(ROOT, rel)
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad(f"{rel}: not UTF-8 ({e})")
        return []
    if "\r" in text:
        bad(f"{rel}: CR found (want LF)")
    if text.startswith("\ufeff"):
        bad(f"{rel}: BOM")
    rows = list(csv.reader(io.StringIO(text)))
    if rows[0] != header:
        bad(f"{rel}: header {rows[0]} != {header}")
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(header):
            bad(f"{rel}:{i}: {len(r)} fields")
    return [dict(zip(header, r)) for r in rows[1:]]


def unique(rel, rows, key):
    seen = set()
    for r in rows:
        k = tuple(r[x] for x in key) if isinstance(key, tuple) else r[key]
        if k in seen:
            bad(f"{rel}: duplicate {key}={k}")
        seen.add(k)


def expect(rel, what, got, want):
    ok = got == want
    shown = str(got) if len(str(got)) <= 80 else str(got)[:77] + "..."
    print(("ok  " if ok else "FAIL"), f"{rel}: {what} = {shown}" + ("" if ok else f" (want {want})"))
    if not ok:
        problems.append(f"{rel}: {what}")


def main():
    # divisions
    rel = "divisions/jiangsu.csv"
    rows = read(rel, ["code", "parent_code", "level", "kind", "name"])
    unique(rel, rows, "code")
    by = {r["code"]: r for r in rows}
    for r in rows:
        lvl = int(r["level"])
        want_len = 9 if lvl == 4 else 6
        if not re.fullmatch(r"\d{%d}" % want_len, r["code"]):
            bad(f"{rel}: bad code {r['code']}")
        if lvl == 1:
            if r["parent_code"]:
                bad(f"{rel}: province has a parent")
            continue
        p = by.get(r["parent_code"])
        if p is None or int(p["level"]) != lvl - 1:
            bad(f"{rel}: {r['code']} parent {r['parent_code']} missing or wrong level")
        if not r["code"].startswith(r["parent_code"][: {2: 2, 3: 4, 4: 6}[lvl]]):
            bad(f"{rel}: {r['code']} does not extend its parent code")
    count = {}
    for r in rows:
        count[(r["level"], r["kind"])] = count.get((r["level"], r["kind"]), 0) + 1
    print("     ", rel, "by level/kind:", dict(sorted(count.items())))
    lv = lambda n: sum(1 for r in rows if r["level"] == str(n))  # noqa: E731
    expect(rel, "level 1", lv(1), 1)
    expect(rel, "level 2", lv(2), 13)
    expect(rel, "level 3 (95 + 9 zones)", lv(3), 104)
    expect(rel, "level 4", lv(4), 1237)
    kinds = {"province", "city", "district", "county", "county_city", "zone", "town", "township",
             "subdistrict", "other_town_level"}
    for r in rows:
        if r["kind"] not in kinds:
            bad(f"{rel}: unknown kind {r['kind']}")

    rel2 = "divisions/jiangsu_extra_zones.csv"
    ez = read(rel2, ["parent_code", "name", "short_name", "note"])
    unique(rel2, ez, "name")
    for r in ez:
        if by.get(r["parent_code"], {}).get("level") != "2":
            bad(f"{rel2}: parent {r['parent_code']} is not a city")
        if any(x["name"] == r["name"] for x in rows):
            bad(f"{rel2}: {r['name']} already in jiangsu.csv")
        for code in re.findall(r"\((\d{6})\)", r["note"]):
            if code not in by:
                bad(f"{rel2}: note names unknown code {code}")
    expect(rel2, "rows", len(ez), len(ez))

    rel3 = "divisions/jiangsu_coords.csv"
    co = read(rel3, ["code", "lon", "lat"])
    unique(rel3, co, "code")
    for r in co:
        if r["code"] not in by or int(by[r["code"]]["level"]) > 3:
            bad(f"{rel3}: {r['code']} not a level 1-3 unit")
        if not (116 <= float(r["lon"]) <= 122 and 30.7 <= float(r["lat"]) <= 35.2):
            bad(f"{rel3}: {r['code']} outside Jiangsu")
    print("     ", rel3, f"{len(co)} of {sum(1 for r in rows if int(r['level']) <= 3)} level 1-3 units")

    # countries
    rel = "countries.csv"
    rows = read(rel, ["alpha2", "alpha3", "numeric", "name_zh", "name_en"])
    for k in ("alpha2", "alpha3", "numeric", "name_zh"):
        unique(rel, rows, k)
    expect(rel, "rows", len(rows), 249)
    c = {r["alpha2"]: r for r in rows}
    for a2, zh in (("HK", "中国香港"), ("MO", "中国澳门"), ("TW", "中国台湾")):
        expect(rel, a2, c[a2]["name_zh"], zh)

    # currencies
    rel = "currencies.csv"
    rows = read(rel, ["code", "numeric", "minor_units", "name_zh", "name_en", "symbol"])
    unique(rel, rows, "code")
    unique(rel, rows, "numeric")
    cur = {r["code"] for r in rows}
    print("     ", rel, len(rows), "rows")
    for r in rows:
        if not re.fullmatch(r"[A-Z]{3}", r["code"]) or not re.fullmatch(r"\d{3}", r["numeric"]) \
                or r["minor_units"] not in ("0", "2", "3", "4"):
            bad(f"{rel}: bad row {r}")

    # industries
    rel = "industries.csv"
    rows = read(rel, ["code", "level", "parent", "name_zh", "name_en"])
    unique(rel, rows, "code")
    sec = [r for r in rows if r["level"] == "section"]
    div = [r for r in rows if r["level"] == "division"]
    expect(rel, "sections", len(sec), 20)
    expect(rel, "divisions", len(div), 97)
    expect(rel, "division codes", [r["code"] for r in div], [f"{i:02d}" for i in range(1, 98)])
    ranges = "A01-05 B06-12 C13-43 D44-46 E47-50 F51-52 G53-60 H61-62 I63-65 J66-69 K70-70 L71-72 " \
             "M73-75 N76-79 O80-82 P83-83 Q84-85 R86-90 S91-96 T97-97"
    want = {}
    for rg in ranges.split():
        a, b = rg[1:].split("-")
        for i in range(int(a), int(b) + 1):
            want[f"{i:02d}"] = rg[0]
    expect(rel, "division parents", {r["code"]: r["parent"] for r in div}, want)
    rel = "industries_sei.csv"
    rows = read(rel, ["code", "name_zh", "name_en"])
    expect(rel, "codes", [r["code"] for r in rows], [str(i) for i in range(1, 10)])

    # exchange rates
    for rel, n in (("exchange_rates.csv", None), ("exchange_rates_latest.csv", None)):
        rows = read(rel, ["currency", "cny_per_unit", "date", "source"])
        unique(rel, rows, "currency")
        for r in rows:
            if r["currency"] not in cur:
                bad(f"{rel}: {r['currency']} not in currencies.csv")
        print("     ", rel, len(rows), "rows, date", sorted({r["date"] for r in rows}))
        if rel == "exchange_rates.csv":
            x = {r["currency"]: float(r["cny_per_unit"]) for r in rows}
            for cc, v, mult in (("USD", 7.0846, 1), ("EUR", 7.6600, 1), ("JPY", 5.0450, 100),
                                ("HKD", 0.9050, 1), ("SGD", 5.2735, 1), ("GBP", 8.8106, 1)):
                # the file keeps 6 significant digits; the expected values are 4 decimals
                expect(rel, f"{cc} x{mult} within 0.00006 of {v}", abs(x[cc] * mult - v) <= 0.00006, True)
            for cc in ("USD", "EUR", "JPY", "HKD", "GBP", "SGD", "KRW", "CHF", "AUD", "CAD", "THB", "IDR", "ILS"):
                if cc not in x:
                    bad(f"{rel}: {cc} missing")

    # maps
    rel = "maps/world.json"
    w = json.load(open(os.path.join(ROOT, rel), encoding="utf-8"))
    iso = [c["iso2"] for c in w["countries"]]
    unique(rel, [{"k": k} for k in iso], "k")
    countries = {r["alpha2"] for r in read("countries.csv", ["alpha2", "alpha3", "numeric", "name_zh", "name_en"])}
    for k in iso:
        if k is not None and k not in countries:
            bad(f"{rel}: {k} not in countries.csv")
    for c in w["countries"]:
        for r in c["rings"]:
            if len(r) < 4 or r[0] != r[-1]:
                bad(f"{rel}: {c['iso2']} has an open or degenerate ring")
    print("     ", rel, len(iso), "countries,", sum(1 for k in iso if k is None), "without code")
    rel = "maps/jiangsu.json"
    j = json.load(open(os.path.join(ROOT, rel), encoding="utf-8"))
    expect(rel, "cities", sorted(c["code"] for c in j["cities"]),
           sorted(r["code"] for r in read("divisions/jiangsu.csv", ["code", "parent_code", "level", "kind", "name"])
                  if r["level"] == "2"))
    for c in j["cities"]:
        for r in c["rings"]:
            for x, y in r:
                if not (116 <= x <= 122 and 30.7 <= y <= 35.2):
                    bad(f"{rel}: {c['name']} point {x},{y} outside Jiangsu")

    total = 0
    for dp, _, fs in os.walk(ROOT):
        for f in fs:
            total += os.path.getsize(os.path.join(dp, f))
    print(f"      data/ total {total} bytes")
    if total > 3 * 1024 * 1024:
        bad("data/ over 3 MB")
    print("check:", "FAILED" if problems else "all good", f"({len(problems)} problems)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
