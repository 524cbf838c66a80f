"""Build data/currencies.csv.

Which currencies, numeric codes, minor units: ISO 4217 list one (published 2026-01-01) as shipped
in PyPI iso4217 1.16.20260101 (iso4217/table.xml).  Names and symbol: CLDR 48 via npm
cldr-numbers-full 48.2.0 (main/zh/currencies.json, main/en/currencies.json); the symbol is the
one a zh locale shows (CLDR zh, falling back to the code as CLDR root does).

Kept: every currency code in list one except funds (IsFund) and the X-codes that are not
circulating money (precious metals, bond-market units, SDR, Sucre, ADB unit, Arab accounting
dinar, test and no-currency codes) and the Uruguayan wage index unit UYW.

Usage: python3 scripts/data/currencies.py [--iso4217 PATH] [--cldr PATH]
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
import _pkg  # noqa: E402

CIRCULATING_X = {"XAF", "XCD", "XCG", "XOF", "XPF"}
# index units that list one does not flag as funds
NOT_MONEY = {"UYW"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso4217", help="PyPI iso4217 1.16.20260101")
    ap.add_argument("--cldr", help="npm cldr-numbers-full 48.2.0")
    a = ap.parse_args()
    iso = _pkg.fetch("pypi", "iso4217", "1.16.20260101", a.iso4217)
    cldr = _pkg.fetch("npm", "cldr-numbers-full", "48.2.0", a.cldr)

    root = ET.parse(os.path.join(iso, "iso4217", "table.xml")).getroot()
    print("ISO 4217 list one published", root.get("Pblshd"))
    cur = {}
    for e in root.iter("CcyNtry"):
        code = e.findtext("Ccy")
        if not code:
            continue
        if e.find("CcyNm").get("IsFund") == "true":
            continue
        if code in NOT_MONEY or (code.startswith("X") and code not in CIRCULATING_X):
            continue
        num, mu = e.findtext("CcyNbr"), e.findtext("CcyMnrUnts")
        prev = cur.setdefault(code, (num, mu))
        if prev != (num, mu):
            raise ValueError(f"{code}: inconsistent entries {prev} {(num, mu)}")

    def load(loc):
        with open(os.path.join(cldr, "main", loc, "currencies.json"), encoding="utf-8") as f:
            return json.load(f)["main"][loc]["numbers"]["currencies"]
    zh, en = load("zh"), load("en")
    rows = []
    for code in sorted(cur):
        num, mu = cur[code]
        if code not in zh or code not in en:
            raise ValueError(f"{code} has no CLDR name")
        rows.append([code, num, int(mu), zh[code]["displayName"], en[code]["displayName"],
                     zh[code].get("symbol", code)])
    _pkg.write_csv(os.path.join(_pkg.repo_root(), "data", "currencies.csv"),
                   ["code", "numeric", "minor_units", "name_zh", "name_en", "symbol"], rows)
    _pkg.cleanup()


if __name__ == "__main__":
    main()
