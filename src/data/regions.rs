//! The table of China's administrative divisions (GB/T 2260 codes) with
//! curated English names (`data/regions.tsv`, `data/regions_en.tsv`).
//!
//! `regions.tsv` has one row per province, prefecture-level and county-level
//! division: `code  name_zh  level  parent_code` (see `data/README.md`). The
//! four municipalities (北京, 天津, 上海, 重庆) are `province` rows and their
//! districts and counties are `county` rows whose parent is the municipality
//! itself; the county-level divisions directly under a province (济源市,
//! 仙桃市, 五指山市, 石河子市 ...) likewise have the province as parent. So a
//! county's parent is a prefecture or a province, a prefecture's parent is a
//! province, and `prefecture_of` is `None` for those county-level divisions.
//!
//! `regions_en.tsv` (`code  name_en`) holds curated English names. A region
//! without one gets a name romanized with the `pinyin` crate and its generic
//! part translated (县 County, 自治县 Autonomous County, 旗 Banner ...), see
//! [`pinyin_name`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

/// File names inside the data folder.
pub const REGIONS_FILE: &str = "regions.tsv";
pub const REGIONS_EN_FILE: &str = "regions_en.tsv";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

impl RegionLevel {
    /// The spelling used in `regions.tsv`: `province`, `prefecture`, `county`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
        }
    }

    pub fn parse(s: &str) -> Option<RegionLevel> {
        match s {
            "province" => Some(RegionLevel::Province),
            "prefecture" => Some(RegionLevel::Prefecture),
            "county" => Some(RegionLevel::County),
            _ => None,
        }
    }
}

impl fmt::Display for RegionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Region {
    /// Six-digit GB/T 2260 code, e.g. "411325".
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: RegionLevel,
    /// Code of the enclosing division (prefecture for a county, province for
    /// a prefecture); None for provinces.
    pub parent: Option<String>,
}

impl Region {
    /// The name without its generic part: 内乡县 → 内乡, 内江市 → 内江,
    /// 宁夏回族自治区 → 宁夏, 延边朝鲜族自治州 → 延边. Names whose remainder
    /// would be a single character (沁县, 城区) are returned whole.
    pub fn short_name(&self) -> &str {
        short_name(self)
    }

    /// 北京, 天津, 上海 and 重庆: provincial-level cities.
    pub fn is_municipality(&self) -> bool {
        self.level == RegionLevel::Province && self.name_zh.ends_with('市')
    }
}

/// See [`Region::short_name`].
pub fn short_name(region: &Region) -> &str {
    let parts = NameParts::parse(&region.name_zh);
    parts.short
}

/// How a name of the index refers to its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// The official name: 内乡县, 内江市, 宁夏回族自治区.
    Full,
    /// A common long form that is not the official name: 丰宁县 for
    /// 丰宁满族自治县, 延边州 for 延边朝鲜族自治州.
    Alias,
    /// The short name: 内乡, 内江, 宁夏.
    Short,
}

/// One region a name of the index can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameHit {
    /// Position of the region in [`Regions::iter`] order; see [`Regions::at`].
    pub index: usize,
    pub kind: NameKind,
}

/// A name of a region found in a text.
#[derive(Debug, Clone, Copy)]
pub struct NameMatch<'a> {
    /// Byte range of the name in the text.
    pub start: usize,
    pub end: usize,
    /// The matched name.
    pub name: &'a str,
    /// Every region the name can refer to (several for 市中区, 朝阳 ...).
    pub hits: &'a [NameHit],
}

/// Full names, aliases and short names of all regions, for finding them in
/// text. Built on first use.
#[derive(Debug, Clone, Default)]
struct NameIndex {
    /// First character → (name, hits), longest names first.
    by_first: HashMap<char, Vec<(String, Vec<NameHit>)>>,
}

#[derive(Debug, Clone, Default)]
pub struct Regions {
    /// All regions, sorted by code.
    regions: Vec<Region>,
    by_code: HashMap<String, usize>,
    parents: Vec<Option<usize>>,
    slugs: Vec<String>,
    by_slug: HashMap<String, usize>,
    names: OnceLock<NameIndex>,
}

impl Regions {
    /// Loads the division table and the English names from a data folder:
    /// `regions.tsv` is required, `regions_en.tsv` optional. Errors name the
    /// file and the line.
    pub fn load(data_dir: &Path) -> Result<Regions> {
        let path = data_dir.join(REGIONS_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let en_path = data_dir.join(REGIONS_EN_FILE);
        let en_text = match std::fs::read_to_string(&en_path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", en_path.display())),
        };
        Regions::parse(
            &text,
            &path.display().to_string(),
            en_text.as_deref(),
            &en_path.display().to_string(),
        )
    }

    /// Builds the table from the text of `regions.tsv` and, optionally, of
    /// `regions_en.tsv`; `*_name` are used in error messages.
    pub fn parse(
        regions_tsv: &str,
        regions_name: &str,
        en_tsv: Option<&str>,
        en_name: &str,
    ) -> Result<Regions> {
        struct Row<'a> {
            line: usize,
            code: &'a str,
            name: &'a str,
            level: RegionLevel,
            parent: Option<&'a str>,
        }
        let mut rows: Vec<Row> = Vec::new();
        let mut lines_of: HashMap<&str, usize> = HashMap::new();
        for (line, cols) in tsv_lines(regions_tsv, "code") {
            let at = || format!("{regions_name}:{line}");
            if cols.len() != 4 {
                bail!(
                    "{}: expected 4 tab-separated columns (code, name_zh, level, parent_code), found {}",
                    at(),
                    cols.len()
                );
            }
            let (code, name, level, parent) = (
                cols[0].trim(),
                cols[1].trim(),
                cols[2].trim(),
                cols[3].trim(),
            );
            if !is_code(code) {
                bail!("{}: `{code}` is not a six-digit GB/T 2260 code", at());
            }
            if name.is_empty() {
                bail!("{}: region {code} has no name", at());
            }
            let Some(level) = RegionLevel::parse(level) else {
                bail!(
                    "{}: unknown level `{level}` (expected province, prefecture or county)",
                    at()
                );
            };
            let parent = if parent.is_empty() {
                None
            } else {
                Some(parent)
            };
            match (level, parent) {
                (RegionLevel::Province, Some(p)) => {
                    bail!("{}: province {code} cannot have a parent ({p})", at())
                }
                (RegionLevel::Prefecture | RegionLevel::County, None) => {
                    bail!("{}: {level} {code} needs a parent_code", at())
                }
                _ => {}
            }
            if let Some(first) = lines_of.insert(code, line) {
                bail!("{}: code {code} is already defined on line {first}", at());
            }
            rows.push(Row {
                line,
                code,
                name,
                level,
                parent,
            });
        }
        let level_of: HashMap<&str, RegionLevel> = rows.iter().map(|r| (r.code, r.level)).collect();
        for row in &rows {
            let Some(parent) = row.parent else { continue };
            let at = format!("{regions_name}:{}", row.line);
            let Some(&plevel) = level_of.get(parent) else {
                bail!("{at}: parent {parent} of {} is not in the table", row.code);
            };
            let ok = match row.level {
                RegionLevel::Prefecture => plevel == RegionLevel::Province,
                RegionLevel::County => plevel != RegionLevel::County,
                RegionLevel::Province => false,
            };
            if !ok {
                bail!(
                    "{at}: {} {} cannot be under {plevel} {parent}",
                    row.level,
                    row.code
                );
            }
        }

        let mut english: HashMap<&str, &str> = HashMap::new();
        if let Some(en) = en_tsv {
            for (line, cols) in tsv_lines(en, "code") {
                let at = || format!("{en_name}:{line}");
                if cols.len() != 2 {
                    bail!(
                        "{}: expected 2 tab-separated columns (code, name_en), found {}",
                        at(),
                        cols.len()
                    );
                }
                let (code, name) = (cols[0].trim(), cols[1].trim());
                if !is_code(code) {
                    bail!("{}: `{code}` is not a six-digit GB/T 2260 code", at());
                }
                if name.is_empty() {
                    bail!("{}: empty English name for {code}", at());
                }
                if !lines_of.contains_key(code) {
                    bail!("{}: code {code} is not in {regions_name}", at());
                }
                if english.insert(code, name).is_some() {
                    bail!("{}: a second English name for {code}", at());
                }
            }
        }

        rows.sort_by(|a, b| a.code.cmp(b.code));
        let regions: Vec<Region> = rows
            .iter()
            .map(|r| Region {
                code: r.code.to_string(),
                name_zh: r.name.to_string(),
                name_en: match english.get(r.code) {
                    Some(en) => en.to_string(),
                    None => pinyin_name(r.name, r.level),
                },
                level: r.level,
                parent: r.parent.map(str::to_string),
            })
            .collect();
        let by_code: HashMap<String, usize> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        let parents = regions
            .iter()
            .map(|r| r.parent.as_ref().and_then(|p| by_code.get(p).copied()))
            .collect();
        let slugs = unique_slugs(&regions);
        let by_slug = slugs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        Ok(Regions {
            regions,
            by_code,
            parents,
            slugs,
            by_slug,
            names: OnceLock::new(),
        })
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code).map(|&i| &self.regions[i])
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// All regions in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// The region at a position of [`Regions::iter`] order (as in
    /// [`NameHit::index`]). Panics when out of range.
    pub fn at(&self, index: usize) -> &Region {
        &self.regions[index]
    }

    /// Position of a region in [`Regions::iter`] order.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The enclosing division.
    pub fn parent_of(&self, code: &str) -> Option<&Region> {
        let i = self.index_of(code)?;
        self.parents[i].map(|p| &self.regions[p])
    }

    /// The region and its enclosing divisions, innermost first:
    /// 内乡县, 南阳市, 河南省.
    pub fn ancestry(&self, code: &str) -> impl Iterator<Item = &Region> {
        let mut next = self.index_of(code);
        std::iter::from_fn(move || {
            let i = next?;
            next = self.parents[i];
            Some(&self.regions[i])
        })
    }

    /// The provincial-level division a region belongs to; a province (or
    /// municipality) is its own province.
    pub fn province_of(&self, code: &str) -> Option<&Region> {
        self.ancestry(code)
            .find(|r| r.level == RegionLevel::Province)
    }

    /// The prefecture-level division a region belongs to; a prefecture is its
    /// own prefecture. None for provinces and for county-level divisions
    /// directly under a province or municipality.
    pub fn prefecture_of(&self, code: &str) -> Option<&Region> {
        self.ancestry(code)
            .find(|r| r.level == RegionLevel::Prefecture)
    }

    /// The divisions directly under a region, in code order.
    pub fn children<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Region> + 'a {
        let parent = self.index_of(code);
        self.regions
            .iter()
            .zip(&self.parents)
            .filter(move |(_, p)| parent.is_some() && **p == parent)
            .map(|(r, _)| r)
    }

    /// ASCII URL slug from the English name without its generic part
    /// ("neixiang", "neijiang", "yanbian"); when two regions would get the
    /// same slug, both get their code appended ("jilin-220000",
    /// "jilin-220200"). Unique across the table.
    pub fn slug(&self, region: &Region) -> String {
        match self.index_of(&region.code) {
            Some(i) => self.slugs[i].clone(),
            None => base_slug(&region.name_en, &region.code),
        }
    }

    /// English name of a region with its parents, without repeats:
    /// "Neixiang County, Nanyang City, Henan Province".
    pub fn en_path(&self, code: &str) -> Option<String> {
        self.get(code)?;
        let mut parts: Vec<&str> = Vec::new();
        for r in self.ancestry(code) {
            if !parts.contains(&r.name_en.as_str()) {
                parts.push(&r.name_en);
            }
        }
        Some(parts.join(", "))
    }

    /// The slug of a code, see [`Regions::slug`].
    pub fn slug_of(&self, code: &str) -> Option<&str> {
        self.index_of(code).map(|i| self.slugs[i].as_str())
    }

    /// The region with a slug.
    pub fn by_slug(&self, slug: &str) -> Option<&Region> {
        self.by_slug.get(slug).map(|&i| &self.regions[i])
    }

    /// Every name of a region (full, alias or short) in `text`, scanning
    /// left to right and taking the longest name at each position; matches
    /// do not overlap.
    pub fn find_names<'a>(&'a self, text: &str) -> Vec<NameMatch<'a>> {
        let index = self.names.get_or_init(|| NameIndex::build(&self.regions));
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(ch) = text[pos..].chars().next() {
            let found = index.by_first.get(&ch).and_then(|cands| {
                cands
                    .iter()
                    .find(|(name, _)| text[pos..].starts_with(name.as_str()))
            });
            match found {
                Some((name, hits)) => {
                    out.push(NameMatch {
                        start: pos,
                        end: pos + name.len(),
                        name,
                        hits,
                    });
                    pos += name.len();
                }
                None => pos += ch.len_utf8(),
            }
        }
        out
    }
}

/// Rows of a TSV file as (1-based line number, columns), skipping blank
/// lines, `#` comments and a header line starting with `header`.
fn tsv_lines<'a>(
    text: &'a str,
    header: &'a str,
) -> impl Iterator<Item = (usize, Vec<&'a str>)> + 'a {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut seen_row = false;
    text.lines().enumerate().filter_map(move |(i, line)| {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            return None;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let first_row = !seen_row;
        seen_row = true;
        if first_row && cols[0].trim() == header {
            return None;
        }
        Some((i + 1, cols))
    })
}

fn is_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

impl NameIndex {
    fn build(regions: &[Region]) -> NameIndex {
        let mut names: HashMap<String, Vec<NameHit>> = HashMap::new();
        let mut add = |name: String, index: usize, kind: NameKind| {
            if name.chars().count() < 2 {
                return;
            }
            let hits = names.entry(name).or_default();
            match hits.iter_mut().find(|h| h.index == index) {
                // Keep the strongest kind when two forms coincide.
                Some(h) => {
                    if kind == NameKind::Full {
                        h.kind = kind
                    }
                }
                None => hits.push(NameHit { index, kind }),
            }
        };
        for (i, r) in regions.iter().enumerate() {
            let parts = NameParts::parse(&r.name_zh);
            add(r.name_zh.clone(), i, NameKind::Full);
            if parts.short != r.name_zh {
                add(parts.short.to_string(), i, NameKind::Short);
            }
            // 丰宁满族自治县 → 丰宁县, 延边朝鲜族自治州 → 延边州,
            // 管城回族区 → 管城区: the forms people write.
            let alias = match parts.generic {
                "自治县" => Some("县"),
                "自治州" => Some("州"),
                "自治旗" => Some("旗"),
                "区" if !parts.ethnic.is_empty() => Some("区"),
                _ => None,
            };
            if let Some(g) = alias
                && parts.short != r.name_zh
            {
                add(format!("{}{g}", parts.short), i, NameKind::Alias);
            }
        }
        let mut by_first: HashMap<char, Vec<(String, Vec<NameHit>)>> = HashMap::new();
        for (name, mut hits) in names {
            hits.sort_by_key(|h| h.index);
            let first = name
                .chars()
                .next()
                .expect("names have two characters or more");
            by_first.entry(first).or_default().push((name, hits));
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        NameIndex { by_first }
    }
}

/// Generic parts of names (longest first), their English, and how many
/// characters the rest of the name needs for the generic to apply (万柏林区
/// and 清新区 are a 区, 神农架林区 is a 林区).
const GENERICS: &[(&str, &str, usize)] = &[
    ("特别行政区", "Special Administrative Region", 1),
    ("自治区", "Autonomous Region", 1),
    ("自治州", "Autonomous Prefecture", 1),
    ("自治县", "Autonomous County", 1),
    ("自治旗", "Autonomous Banner", 1),
    ("联合旗", "United Banner", 2),
    ("林区", "Forestry District", 3),
    ("特区", "Special District", 2),
    ("新区", "New Area", 2),
    ("矿区", "Mining District", 1),
    ("地区", "Prefecture", 2),
    ("群岛", "Islands", 2),
    ("省", "Province", 1),
    ("市", "City", 1),
    ("县", "County", 1),
    ("区", "District", 1),
    ("盟", "League", 1),
    ("旗", "Banner", 1),
];

/// Ethnic groups as they appear in the names of autonomous areas.
const ETHNIC: &[(&str, &str)] = &[
    ("蒙古族", "Mongol"),
    ("蒙古", "Mongol"),
    ("回族", "Hui"),
    ("藏族", "Tibetan"),
    ("维吾尔族", "Uygur"),
    ("维吾尔", "Uygur"),
    ("苗族", "Miao"),
    ("彝族", "Yi"),
    ("壮族", "Zhuang"),
    ("布依族", "Buyei"),
    ("朝鲜族", "Korean"),
    ("满族", "Manchu"),
    ("侗族", "Dong"),
    ("瑶族", "Yao"),
    ("白族", "Bai"),
    ("土家族", "Tujia"),
    ("哈尼族", "Hani"),
    ("哈萨克族", "Kazakh"),
    ("哈萨克", "Kazakh"),
    ("傣族", "Dai"),
    ("黎族", "Li"),
    ("傈僳族", "Lisu"),
    ("佤族", "Va"),
    ("畲族", "She"),
    ("高山族", "Gaoshan"),
    ("拉祜族", "Lahu"),
    ("水族", "Shui"),
    ("东乡族", "Dongxiang"),
    ("纳西族", "Naxi"),
    ("景颇族", "Jingpo"),
    ("柯尔克孜族", "Kyrgyz"),
    ("柯尔克孜", "Kyrgyz"),
    ("土族", "Tu"),
    ("达斡尔族", "Daur"),
    ("仫佬族", "Mulao"),
    ("羌族", "Qiang"),
    ("布朗族", "Blang"),
    ("撒拉族", "Salar"),
    ("毛南族", "Maonan"),
    ("仡佬族", "Gelao"),
    ("锡伯族", "Xibe"),
    ("锡伯", "Xibe"),
    ("阿昌族", "Achang"),
    ("普米族", "Pumi"),
    ("塔吉克族", "Tajik"),
    ("塔吉克", "Tajik"),
    ("怒族", "Nu"),
    ("乌孜别克族", "Uzbek"),
    ("俄罗斯族", "Russian"),
    ("鄂温克族", "Evenk"),
    ("德昂族", "De'ang"),
    ("保安族", "Bonan"),
    ("裕固族", "Yugur"),
    ("京族", "Gin"),
    ("塔塔尔族", "Tatar"),
    ("独龙族", "Derung"),
    ("鄂伦春族", "Oroqen"),
    ("鄂伦春", "Oroqen"),
    ("赫哲族", "Hezhen"),
    ("门巴族", "Monba"),
    ("珞巴族", "Lhoba"),
    ("基诺族", "Jino"),
    ("各族", "Various Nationalities"),
];

/// A Chinese division name taken apart: 丰宁满族自治县 → place 丰宁,
/// ethnic [满族], generic 自治县.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NameParts<'a> {
    /// The name without generic, ethnic and banner-direction parts.
    place: &'a str,
    /// The short name (see [`Region::short_name`]).
    short: &'a str,
    /// Ethnic groups in name order, as (zh, en).
    ethnic: Vec<(&'static str, &'static str)>,
    /// 左翼中 → ["Left", "Middle"] for banners.
    directions: Vec<&'static str>,
    /// The generic part (县, 自治州 ...), "" when there is none.
    generic: &'static str,
    generic_en: &'static str,
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

impl<'a> NameParts<'a> {
    fn parse(name: &'a str) -> NameParts<'a> {
        let mut parts = NameParts {
            place: name,
            short: name,
            ethnic: Vec::new(),
            directions: Vec::new(),
            generic: "",
            generic_en: "",
        };
        let generic = GENERICS.iter().find(|(g, _, min)| {
            name.strip_suffix(g)
                .is_some_and(|base| char_len(base) >= *min)
        });
        let Some(&(generic, generic_en, _)) = generic else {
            return parts;
        };
        parts.generic = generic;
        parts.generic_en = generic_en;
        let base = &name[..name.len() - generic.len()];
        let mut place = base;
        // Ethnic groups of autonomous areas (and of 管城回族区).
        if generic.starts_with("自治") || base.ends_with('族') {
            loop {
                let found = ETHNIC
                    .iter()
                    .filter(|(zh, _)| place.ends_with(zh))
                    .max_by_key(|(zh, _)| zh.len());
                match found {
                    Some(&(zh, en)) if char_len(&place[..place.len() - zh.len()]) >= 2 => {
                        parts.ethnic.insert(0, (zh, en));
                        place = &place[..place.len() - zh.len()];
                    }
                    // The whole name is a people: 东乡族自治县, 鄂伦春自治旗.
                    Some(&(zh, en)) if place.len() == zh.len() && parts.ethnic.is_empty() => {
                        parts.place = place.strip_suffix('族').unwrap_or(place);
                        parts.short = parts.place;
                        parts.ethnic.push(("", en));
                        return parts;
                    }
                    _ => break,
                }
            }
        }
        // Banner directions: 科尔沁左翼中旗, 杭锦后旗, 巴林左旗.
        let mut short_ok = true;
        if generic == "旗" || generic == "自治旗" {
            let mut rest = place;
            let mut dirs = Vec::new();
            for (zh, en) in [("前", "Front"), ("中", "Middle"), ("后", "Rear")] {
                if let Some(r) = rest.strip_suffix(zh) {
                    if char_len(r) >= 2 {
                        dirs.push(en);
                        rest = r;
                    }
                    break;
                }
            }
            for (zh, en) in [
                ("左翼", "Left"),
                ("右翼", "Right"),
                ("左", "Left"),
                ("右", "Right"),
            ] {
                if let Some(r) = rest.strip_suffix(zh) {
                    if char_len(r) >= 2 {
                        dirs.insert(0, en);
                        rest = r;
                    }
                    break;
                }
            }
            if !dirs.is_empty() {
                place = rest;
                parts.directions = dirs;
                short_ok = false; // 土默特左旗 is not called 土默特
            }
        }
        parts.place = place;
        let mining = generic == "矿区";
        if short_ok && !mining && char_len(place) >= 2 {
            parts.short = place;
        }
        parts
    }
}

/// Pinyin readings the `pinyin` crate gets wrong for place names, where the
/// place-name reading holds for every name in the table (exceptions such as
/// 长子县 Zhangzi are curated in `regions_en.tsv`).
const READINGS: &[(char, &str)] = &[
    ('都', "du"),
    ('长', "chang"),
    ('重', "chong"),
    ('什', "shi"),
    ('厦', "xia"),
    ('蚌', "beng"),
    ('泌', "bi"),
    ('浚', "xun"),
    ('涡', "guo"),
    ('铅', "yan"),
    ('枞', "zong"),
    ('犍', "qian"),
    ('筠', "jun"),
    ('珲', "hun"),
    ('佛', "fo"),
    ('勒', "le"),
];

/// The toneless pinyin of one character (ü kept), if it has one.
fn syllable(ch: char) -> Option<String> {
    use pinyin::ToPinyin;
    if let Some(&(_, s)) = READINGS.iter().find(|(c, _)| *c == ch) {
        return Some(s.to_string());
    }
    let p = ch.to_pinyin()?;
    Some(
        p.with_tone()
            .chars()
            .map(|c| match c {
                'ā' | 'á' | 'ǎ' | 'à' => 'a',
                'ē' | 'é' | 'ě' | 'è' => 'e',
                'ī' | 'í' | 'ǐ' | 'ì' => 'i',
                'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
                'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
                'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'ü',
                'ń' | 'ň' | 'ǹ' => 'n',
                'ḿ' => 'm',
                c => c,
            })
            .collect(),
    )
}

/// Romanizes a Chinese name as one capitalized word, with apostrophes
/// before syllables starting with a, e or o: 西安 → Xi'an, 内乡 → Neixiang.
pub fn romanize(zh: &str) -> String {
    let mut out = String::new();
    for ch in zh.chars() {
        match syllable(ch) {
            Some(s) => {
                if !out.is_empty()
                    && s.starts_with(['a', 'e', 'o'])
                    && out.ends_with(|c: char| c.is_alphabetic())
                {
                    out.push('\'');
                }
                out.push_str(&s);
            }
            None if ch.is_alphanumeric() => out.push(ch),
            None => {}
        }
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

/// The English name of a division built with the `pinyin` crate: the place
/// romanized and title-cased, ethnic groups and the generic part translated.
/// 郎溪县 → Langxi County, 丰宁满族自治县 → Fengning Manchu Autonomous County,
/// 莘县 → Shenxian County (a one-character place keeps its generic in the
/// romanization, as in official pinyin spelling). Used only for regions
/// without an entry in `regions_en.tsv`.
pub fn pinyin_name(name_zh: &str, level: RegionLevel) -> String {
    let parts = NameParts::parse(name_zh);
    let mut words: Vec<String> = Vec::new();
    let ethnic_only = parts.ethnic.len() == 1 && parts.ethnic[0].0.is_empty();
    if ethnic_only {
        words.push(parts.ethnic[0].1.to_string());
    } else if parts.generic.is_empty() {
        words.push(romanize(name_zh));
    } else if char_len(parts.place) == 1 && parts.ethnic.is_empty() && parts.directions.is_empty() {
        words.push(romanize(&format!("{}{}", parts.place, parts.generic)));
    } else {
        words.push(romanize(parts.place));
    }
    words.extend(parts.directions.iter().map(|d| d.to_string()));
    if !ethnic_only && !parts.ethnic.is_empty() {
        let names: Vec<&str> = parts.ethnic.iter().map(|(_, en)| *en).collect();
        words.push(join_and(&names));
    }
    if !parts.generic.is_empty() {
        let generic = if level == RegionLevel::Province && parts.generic == "市" {
            "Municipality"
        } else {
            parts.generic_en
        };
        words.push(generic.to_string());
    }
    words.join(" ")
}

/// "A", "A and B", "A, B and C".
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// English generic parts dropped from slugs, longest first.
const EN_GENERICS: &[&str] = &[
    "Special Administrative Region",
    "Autonomous Region",
    "Autonomous Prefecture",
    "Autonomous County",
    "Autonomous Banner",
    "Municipality",
    "Province",
    "Prefecture",
    "League",
    "City",
    "County",
    "District",
    "Banner",
];

/// The slug of one English name before collisions are resolved:
/// "Neixiang County" → "neixiang", "Ngawa Tibetan and Qiang Autonomous
/// Prefecture" → "ngawa", "Xi'an City" → "xian". Falls back to the code.
fn base_slug(name_en: &str, code: &str) -> String {
    let mut name = name_en.trim();
    for g in EN_GENERICS {
        if let Some(rest) = name.strip_suffix(g)
            && rest.ends_with(' ')
            && !rest.trim().is_empty()
        {
            name = rest.trim_end();
            // Autonomous areas: keep the place, drop the peoples.
            if g.starts_with("Autonomous") {
                let words: Vec<&str> = name.split(' ').collect();
                let cut = words
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, w)| is_ethnic_word(w))
                    .map(|(i, _)| i)
                    .unwrap_or(words.len());
                let kept = words[..cut].join(" ");
                return slugify(&kept).unwrap_or_else(|| code.to_string());
            }
            break;
        }
    }
    slugify(name).unwrap_or_else(|| code.to_string())
}

fn is_ethnic_word(word: &str) -> bool {
    let word = word.trim_end_matches(',');
    ETHNIC
        .iter()
        .any(|(_, en)| en.split(' ').next() == Some(word))
        || matches!(word, "Uyghur" | "Kazak" | "Kirgiz" | "Mongolian")
}

/// Lower-case ASCII words joined by dashes; None when nothing is left.
fn slugify(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut dash = false;
    for ch in s.chars() {
        let folded = match ch {
            'ā' | 'á' | 'ǎ' | 'à' | 'â' | 'ä' => 'a',
            'ē' | 'é' | 'ě' | 'è' | 'ê' | 'ë' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' | 'î' | 'ï' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' | 'ô' | 'ö' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' | 'û' | 'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'u',
            c => c,
        };
        let lower = folded.to_ascii_lowercase();
        if lower.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(lower);
        } else if lower == '\'' || lower == '’' {
            // Xi'an → xian
        } else {
            dash = true;
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Slugs unique across the table: the short English name ("neixiang");
/// where two regions share it, the full name ("fangcheng-county",
/// "fangcheng-district", "jilin-province", "jilin-city"); where even that
/// is shared, the full name and the code.
fn unique_slugs(regions: &[Region]) -> Vec<String> {
    let count = |slugs: &[String]| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for s in slugs {
            *counts.entry(s.clone()).or_default() += 1;
        }
        counts
    };
    let bases: Vec<String> = regions
        .iter()
        .map(|r| base_slug(&r.name_en, &r.code))
        .collect();
    let base_counts = count(&bases);
    let full: Vec<String> = bases
        .iter()
        .zip(regions)
        .map(|(b, r)| {
            if base_counts[b] > 1 && *b != r.code {
                slugify(&r.name_en).unwrap_or_else(|| r.code.clone())
            } else {
                b.clone()
            }
        })
        .collect();
    let full_counts = count(&full);
    full.iter()
        .zip(regions)
        .map(|(f, r)| {
            if full_counts[f] > 1 && *f != r.code {
                format!("{f}-{}", r.code)
            } else {
                f.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn data_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
    }

    fn real() -> &'static Regions {
        static REGIONS: OnceLock<Regions> = OnceLock::new();
        REGIONS.get_or_init(|| Regions::load(&data_dir()).expect("data/ loads"))
    }

    #[test]
    fn loads_the_real_table() {
        let r = real();
        let count = |level| r.iter().filter(|x| x.level == level).count();
        assert_eq!(count(RegionLevel::Province), 34);
        assert!(
            count(RegionLevel::Prefecture) >= 330,
            "{}",
            count(RegionLevel::Prefecture)
        );
        assert!(
            count(RegionLevel::County) >= 2800,
            "{}",
            count(RegionLevel::County)
        );
        for code in ["411325", "411322", "341821", "611022", "511000"] {
            assert!(r.get(code).is_some(), "{code}");
        }
        assert_eq!(r.get("411325").unwrap().name_zh, "内乡县");
        assert_eq!(r.get("411322").unwrap().name_zh, "方城县");
        assert_eq!(r.get("341821").unwrap().name_zh, "郎溪县");
        assert_eq!(r.get("611022").unwrap().name_zh, "丹凤县");
        assert_eq!(r.get("511000").unwrap().name_zh, "内江市");
        // Codes are sorted and every parent exists.
        let codes: Vec<&str> = r.iter().map(|x| x.code.as_str()).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        for x in r.iter() {
            if let Some(p) = &x.parent {
                assert!(r.get(p).is_some(), "parent of {}", x.code);
            }
        }
    }

    #[test]
    fn parent_chains() {
        let r = real();
        let chain: Vec<&str> = r.ancestry("411325").map(|x| x.name_zh.as_str()).collect();
        assert_eq!(chain, ["内乡县", "南阳市", "河南省"]);
        assert_eq!(r.parent_of("411325").unwrap().code, "411300");
        assert_eq!(r.prefecture_of("411325").unwrap().name_zh, "南阳市");
        assert_eq!(r.province_of("411325").unwrap().name_zh, "河南省");
        assert_eq!(r.parent_of("511000").unwrap().name_zh, "四川省");
        assert_eq!(r.province_of("511000").unwrap().code, "510000");
        assert_eq!(r.prefecture_of("511000").unwrap().code, "511000");
        assert_eq!(r.province_of("341821").unwrap().name_zh, "安徽省");
        assert_eq!(r.prefecture_of("341821").unwrap().name_zh, "宣城市");
        assert_eq!(r.prefecture_of("611022").unwrap().name_zh, "商洛市");
        assert_eq!(r.province_of("611022").unwrap().name_zh, "陕西省");
        // Municipalities: districts hang directly under the municipality.
        assert_eq!(r.parent_of("110105").unwrap().name_zh, "北京市");
        assert!(r.prefecture_of("110105").is_none());
        assert_eq!(r.province_of("500243").unwrap().name_zh, "重庆市");
        assert!(r.get("500000").unwrap().is_municipality());
        assert!(!r.get("410000").unwrap().is_municipality());
        // County-level divisions directly under a province.
        assert_eq!(r.parent_of("419001").unwrap().name_zh, "河南省");
        assert!(r.get("419000").is_none() && r.get("110100").is_none());
        assert_eq!(r.province_of("410000").unwrap().code, "410000");
        assert!(r.prefecture_of("410000").is_none());
        let children: Vec<&str> = r.children("511000").map(|x| x.name_zh.as_str()).collect();
        assert_eq!(children, ["市中区", "东兴区", "威远县", "资中县", "隆昌市"]);
    }

    #[test]
    fn curated_english_names() {
        let r = real();
        let en = |code: &str| r.get(code).unwrap().name_en.as_str();
        assert_eq!(en("411325"), "Neixiang County");
        assert_eq!(en("411322"), "Fangcheng County");
        assert_eq!(en("341821"), "Langxi County");
        assert_eq!(en("611022"), "Danfeng County");
        assert_eq!(en("511000"), "Neijiang City");
        assert_eq!(en("411300"), "Nanyang City");
        assert_eq!(en("611000"), "Shangluo City");
        assert_eq!(en("341800"), "Xuancheng City");
        assert_eq!(en("410000"), "Henan Province");
        assert_eq!(en("510000"), "Sichuan Province");
        assert_eq!(en("110000"), "Beijing Municipality");
        assert_eq!(en("150000"), "Inner Mongolia Autonomous Region");
        assert_eq!(en("500000"), "Chongqing Municipality");
        assert_eq!(en("341500"), "Lu'an City");
        assert_eq!(en("140400"), "Changzhi City");
        assert_eq!(en("340300"), "Bengbu City");
        assert_eq!(en("440113"), "Panyu District");
        assert_eq!(en("130225"), "Laoting County");
        assert_eq!(en("371522"), "Shenxian County");
        assert_eq!(en("360733"), "Huichang County");
        // Every province and prefecture has a curated name, never the
        // fallback: the fallback would say "City" for 北京市, for instance.
        let en_text = std::fs::read_to_string(data_dir().join(REGIONS_EN_FILE)).unwrap();
        for x in r.iter().filter(|x| x.level != RegionLevel::County) {
            assert!(
                en_text.contains(&format!("\n{}\t", x.code)),
                "{} {} is not curated",
                x.code,
                x.name_zh
            );
        }
    }

    #[test]
    fn pinyin_fallback() {
        let r = real();
        // Uncurated counties get the romanized name.
        assert_eq!(r.get("411323").unwrap().name_en, "Xixia County"); // 西峡县
        assert_eq!(r.get("341824").unwrap().name_en, "Jixi County"); // 绩溪县
        assert_eq!(pinyin_name("郎溪县", RegionLevel::County), "Langxi County");
        assert_eq!(
            pinyin_name("丰宁满族自治县", RegionLevel::County),
            "Fengning Manchu Autonomous County"
        );
        assert_eq!(
            pinyin_name("积石山保安族东乡族撒拉族自治县", RegionLevel::County),
            "Jishishan Bonan, Dongxiang and Salar Autonomous County"
        );
        assert_eq!(
            pinyin_name("东乡族自治县", RegionLevel::County),
            "Dongxiang Autonomous County"
        );
        assert_eq!(
            pinyin_name("长安区", RegionLevel::County),
            "Chang'an District"
        );
        assert_eq!(
            pinyin_name("成都市", RegionLevel::Prefecture),
            "Chengdu City"
        );
        assert_eq!(pinyin_name("莘县", RegionLevel::County), "Shenxian County");
        assert_eq!(pinyin_name("城区", RegionLevel::County), "Chengqu District");
        assert_eq!(
            pinyin_name("吕梁市", RegionLevel::Prefecture),
            "Lüliang City"
        );
        assert_eq!(
            pinyin_name("神农架林区", RegionLevel::County),
            "Shennongjia Forestry District"
        );
        assert_eq!(
            pinyin_name("六枝特区", RegionLevel::County),
            "Liuzhi Special District"
        );
        assert_eq!(
            pinyin_name("杭锦后旗", RegionLevel::County),
            "Hangjin Rear Banner"
        );
        assert_eq!(
            pinyin_name("科尔沁左翼中旗", RegionLevel::County),
            "Ke'erqin Left Middle Banner"
        );
        assert_eq!(
            pinyin_name("管城回族区", RegionLevel::County),
            "Guancheng Hui District"
        );
        assert_eq!(
            pinyin_name("天津市", RegionLevel::Province),
            "Tianjin Municipality"
        );
        assert_eq!(
            pinyin_name("井陉矿区", RegionLevel::County),
            "Jingxing Mining District"
        );
        assert_eq!(pinyin_name("矿区", RegionLevel::County), "Kuangqu District");
        assert_eq!(pinyin_name("西安市", RegionLevel::Prefecture), "Xi'an City");
        assert_eq!(pinyin_name("什邡市", RegionLevel::County), "Shifang City");
    }

    #[test]
    fn short_names() {
        let r = real();
        let short = |code: &str| r.get(code).unwrap().short_name().to_string();
        assert_eq!(short("411325"), "内乡");
        assert_eq!(short("511000"), "内江");
        assert_eq!(short("640000"), "宁夏");
        assert_eq!(short("150000"), "内蒙古");
        assert_eq!(short("650000"), "新疆");
        assert_eq!(short("450000"), "广西");
        assert_eq!(short("810000"), "香港");
        assert_eq!(short("110000"), "北京");
        assert_eq!(short("222400"), "延边");
        assert_eq!(short("130826"), "丰宁");
        assert_eq!(short("622926"), "东乡");
        assert_eq!(short("150723"), "鄂伦春");
        assert_eq!(short("152500"), "锡林郭勒");
        assert_eq!(short("232700"), "大兴安岭");
        assert_eq!(short("429021"), "神农架");
        assert_eq!(short("410104"), "管城");
        assert_eq!(short("140430"), "沁县");
        assert_eq!(short("140302"), "城区");
        assert_eq!(short("150121"), "土默特左旗");
        assert_eq!(short("150625"), "杭锦");
        assert_eq!(short("130107"), "井陉矿区");
        assert_eq!(short_name(r.get("341821").unwrap()), "郎溪");
    }

    #[test]
    fn slugs_are_ascii_and_unique() {
        let r = real();
        let slug = |code: &str| r.slug(r.get(code).unwrap());
        assert_eq!(slug("411325"), "neixiang");
        assert_eq!(slug("511000"), "neijiang");
        assert_eq!(slug("341821"), "langxi");
        assert_eq!(slug("611022"), "danfeng");
        assert_eq!(slug("532800"), "xishuangbanna");
        // Short names that collide take the full English name.
        assert_eq!(slug("411322"), "fangcheng-county"); // and 防城区 Fangcheng District
        assert_eq!(slug("220000"), "jilin-province");
        assert_eq!(slug("220200"), "jilin-city");
        assert_eq!(slug("410000"), "henan-province");
        let mut seen = std::collections::HashSet::new();
        for x in r.iter() {
            let s = r.slug(x);
            assert!(
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{s}"
            );
            assert!(seen.insert(s.clone()), "duplicate slug {s}");
            assert_eq!(r.by_slug(&s).unwrap().code, x.code);
        }
    }

    #[test]
    fn finds_names_in_text() {
        let r = real();
        let text = "河南省南阳市内乡县位于南阳盆地西缘，内乡历史悠久";
        let found: Vec<&str> = r.find_names(text).iter().map(|m| m.name).collect();
        assert_eq!(found, ["河南省", "南阳市", "内乡县", "南阳", "内乡"]);
        let m = &r.find_names("丰宁县")[0];
        assert_eq!(m.hits.len(), 1);
        assert_eq!(r.at(m.hits[0].index).code, "130826");
        assert_eq!(m.hits[0].kind, NameKind::Alias);
        // 市中区 is the name of several districts.
        assert!(r.find_names("市中区")[0].hits.len() >= 4);
    }

    fn write_data(regions: &str, en: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(REGIONS_FILE), regions).unwrap();
        if let Some(en) = en {
            std::fs::write(dir.path().join(REGIONS_EN_FILE), en).unwrap();
        }
        dir
    }

    const SMALL: &str = "code\tname_zh\tlevel\tparent_code\n410000\t河南省\tprovince\t\n411300\t南阳市\tprefecture\t410000\n411325\t内乡县\tcounty\t411300\n";

    #[test]
    fn small_table_without_english_file() {
        let dir = write_data(SMALL, None);
        let r = Regions::load(dir.path()).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r.get("411325").unwrap().name_en, "Neixiang County");
        assert_eq!(r.get("410000").unwrap().name_en, "Henan Province");
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let bad = "code\tname_zh\tlevel\tparent_code\n410000\t河南省\tprovince\t\n411300\t南阳市 prefecture 410000\n";
        let dir = write_data(bad, None);
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        let file = dir.path().join(REGIONS_FILE);
        assert!(err.contains(&format!("{}:3", file.display())), "{err}");
        assert!(err.contains("4 tab-separated columns"), "{err}");

        let dir = write_data(&SMALL.replace("county\t411300", "town\t411300"), None);
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(
            err.contains("regions.tsv:4") && err.contains("unknown level `town`"),
            "{err}"
        );

        let dir = write_data(
            &SMALL.replace(
                "411325\t内乡县\tcounty\t411300",
                "411325\t内乡县\tcounty\t419999",
            ),
            None,
        );
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(
            err.contains("regions.tsv:4") && err.contains("419999"),
            "{err}"
        );

        let dir = write_data(&SMALL.replace("411325", "41132"), None);
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(err.contains("regions.tsv:4"), "{err}");

        let dir = write_data(
            SMALL,
            Some("code\tname_en\n411325\tNeixiang County\n# comment\n411399\tNowhere County\n"),
        );
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(
            err.contains("regions_en.tsv:4") && err.contains("411399"),
            "{err}"
        );

        let dir = write_data(SMALL, Some("411325 Neixiang County\n"));
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(err.contains("regions_en.tsv:1"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let err = format!("{:#}", Regions::load(dir.path()).unwrap_err());
        assert!(err.contains("regions.tsv"), "{err}");
    }
}
