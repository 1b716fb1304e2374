//! The figure extractor on sentences written for these tests, in the style of
//! county poverty-alleviation reports (not taken from the seed articles).
//! Each test states what a reader of the archive should see: which
//! indicator, which value, which year and qualifier — or that a number is
//! no figure at all.

use std::path::Path;

use gazetteer::data::Taxonomy;
use gazetteer::extract::{Figure, extract_figures};

fn taxonomy() -> Taxonomy {
    Taxonomy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/indicators.yaml")).unwrap()
}

fn figures(body: &str) -> Vec<Figure> {
    let figs = extract_figures(body, &taxonomy());
    // Every figure points at its own text in the body.
    let chars: Vec<char> = body.chars().collect();
    for f in &figs {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        assert!(body.contains(&f.quote), "quote not in body: {f:?}");
        let text: String = chars[f.start..f.end].iter().collect();
        assert!(
            f.quote.contains(&text),
            "span {text:?} not in quote {:?}",
            f.quote
        );
    }
    figs
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// The figure of `key` with `value`, or a panic listing what was found.
fn find<'a>(figs: &'a [Figure], key: &str, value: f64) -> &'a Figure {
    figs.iter()
        .find(|f| f.key == key && close(f.value, value))
        .unwrap_or_else(|| panic!("no {key} = {value} among {:#?}", summary(figs)))
}

fn summary(figs: &[Figure]) -> Vec<String> {
    figs.iter()
        .map(|f| format!("{} = {} {:?} {:?}", f.key, f.value, f.year, f.qualifier))
        .collect()
}

fn keys(figs: &[Figure]) -> Vec<(String, f64)> {
    figs.iter().map(|f| (f.key.clone(), f.value)).collect()
}

#[test]
fn results_with_compounds_pairs_and_a_cut_off_date() {
    let figs = figures(
        "截至2020年底,全县累计实现36个贫困村出列,12450户41230人脱贫,贫困发生率由18.6%下降到0.42%。\n",
    );
    assert_eq!(
        find(&figs, "poor_villages_exited", 36.0).year.as_deref(),
        Some("2020")
    );
    assert_eq!(
        find(&figs, "households_lifted", 12450.0).year.as_deref(),
        Some("2020")
    );
    assert_eq!(
        find(&figs, "people_lifted", 41230.0).year.as_deref(),
        Some("2020")
    );
    find(&figs, "poverty_rate_start", 18.6);
    find(&figs, "poverty_rate_end", 0.42);
    assert_eq!(figs.len(), 5, "{:#?}", summary(&figs));
}

#[test]
fn registered_poor_baseline() {
    let figs = figures("全县共有建档立卡贫困户8562户31207人,贫困村47个,其中深度贫困村15个。\n");
    find(&figs, "registered_poor_households", 8562.0);
    find(&figs, "registered_poor_population", 31207.0);
    find(&figs, "poor_villages_total", 47.0);
    assert!(
        !figs.iter().any(|f| f.value == 15.0),
        "a sub-group is no total: {:#?}",
        summary(&figs)
    );
}

#[test]
fn a_whole_and_its_part() {
    let figs =
        figures("2014年全县有建档立卡贫困人口6.2万人,经过五年攻坚,42个贫困村中已有37个出列。\n");
    assert_eq!(
        find(&figs, "registered_poor_population", 62000.0)
            .year
            .as_deref(),
        Some("2014")
    );
    find(&figs, "poor_villages_total", 42.0);
    let exited = find(&figs, "poor_villages_exited", 37.0);
    assert_eq!(exited.year, None, "the exits are not dated 2014");
    assert_eq!(figs.len(), 3, "{:#?}", summary(&figs));
}

#[test]
fn five_year_plan_period() {
    let figs = figures("“十三五”期间,全县易地扶贫搬迁1.2万人,建成集中安置点23个。\n");
    let f = find(&figs, "relocation_people", 12000.0);
    assert_eq!(f.year.as_deref(), Some("2016-2020"));
    assert_eq!(
        find(&figs, "relocation_sites", 23.0).year.as_deref(),
        Some("2016-2020")
    );
}

#[test]
fn relocation_compound_in_reversed_order() {
    let figs = figures("三年来,全县累计搬迁安置贫困群众5300人1334户。\n");
    find(&figs, "relocation_people", 5300.0);
    find(&figs, "relocation_households", 1334.0);
}

#[test]
fn periods_since_and_between_years() {
    let figs = figures(
        "2016年以来,全县累计投入各类扶贫资金12.6亿元。2016至2019年,全县共实施危房改造4860户。\n",
    );
    assert_eq!(
        find(&figs, "poverty_funds_invested", 1.26e9)
            .year
            .as_deref(),
        Some("2016-")
    );
    assert_eq!(
        find(&figs, "dilapidated_houses_renovated", 4860.0)
            .year
            .as_deref(),
        Some("2016-2019")
    );
}

#[test]
fn this_year_leaves_the_year_unknown() {
    let figs = figures("2019年,全县开发公益岗位600个;今年以来,全县新增公益岗位820个。\n");
    assert_eq!(
        find(&figs, "public_welfare_jobs", 600.0).year.as_deref(),
        Some("2019")
    );
    assert_eq!(find(&figs, "public_welfare_jobs", 820.0).year, None);
}

#[test]
fn before_and_after_with_their_own_years() {
    let figs = figures("全县贫困人口由2014年的3.6万人减少到2019年的1200人。\n");
    assert_eq!(
        find(&figs, "registered_poor_population", 36000.0)
            .year
            .as_deref(),
        Some("2014")
    );
    assert_eq!(
        find(&figs, "remaining_poor_population", 1200.0)
            .year
            .as_deref(),
        Some("2019")
    );
}

#[test]
fn years_carry_over_to_the_next_pair() {
    let figs = figures(
        "全县生产总值从2015年的86亿元增加到2020年的132亿元,一般公共预算收入从3.1亿元增加到5.4亿元。\n",
    );
    assert_eq!(find(&figs, "gdp", 8.6e9).year.as_deref(), Some("2015"));
    assert_eq!(find(&figs, "gdp", 1.32e10).year.as_deref(), Some("2020"));
    assert_eq!(
        find(&figs, "fiscal_revenue", 3.1e8).year.as_deref(),
        Some("2015")
    );
    assert_eq!(
        find(&figs, "fiscal_revenue", 5.4e8).year.as_deref(),
        Some("2020")
    );
}

#[test]
fn approximations_are_kept_as_qualifiers() {
    let figs = figures(
        "近5000名贫困群众从中受益。全县发放扶贫贷款约3.2亿元。贫困劳动力转移就业超过2万人。贫困人口人均纯收入达8000元以上。建成扶贫车间60余个。\n",
    );
    assert_eq!(
        find(&figs, "beneficiary_population", 5000.0)
            .qualifier
            .as_deref(),
        Some("近")
    );
    assert_eq!(
        find(&figs, "microcredit_amount", 3.2e8)
            .qualifier
            .as_deref(),
        Some("约")
    );
    assert_eq!(
        find(&figs, "poor_labor_employed", 20000.0)
            .qualifier
            .as_deref(),
        Some("超过")
    );
    assert_eq!(
        find(&figs, "poor_income_per_capita", 8000.0)
            .qualifier
            .as_deref(),
        Some("以上")
    );
    assert_eq!(
        find(&figs, "poverty_workshops", 60.0).qualifier.as_deref(),
        Some("余")
    );
}

#[test]
fn chinese_numerals_with_units() {
    let figs = figures("全县共选派驻村第一书记一百二十名,带动贫困群众一万多名增收。\n");
    find(&figs, "cadres_dispatched", 120.0);
    assert_eq!(
        find(&figs, "beneficiary_population", 10000.0)
            .qualifier
            .as_deref(),
        Some("多")
    );
}

#[test]
fn full_width_digits_thousands_separators_and_spaces() {
    let figs = figures(
        "全县贫困发生率降至０．５％，累计发放扶贫小额信贷1,234户、金额5,678万元，新建扶贫车间 35 个。\n",
    );
    find(&figs, "poverty_rate_end", 0.5);
    find(&figs, "beneficiary_households", 1234.0);
    find(&figs, "microcredit_amount", 56_780_000.0);
    find(&figs, "poverty_workshops", 35.0);
}

#[test]
fn traditional_characters() {
    // A page decoded from Big5.
    let figs = figures("截至2019年底,全縣累計脫貧1.5萬戶4.2萬人,貧困發生率降至0.8%。\n");
    assert_eq!(
        find(&figs, "households_lifted", 15000.0).year.as_deref(),
        Some("2019")
    );
    find(&figs, "people_lifted", 42000.0);
    find(&figs, "poverty_rate_end", 0.8);
}

#[test]
fn markdown_escapes_do_not_hide_numbers() {
    // The body is Markdown: ASCII punctuation may be backslash-escaped.
    let body = "## 成效\n\n1\\. 全县累计脱贫2.3万人\\*。\n";
    let figs = figures(body);
    let f = find(&figs, "people_lifted", 23000.0);
    let chars: Vec<char> = body.chars().collect();
    let text: String = chars[f.start..f.end].iter().collect();
    assert_eq!(text, "2.3万人");
}

#[test]
fn other_indicators() {
    let figs = figures(
        "全县GDP达到152.3亿元,同比增长7.8%。农村居民人均可支配收入达到12680元。全县累计减贫2.3万人。剩余未脱贫人口326户812人。修建通村公路326公里。累计发放小额扶贫贷款2.35亿元,惠及贫困户5620户。光伏电站年收益分红1800万元。边缘易致贫户320户986人全部纳入监测。选聘生态护林员1500名。\n",
    );
    find(&figs, "gdp", 1.523e10);
    find(&figs, "rural_income_per_capita", 12680.0);
    find(&figs, "people_lifted", 23000.0);
    find(&figs, "remaining_poor_households", 326.0);
    find(&figs, "remaining_poor_population", 812.0);
    find(&figs, "roads_built_km", 326.0);
    find(&figs, "microcredit_amount", 2.35e8);
    find(&figs, "beneficiary_households", 5620.0);
    find(&figs, "asset_income_dividends", 1.8e7);
    find(&figs, "at_risk_households", 320.0);
    find(&figs, "at_risk_population", 986.0);
    find(&figs, "public_welfare_jobs", 1500.0);
    assert!(
        !figs.iter().any(|f| f.unit == "percent"),
        "a growth rate is no figure: {:#?}",
        summary(&figs)
    );
}

#[test]
fn a_city_report() {
    let figs = figures(
        "截至2020年底,我市5个国家级贫困县全部摘帽,38.6万农村贫困人口全部脱贫。全市农村居民人均可支配收入年均增长10.2%,2020年达到13215元。全市共有2.1万名驻村干部奋战在一线,其中第一书记1062名。\n",
    );
    assert_eq!(
        find(&figs, "poverty_counties_exited", 5.0).year.as_deref(),
        Some("2020")
    );
    find(&figs, "people_lifted", 386_000.0);
    // The clause 2020年达到13215元 continues the one before it.
    assert_eq!(
        find(&figs, "rural_income_per_capita", 13215.0)
            .year
            .as_deref(),
        Some("2020")
    );
    find(&figs, "cadres_dispatched", 21000.0);
    // 其中: a part with the same indicator is kept.
    find(&figs, "cadres_dispatched", 1062.0);
    assert_eq!(figs.len(), 5, "{:#?}", summary(&figs));
}

#[test]
fn a_part_of_another_kind_is_no_figure() {
    let figs = figures("全县共搬迁安置8650户31200人,其中建档立卡贫困户7320户26800人。\n");
    find(&figs, "relocation_households", 8650.0);
    find(&figs, "relocation_people", 31200.0);
    assert_eq!(figs.len(), 2, "{:#?}", summary(&figs));
}

#[test]
fn slogans_and_names_with_numerals_give_no_figure() {
    let figs = figures(
        "坚持“两不愁三保障”标准,落实“四个不摘”要求,构建五级书记抓扶贫格局,组建五支队伍,实施“七改一增”工程,推广“5+”模式,编制《“十三五”脱贫攻坚规划》,开展“三带五联”活动。\n",
    );
    assert!(figs.is_empty(), "{:#?}", summary(&figs));
}

#[test]
fn context_numbers_give_no_figure() {
    for body in [
        "全县总面积1850平方公里,总人口56万人,辖12个乡镇、210个行政村。\n",
        "全年召开专题会议60余次,开展督查暗访20多次。\n",
        "对人口50人以上的自然村全部通硬化路,年收入3000元以下的家庭纳入监测范围。\n",
        "2019年4月,该县以全省第2名的成绩通过考核,开通热线24小时受理群众诉求。\n",
        "其中红色预警户856户,占比12.5%。\n",
        "每户补助3-5万元,每村安排1至3名护林员。\n",
        "全县有劳动能力的贫困人口中,80%以上实现就业。\n",
    ] {
        let figs = figures(body);
        assert!(figs.is_empty(), "{body}: {:#?}", summary(&figs));
    }
}

#[test]
fn targets_are_figures_labelled_as_targets() {
    // A target (目标任务, 计划) is kept, marked as a target: the archive
    // shows it, but never as a result.
    let figs = figures("今年计划完成15个贫困村退出、6000名贫困人口脱贫的目标任务。\n");
    assert_eq!(figs.len(), 2, "{:#?}", summary(&figs));
    assert!(find(&figs, "poor_villages_exited", 15.0).target);
    assert!(find(&figs, "people_lifted", 6000.0).target);
    // A clause pointing back (这是…目标任务) makes the whole sentence a
    // target, and gives its year.
    let figs =
        figures("完成85个贫困村退出、2.7779万贫困人口脱贫,这是我市2017年脱贫攻坚目标任务。\n");
    let f = find(&figs, "people_lifted", 27779.0);
    assert!(f.target);
    assert_eq!(f.year.as_deref(), Some("2017"));
    assert!(find(&figs, "poor_villages_exited", 85.0).target);
    // 力争, 确保: from their clause on; what comes before is a result.
    let figs = figures(
        "2019年全县脱贫2316户7458人,力争2020年剩余的865名贫困人口全部脱贫。\n\n确保明年再建成扶贫车间20个。\n",
    );
    assert!(!find(&figs, "households_lifted", 2316.0).target);
    assert!(!find(&figs, "people_lifted", 7458.0).target);
    let f = find(&figs, "people_lifted", 865.0);
    assert!(f.target);
    assert_eq!(f.year.as_deref(), Some("2020"));
    assert!(find(&figs, "poverty_workshops", 20.0).target);
}

#[test]
fn met_targets_and_names_with_target_words_are_results() {
    for body in [
        "全年减贫3215人,超额完成市下达的目标任务。\n",
        "已完成年度计划,全年减贫3215人。\n",
        "通过产业帮扶,确保了3215名贫困群众稳定脱贫。\n",
        "“雨露计划”累计减贫3215人。\n",
    ] {
        let figs = figures(body);
        assert_eq!(figs.len(), 1, "{body}: {:#?}", summary(&figs));
        assert!(!figs[0].target, "{body}: {:#?}", figs[0]);
        assert_eq!(figs[0].value, 3215.0);
    }
    // 计划生育 (family planning) is no plan of the county's.
    let figs = figures("全县计划生育特殊家庭中,累计脱贫326户。\n");
    assert!(!find(&figs, "households_lifted", 326.0).target);
}

#[test]
fn impossible_values_are_kept_and_flagged() {
    let figs = figures("贫困发生率由2014年的126.5%下降到2018年的2.1%。\n");
    let f = find(&figs, "poverty_rate_start", 126.5);
    assert_eq!(f.doubt.as_deref(), Some("126.5% is over 100%"));
    assert_eq!(find(&figs, "poverty_rate_end", 2.1).doubt, None);
    // An end above the start of the same change: both sides are doubtful.
    let figs = figures("贫困发生率由2016年的3.2%降至2017年的5.4%。\n");
    let end = find(&figs, "poverty_rate_end", 5.4);
    assert!(
        end.doubt.as_deref().unwrap().contains("same change (3.2)"),
        "{end:?}"
    );
    assert!(find(&figs, "poverty_rate_start", 3.2).doubt.is_some());
    // More people lifted than the article's registered poor population.
    let figs = figures("全县共有建档立卡贫困人口6215人。五年来累计脱贫8652人。\n");
    assert_eq!(
        find(&figs, "registered_poor_population", 6215.0).doubt,
        None
    );
    assert_eq!(
        find(&figs, "people_lifted", 8652.0).doubt.as_deref(),
        Some("more than the registered poor population in the same article (6215)")
    );
    // A count that is not a whole number.
    let figs = figures("全县建档立卡贫困户1.32875万户。\n");
    assert!(
        find(&figs, "registered_poor_households", 13287.5)
            .doubt
            .as_deref()
            .unwrap()
            .contains("not a whole number")
    );
    // Plausible figures pass.
    let figs =
        figures("全县建档立卡贫困人口8.2万人,累计脱贫8.1万人,贫困发生率由18.6%降至0.42%。\n");
    assert!(figs.iter().all(|f| f.doubt.is_none()), "{figs:#?}");
}

#[test]
fn percentages_in_chinese_numerals_and_conditions_with_bounds() {
    let figs = figures("贫困发生率从百分之十点二下降到百分之零点四。\n");
    find(&figs, "poverty_rate_start", 10.2);
    find(&figs, "poverty_rate_end", 0.4);
    let figs = figures("全县村集体经济收入超过10万元的村占比达到45%。\n");
    assert!(figs.is_empty(), "{:#?}", summary(&figs));
}

#[test]
fn the_end_of_a_change_without_its_own_year_takes_the_context_year() {
    let figs = figures("截至2019年底,全县贫困发生率由2014年的17.3%降至0.58%。\n");
    assert_eq!(
        find(&figs, "poverty_rate_start", 17.3).year.as_deref(),
        Some("2014")
    );
    assert_eq!(
        find(&figs, "poverty_rate_end", 0.58).year.as_deref(),
        Some("2019")
    );
}

#[test]
fn numbers_about_another_place_give_no_figure() {
    let body = "红山县位于省境东部。红山县累计脱贫1.8万人。\n\n红山县还帮助对口支援的青川县建成扶贫车间12个,带动青川县贫困户860户增收。\n\n石桥镇柳树村有36户贫困户已全部脱贫。\n";
    let figs = figures(body);
    assert_eq!(
        keys(&figs),
        vec![("people_lifted".to_string(), 18000.0)],
        "{:#?}",
        summary(&figs)
    );
}

#[test]
fn counts_of_helpers_are_not_beneficiaries() {
    let figs = figures("320名党员、150名致富带头人结对带动1860户贫困户增收脱贫。\n");
    assert_eq!(
        keys(&figs),
        vec![("beneficiary_households".to_string(), 1860.0)],
        "{:#?}",
        summary(&figs)
    );
}

#[test]
fn output_is_sorted_and_deterministic() {
    let body = "全县累计脱贫5000人。全县建档立卡贫困户1200户。\n";
    let a = figures(body);
    let b = figures(body);
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].start <= w[1].start));
}
