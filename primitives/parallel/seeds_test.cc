// The seeds' own rayon and threadpool examples (shared/seeds/), each with the
// Rust above it, re-expressed with parallel.h and thread_pool.h. The
// threadpool + channel example of seed 002 is in thread_pool_test.cc.

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "primitives/channel.h"
#include "primitives/parallel/parallel.h"
#include "primitives/parallel/thread_pool.h"

namespace racelings {
namespace {

// Seed 000: "For high-level parallelism, you can use external crates like
// `rayon`. It allows data parallelism, dividing data into independent parts
// and processing them concurrently." (No code in the seed; the smallest
// program that says it:)
//
//   let mut data: Vec<u64> = (1..=1000).collect();
//   data.par_iter_mut().for_each(|x| *x *= *x);
//   let total: u64 = data.par_iter().sum();
TEST(Seeds, Seed000DataParallelismOverIndependentParts) {
  std::vector<uint64_t> data(1000);
  std::iota(data.begin(), data.end(), uint64_t{1});
  par_iter_mut(data).for_each([](uint64_t& x) { x *= x; });
  uint64_t total = par_iter(data).sum();
  EXPECT_EQ(total, 1000ull * 1001 * 2001 / 6);
}

// Seed 001:
//
//   use rayon::prelude::*;
//   fn main() {
//       let numbers = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
//       let sum = numbers.par_iter().sum::<i32>();
//       println!("Sum is {}", sum);
//   }
TEST(Seeds, Seed001ParIterSum) {
  std::vector<int> numbers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  int sum = par_iter(numbers).sum<int>();
  EXPECT_EQ(sum, 55);
}

// Seed 002, "Managing Thread Pools":
//
//   fn parallel_processing() {
//       let numbers: Vec<i32> = (0..100).collect();
//       let sum: i32 = numbers.par_iter()
//                             .map(|&n| n * n)
//                             .sum();
//       println!("Sum of squares: {}", sum);
//   }
TEST(Seeds, Seed002ParIterMapSum) {
  std::vector<int> numbers(100);
  std::iota(numbers.begin(), numbers.end(), 0);
  int sum = par_iter(numbers).map([](int n) { return n * n; }).sum();
  EXPECT_EQ(sum, 328350);
}

// Seed 002, "Custom thread pool" (also in thread_pool_test.cc), here with a
// rayon pool of its own as well:
//
//   let pool = ThreadPool::new(4);
//   let (tx, rx) = mpsc::channel();
//   for i in 0..8 {
//       let tx = tx.clone();
//       pool.execute(move || { tx.send(format!("Task {} completed", i)).unwrap(); });
//   }
//   drop(tx);
//   for msg in rx.iter() { println!("{}", msg); }
TEST(Seeds, Seed002ThreadPoolAndChannel) {
  ThreadPool pool(4);
  auto [tx, rx] = channel<std::string>();
  for (int i = 0; i < 8; ++i) {
    pool.execute([tx, i]() mutable { tx.send("Task " + std::to_string(i) + " completed").unwrap(); });
  }
  tx.close();
  int received = 0;
  for (std::string msg : rx) {
    EXPECT_EQ(msg.rfind("Task ", 0), 0u);
    ++received;
  }
  EXPECT_EQ(received, 8);

  //   let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
  //   let sum: i32 = pool.install(|| numbers.par_iter().map(|&n| n * n).sum());
  ParallelPool rayon_pool = ParallelPoolBuilder().num_threads(4).build();
  std::vector<int> numbers(100);
  std::iota(numbers.begin(), numbers.end(), 0);
  EXPECT_EQ(rayon_pool.install([&] { return par_iter(numbers).map([](int n) { return n * n; }).sum(); }), 328350);
}

// Seed 004, "Using Thread Pools":
//
//   use rayon::prelude::*;
//   fn main() {
//       let results: Vec<_> = (0..1000).into_par_iter().map(|i| i * i).collect();
//       println!("{:?}", results);
//   }
TEST(Seeds, Seed004IntoParIterMapCollect) {
  std::vector<int> results = par_range(0, 1000).map([](int i) { return i * i; }).collect();
  ASSERT_EQ(results.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(results[static_cast<size_t>(i)], i * i);
  // The same with the range spelled as a C++ view.
  EXPECT_EQ(into_par_iter(std::views::iota(0, 1000)).map([](int i) { return i * i; }).collect(), results);
}

}  // namespace
}  // namespace racelings
