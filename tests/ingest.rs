//! Ingest on a copy of the seed site: what a person finds in content/.

mod common;

use std::path::Path;

use common::{gazetteer, seed_site, snapshot, stderr, stdout};
use gazetteer::content::{ContentFile, Translation};

/// The zh content file ingested from a seed, found by its `seed.file`.
fn zh_file_of(content: &Path, seed: &str) -> (std::path::PathBuf, ContentFile) {
    for entry in std::fs::read_dir(content).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") && !name.ends_with(".en.md") {
            let file = ContentFile::read(&path).unwrap();
            if file.front.seed.as_ref().is_some_and(|s| s.file == seed) {
                return (path, file);
            }
        }
    }
    panic!("no content file for {seed}");
}

#[test]
fn ingest_writes_ten_clean_files() {
    let site = seed_site();
    let out = gazetteer(site.path(), &["ingest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ingested 5 of 5 seeds"),
        "{}",
        stdout(&out)
    );

    let content = site.path().join("content");
    let md: Vec<_> = std::fs::read_dir(&content)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert_eq!(md.len(), 10, "{md:?}");
    let en = md
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".en.md"))
        .count();
    assert_eq!(en, 5);
    for path in &md {
        let file = ContentFile::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !file.front.title.is_empty(),
            "{} has no title",
            path.display()
        );
        if path.to_string_lossy().ends_with(".en.md") {
            assert!(
                file.front
                    .summary
                    .as_deref()
                    .is_some_and(|s| s.starts_with("This report"))
            );
            assert_eq!(file.front.translation, Some(Translation::Summary));
        }
    }

    // The chrome the scraper kept is gone from every body, the article stays.
    let chrome = [
        "首页 >",
        "首页 >>",
        "您现在位置",
        "关闭",
        "举报",
        "购物车",
        "提交",
        "字体大小",
        "OA办公",
        "繁體版",
        "无障碍",
        "长辈版",
        "智能问答",
        "扫一扫在手机打开当前页",
        "条评论",
        "验证码",
        "网友评论列表",
        "暂无网友评论",
        "暂没有评论",
        "写评论",
        "取消订阅",
        "本文如涉及侵权",
        "打赏捐赠",
        "我要举报",
        "新闻推荐",
        "返回顶部",
        "习 近平",
        "信息发布者",
        "发布时间",
        "来源:",
        "编辑:",
        "浏览:",
        "http://",
        "权兆阳摄",
    ];
    let kept = [
        (
            "000_fae75b793b086aa3.txt",
            "内乡县97个贫困村15316户42991人全部脱贫,综合贫困发生率由6.9%降至0.31%",
        ),
        (
            "000_fae75b793b086aa3.txt",
            "深入贯彻落实习近平新时代中国特色社会主义思想",
        ),
        (
            "001_671117794530faa5.txt",
            "方城县109个贫困村全部脱贫,18972户38263人稳定脱贫",
        ),
        (
            "002_38eac78cca20699a.txt",
            "6448户14571人贫困人口全部实现稳定脱贫",
        ),
        (
            "003_c08d4a0241938a28.txt",
            "累计脱贫23152户81644人,贫困发生率降至1%",
        ),
        (
            "004_befd111a20e1a564.txt",
            "全市贫困人口由9.5万人下降到7.1万人",
        ),
    ];
    for (seed, sentence) in kept {
        let (path, file) = zh_file_of(&content, seed);
        assert!(
            file.body.contains(sentence),
            "{} lost: {sentence}",
            path.display()
        );
    }
    for seed in [
        "000_fae75b793b086aa3.txt",
        "001_671117794530faa5.txt",
        "002_38eac78cca20699a.txt",
        "003_c08d4a0241938a28.txt",
        "004_befd111a20e1a564.txt",
    ] {
        let (path, file) = zh_file_of(&content, seed);
        for fragment in chrome {
            assert!(
                !file.body.contains(fragment),
                "{} still has chrome `{fragment}`",
                path.display()
            );
        }
        // The repeated lead paragraph (seed 003) is kept once.
        let first = file.body.split("\n\n").next().unwrap();
        assert_eq!(
            file.body.matches(first).count(),
            1,
            "{}: lead paragraph repeated",
            path.display()
        );
    }
}

#[test]
fn titles_dates_sources_and_headings() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let content = site.path().join("content");

    let (_, f) = zh_file_of(&content, "000_fae75b793b086aa3.txt");
    assert_eq!(f.front.title, "党报重磅析解内乡脱贫攻坚“成色”怎样?");
    assert_eq!(f.front.date.as_deref(), Some("2020-11-17T12:43:20+08:00"));
    assert_eq!(f.front.source.as_deref(), Some("内乡宣传编辑室"));
    assert!(f.body.contains("\n## 坚持基本方略 全面发力跨越发展\n"));

    let (_, f) = zh_file_of(&content, "001_671117794530faa5.txt");
    assert_eq!(f.front.source.as_deref(), Some("河南日报"));
    assert!(f.front.author.as_deref().unwrap().contains("孟向东"));
    assert!(
        f.body
            .contains("\n## 1“摘帽不摘责任”\n\n### 强化攻坚责任体系\n")
    );

    let (_, f) = zh_file_of(&content, "002_38eac78cca20699a.txt");
    assert_eq!(f.front.date.as_deref(), Some("2021-03-02T07:56:00+08:00"));
    assert_eq!(f.front.source.as_deref(), Some("郎溪发布"));

    let (_, f) = zh_file_of(&content, "003_c08d4a0241938a28.txt");
    assert_eq!(f.front.title, "8.1万人脱贫!丹凤亮出脱贫攻坚“成绩单”");
    assert_eq!(f.front.publisher.as_deref(), Some("商洛新闻网"));

    let (_, f) = zh_file_of(&content, "004_befd111a20e1a564.txt");
    assert_eq!(f.front.title, "撸起袖子加油干 打赢脱贫攻坚战");
    assert_eq!(
        f.front.subtitle.as_deref(),
        Some("内江深入推进脱贫攻坚工作综述")
    );
    assert_eq!(f.front.date.as_deref(), Some("2017-03-14T07:18:00+08:00"));
    assert_eq!(f.front.source.as_deref(), Some("内江日报"));
    assert!(f.body.contains("## “实”字当头,把责任扛在肩上"));
}

#[test]
fn second_ingest_changes_nothing() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let before = snapshot(&site.path().join("content"));
    let out = gazetteer(site.path(), &["ingest"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("0 written, 10 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(before, snapshot(&site.path().join("content")));
}

#[test]
fn hand_edits_survive_ingest_unless_forced() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let content = site.path().join("content");
    let (zh_path, _) = zh_file_of(&content, "002_38eac78cca20699a.txt");
    let edited = std::fs::read_to_string(&zh_path)
        .unwrap()
        .replace("立下愚公志", "立下愚公之志");
    std::fs::write(&zh_path, &edited).unwrap();

    // A human translation in the en counterpart.
    let en_path = zh_path.with_extension("en.md");
    let mut en = ContentFile::read(&en_path).unwrap();
    en.front.title = "Fighting poverty, marching to moderate prosperity".into();
    en.front.translation = Some(Translation::Human);
    en.body = "With the resolve of the Foolish Old Man who moved the mountains...\n".into();
    std::fs::write(&en_path, en.to_text()).unwrap();

    let out = gazetteer(site.path(), &["ingest"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("kept {}", zh_path.display())) && err.contains("edited by hand"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("1 English files hold a human translation"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(&zh_path).unwrap(), edited);
    assert_eq!(ContentFile::read(&en_path).unwrap(), en);

    let out = gazetteer(site.path(), &["ingest", "--force"]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&zh_path)
            .unwrap()
            .contains("立下愚公志")
    );
    let after = ContentFile::read(&en_path).unwrap();
    assert_eq!(after.front.title, en.front.title);
    assert_eq!(after.front.translation, Some(Translation::Human));
    assert_eq!(after.body, en.body);
    assert!(after.front.summary.is_some());
}

#[test]
fn content_of_a_removed_seed_goes_unless_edited() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let content = site.path().join("content");
    let (zh, _) = zh_file_of(&content, "004_befd111a20e1a564.txt");
    std::fs::remove_file(site.path().join("seeds/004_befd111a20e1a564.txt")).unwrap();
    let out = gazetteer(site.path(), &["ingest"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("removed"), "{}", stdout(&out));
    assert!(!zh.exists());
}

#[test]
fn unreadable_seed_is_reported_and_the_rest_ingested() {
    let site = seed_site();
    std::fs::write(
        site.path().join("seeds/zz_empty.txt"),
        "关闭\n举报\n首页 > 正文\n",
    )
    .unwrap();
    let out = gazetteer(site.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("zz_empty.txt: no article text found"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("ingested 5 of 6 seeds"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn each_seed_gets_its_region_with_prefecture_and_province() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let content = site.path().join("content");
    let regions = gazetteer::data::Regions::load(&site.path().join("data")).unwrap();
    let expected = [
        (
            "000_fae75b793b086aa3.txt",
            "内乡县",
            Some("南阳市"),
            "河南省",
            "Neixiang County",
        ),
        (
            "001_671117794530faa5.txt",
            "方城县",
            Some("南阳市"),
            "河南省",
            "Fangcheng County",
        ),
        (
            "002_38eac78cca20699a.txt",
            "郎溪县",
            Some("宣城市"),
            "安徽省",
            "Langxi County",
        ),
        (
            "003_c08d4a0241938a28.txt",
            "丹凤县",
            Some("商洛市"),
            "陕西省",
            "Danfeng County",
        ),
        (
            "004_befd111a20e1a564.txt",
            "内江市",
            None,
            "四川省",
            "Neijiang City",
        ),
    ];
    for (seed, name, prefecture, province, en) in expected {
        let (path, file) = zh_file_of(&content, seed);
        let region = file
            .front
            .region
            .unwrap_or_else(|| panic!("{} has no region", path.display()));
        assert_eq!(region.name, name);
        let r = regions.get(&region.code).unwrap();
        assert_eq!(r.name_en, en);
        let pref = regions
            .prefecture_of(&region.code)
            .filter(|p| p.code != region.code)
            .map(|p| p.name_zh.as_str());
        assert_eq!(pref, prefecture, "{name}");
        assert_eq!(regions.province_of(&region.code).unwrap().name_zh, province);
    }
}

#[test]
fn figures_keep_their_quote_and_span_in_the_body() {
    let site = seed_site();
    assert!(gazetteer(site.path(), &["ingest"]).status.success());
    let (_, file) = zh_file_of(&site.path().join("content"), "000_fae75b793b086aa3.txt");
    let chars: Vec<char> = file.body.chars().collect();
    let people = file
        .front
        .figures
        .iter()
        .find(|f| f.key == "people_lifted")
        .expect("people_lifted");
    assert_eq!(people.value, 42991.0);
    let span: String = chars[people.start..people.end].iter().collect();
    assert!(span.starts_with("42991"), "{span}");
    assert!(file.body.contains(&people.quote));
    for f in &file.front.figures {
        let span: String = chars[f.start..f.end].iter().collect();
        assert!(
            f.quote.contains(&span),
            "{}: span `{span}` not in its quote `{}`",
            f.key,
            f.quote
        );
    }
}
