//! This machine's memory bandwidth, to judge the engine's step against: read (sum), copy and
//! triad (a = b + s c) over 256 MiB arrays of `f64`, with 1 thread and with all threads.
//! Throughput is in bytes moved per second (reads plus writes).
//!
//! Run with `cargo bench --bench bandwidth`; see BENCHMARKS.md.

use divan::Bencher;
use divan::counter::BytesCount;
use rayon::prelude::*;

fn main() {
    divan::main();
}

const LEN: usize = 32 << 20; // 32 Mi f64 = 256 MiB per array
const CHUNK: usize = 1 << 16;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

/// Sum of one array (8 bytes read per element).
#[divan::bench(args = [1, 0], sample_count = 9, sample_size = 1)]
fn read(bencher: Bencher, threads: usize) {
    let a = vec![1.0f64; LEN];
    let pool = pool(threads);
    bencher.counter(BytesCount::new(8 * LEN)).bench_local(|| {
        pool.install(|| {
            a.par_chunks(CHUNK)
                .map(|c| {
                    let mut s = [0.0f64; 8];
                    for x in c.chunks_exact(8) {
                        for k in 0..8 {
                            s[k] += x[k];
                        }
                    }
                    s.iter().sum::<f64>()
                })
                .sum::<f64>()
        })
    });
}

/// Copy of one array into another (8 read + 8 written per element).
#[divan::bench(args = [1, 0], sample_count = 9, sample_size = 1)]
fn copy(bencher: Bencher, threads: usize) {
    let a = vec![1.0f64; LEN];
    let mut b = vec![0.0f64; LEN];
    let pool = pool(threads);
    bencher.counter(BytesCount::new(16 * LEN)).bench_local(|| {
        pool.install(|| {
            b.par_chunks_mut(CHUNK)
                .zip(a.par_chunks(CHUNK))
                .for_each(|(d, s)| d.copy_from_slice(s));
        });
    });
}

/// Triad a = b + s c (16 read + 8 written per element).
#[divan::bench(args = [1, 0], sample_count = 9, sample_size = 1)]
fn triad(bencher: Bencher, threads: usize) {
    let mut a = vec![0.0f64; LEN];
    let b = vec![1.0f64; LEN];
    let c = vec![2.0f64; LEN];
    let pool = pool(threads);
    bencher.counter(BytesCount::new(24 * LEN)).bench_local(|| {
        pool.install(|| {
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks(CHUNK).zip(c.par_chunks(CHUNK)))
                .for_each(|(a, (b, c))| {
                    for ((x, y), z) in a.iter_mut().zip(b).zip(c) {
                        *x = y + 3.0 * z;
                    }
                });
        });
    });
}
