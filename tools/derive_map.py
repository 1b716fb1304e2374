#!/usr/bin/env python3
"""Derive data/map/provinces.geojson from DCW-GMT with GMT and mapshaper.

Usage:
    apt-get install gmt gmt-dcw                    # GMT 6, DCW-GMT 2.1.1
    mkdir -p /tmp/mapshaper && (cd /tmp/mapshaper && npm install mapshaper@0.7.70)
    python3 tools/derive_map.py --mapshaper /tmp/mapshaper/node_modules/.bin/mapshaper \\
        data/map/provinces.geojson

Options: --mapshaper PATH (default: $MAPSHAPER, else `mapshaper` on PATH),
--gmt PATH (default: $GMT, else `gmt`), --regions PATH (default:
data/regions.tsv next to this script), --keep-temp (leave the intermediate
files in a temporary directory and print its name).

Steps:
* For each of the 34 Chinese states of DCW-GMT (/usr/share/gmt-dcw/
  dcw-states.txt, `CN XX Name`), `gmt coast -ECN.XX -M` prints the polygons
  as lon/lat text, one segment per ring. DCW rings carry no hole flag in this
  output: a ring lying inside a bigger ring of the same state is taken as a
  hole of it (the Guizhou enclave in Hunan). Degenerate rings (fewer than
  four points or zero area) are dropped.
* The DCW code is mapped to the GB/T 2260 code by looking up the Chinese
  name of the state (table below) among the province rows of
  data/regions.tsv; all 34 must map, one to one.
* mapshaper snaps the nearly coincident border vertices of neighbouring
  states onto each other (-snap), so that shared borders become shared
  arcs, repairs the remaining gaps and overlaps (-clean), drops islands
  under 30 km2 (-filter-islands; the 18 km2 Guizhou enclave in Hunan goes
  too, and Hunan's hole with it), simplifies the shared arcs once for both
  sides so that no gaps or slivers open (-simplify 1% keep-shapes; smaller
  islands collapse and go too), and rounds to 0.001 degree. Outer rings come
  out counter-clockwise, holes clockwise (RFC 7946).
* Holes under about 1 km2 that are not the outline of another feature
  (artefacts of snapping along a coast) are filled, consecutive duplicate
  points left by the rounding are removed, and the result is written as a
  compact GeoJSON FeatureCollection sorted by code, one feature per line,
  properties {"code", "dcw", "name"}; a feature with one polygon is a
  Polygon, else a MultiPolygon.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STATES_FILE = "/usr/share/gmt-dcw/dcw-states.txt"

# DCW state code -> name_zh of the province row in data/regions.tsv
DCW_ZH = {
    "AH": "安徽省", "BJ": "北京市", "CQ": "重庆市", "FJ": "福建省", "GD": "广东省",
    "GS": "甘肃省", "GX": "广西壮族自治区", "GZ": "贵州省", "HA": "河南省", "HB": "湖北省",
    "HE": "河北省", "HI": "海南省", "HK": "香港特别行政区", "HL": "黑龙江省", "HN": "湖南省",
    "JL": "吉林省", "JS": "江苏省", "JX": "江西省", "LN": "辽宁省", "MO": "澳门特别行政区",
    "NM": "内蒙古自治区", "NX": "宁夏回族自治区", "QH": "青海省", "SC": "四川省", "SD": "山东省",
    "SH": "上海市", "SN": "陕西省", "SX": "山西省", "TJ": "天津市", "TW": "台湾省",
    "XJ": "新疆维吾尔自治区", "XZ": "西藏自治区", "YN": "云南省", "ZJ": "浙江省",
}

# mapshaper pipeline (between input and output); see data/README.md
SNAP_INTERVAL = "0.001"      # degrees: DCW borders of neighbours differ by up to ~1e-3
TINY_HOLE = 1e-4             # square degrees (~1 km2): holes smaller than this that are
                             # not the outline of another feature are filled
MIN_ISLAND = "30km2"         # islands smaller than this are dropped
SIMPLIFY = "1%"              # share of removable vertices kept (weighted Visvalingam)
PRECISION = "0.001"          # degrees in the output


def read_states():
    states = []
    with open(STATES_FILE, encoding="utf-8") as f:
        for line in f:
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[0] == "CN":
                states.append((parts[1], parts[2].strip()))
    return states


def read_provinces(path):
    by_name = {}
    with open(path, encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header[:3] == ["code", "name_zh", "level"], header
        for line in f:
            code, name, level = line.rstrip("\n").split("\t")[:3]
            if level == "province":
                by_name[name] = code
    return by_name


def gmt_rings(gmt, dcw, workdir):
    # run in workdir: GMT leaves a gmt.history file in its working directory
    out = subprocess.run([gmt, "coast", "-E" + dcw, "-M"], check=True, cwd=workdir,
                         capture_output=True, text=True).stdout
    rings = []
    for line in out.splitlines():
        if line.startswith(">"):
            rings.append([])
        elif line.strip():
            x, y = line.split()[:2]
            rings[-1].append((float(x), float(y)))
    return rings


def area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def bbox(ring):
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


class RingIndex:
    """A ring with its edges bucketed in horizontal bands, for fast point tests."""

    BANDS = 512

    def __init__(self, ring):
        self.box = bbox(ring)
        y0, y1 = self.box[1], self.box[3]
        self.y0 = y0
        self.h = (y1 - y0) / self.BANDS or 1.0
        self.bands = [[] for _ in range(self.BANDS)]
        for a, b in zip(ring, ring[1:]):
            lo = self.band(min(a[1], b[1]))
            hi = self.band(max(a[1], b[1]))
            for k in range(lo, hi + 1):
                self.bands[k].append((a, b))

    def band(self, y):
        return min(self.BANDS - 1, max(0, int((y - self.y0) / self.h)))

    def contains_box(self, b):
        a = self.box
        return a[0] <= b[0] and a[1] <= b[1] and a[2] >= b[2] and a[3] >= b[3]

    def inside(self, pt):
        x, y = pt
        c = False
        for (x1, y1), (x2, y2) in self.bands[self.band(y)]:
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                c = not c
        return c


def to_polygons(rings):
    """Group DCW rings into polygons [outer, hole, ...] by containment."""
    good = []
    for r in rings:
        if r and r[0] != r[-1]:
            r = r + [r[0]]
        if len(set(r)) >= 3 and len(r) >= 4 and abs(area(r)) > 0:
            good.append(r)
    good.sort(key=lambda r: (-abs(area(r)), r))
    index = [RingIndex(r) for r in good]
    parent = [None] * len(good)
    for i, r in enumerate(good):
        for j in range(i):
            if parent[j] is not None or not index[j].contains_box(index[i].box):
                continue  # a hole's interior is outside the state
            sample = r[:-1][:: max(1, len(r) // 7)]
            if sum(index[j].inside(p) for p in sample) * 2 > len(sample):
                parent[i] = j
                break
    polys = {}
    for i, r in enumerate(good):
        if parent[i] is None:
            polys[i] = [r]
    for i, r in enumerate(good):
        if parent[i] is not None:
            polys[parent[i]].append(r)
    return [polys[i] for i in sorted(polys)]


def fmt(v):
    s = "%.3f" % v
    s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def clean_ring(ring):
    out = []
    for x, y in ring:
        p = (fmt(x), fmt(y))
        if not out or out[-1] != p:
            out.append(p)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output", help="path of the GeoJSON to write")
    ap.add_argument("--mapshaper", default=os.environ.get("MAPSHAPER", "mapshaper"))
    ap.add_argument("--gmt", default=os.environ.get("GMT", "gmt"))
    ap.add_argument("--regions", default=os.path.join(HERE, "..", "data", "regions.tsv"))
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()

    provinces = read_provinces(args.regions)
    states = read_states()
    assert len(states) == 34, len(states)
    assert sorted(DCW_ZH) == sorted(s for s, _ in states)
    codes = {s: provinces[DCW_ZH[s]] for s, _ in states}
    assert sorted(codes.values()) == sorted(provinces.values()), "not one to one"

    tmp = tempfile.mkdtemp(prefix="derive_map.")
    try:
        features = []
        for state, name in states:
            polys = to_polygons(gmt_rings(args.gmt, "CN." + state, tmp))
            features.append({
                "type": "Feature",
                "properties": {"code": codes[state], "dcw": "CN." + state, "name": name},
                "geometry": {"type": "MultiPolygon",
                             "coordinates": [[[list(p) for p in r] for r in poly] for poly in polys]},
            })
        features.sort(key=lambda f: f["properties"]["code"])

        src = os.path.join(tmp, "dcw.json")
        dst = os.path.join(tmp, "simplified.json")
        with open(src, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f)
        cmd = [args.mapshaper, "-i", src, "snap", "snap-interval=" + SNAP_INTERVAL,
               "-clean", "-filter-islands", "min-area=" + MIN_ISLAND,
               "-simplify", SIMPLIFY, "keep-shapes",
               "-o", dst, "format=geojson", "precision=" + PRECISION]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        with open(dst, encoding="utf-8") as f:
            result = json.load(f)
    finally:
        if args.keep_temp:
            print("intermediate files in " + tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp)

    geoms = {}
    for feat in result["features"]:
        props = feat["properties"]
        geom = feat["geometry"]
        assert geom is not None, props
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        polys = [[clean_ring(r) for r in poly] for poly in polys]
        polys = [[r for r in poly if len(r) >= 4] for poly in polys]
        polys = [poly for poly in polys if poly and len(poly[0]) >= 4]
        assert polys, props
        geoms[props["code"]] = (props, polys)
    # Fill tiny holes left by snapping along a coast; keep enclaves.
    outlines = {frozenset(poly[0]) for _, polys in geoms.values() for poly in polys}
    filled = 0
    for props, polys in geoms.values():
        for poly in polys:
            keep = [poly[0]]
            for hole in poly[1:]:
                a = abs(area([(float(x), float(y)) for x, y in hole]))
                if a < TINY_HOLE and frozenset(hole) not in outlines:
                    filled += 1
                else:
                    keep.append(hole)
            poly[:] = keep
    print("filled %d tiny holes" % filled, file=sys.stderr)

    def rings(poly):
        return "[" + ",".join("[" + ",".join("[%s,%s]" % p for p in r) + "]" for r in poly) + "]"

    lines = []
    seen = set()
    for code, (props, polys) in geoms.items():
        if len(polys) == 1:
            gtext = '{"type":"Polygon","coordinates":%s}' % rings(polys[0])
        else:
            gtext = '{"type":"MultiPolygon","coordinates":[%s]}' % ",".join(rings(p) for p in polys)
        ptext = json.dumps({"code": props["code"], "dcw": props["dcw"], "name": props["name"]},
                           ensure_ascii=False, separators=(",", ":"))
        lines.append((code, '{"type":"Feature","properties":%s,"geometry":%s}' % (ptext, gtext)))
        seen.add(code)
    assert seen == set(codes.values()), sorted(set(codes.values()) - seen)
    lines.sort()
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(l for _, l in lines) + "\n]}\n"
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
