//! The full database-backed draw on SQLite with 100,000 jurors: bring the pool up to date (the
//! jurors changed since the last draw), read this week's summonses (capacity) and the conflicts,
//! weigh, draw and balance a panel of 17. Also the first draw of a process, which reads the whole
//! pool. Run with `cargo bench --bench draw_from_database`; the numbers go into the README.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use diesel::RunQueryDsl;
use rand::SeedableRng;
use std::hint::black_box;
use xiaofating::db::{self, models::case, DatabaseUrl};
use xiaofating::services::jury::draw::draw;
use xiaofating::services::jury::Jury;

const JURORS: usize = 100_000;

/// Fills the pool with SQL (inserting 100k rows one by one through diesel would take minutes):
/// jurors with random expertise, sides, records; half with a record in the case's category;
/// 5,000 holding a summons this week; one case between two of them.
fn fill(conn: &mut db::DbConnection) {
    let statements = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {JURORS}) \
             INSERT INTO users (public_id, email, display_name, password_hash, locale, time_zone, role, \
             email_verified_at, created_at, updated_at, reminders_enabled) \
             SELECT 'p' || i, 'j' || i || '@bench.test', 'juror ' || i, 'x', 'zh-CN', 'Asia/Shanghai', 'member', \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1 FROM n"
        ),
        "INSERT INTO jurors SELECT id, 'active', abs(random()) % 2048, CASE id % 5 WHEN 0 THEN 'iphone 相机' ELSE '' END, \
         CASE id % 3 WHEN 0 THEN 'buy' WHEN 1 THEN 'sell' ELSE 'both' END, 1 + id % 5, 1, NULL, '2026-01-02 00:00:00', NULL, \
         0, abs(random()) % 40, abs(random()) % 4, 20, 10 + abs(random()) % 10, 20, 10 + abs(random()) % 10, \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM users"
            .to_string(),
        "INSERT INTO juror_category_tallies SELECT user_id, 'phones', 6, 3 + abs(random()) % 4, 6, 3 + abs(random()) % 4 \
         FROM jurors WHERE user_id % 2 = 0"
            .to_string(),
        "INSERT INTO cases (public_id, submission_key, claimant_id, claimant_side, respondent_id, respondent_email, \
         order_ref, item_title, category, price_fen, disputed_fen, currency, claim_statement, remedy, state, \
         evidence_hours, created_at, updated_at) VALUES ('benchcase', 'benchkey', 1, 'buyer', 2, 'j2@bench.test', \
         'XY-1', 'iPhone 13 相机坏了', 'phones', 100000, 100000, 'CNY', 'statement', 'full_refund', 'jury_selection', 72, \
         '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            .to_string(),
        "INSERT INTO summons (case_id, juror_id, round, status, summoned_at, respond_by) \
         SELECT 1, user_id, 1, 'accepted', '2026-11-20 00:00:00', '2026-11-21 00:00:00' FROM jurors WHERE user_id % 20 = 3"
            .to_string(),
    ];
    for sql in statements {
        diesel::sql_query(sql).execute(conn).expect("bench data");
    }
}

fn draws(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let pool = db::connect(&DatabaseUrl::Sqlite(dir.path().join("bench.db")), 2).unwrap();
    let conn = &mut *pool.get().unwrap();
    fill(conn);
    // The bench case's own summonses hold seats; draw for a fresh case between the same parties.
    let case = case::find_by_public_id(conn, "benchcase").unwrap().unwrap();
    let fresh = case::CaseRow { id: xiaofating::domain::ids::CaseId(0), ..case };
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut group = c.benchmark_group("draw_from_database");
    group.bench_function("first_draw_17_of_100000_sqlite", |b| {
        b.iter(|| black_box(draw(conn, &fresh, 17, &Jury::default(), now, &mut rng).unwrap().unwrap()))
    });
    // Between two draws of a busy court some jurors change (votes, answers): 200 here.
    let jury = Jury::default();
    let (mut round, writer) = (0, &mut *pool.get().unwrap());
    group.bench_function("17_of_100000_sqlite_200_changed", |b| {
        b.iter_batched(
            || {
                round += 1;
                // One round a minute: each draw sees its own changes and the overlap's.
                let at = now + chrono::TimeDelta::minutes(round);
                let touched = format!(
                    "UPDATE jurors SET summons_answered = summons_answered + 1, updated_at = '{}' \
                     WHERE user_id % 500 = {}",
                    at.format("%Y-%m-%d %H:%M:%S"),
                    round % 500
                );
                diesel::sql_query(touched).execute(writer).unwrap();
            },
            |_| black_box(draw(conn, &fresh, 17, &jury, now, &mut rng).unwrap().unwrap()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = draws
}
criterion_main!(benches);
