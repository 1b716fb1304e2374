//! A generator of realistic benchmark corpora: `gazetteer gen-corpus`.
//!
//! Articles are made by recombining the paragraphs of a site's own content
//! (its ingested seeds, with their aligned English translations) for
//! hundreds of real county-level regions: place names are swapped for the
//! target region's, and the figures are extracted from the new text as
//! ingest would. The output is a complete site folder that `build` builds.

use std::path::Path;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::Site;
use crate::content::{ContentFile, FrontMatter, RegionRef, Translation};
use crate::data::{Region, RegionLevel, Regions, Taxonomy};
use crate::summary::{self, SummaryInput};

/// A deterministic pseudo-random sequence (SplitMix64): the same corpus for
/// the same arguments on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// One source article: its blocks in both languages and the names to swap.
struct Source {
    zh: ContentFile,
    zh_blocks: Vec<String>,
    en_blocks: Option<Vec<String>>,
    en_title: Option<String>,
    /// (Chinese, English) names of the region and its parents, longest first.
    names: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy)]
pub struct CorpusOptions {
    pub articles: usize,
    /// How many regions the articles are spread over (at most the number of
    /// county-level regions in the table).
    pub regions: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Debug)]
pub struct CorpusReport {
    pub articles: usize,
    pub regions: usize,
    pub bytes: u64,
}

fn blocks(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect()
}

/// Chinese and English names of a region and its parents, for swapping.
fn names_of(regions: &Regions, code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur = regions.get(code);
    while let Some(r) = cur {
        out.push((r.name_zh.clone(), r.name_en.clone()));
        let short_zh = r.short_name().to_string();
        let short_en = r
            .name_en
            .trim_end_matches(" County")
            .trim_end_matches(" City")
            .trim_end_matches(" Province")
            .trim_end_matches(" District")
            .to_string();
        if short_zh != r.name_zh && short_zh.chars().count() >= 2 {
            out.push((short_zh, short_en));
        }
        cur = r.parent.as_deref().and_then(|p| regions.get(p));
    }
    out
}

fn swap_names(
    text: &str,
    from: &[(String, String)],
    to: &[(String, String)],
    english: bool,
) -> String {
    let mut out = text.to_string();
    // Placeholders first, so that a new name is never swapped again.
    for (i, (zh, en)) in from.iter().enumerate() {
        let old = if english { en } else { zh };
        if !old.is_empty() {
            out = out.replace(old.as_str(), &format!("\u{1}{i}\u{2}"));
        }
    }
    for (i, _) in from.iter().enumerate() {
        let new = to
            .get(i)
            .or_else(|| to.last())
            .map(|(zh, en)| if english { en.as_str() } else { zh.as_str() });
        out = out.replace(&format!("\u{1}{i}\u{2}"), new.unwrap_or(""));
    }
    out
}

/// Writes a corpus of `options.articles` articles into `out`, a new site
/// folder, from the content, data and theme of `site`.
pub fn generate(site: &Site, out: &Path, options: CorpusOptions) -> Result<CorpusReport> {
    let taxonomy = Taxonomy::load(&site.data_dir.join("indicators.yaml"))?;
    let regions = Regions::load(&site.data_dir)?;
    let model = crate::model::Model::load(site.clone())?;
    let sources: Vec<Source> = model
        .articles
        .iter()
        .filter_map(|a| {
            let code = a.region.as_deref()?;
            let en = a.en.as_ref().filter(|_| a.has_translation());
            let zh_blocks = blocks(&a.zh.body);
            let en_blocks = en
                .map(|e| blocks(&e.body))
                .filter(|b| b.len() == zh_blocks.len());
            Some(Source {
                zh: (*a.zh).clone(),
                zh_blocks,
                en_title: en_blocks.as_ref().and(en.map(|e| e.front.title.clone())),
                en_blocks,
                names: names_of(&regions, code),
            })
        })
        .collect();
    anyhow::ensure!(
        !sources.is_empty(),
        "{} has no articles with a region to recombine",
        site.content_dir.display()
    );

    // Spread over county-level regions across the whole table.
    let counties: Vec<&Region> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::County)
        .collect();
    let wanted = options.regions.clamp(1, counties.len());
    let step = counties.len() as f64 / wanted as f64;
    let chosen: Vec<&Region> = (0..wanted)
        .map(|i| counties[(i as f64 * step) as usize])
        .collect();

    if out.exists() {
        anyhow::ensure!(
            std::fs::read_dir(out)?.next().is_none() || out.join("site.toml").exists(),
            "{} exists and is not a site folder; choose an empty or new folder",
            out.display()
        );
    }
    let content_dir = out.join("content");
    std::fs::create_dir_all(&content_dir)
        .with_context(|| format!("cannot create {}", content_dir.display()))?;
    copy_dir(&site.data_dir, &out.join("data"))?;
    copy_dir(&site.theme_dir(), &out.join("themes").join(&site.theme))?;
    std::fs::write(
        out.join("site.toml"),
        format!(
            "# Generated by `gazetteer gen-corpus --articles {} --seed {}`.\nlanguages = [\"zh\", \"en\"]\ntheme = \"{}\"\n\n[title]\nzh = \"基准语料库\"\nen = \"Benchmark corpus\"\n",
            options.articles, options.seed, site.theme
        ),
    )?;

    let bytes: u64 = (0..options.articles)
        .into_par_iter()
        .map(|i| -> Result<u64> {
            let mut rng = Rng::new(options.seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let region = chosen[rng.below(chosen.len())];
            let src = &sources[rng.below(sources.len())];
            let other = &sources[rng.below(sources.len())];
            let to = names_of(&regions, &region.code);
            let translated = src.en_blocks.is_some() && rng.chance(50);

            // Keep the lead, then most of the article in order, then maybe a
            // paragraph or two of another article.
            let mut picked: Vec<(usize, bool)> = vec![(0, true)];
            for k in 1..src.zh_blocks.len() {
                if rng.chance(80) {
                    picked.push((k, true));
                }
            }
            if !src.zh_blocks[picked.last().map(|p| p.0).unwrap_or(0)].starts_with('#')
                && rng.chance(50)
            {
                let k = rng.below(other.zh_blocks.len());
                if !other.zh_blocks[k].starts_with('#') {
                    picked.push((k, false));
                }
            }
            let mut zh_body = Vec::new();
            let mut en_body = Vec::new();
            for (k, own) in &picked {
                let s = if *own { src } else { other };
                zh_body.push(swap_names(&s.zh_blocks[*k], &s.names, &to, false));
                if let Some(en) = &s.en_blocks {
                    en_body.push(swap_names(&en[*k], &s.names, &to, true));
                }
            }
            // A heading must be followed by text.
            while zh_body.last().is_some_and(|b| b.starts_with('#')) {
                zh_body.pop();
                en_body.pop();
            }
            let zh_body = zh_body.join("\n\n") + "\n";
            let translated = translated && en_body.len() == zh_body.split("\n\n").count();
            let en_body = en_body.join("\n\n") + "\n";

            let year = 2016 + rng.below(6);
            let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
            let slug = format!("{}-{date}-{i}", regions.slug(region));
            let figures = crate::extract::extract_figures(&zh_body, &taxonomy);
            let region_ref = Some(RegionRef {
                code: region.code.clone(),
                name: region.name_zh.clone(),
            });
            let title = swap_names(&src.zh.front.title, &src.names, &to, false);
            let zh = ContentFile {
                front: FrontMatter {
                    title,
                    subtitle: src
                        .zh
                        .front
                        .subtitle
                        .as_ref()
                        .map(|s| swap_names(s, &src.names, &to, false)),
                    date: Some(date.clone()),
                    source: src.zh.front.source.clone(),
                    publisher: src.zh.front.publisher.clone(),
                    author: src.zh.front.author.clone(),
                    region: region_ref.clone(),
                    seed: None,
                    translation: None,
                    summary: None,
                    figures,
                },
                body: zh_body,
            };
            let region_en = regions.en_path(&region.code);
            let summary = summary::summarize(
                &SummaryInput {
                    region_en: region_en.as_deref(),
                    date: Some(&date),
                    figures: &zh.front.figures,
                },
                &taxonomy,
            );
            let en_title = match (&src.en_title, translated) {
                (Some(t), true) => swap_names(t, &src.names, &to, true),
                _ => format!(
                    "{}: report of {}",
                    region.name_en,
                    crate::format::date(&date, crate::format::Lang::En).unwrap_or_default()
                ),
            };
            let en = ContentFile {
                front: FrontMatter {
                    title: en_title,
                    subtitle: None,
                    date: Some(date),
                    source: zh.front.source.clone(),
                    publisher: zh.front.publisher.clone(),
                    author: zh.front.author.clone(),
                    region: region_ref,
                    seed: None,
                    translation: Some(if translated {
                        Translation::Human
                    } else {
                        Translation::Summary
                    }),
                    summary: Some(summary),
                    figures: Vec::new(),
                },
                body: if translated { en_body } else { String::new() },
            };
            let zh_text = zh.to_text();
            let en_text = en.to_text();
            std::fs::write(content_dir.join(format!("{slug}.md")), &zh_text)?;
            std::fs::write(content_dir.join(format!("{slug}.en.md")), &en_text)?;
            Ok((zh_text.len() + en_text.len()) as u64)
        })
        .sum::<Result<u64>>()?;
    Ok(CorpusReport {
        articles: options.articles,
        regions: wanted,
        bytes,
    })
}

/// Copies a folder tree (files only, sorted).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot list {}", from.display()))?;
        let rel = entry.path().strip_prefix(from).expect("below from");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)
                .with_context(|| format!("cannot create {}", dest.display()))?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("cannot copy to {}", dest.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_swapped_once() {
        let from = vec![
            ("内乡县".to_string(), "Neixiang County".to_string()),
            ("内乡".to_string(), "Neixiang".to_string()),
        ];
        let to = vec![
            ("方城县".to_string(), "Fangcheng County".to_string()),
            ("方城".to_string(), "Fangcheng".to_string()),
        ];
        assert_eq!(
            swap_names("内乡县位于南阳,内乡人", &from, &to, false),
            "方城县位于南阳,方城人"
        );
        assert_eq!(
            swap_names("Neixiang County, or Neixiang", &from, &to, true),
            "Fangcheng County, or Fangcheng"
        );
    }

    #[test]
    fn rng_is_deterministic() {
        let a: Vec<u64> = (0..3)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::new(7);
        assert_eq!(a, vec![r.next_u64(), r.next_u64(), r.next_u64()]);
    }
}
