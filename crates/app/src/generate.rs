//! A deterministic generator of realistic synthetic data for scale tests and benchmarks:
//! the same seed gives the same data. Everything it writes is marked synthetic; names are
//! made from our own word lists (real brand names are filtered out).
//!
//! Scale: ~200 units (Jiangsu down to county level plus synthetic outposts), companies,
//! visits, projects with their stage logs, trips with legs, over 2023-2025.

use crate::{AppError, Result};
use chrono::{Duration, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use zhaoshang_domain::auth::{Actor, Channel, Scope};
use zhaoshang_domain::credit_code::CreditCode;
use zhaoshang_domain::names::normalize_company_name;
use zhaoshang_domain::unit::{Location, Unit, UnitKind};
use zhaoshang_store::Store;
use zhaoshang_store::sql::{Val, date, ts};
use zhaoshang_store::units::NewUnit;

/// splitmix64: small, fast, and the same on every machine (no dependency whose stream may change).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: &str) -> Rng {
        let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
        for b in stream.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
        Rng(h)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    /// true with probability `percent` / 100
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const START: (i32, u32, u32) = (2023, 1, 1);
pub const END: (i32, u32, u32) = (2025, 12, 31);

fn day(r: &mut Rng) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(START.0, START.1, START.2).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap_or_default();
    start + Duration::days(r.below(((end - start).num_days() + 1) as u64) as i64)
}

const BRAND: &[&str] = &[
    "瑞", "科", "华", "泰", "恒", "达", "鑫", "源", "博", "创", "智", "远", "丰", "盛", "润", "天",
    "宏", "信", "嘉", "安", "凯", "联", "海", "中", "新", "宇", "航", "精", "微", "益", "明", "辰",
    "晟", "睿", "拓", "迈", "峰", "翔", "捷", "和", "利", "德", "腾", "湖", "川", "越", "兴", "隆",
    "昌", "永",
];
/// famous names that two random characters may happen to spell: never generated
const REAL_BRANDS: &[&str] = &[
    "华为", "海尔", "美的", "格力", "联想", "小米", "中兴", "海信", "长城", "吉利", "腾讯", "百度",
    "京东", "万科", "恒大", "苏宁", "顺丰", "宁德", "隆基", "通威", "天合", "阳光", "正泰", "汇川",
    "海康", "大华", "宇通", "三一", "中联", "徐工", "华润", "中信", "招商", "平安", "安踏", "恒瑞",
    "新华", "中华", "华泰", "海航", "德力", "天宇", "中航",
];
const CN_CITIES: &[&str] = &[
    "苏州", "无锡", "常州", "南京", "上海", "深圳", "杭州", "北京", "广州", "宁波", "合肥", "成都",
    "武汉", "青岛", "厦门",
];
/// (words, GB/T 4754 division)
const CN_TRADES: &[(&str, &str)] = &[
    ("精密机械", "34"),
    ("新材料", "26"),
    ("生物医药", "27"),
    ("半导体", "39"),
    ("新能源", "38"),
    ("智能装备", "35"),
    ("电子科技", "39"),
    ("汽车零部件", "36"),
    ("医疗器械", "35"),
    ("化工", "26"),
    ("供应链管理", "72"),
    ("软件", "65"),
    ("信息技术", "65"),
    ("物流", "59"),
    ("检测技术", "74"),
    ("光电", "39"),
    ("纺织", "17"),
    ("食品", "14"),
    ("环保科技", "77"),
    ("金属制品", "33"),
];
const CN_SUFFIX: &[&str] = &["有限公司", "股份有限公司", "科技有限公司", "集团有限公司"];

/// (country, Chinese stems, English stems, Chinese trade, English trade, legal form zh, legal form en, division)
struct Foreign {
    country: &'static str,
    zh: &'static [&'static str],
    en: &'static [&'static str],
    trades: &'static [(&'static str, &'static str, &'static str)],
    form_zh: &'static str,
    form_en: &'static str,
}

const FOREIGN: &[Foreign] = &[
    Foreign {
        country: "JP",
        zh: &[
            "田中", "小林", "森田", "青木", "高桥", "中岛", "石川", "松本",
        ],
        en: &[
            "Tanaka",
            "Kobayashi",
            "Morita",
            "Aoki",
            "Takahashi",
            "Nakajima",
            "Ishikawa",
            "Matsumoto",
        ],
        trades: &[
            ("精机", "Seiki", "34"),
            ("电工", "Denko", "38"),
            ("化学", "Kagaku", "26"),
            ("制药", "Pharma", "27"),
            ("电子", "Electronics", "39"),
        ],
        form_zh: "株式会社",
        form_en: "Co., Ltd.",
    },
    Foreign {
        country: "DE",
        zh: &[
            "诺德维克",
            "布兰特",
            "凯勒",
            "韦伯",
            "霍夫曼",
            "施密特",
            "克劳泽",
            "贝克",
        ],
        en: &[
            "Nordwerk", "Brandt", "Keller", "Weber", "Hoffmann", "Schmitt", "Krause", "Becker",
        ],
        trades: &[
            ("精密", "Präzision", "34"),
            ("驱动技术", "Antriebstechnik", "34"),
            ("医疗技术", "Medizintechnik", "35"),
            ("汽车系统", "Fahrzeugsysteme", "36"),
        ],
        form_zh: "有限公司",
        form_en: "GmbH",
    },
    Foreign {
        country: "KR",
        zh: &["金星", "大韩", "东明", "新亚", "韩达", "世元"],
        en: &[
            "Geumseong",
            "Daehan",
            "Dongmyeong",
            "Shinah",
            "Handa",
            "Sewon",
        ],
        trades: &[
            ("电子", "Electronics", "39"),
            ("化学", "Chemical", "26"),
            ("材料", "Materials", "30"),
        ],
        form_zh: "株式会社",
        form_en: "Co., Ltd.",
    },
    Foreign {
        country: "SG",
        zh: &["狮城", "南洋", "星海", "福源"],
        en: &["Lion City", "Nanyang", "Starsea", "Fuyuan"],
        trades: &[
            ("资本", "Capital", "67"),
            ("物流", "Logistics", "59"),
            ("地产", "Properties", "70"),
        ],
        form_zh: "私人有限公司",
        form_en: "Pte. Ltd.",
    },
    Foreign {
        country: "US",
        zh: &["蓝岭", "北湾", "银溪", "橡树"],
        en: &["Blue Ridge", "North Bay", "Silver Creek", "Oakfield"],
        trades: &[
            ("生命科学", "Life Sciences", "27"),
            ("半导体", "Semiconductor", "39"),
            ("软件", "Software", "65"),
        ],
        form_zh: "公司",
        form_en: "Inc.",
    },
    Foreign {
        country: "BE",
        zh: &["弗兰德", "安特卫", "默兹"],
        en: &["Flanders", "Antwerpia", "Meuse"],
        trades: &[("医学实验室", "Labs", "74"), ("材料", "Materials", "30")],
        form_zh: "有限公司",
        form_en: "NV",
    },
];

const ABROAD: &[(&str, &[&str])] = &[
    ("JP", &["东京", "大阪", "名古屋"]),
    ("KR", &["首尔", "釜山"]),
    ("SG", &["新加坡"]),
    ("DE", &["法兰克福", "慕尼黑", "杜塞尔多夫"]),
    ("BE", &["布鲁塞尔", "安特卫普"]),
    ("FR", &["巴黎", "里昂"]),
    ("GB", &["伦敦", "曼彻斯特"]),
    ("IT", &["米兰"]),
    ("CH", &["苏黎世"]),
    ("IL", &["特拉维夫"]),
    ("US", &["旧金山", "波士顿"]),
    ("HK", &["香港"]),
    ("KZ", &["阿斯塔纳", "阿拉木图"]),
    ("VN", &["胡志明市", "河内"]),
    ("ID", &["雅加达"]),
];
const HOME_CITIES: &[&str] = &[
    "北京", "上海", "深圳", "广州", "成都", "杭州", "武汉", "西安",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "马", "胡", "郭",
    "何", "林",
];
const GIVEN: &[&str] = &[
    "建国", "明", "伟", "芳", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "超", "秀英",
    "华", "平", "刚",
];
const TITLES: &[(&str, &str)] = &[
    ("市委书记", "principal"),
    ("市长", "principal"),
    ("区委书记", "principal"),
    ("区长", "principal"),
    ("副市长", "deputy"),
    ("副区长", "deputy"),
    ("投促局局长", "other"),
    ("商务局副局长", "other"),
    ("招商中心主任", "other"),
];

#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    pub companies: u64,
    pub visits: u64,
    pub projects: u64,
    pub trips: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub units: usize,
    pub companies: u64,
    pub visits: u64,
    pub projects: u64,
    pub stage_log: u64,
    pub trips: u64,
    pub legs: u64,
}

/// Callback for progress: (what, done, total).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

const CHUNK: u64 = 20_000;

/// Generates into `store` (which should hold no other synthetic data for the figures to be
/// reproducible). Units: Jiangsu to county level (loaded if missing) plus synthetic outposts
/// up to about 200 units.
pub async fn generate(
    store: &Store,
    seed: u64,
    sizes: Sizes,
    progress: Progress<'_>,
) -> Result<Report> {
    let system = Actor::system("generate", Channel::System);
    crate::units::load_province(store, &system, "江苏省", false).await?;
    let mut units: Vec<Unit> = store
        .units(&Scope::All)
        .await?
        .into_iter()
        .filter(|u| u.depth() <= 3)
        .collect();
    let mut r = Rng::new(seed, "units");
    let parents: Vec<Unit> = units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::City | UnitKind::Zone))
        .cloned()
        .collect();
    let mut n = 0;
    while units.len() < 200 && !parents.is_empty() {
        let parent = r.pick(&parents).clone();
        let (kind, country, city) = if r.chance(60) {
            let (c, cities) = r.pick(ABROAD);
            (
                UnitKind::LiaisonOffice,
                c.to_string(),
                r.pick(cities).to_string(),
            )
        } else {
            (
                UnitKind::RegionalCentre,
                "CN".to_string(),
                r.pick(HOME_CITIES).to_string(),
            )
        };
        n += 1;
        let name = format!(
            "{}驻{}{}（示例{n}）",
            parent.display_name(),
            city,
            if kind == UnitKind::LiaisonOffice {
                "投资促进联络处"
            } else {
                "招商中心"
            }
        );
        let u = store
            .create_unit(
                &system,
                &NewUnit {
                    parent_id: Some(parent.id),
                    name,
                    short_name: None,
                    kind,
                    code: None,
                    location: Location {
                        country: Some(country),
                        city: Some(city),
                        lon: None,
                        lat: None,
                    },
                    opened_on: Some(day(&mut r)),
                    synthetic: true,
                },
            )
            .await?;
        units.push(u);
    }
    // records belong mostly to districts, counties and zones
    let workers: Vec<(i64, String)> = units
        .iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::District
                    | UnitKind::County
                    | UnitKind::CountyCity
                    | UnitKind::Zone
                    | UnitKind::City
            )
        })
        .map(|u| (u.id.0, u.code.clone().unwrap_or_else(|| "320000".into())))
        .collect();
    if workers.is_empty() {
        return Err(AppError::invalid("units", "没有可用的单位"));
    }
    let mut report = Report {
        units: units.len(),
        ..Default::default()
    };
    let now = ts(NaiveDate::from_ymd_opt(END.0, END.1, END.2)
        .unwrap_or_default()
        .and_time(NaiveTime::MIN)
        .and_utc());

    // companies (and their name keys for search and duplicate checks)
    let first_company = store.next_id("companies").await?;
    let mut foreign_flags: Vec<(bool, String)> = Vec::with_capacity(sizes.companies as usize);
    let mut r = Rng::new(seed, "companies");
    let mut done = 0;
    while done < sizes.companies {
        let take = CHUNK.min(sizes.companies - done);
        let mut rows = Vec::with_capacity(take as usize);
        let mut keys = Vec::with_capacity(take as usize);
        for i in 0..take {
            let id = first_company + (done + i) as i64;
            let (unit, code) = r.pick(&workers).clone();
            let (name_zh, name_en, country, industry, credit) = if r.chance(25) {
                let f = r.pick(FOREIGN);
                let k = r.below(f.zh.len() as u64) as usize;
                let (tz, te, div) = *r.pick(f.trades);
                (
                    format!("{}{}{}（示例{}）", f.zh[k], tz, f.form_zh, id),
                    Some(format!("{} {} {} (sample {id})", f.en[k], te, f.form_en)),
                    f.country.to_string(),
                    div.to_string(),
                    None,
                )
            } else {
                let brand = loop {
                    let b = format!("{}{}", r.pick(BRAND), r.pick(BRAND));
                    if !REAL_BRANDS.contains(&b.as_str()) && b.chars().next() != b.chars().nth(1) {
                        break b;
                    }
                };
                let (trade, div) = *r.pick(CN_TRADES);
                let name = format!(
                    "{}{}{}{}",
                    r.pick(CN_CITIES),
                    brand,
                    trade,
                    r.pick(CN_SUFFIX)
                );
                // a valid credit code, unique by id: 91 + division + the id in base 31
                let alphabet: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
                let mut x = id as u64;
                let mut tail = String::new();
                for _ in 0..9 {
                    tail.insert(0, alphabet[(x % 31) as usize]);
                    x /= 31;
                }
                let credit =
                    CreditCode::complete(&format!("91{}{}", &code[..6.min(code.len())], tail))
                        .ok()
                        .map(|c| c.to_string());
                (name, None, "CN".to_string(), div.to_string(), credit)
            };
            let mut tags = vec![];
            if country != "CN" && r.chance(6) {
                tags.push("fortune500");
            }
            if r.chance(5) {
                tags.push("listed");
            }
            if country == "CN" && r.chance(4) {
                tags.push("specialized");
            }
            keys.push(vec![
                Val::from(id),
                Val::from(normalize_company_name(&name_zh)),
                Val::from("name_zh"),
            ]);
            foreign_flags.push((country != "CN", industry.clone()));
            rows.push(vec![
                Val::from(id),
                Val::from(name_zh),
                Val::from(name_en),
                Val::from(credit),
                Val::from(country),
                Val::from(industry),
                Val::from(format!(
                    "[{}]",
                    tags.iter()
                        .map(|t| format!("\"{t}\""))
                        .collect::<Vec<_>>()
                        .join(",")
                )),
                Val::from(unit),
                Val::from(true),
                Val::from(now.clone()),
                Val::from(now.clone()),
            ]);
        }
        store
            .bulk_insert(
                "companies",
                &[
                    "id",
                    "name_zh",
                    "name_en",
                    "credit_code",
                    "country",
                    "industry",
                    "tags",
                    "created_by_unit",
                    "synthetic",
                    "created_at",
                    "updated_at",
                ],
                rows,
            )
            .await?;
        store
            .bulk_insert("company_keys", &["company_id", "key", "kind"], keys)
            .await?;
        done += take;
        progress("companies", done, sizes.companies);
    }
    store.sync_id_sequence("companies").await?;
    report.companies = sizes.companies;
    if sizes.companies == 0 && (sizes.visits > 0 || sizes.projects > 0) {
        return Err(AppError::invalid(
            "companies",
            "生成拜访或项目须先生成企业（--companies 大于 0）",
        ));
    }
    let company = |r: &mut Rng| first_company + r.below(sizes.companies) as i64;

    // trips with legs
    let first_trip = store.next_id("trips").await?;
    let mut r = Rng::new(seed, "trips");
    let mut done = 0;
    while done < sizes.trips {
        let take = CHUNK.min(sizes.trips - done);
        let mut trips = Vec::with_capacity(take as usize);
        let mut legs = vec![];
        for i in 0..take {
            let id = first_trip + (done + i) as i64;
            let (unit, _) = r.pick(&workers).clone();
            let start = day(&mut r);
            let mut cursor = start;
            let abroad = r.chance(70);
            let n_legs = 1 + r.below(3);
            let mut places = vec![];
            for seq in 0..n_legs {
                let (country, city) = if abroad {
                    let (c, cities) = r.pick(ABROAD);
                    (c.to_string(), r.pick(cities).to_string())
                } else {
                    ("CN".to_string(), r.pick(HOME_CITIES).to_string())
                };
                let days = 1 + r.below(4) as i64;
                let to = cursor + Duration::days(days - 1);
                places.push(city.clone());
                legs.push(vec![
                    Val::from(id),
                    Val::from(seq as i64),
                    Val::from(country),
                    Val::from(city),
                    Val::from(date(cursor)),
                    Val::from(date(to)),
                ]);
                cursor = to + Duration::days(1);
            }
            let end = cursor - Duration::days(1);
            let (title, level) = *r.pick(TITLES);
            let leader = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
            trips.push(vec![
                Val::from(id),
                Val::from(format!("赴{}招商（示例{id}）", places.join("、"))),
                Val::from(unit),
                Val::from(leader),
                Val::from(title),
                Val::from(level),
                Val::from(2 + r.below(7) as i64),
                Val::from("returned"),
                Val::from(date(start)),
                Val::from(date(end)),
                Val::from(true),
                Val::from(now.clone()),
                Val::from(now.clone()),
            ]);
        }
        report.legs += legs.len() as u64;
        store
            .bulk_insert(
                "trips",
                &[
                    "id",
                    "name",
                    "unit_id",
                    "leader_name",
                    "leader_title",
                    "leader_level",
                    "member_count",
                    "status",
                    "start_on",
                    "end_on",
                    "synthetic",
                    "created_at",
                    "updated_at",
                ],
                trips,
            )
            .await?;
        store
            .bulk_insert(
                "trip_legs",
                &["trip_id", "seq", "country", "city", "from_on", "to_on"],
                legs,
            )
            .await?;
        done += take;
        progress("trips", done, sizes.trips);
    }
    store.sync_id_sequence("trips").await?;
    store.sync_id_sequence("trip_legs").await?;
    report.trips = sizes.trips;

    // visits
    let first_visit = store.next_id("visits").await?;
    let mut r = Rng::new(seed, "visits");
    let mut done = 0;
    while done < sizes.visits {
        let take = CHUNK.min(sizes.visits - done);
        let mut rows = Vec::with_capacity(take as usize);
        for i in 0..take {
            let id = first_visit + (done + i) as i64;
            let (unit, _) = r.pick(&workers).clone();
            let c = company(&mut r);
            let inbound = r.chance(15);
            let level = if r.chance(10) {
                "principal"
            } else if r.chance(25) {
                "deputy"
            } else {
                "other"
            };
            rows.push(vec![
                Val::from(id),
                Val::from(unit),
                Val::from(date(day(&mut r))),
                Val::from(if inbound { "inbound" } else { "outbound" }),
                Val::from(c),
                Val::from(level),
                Val::from(true),
                Val::from(now.clone()),
            ]);
        }
        store
            .bulk_insert(
                "visits",
                &[
                    "id",
                    "unit_id",
                    "date_on",
                    "direction",
                    "company_id",
                    "leader_level",
                    "synthetic",
                    "created_at",
                ],
                rows,
            )
            .await?;
        done += take;
        progress("visits", done, sizes.visits);
    }
    store.sync_id_sequence("visits").await?;
    report.visits = sizes.visits;

    // projects and their stage logs
    let first_project = store.next_id("projects").await?;
    let usd = Decimal::new(70846, 4);
    let mut r = Rng::new(seed, "projects");
    let mut done = 0;
    // cumulative stage distribution in ‰: lead 30%, qualified 15%, negotiating 15%, review 5%,
    // signed 15%, registered 5%, started 8%, building 4%, production 2.5%, capacity 0.5%
    const STAGE_CUM: [u64; 10] = [300, 450, 600, 650, 800, 850, 930, 970, 995, 1000];
    while done < sizes.projects {
        let take = CHUNK.min(sizes.projects - done);
        let mut rows = Vec::with_capacity(take as usize);
        let mut log = vec![];
        for i in 0..take {
            let id = first_project + (done + i) as i64;
            let (unit, _) = r.pick(&workers).clone();
            let c = company(&mut r);
            let (foreign, industry) = foreign_flags[(c - first_company) as usize].clone();
            let roll = r.below(1000);
            let stage = STAGE_CUM.iter().position(|c| roll < *c).unwrap_or(0) as i64;
            // total investment between 0.1亿 and 200亿元 in whole 万元, spread over three
            // orders of magnitude (small projects are as common as large ones per band)
            let (lo, hi) = *r.pick(&[
                (1_000u64, 10_000u64),
                (10_000, 100_000),
                (100_000, 2_000_000),
            ]);
            let wan = (lo + r.below(hi - lo)) as i64;
            let cny = Decimal::from(wan) * Decimal::from(10_000);
            let (amount, currency, rate, rate_date) = if foreign {
                (
                    (cny / usd).round_dp(0),
                    "USD",
                    Some(usd.to_string()),
                    Some("2023-12-31"),
                )
            } else {
                (cny, "CNY", None, None)
            };
            let cny_exact = if foreign {
                (amount * usd).round_dp(2)
            } else {
                cny
            };
            let fen = zhaoshang_domain::money::to_fen(cny_exact)
                .map_err(|e| AppError::invalid("amount", e.to_string()))?;
            let created = day(&mut r);
            let mut at = created;
            let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap_or_default();
            let mut reached = vec![(None, 0i64, created)];
            let mut prev = 0;
            for s in 1..=stage {
                if s != stage && r.chance(20) {
                    continue; // stages are sometimes skipped
                }
                at = (at + Duration::days(5 + r.below(60) as i64)).min(end);
                reached.push((Some(prev), s, at));
                prev = s;
            }
            let signed_on = reached
                .iter()
                .find(|(_, s, _)| *s >= 4)
                .map(|(_, _, d)| date(*d));
            let started_on = reached
                .iter()
                .find(|(_, s, _)| *s >= 6)
                .map(|(_, _, d)| date(*d));
            for (from, to, d) in &reached {
                let verified = matches!(to, 4 | 6 | 8);
                log.push(vec![
                    Val::from(id),
                    Val::from(unit),
                    Val::from(*from),
                    Val::from(*to),
                    Val::from(ts(d
                        .and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default())
                        .and_utc())),
                    Val::from(if verified { "verified" } else { "not_required" }),
                ]);
            }
            let status = match r.below(100) {
                0..=89 => "ongoing",
                90..=94 => "delayed",
                95..=97 => "dormant",
                98 => "abandoned",
                _ => "lost",
            };
            let t0 = ts(created.and_time(NaiveTime::MIN).and_utc());
            rows.push(vec![
                Val::from(id),
                Val::from(format!("XM-S-{id:07}")),
                Val::from(format!("示例项目{id}")),
                Val::from(c),
                Val::from(unit),
                Val::from("示例项目，由生成器创建"),
                Val::from(industry),
                Val::from(amount.to_string()),
                Val::from(currency),
                Val::from(rate),
                Val::from(rate_date),
                Val::from(fen),
                Val::from("declared"),
                Val::from(foreign),
                Val::from(stage),
                Val::from(status),
                Val::from(signed_on.clone().map(|_| "formal")),
                Val::from(signed_on),
                Val::from(started_on),
                Val::from(true),
                Val::from(t0.clone()),
                Val::from(t0),
            ]);
        }
        report.stage_log += log.len() as u64;
        store
            .bulk_insert(
                "projects",
                &[
                    "id",
                    "code",
                    "name",
                    "company_id",
                    "unit_id",
                    "description",
                    "industry",
                    "investment_amount",
                    "investment_currency",
                    "investment_rate",
                    "investment_rate_date",
                    "investment_cny_fen",
                    "investment_provenance",
                    "is_foreign",
                    "stage",
                    "status",
                    "agreement_type",
                    "signed_on",
                    "started_on",
                    "synthetic",
                    "created_at",
                    "updated_at",
                ],
                rows,
            )
            .await?;
        store
            .bulk_insert(
                "stage_log",
                &[
                    "project_id",
                    "unit_id",
                    "from_stage",
                    "to_stage",
                    "at",
                    "verification",
                ],
                log,
            )
            .await?;
        done += take;
        progress("projects", done, sizes.projects);
    }
    store.sync_id_sequence("projects").await?;
    store.sync_id_sequence("stage_log").await?;
    report.projects = sizes.projects;
    store.analyze().await?;

    zhaoshang_store::audit::record::<(), _>(
        &mut *store.pool().acquire().await.map_err(zhaoshang_store::StoreError::from)?,
        &system,
        "generate",
        None,
        None,
        "insert",
        None,
        Some(&serde_json::json!({"seed": seed, "companies": report.companies, "visits": report.visits, "projects": report.projects, "trips": report.trips})),
    )
    .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rng_is_the_same_everywhere() {
        let mut a = Rng::new(7, "x");
        let mut b = Rng::new(7, "x");
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(7, "y").next_u64(), xs[0]);
        assert_ne!(Rng::new(8, "x").next_u64(), xs[0]);
    }
}
