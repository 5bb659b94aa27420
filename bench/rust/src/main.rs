//! Rust baselines for racelings' C++20 primitives.
//!
//! Every workload is run `RACELINGS_BENCH_REPS` times (default 5) and the
//! MEDIAN is reported, one stdout line per figure:
//!
//!     metric: <name> value=<number><unit>
//!
//! `RACELINGS_BENCH_SCALE` (default 1.0) multiplies every problem size
//! (fib's n is lowered so that its work shrinks by about the same factor).
//! Arguments, if any, are substrings: only workloads whose name contains one
//! of them are run. Everything that is not a metric line goes to stderr.

use std::hint::black_box;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rayon::prelude::*;

struct Config {
    scale: f64,
    reps: usize,
    filters: Vec<String>,
}

impl Config {
    fn from_env() -> Config {
        let scale = match std::env::var("RACELINGS_BENCH_SCALE") {
            Ok(s) => match s.trim().parse::<f64>() {
                Ok(v) if v > 0.0 && v.is_finite() => v,
                _ => die(&format!("RACELINGS_BENCH_SCALE must be a positive number, got {s:?}")),
            },
            Err(_) => 1.0,
        };
        let reps = match std::env::var("RACELINGS_BENCH_REPS") {
            Ok(s) => match s.trim().parse::<usize>() {
                Ok(v) if v >= 1 => v,
                _ => die(&format!("RACELINGS_BENCH_REPS must be an integer >= 1, got {s:?}")),
            },
            Err(_) => 5,
        };
        let filters = std::env::args().skip(1).collect();
        Config { scale, reps, filters }
    }

    /// `base` scaled, never below `min`.
    fn n(&self, base: u64, min: u64) -> u64 {
        ((base as f64 * self.scale).round() as u64).max(min)
    }

    fn wants(&self, names: &[&str]) -> bool {
        self.filters.is_empty()
            || names.iter().any(|n| self.filters.iter().any(|f| n.contains(f.as_str())))
    }
}

fn die(msg: &str) -> ! {
    eprintln!("racelings-bench-rust: {msg}");
    std::process::exit(2);
}

/// Runs `f` `reps` times (after one untimed warm-up) and returns the median
/// of the durations it reports.
fn median_of<F: FnMut() -> Duration>(reps: usize, mut f: F) -> Duration {
    let _ = f(); // warm-up: page faults, thread-pool start, caches
    let mut v: Vec<Duration> = (0..reps).map(|_| f()).collect();
    v.sort();
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2
    }
}

fn per_op_ns(d: Duration, ops: u64) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(name: &str, value: f64, unit: &str) {
    println!("metric: {name} value={value:.3}{unit}");
}

// ---------------------------------------------------------------- mutex

fn mutex_uncontended(n: u64) -> Duration {
    let m = Mutex::new(0u64);
    let start = Instant::now();
    for _ in 0..n {
        *black_box(&m).lock().unwrap() += 1;
    }
    let d = start.elapsed();
    assert_eq!(*m.lock().unwrap(), n);
    d
}

fn mutex_contended(threads: u64, n_total: u64) -> Duration {
    let per = n_total / threads;
    let m = Arc::new(Mutex::new(0u64));
    let barrier = Arc::new(Barrier::new(threads as usize + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let m = Arc::clone(&m);
            let b = Arc::clone(&barrier);
            thread::spawn(move || {
                b.wait();
                for _ in 0..per {
                    *m.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    let d = start.elapsed();
    assert_eq!(*m.lock().unwrap(), per * threads);
    d
}

// ---------------------------------------------------------------- channels

fn std_spsc(n: u64) -> Duration {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<u64>();
    let producer = thread::spawn(move || {
        for i in 0..n {
            tx.send(i).unwrap();
        }
    });
    let mut sum = 0u64;
    for _ in 0..n {
        sum = sum.wrapping_add(rx.recv().unwrap());
    }
    producer.join().unwrap();
    let d = start.elapsed();
    assert_eq!(sum, n * (n - 1) / 2);
    d
}

fn crossbeam_spsc(n: u64) -> Duration {
    let start = Instant::now();
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let producer = thread::spawn(move || {
        for i in 0..n {
            tx.send(i).unwrap();
        }
    });
    let mut sum = 0u64;
    for _ in 0..n {
        sum = sum.wrapping_add(rx.recv().unwrap());
    }
    producer.join().unwrap();
    let d = start.elapsed();
    assert_eq!(sum, n * (n - 1) / 2);
    d
}

fn std_mpsc(producers: u64, n_total: u64) -> Duration {
    let per = n_total / producers;
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<u64>();
    let handles: Vec<_> = (0..producers)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..per {
                    tx.send(i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut count = 0u64;
    for _ in rx.iter() {
        count += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
    let d = start.elapsed();
    assert_eq!(count, per * producers);
    d
}

fn crossbeam_mpsc(producers: u64, n_total: u64) -> Duration {
    let per = n_total / producers;
    let start = Instant::now();
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let handles: Vec<_> = (0..producers)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..per {
                    tx.send(i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut count = 0u64;
    for _ in rx.iter() {
        count += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
    let d = start.elapsed();
    assert_eq!(count, per * producers);
    d
}

fn std_pingpong(n: u64) -> Duration {
    let (ping_tx, ping_rx) = mpsc::sync_channel::<u64>(0);
    let (pong_tx, pong_rx) = mpsc::sync_channel::<u64>(0);
    let echo = thread::spawn(move || {
        for v in ping_rx.iter() {
            if pong_tx.send(v + 1).is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    let mut v = 0u64;
    for _ in 0..n {
        ping_tx.send(v).unwrap();
        v = pong_rx.recv().unwrap();
    }
    let d = start.elapsed();
    drop(ping_tx);
    echo.join().unwrap();
    assert_eq!(v, n);
    d
}

fn crossbeam_pingpong(n: u64) -> Duration {
    let (ping_tx, ping_rx) = crossbeam_channel::bounded::<u64>(0);
    let (pong_tx, pong_rx) = crossbeam_channel::bounded::<u64>(0);
    let echo = thread::spawn(move || {
        for v in ping_rx.iter() {
            if pong_tx.send(v + 1).is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    let mut v = 0u64;
    for _ in 0..n {
        ping_tx.send(v).unwrap();
        v = pong_rx.recv().unwrap();
    }
    let d = start.elapsed();
    drop(ping_tx);
    echo.join().unwrap();
    assert_eq!(v, n);
    d
}

// ---------------------------------------------------------------- rayon

fn timed<T, F: FnOnce() -> T>(f: F) -> (Duration, T) {
    let start = Instant::now();
    let r = black_box(f());
    (start.elapsed(), r)
}

const FIB_CUTOFF: u32 = 20;

fn fib_seq(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

fn fib_par(n: u32) -> u64 {
    if n < FIB_CUTOFF {
        return fib_seq(n);
    }
    let (a, b) = rayon::join(|| fib_par(n - 1), || fib_par(n - 2));
    a + b
}

// ---------------------------------------------------------------- main

fn main() {
    let cfg = Config::from_env();
    let reps = cfg.reps;
    let threads = rayon::current_num_threads();
    eprintln!(
        "racelings-bench-rust: scale={} reps={} (median reported), rayon threads={}, cpus={}",
        cfg.scale,
        reps,
        threads,
        thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );

    if cfg.wants(&["mutex_uncontended"]) {
        let n = cfg.n(10_000_000, 1000);
        let d = median_of(reps, || mutex_uncontended(n));
        report("mutex_uncontended", per_op_ns(d, n), "ns/op");
    }
    if cfg.wants(&["mutex_contended_4"]) {
        let n = cfg.n(4_000_000, 4000);
        let d = median_of(reps, || mutex_contended(4, n));
        report("mutex_contended_4", per_op_ns(d, n / 4 * 4), "ns/op");
    }
    if cfg.wants(&["channel_spsc", "channel_spsc_crossbeam"]) {
        let n = cfg.n(2_000_000, 1000);
        eprintln!("  channel_spsc: {n} messages");
        let d = median_of(reps, || std_spsc(n));
        report("channel_spsc", per_op_ns(d, n), "ns/msg");
        let d = median_of(reps, || crossbeam_spsc(n));
        report("channel_spsc_crossbeam", per_op_ns(d, n), "ns/msg");
    }
    if cfg.wants(&["channel_mpsc_4", "channel_mpsc_4_crossbeam"]) {
        let n = cfg.n(2_000_000, 4000) / 4 * 4;
        eprintln!("  channel_mpsc_4: {n} messages from 4 producers");
        let d = median_of(reps, || std_mpsc(4, n));
        report("channel_mpsc_4", per_op_ns(d, n), "ns/msg");
        let d = median_of(reps, || crossbeam_mpsc(4, n));
        report("channel_mpsc_4_crossbeam", per_op_ns(d, n), "ns/msg");
    }
    if cfg.wants(&["channel_rendezvous_pingpong", "channel_rendezvous_pingpong_crossbeam"]) {
        let n = cfg.n(100_000, 100);
        eprintln!("  channel_rendezvous_pingpong: {n} round trips");
        let d = median_of(reps, || std_pingpong(n));
        report("channel_rendezvous_pingpong", per_op_ns(d, n), "ns/roundtrip");
        let d = median_of(reps, || crossbeam_pingpong(n));
        report("channel_rendezvous_pingpong_crossbeam", per_op_ns(d, n), "ns/roundtrip");
    }

    let want_sum = cfg.wants(&["par_sum", "par_sum_seq"]);
    let want_map = cfg.wants(&["par_map", "par_map_seq"]);
    if want_sum || want_map {
        let n = cfg.n(10_000_000, 1000);
        eprintln!("  par_sum/par_map: {n} u64");
        let data: Vec<u64> = (0..n).collect();
        if want_sum {
            let expect = n * (n - 1) / 2;
            let d = median_of(reps, || {
                let (d, s) = timed(|| black_box(&data).par_iter().sum::<u64>());
                assert_eq!(s, expect);
                d
            });
            report("par_sum", ms(d), "ms");
            let d = median_of(reps, || {
                let (d, s) = timed(|| black_box(&data).iter().sum::<u64>());
                assert_eq!(s, expect);
                d
            });
            report("par_sum_seq", ms(d), "ms");
        }
        if want_map {
            let d = median_of(reps, || {
                let (d, v) =
                    timed(|| black_box(&data).par_iter().map(|x| x * x + 1).collect::<Vec<u64>>());
                assert_eq!(v.len() as u64, n);
                drop(v);
                d
            });
            report("par_map", ms(d), "ms");
            let d = median_of(reps, || {
                let (d, v) =
                    timed(|| black_box(&data).iter().map(|x| x * x + 1).collect::<Vec<u64>>());
                assert_eq!(v.len() as u64, n);
                drop(v);
                d
            });
            report("par_map_seq", ms(d), "ms");
        }
    }

    if cfg.wants(&["fork_join_fib", "fork_join_fib_seq"]) {
        // fib's work grows by ~phi per step of n: shrink n with the scale.
        let shrink = (cfg.scale.ln() / 1.618_034f64.ln()).round() as i64;
        let n = (32 + shrink).clamp(FIB_CUTOFF as i64 + 1, 40) as u32;
        let expect = fib_seq(n);
        eprintln!("  fork_join_fib: fib({n}), cutoff n<{FIB_CUTOFF}");
        let d = median_of(reps, || {
            let (d, r) = timed(|| fib_par(black_box(n)));
            assert_eq!(r, expect);
            d
        });
        report("fork_join_fib", ms(d), "ms");
        let d = median_of(reps, || {
            let (d, r) = timed(|| fib_seq(black_box(n)));
            assert_eq!(r, expect);
            d
        });
        report("fork_join_fib_seq", ms(d), "ms");
    }
}
