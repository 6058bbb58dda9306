//! Drawing panels in memory: 9, 17 and 31 seats from pools of 10k, 100k and 1M jurors.
//! Run with `cargo bench --bench matching`; the numbers go into the README.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use xiaofating::domain::dispute::Category;
use xiaofating::domain::matching::{Candidate, CaseProfile, Categories, JurorPool, MatchPolicy, TradingSide};

fn pool(size: usize) -> JurorPool {
    let mut rng = rand::rngs::StdRng::seed_from_u64(size as u64);
    let sides = [TradingSide::MostlyBuy, TradingSide::MostlySell, TradingSide::Both];
    JurorPool::new(
        (0..size)
            .map(|i| Candidate {
                juror_id: i as i32,
                expertise: Categories(rng.random::<u16>() & 0x7ff),
                interests: vec![],
                side: sides[rng.random_range(0..3)],
                accuracy_lower: [rng.random_range(0.4..0.95); 11],
                judged: [rng.random_range(0.0..30.0); 11],
                reliability: rng.random_range(0.5..1.0),
                leaning: rng.random_range(-0.3..0.3),
                one_sided: None,
            })
            .collect(),
    )
}

fn draws(c: &mut Criterion) {
    let case = CaseProfile { category: Category::Phones, tags: vec![] };
    let policy = MatchPolicy::default();
    let mut group = c.benchmark_group("draw_panel");
    for size in [10_000usize, 100_000, 1_000_000] {
        let pool = pool(size);
        let weights = pool.weights(&case, &policy);
        let excluded = [1, 2, 3];
        for seats in [9usize, 17, 31] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(7);
            group.bench_with_input(BenchmarkId::new(format!("{seats}_seats"), size), &seats, |b, &seats| {
                b.iter(|| black_box(pool.draw(&weights, &excluded, &[], seats, &policy, &mut rng)))
            });
        }
    }
    group.finish();
    let mut group = c.benchmark_group("weights_for_a_case");
    let big = pool(1_000_000);
    group.bench_function("1000000", |b| b.iter(|| black_box(big.weights(&case, &policy))));
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    group.bench_function("sample_of_4096_from_1000000", |b| {
        b.iter(|| black_box(big.sampled_weights(&case, &policy, 4096, &mut rng)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = draws
}
criterion_main!(benches);
