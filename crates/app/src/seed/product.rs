//! The demo product: a checkout product with feedback from customers of
//! several segments, a scored backlog on a roadmap, two releases, OKRs
//! with a few weeks of history, competitors and KPIs. Written through the
//! same operations as the API, so the demo obeys every rule users do.

use std::collections::BTreeMap;

use tandem_core::model::Day;
use tandem_core::product::{CapabilityLevel, DatedValue, FeatureStatus, FeedbackSource, Importance, Lane, MetricKind};
use tandem_core::scoring::{Framework, Ice, Kano, Moscow, Rice, ValueEffort, Wsjf};
use tandem_core::{Id, Role};
use tandem_store::product::ProductScope;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use crate::ops::product::{
    self as ops, CreateCompetitor, CreateFeature, CreateFeedback, CreateKeyResult, CreateMetric,
};
use crate::ops::product::{CreateObjective, CreateProduct, CreateRelease, UpdateFeature, UpdateKeyResult};

/// The demo product's key.
pub const DEMO_PRODUCT_KEY: &str = "CHK";

struct F {
    title: &'static str,
    rice: (f64, f64, f64, f64),
    ice: Option<(f64, f64, f64)>,
    wsjf: Option<(f64, f64, f64, f64)>,
    ve: (f64, f64),
    moscow: Option<Moscow>,
    kano: Option<Kano>,
    lane: Option<Lane>,
    /// 0 none, 1 first release, 2 second.
    release: u8,
}

const fn f(
    title: &'static str,
    rice: (f64, f64, f64, f64),
    ve: (f64, f64),
    moscow: Option<Moscow>,
    lane: Option<Lane>,
    release: u8,
) -> F {
    F { title, rice, ice: None, wsjf: None, ve, moscow, kano: None, lane, release }
}

use Lane::{Later, Next, Now};
use Moscow::{Could, Must, Should, Wont};

const FEATURES: [F; 22] = [
    F {
        ice: Some((9.0, 8.0, 6.0)),
        wsjf: Some((20.0, 13.0, 8.0, 8.0)),
        kano: Some(Kano::Performance),
        ..f("One-page checkout", (4000.0, 3.0, 80.0, 3.0), (9.0, 6.0), Some(Must), Some(Now), 1)
    },
    F {
        ice: Some((8.0, 9.0, 7.0)),
        wsjf: Some((13.0, 8.0, 5.0, 5.0)),
        kano: Some(Kano::Basic),
        ..f("Saved carts across devices", (2500.0, 2.0, 80.0, 2.0), (8.0, 4.0), Some(Must), Some(Now), 1)
    },
    F {
        ice: Some((7.0, 8.0, 8.0)),
        wsjf: Some((8.0, 8.0, 3.0, 3.0)),
        ..f("Apple Pay and Google Pay", (3000.0, 2.0, 90.0, 1.5), (8.0, 3.0), Some(Must), Some(Now), 1)
    },
    F {
        wsjf: Some((8.0, 5.0, 8.0, 5.0)),
        ..f("Address autocomplete", (3500.0, 1.0, 80.0, 1.0), (6.0, 2.0), Some(Should), Some(Now), 1)
    },
    f("Guest checkout without account", (1800.0, 2.0, 70.0, 1.0), (7.0, 3.0), Some(Should), Some(Now), 1),
    f("Fraud screening on card payments", (4000.0, 1.0, 60.0, 2.0), (7.0, 6.0), Some(Must), Some(Next), 1),
    f("Order status page", (2200.0, 1.0, 80.0, 1.0), (6.0, 3.0), Some(Should), Some(Next), 2),
    F {
        kano: Some(Kano::Delighter),
        ..f("Loyalty points at checkout", (1500.0, 2.0, 50.0, 4.0), (7.0, 8.0), Some(Should), Some(Next), 2)
    },
    f("Gift cards", (800.0, 1.0, 80.0, 2.0), (5.0, 5.0), Some(Could), Some(Next), 2),
    f("Split payment between two cards", (300.0, 1.0, 50.0, 2.0), (3.0, 6.0), Some(Could), Some(Later), 0),
    f("Buy now, pay later", (1200.0, 2.0, 50.0, 3.0), (7.0, 7.0), Some(Should), Some(Next), 2),
    f("Multi-currency pricing", (900.0, 2.0, 70.0, 5.0), (6.0, 9.0), Some(Could), Some(Later), 0),
    f("Invoice payment for business buyers", (400.0, 3.0, 80.0, 2.0), (8.0, 5.0), Some(Should), Some(Later), 0),
    f("Abandoned-cart e-mails", (2000.0, 1.0, 80.0, 1.0), (7.0, 2.0), Some(Could), Some(Next), 2),
    f("Checkout accessibility audit fixes", (600.0, 1.0, 100.0, 1.0), (6.0, 3.0), Some(Must), Some(Now), 1),
    f("Coupon codes", (1000.0, 0.5, 80.0, 1.0), (4.0, 2.0), Some(Could), Some(Later), 0),
    f("Delivery slot booking", (700.0, 1.0, 50.0, 3.0), (5.0, 7.0), Some(Could), Some(Later), 0),
    f("Dark mode", (2500.0, 0.25, 50.0, 1.0), (2.0, 3.0), Some(Wont), None, 0),
    f("Reorder in one click", (1300.0, 1.0, 80.0, 1.0), (6.0, 2.0), Some(Should), Some(Later), 0),
    f("Checkout analytics dashboard", (50.0, 2.0, 80.0, 2.0), (5.0, 5.0), None, None, 0),
    f("Crypto payments", (100.0, 0.25, 20.0, 4.0), (1.0, 8.0), Some(Wont), None, 0),
    // Unscored on purpose: a fresh idea waiting for estimates.
    f("Voice ordering", (0.0, 0.0, 0.0, 0.0), (0.0, 0.0), None, None, 0),
];

/// (text, source, customer, segment, value in minor units, feature index, importance)
type Fb = (&'static str, &'static str, Option<&'static str>, Option<&'static str>, Option<i64>, Option<usize>, u8);

const FEEDBACK: [Fb; 14] = [
    (
        "Our shoppers drop off on the third checkout step.",
        "customer",
        Some("Bluebird Retail"),
        Some("Mid-market"),
        Some(4_800_000),
        Some(0),
        3,
    ),
    (
        "Carts vanish when customers switch from phone to laptop.",
        "support",
        Some("Acme Corp"),
        Some("Enterprise"),
        Some(12_000_000),
        Some(1),
        3,
    ),
    (
        "Half our buyers are on iPhone and ask for Apple Pay.",
        "sales",
        Some("Corner Café"),
        Some("SMB"),
        Some(360_000),
        Some(2),
        2,
    ),
    ("Typing addresses on mobile is painful.", "survey", None, Some("Consumer"), None, Some(3), 2),
    (
        "We lose first-time buyers who will not create an account.",
        "interview",
        Some("Nordic Outdoor"),
        Some("Mid-market"),
        Some(2_400_000),
        Some(4),
        3,
    ),
    (
        "Chargebacks doubled last quarter.",
        "customer",
        Some("Acme Corp"),
        Some("Enterprise"),
        Some(12_000_000),
        Some(5),
        3,
    ),
    (
        "Customers call us to ask where their order is.",
        "support",
        Some("Bluebird Retail"),
        Some("Mid-market"),
        Some(4_800_000),
        Some(6),
        2,
    ),
    ("Can we reward repeat buyers at checkout?", "sales", Some("Fresh Fields"), Some("SMB"), Some(900_000), Some(7), 1),
    (
        "Business buyers need to pay by invoice.",
        "customer",
        Some("Globex"),
        Some("Enterprise"),
        Some(20_000_000),
        Some(12),
        3,
    ),
    (
        "The checkout fails our accessibility review.",
        "customer",
        Some("City of Springfield"),
        Some("Public sector"),
        Some(6_000_000),
        Some(14),
        3,
    ),
    ("Reminders for abandoned carts would pay for themselves.", "analytics", None, None, None, Some(13), 2),
    ("Please add dark mode.", "survey", None, Some("Consumer"), None, Some(17), 1),
    (
        "We sell in euros and pounds; prices should follow.",
        "customer",
        Some("Nordic Outdoor"),
        Some("Mid-market"),
        Some(2_400_000),
        Some(11),
        2,
    ),
    ("Could checkout remember my last order?", "internal", None, None, None, None, 0),
];

fn days_ago(today: Day, n: i64) -> Day {
    Day(today.0.checked_sub(jiff::Span::new().days(n)).unwrap_or(today.0))
}

fn days_ahead(today: Day, n: i64) -> Day {
    Day(today.0.checked_add(jiff::Span::new().days(n)).unwrap_or(today.0))
}

/// Seeds the demo product in `ws`, owned by `pdm`.
pub async fn demo_product(state: &App, ws: Id, pdm: Id) -> Result<(), AppError> {
    let product = ops::create_product(
        state,
        pdm,
        ws,
        CreateProduct {
            name: "Acme Checkout".into(),
            key: DEMO_PRODUCT_KEY.into(),
            vision: Some("Every shopper pays in **under a minute**, on any device, with the method they trust.".into()),
            strategy: Some(
                "1. Remove steps before adding features.\n2. Win mid-market retailers on conversion.\n\
                 3. Meet enterprise payment needs (invoice, fraud) by 2027."
                    .into(),
            ),
            owner_id: Some(pdm),
            default_framework: Some(Framework::Rice),
        },
    )
    .await?;
    let a = InProduct {
        user_id: pdm,
        role: Role::ProductManager,
        scope: ProductScope { workspace_id: ws, product_id: product.id, owner_id: pdm },
        matrix: tandem_core::decision::Matrix::default(),
    };
    let today = Day::of(state.clock.now());
    let mut releases = Vec::new();
    for (name, days, notes) in [
        ("2027.1 Faster checkout", 95, "One-page checkout, wallets and saved carts."),
        ("2027.2 Loyalty", 185, "Rewards, order tracking and flexible payment."),
    ] {
        let r = ops::create_release(
            state,
            &a,
            CreateRelease {
                name: name.into(),
                target_date: Some(days_ahead(today, days)),
                status: None,
                notes: Some(notes.into()),
            },
        )
        .await?;
        releases.push(r.id);
    }
    let mut features = Vec::new();
    for (i, spec) in FEATURES.iter().enumerate() {
        let (reach, impact, confidence, effort) = spec.rice;
        let scored = effort > 0.0;
        let feature = ops::create_feature(
            state,
            &a,
            CreateFeature {
                custom_fields: super::values(&[("customer_tier", ["Enterprise", "Mid-market", "SMB"][i % 3])]),
                title: spec.title.into(),
                description: Some(format!(
                    "## Problem\n\nShoppers and merchants asked for **{}**.\n\n## Acceptance criteria\n\n\
                     - [ ] Works on mobile and desktop\n- [ ] Measured by the checkout funnel",
                    spec.title.to_lowercase()
                )),
                lane: spec.lane,
                release_id: match spec.release {
                    1 => releases.first().copied(),
                    2 => releases.get(1).copied(),
                    _ => None,
                },
                rice: scored.then_some(Rice {
                    reach: Some(reach),
                    impact: Some(impact),
                    confidence: Some(confidence),
                    effort: Some(effort),
                }),
                ice: spec.ice.map(|(i, c, e)| Ice { impact: Some(i), confidence: Some(c), ease: Some(e) }),
                wsjf: spec.wsjf.map(|(b, t, r, j)| Wsjf {
                    business_value: Some(b),
                    time_criticality: Some(t),
                    risk_reduction: Some(r),
                    job_size: Some(j),
                }),
                value_effort: scored.then_some(ValueEffort { value: Some(spec.ve.0), effort: Some(spec.ve.1) }),
                moscow: spec.moscow,
                kano: spec.kano,
                adoption_event: scored.then(|| format!("checkout.{}", spec.title.to_lowercase().replace(' ', "_"))),
            },
        )
        .await?;
        features.push(feature);
    }
    // Release 1 is planned work; one feature has shipped, one is in
    // discovery and one was rejected, so the workflow shows every state.
    for (spec, f) in FEATURES.iter().zip(&features) {
        if spec.release == 1 && f.title != FEATURES[14].title {
            let req = UpdateFeature { status: Some(FeatureStatus::Planned), ..UpdateFeature::default() };
            ops::update_feature(state, &a, f.id, f.version, req).await?;
        }
    }
    let moves = [
        (14, FeatureStatus::Shipped, None),
        (7, FeatureStatus::Discovery, None),
        (20, FeatureStatus::Rejected, Some("Regulatory risk outweighs the demand.")),
    ];
    for (i, status, reason) in moves {
        if let Some(f) = features.get(i) {
            let req = UpdateFeature {
                status: Some(status),
                rejection_reason: reason.map(str::to_owned),
                ..UpdateFeature::default()
            };
            let current = state.store.feature(f.id).await?;
            ops::update_feature(state, &a, f.id, current.version, req).await?;
        }
    }
    for (text, source, customer, segment, value, feature, importance) in FEEDBACK {
        let fb = ops::create_feedback(
            state,
            &a,
            CreateFeedback {
                custom_fields: super::values(&[(
                    "channel",
                    if customer.is_some() { "Sales call" } else { "Support ticket" },
                )]),
                text: text.into(),
                source: FeedbackSource::parse(source),
                customer: customer.map(str::to_owned),
                segment: segment.map(str::to_owned),
                customer_value_minor: value,
            },
        )
        .await?;
        if let Some(f) = feature.and_then(|i| features.get(i)) {
            let importance = Importance::try_from(importance)?;
            state.store.link_feedback(pdm, fb.id, f.id, importance, state.clock.now()).await?;
        }
    }
    okrs(state, &a, today, &features).await?;
    market(state, &a, today).await?;
    // The shipped feature went out three weeks ago; its adoption shows.
    let shipped = match features.get(14) {
        Some(f) => {
            let f = state.store.feature(f.id).await?;
            let req = UpdateFeature { shipped_on: Some(Some(days_ago(today, 20))), ..UpdateFeature::default() };
            ops::update_feature(state, &a, f.id, f.version, req).await?
        }
        None => return Ok(()),
    };
    let adoption = shipped.adoption_event.as_deref().zip(shipped.shipped_on);
    super::analytics::demo_events(state, &a, adoption).await?;
    Ok(())
}

/// (metric, unit, baseline, target, the last four weekly values, bets)
type DemoKr = (&'static str, &'static str, f64, f64, [f64; 4], Vec<Id>);

async fn okrs(
    state: &App,
    a: &InProduct,
    today: Day,
    features: &[tandem_core::product::Feature],
) -> Result<(), AppError> {
    let period = format!("{}-Q{}", today.0.year(), (today.0.month() - 1) / 3 + 1);
    let bet = |i: usize| features.get(i).map(|f| f.id).into_iter().collect::<Vec<_>>();
    let plan: [(&str, [DemoKr; 2]); 2] = [
        (
            "Make checkout effortless",
            [
                ("Checkout conversion", "%", 52.0, 65.0, [53.0, 55.5, 57.0, 58.5], bet(0)),
                ("Median checkout time", "s", 140.0, 60.0, [135.0, 120.0, 104.0, 96.0], bet(3)),
            ],
        ),
        (
            "Win mid-market retailers",
            [
                ("Mid-market merchants live", "merchants", 40.0, 70.0, [42.0, 47.0, 49.0, 55.0], bet(4)),
                ("Support tickets per 1,000 orders", "tickets", 12.0, 6.0, [12.0, 11.0, 10.5, 9.0], bet(6)),
            ],
        ),
    ];
    for (title, krs) in plan {
        let o = ops::create_objective(
            state,
            a,
            CreateObjective { title: title.into(), period: period.clone(), owner_id: Some(a.user_id) },
        )
        .await?;
        for (metric, unit, baseline, target, history, feature_ids) in krs {
            let mut k = ops::create_key_result(
                state,
                a,
                o.id,
                CreateKeyResult {
                    metric: metric.into(),
                    unit: Some(unit.into()),
                    baseline,
                    target,
                    current: Some(baseline),
                    direction: None,
                    feature_ids,
                    metric_id: None,
                },
            )
            .await?;
            for (weeks_ago, value) in (0..4i64).rev().zip(history) {
                let req = UpdateKeyResult {
                    current: Some(value),
                    as_of: Some(days_ago(today, weeks_ago * 7)),
                    ..UpdateKeyResult::default()
                };
                k = ops::update_key_result(state, a, k.id, k.version, req).await?;
            }
        }
    }
    Ok(())
}

async fn market(state: &App, a: &InProduct, today: Day) -> Result<(), AppError> {
    use CapabilityLevel::{Has, None as No, Partial};
    let caps = ["One-page checkout", "Wallet payments", "Saved carts", "Invoice payment", "Loyalty", "Fraud screening"];
    for (name, notes, levels) in [
        ("ShopFast", "Market leader in SMB; weak on enterprise.", [Has, Has, Partial, No, Has, Partial]),
        ("PayFlow", "Payments-first; checkout is an add-on.", [Partial, Has, No, Has, No, Has]),
        ("CartCraft", "Open source; popular with developers.", [No, Partial, Has, No, Partial, No]),
    ] {
        let capabilities: BTreeMap<String, CapabilityLevel> =
            caps.iter().zip(levels).map(|(c, l)| ((*c).to_owned(), l)).collect();
        ops::create_competitor(
            state,
            a,
            CreateCompetitor { name: name.into(), notes: Some(notes.into()), capabilities },
        )
        .await?;
    }
    let weeks = 12i64;
    for (name, kind, unit, start, step) in [
        ("Daily active users", MetricKind::Dau, "users", 4200.0, 130.0),
        ("Monthly active users", MetricKind::Mau, "users", 38000.0, 900.0),
        ("Checkout conversion", MetricKind::Conversion, "%", 52.0, 0.55),
        ("Net promoter score", MetricKind::Nps, "", 21.0, 0.8),
    ] {
        let points = (0..weeks)
            .map(|w| {
                let wobble = if w % 3 == 1 { -0.6 } else { 0.3 };
                let value = start + step * (w as f64 + wobble);
                DatedValue { date: days_ago(today, (weeks - 1 - w) * 7), value: (value * 10.0).round() / 10.0 }
            })
            .collect();
        ops::create_metric(
            state,
            a,
            CreateMetric { name: name.into(), kind: Some(kind), unit: Some(unit.into()), points, source: None },
        )
        .await?;
    }
    Ok(())
}
