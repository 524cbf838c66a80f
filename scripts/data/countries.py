"""Build data/countries.csv from npm i18n-iso-countries 7.14.0 (codes.json, langs/zh.json, langs/en.json).

Usage: python3 scripts/data/countries.py [PATH-to-i18n-iso-countries]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import _pkg  # noqa: E402

# Names as the product must show them (China's official usage); everything else is the package's.
OVERRIDES = {
    "HK": ("中国香港", "Hong Kong, China"),
    "MO": ("中国澳门", "Macao, China"),
    "TW": ("中国台湾", "Taiwan, China"),
    # the package's zh name is 阿拉伯撒哈拉民主共和国, a state China does not recognise
    "EH": ("西撒哈拉", None),
    # China's usage, as in @surbowl/world-geo-json-zh (which follows the MFA list)
    "FK": ("马尔维纳斯群岛（福克兰）", None),
}
# user-assigned code, not part of ISO 3166-1
EXCLUDE = {"XK"}


def first(v):
    return v[0] if isinstance(v, list) else v


def main():
    root = _pkg.fetch("npm", "i18n-iso-countries", "7.14.0", sys.argv[1] if len(sys.argv) > 1 else None)
    with open(os.path.join(root, "codes.json"), encoding="utf-8") as f:
        codes = json.load(f)
    with open(os.path.join(root, "langs", "zh.json"), encoding="utf-8") as f:
        zh = json.load(f)["countries"]
    with open(os.path.join(root, "langs", "en.json"), encoding="utf-8") as f:
        en = json.load(f)["countries"]
    rows = []
    for a2, a3, num, _ in codes:
        if a2 in EXCLUDE:
            continue
        nz, ne = first(zh[a2]), first(en[a2])
        oz, oe = OVERRIDES.get(a2, (None, None))
        rows.append([a2, a3, num, oz or nz, oe or ne])
    rows.sort()
    _pkg.write_csv(os.path.join(_pkg.repo_root(), "data", "countries.csv"),
                   ["alpha2", "alpha3", "numeric", "name_zh", "name_en"], rows)
    _pkg.cleanup()


if __name__ == "__main__":
    main()
