#!/usr/bin/env python3
"""Derive data/map/region_points.tsv from the PyPI package `cpca`.

Usage:
    pip download --no-deps cpca==0.5.5 -d /tmp/cpca
    cd /tmp/cpca && python3 -m zipfile -e cpca-0.5.5-py3-none-any.whl whl
    python3 tools/derive_points.py /tmp/cpca/whl > data/map/region_points.tsv

The wheel ships cpca/resources/adcodes.csv (adcode with 12 digits, name,
longitude, latitude): the seat of each division as geocoded by Amap, so in
GCJ-02 rather than WGS-84 (a few hundred metres off; nothing at country
scale). Its codes are some years older than those of data/regions.tsv.
For each row of data/regions.tsv (argument 2, default data/regions.tsv next
to this script) the script looks for a point, in this order:

1. code: the adcode's first six digits equal the code;
2. name: a division of the same name under the same parent prefecture (for
   a division directly under a province: in that province), or else the
   only division of that name in the same province, with a code that is no
   longer in use (崇川区 320602 -> 320613, 公主岭市 220381 -> 220184, the
   counties of 那曲 542422 -> 540621 ...);
3. renamed: the only division of the same province with an unused code
   whose name is the same but for the generic at the end, a county or
   county-level city that became a city or district (平泉县 130881 ->
   平泉市, 奉化市 330283 -> 奉化区, 赣县 360721 -> 赣县区), or a prefecture
   that became a city (那曲地区 542400 -> 那曲市 540600).
Candidates in steps 2 and 3 are of the same level (prefecture or county).

Rows of adcodes.csv without coordinates are ignored; a code gets no point if
nothing matches. Output, sorted by code:

    code<TAB>longitude<TAB>latitude      (degrees, 3 decimals)

A summary of the coverage goes to standard error.
"""

import collections
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GENERICS = ("县", "市", "区", "旗")


def read_cpca(root):
    path = os.path.join(root, "cpca", "resources", "adcodes.csv")
    points = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if not r["longitude"] or not r["latitude"]:
                continue
            code = r["adcode"][:6]
            assert r["adcode"][6:] == "000000", r["adcode"]
            assert code not in points, code
            points[code] = (r["name"], float(r["longitude"]), float(r["latitude"]))
    return points


def read_regions(path):
    with open(path, encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header == ["code", "name_zh", "level", "parent_code"], header
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def stem(name):
    if len(name) > 3 and name.endswith("地区"):
        return name[:-2]
    return name[:-1] if len(name) > 2 and name.endswith(GENERICS) else name


def same_but_generic(new, old):
    return new != old and (stem(new) == stem(old) or new == old + "区" or new == old + "市")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/cpca/whl"
    regions_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "data", "regions.tsv")
    cpca = read_cpca(root)
    regions = read_regions(regions_path)
    current = {r[0] for r in regions}
    # cpca divisions whose code is no longer in use, by province
    spare = collections.defaultdict(list)
    for code, (name, _, _) in sorted(cpca.items()):
        if code not in current:
            spare[code[:2], code.endswith("00")].append((code, name))

    found = {}
    how = collections.Counter()
    used = set()
    missing = []

    notes = []

    def take(code, src, tier):
        found[code] = cpca[src][1:]
        used.add(src)
        how[tier] += 1
        if tier != "code":
            notes.append("%s %s <- %s %s (%s)" % (code, name, src, cpca[src][0], tier))

    for code, name, level, parent in regions:
        if code in cpca:
            take(code, code, "code")
            continue
        cands = [c for c, n in spare[code[:2], level != "county"] if c not in used]
        if level == "county":
            near = parent[:4] if not parent.endswith("0000") else parent[:2]
            same = [c for c in cands if cpca[c][0] == name and c.startswith(near)]
        else:
            same = []
        if not same:
            same = [c for c in cands if cpca[c][0] == name]
        if len(same) == 1:
            take(code, same[0], "name")
            continue
        renamed = [c for c in cands if same_but_generic(name, cpca[c][0])]
        if len(renamed) == 1:
            take(code, renamed[0], "renamed")
            continue
        missing.append((code, name, level))

    out = sys.stdout
    out.write("code\tlongitude\tlatitude\n")
    for code in sorted(found):
        lon, lat = found[code]
        out.write("%s\t%.3f\t%.3f\n" % (code, lon, lat))

    by_level = collections.Counter(r[2] for r in regions)
    got = collections.Counter(r[2] for r in regions if r[0] in found)
    err = sys.stderr
    err.write("points for %d of %d codes (%s); matched by code %d, name %d, renamed %d\n" % (
        len(found), len(regions),
        ", ".join("%s %d/%d" % (lv, got[lv], by_level[lv]) for lv in ("province", "prefecture", "county")),
        how["code"], how["name"], how["renamed"]))
    for line in notes:
        err.write("  " + line + "\n")
    err.write("no point: " + " ".join("%s %s" % (c, n) for c, n, _ in missing) + "\n")


if __name__ == "__main__":
    main()
