// Tests of ThreadPool (thread_pool.h): execution, naming, join, graceful and
// immediate shutdown, exceptions (counted, kept, printed), the counters, and
// that a task waiting for the joiner is reported as a deadlock, not hung.

#include "primitives/parallel/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/channel.h"
#include "primitives/mutex.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;

using detector::WaitKind;
using testing_util::eventually;
using testing_util::eventually_blocked;
using testing_util::kMainThread;

TEST(ThreadPool, RunsEveryTask) {
  ThreadPool pool(4);
  std::atomic<int> count{0};
  for (int i = 0; i < 1000; ++i) pool.execute([&count] { count.fetch_add(1, std::memory_order_relaxed); });
  pool.join();
  EXPECT_EQ(count.load(), 1000);
  EXPECT_EQ(pool.queued_count(), 0u);
  EXPECT_EQ(pool.active_count(), 0u);
}

TEST(ThreadPool, WorkersAreNamedPoolWorkerN) {
  ThreadPool pool(3);
  Mutex<std::set<std::string>> names(std::set<std::string>{}, "names");
  // Three tasks that wait for each other: each worker runs one.
  Barrier all_running(3);
  for (int i = 0; i < 3; ++i) {
    pool.execute([&names, &all_running] {
      names.lock()->insert(std::string(current_thread_name()));
      all_running.wait();
    });
  }
  pool.join();
  EXPECT_EQ(*names.lock(), (std::set<std::string>{"pool-worker-0", "pool-worker-1", "pool-worker-2"}));
}

TEST(ThreadPool, CustomNamePrefix) {
  ThreadPool pool(1, "io");
  auto [tx, rx] = channel<std::string>();
  pool.execute([tx = std::move(tx)]() mutable { tx.send(std::string(current_thread_name())).unwrap(); });
  EXPECT_EQ(rx.recv().unwrap(), "io-0");
}

TEST(ThreadPool, ZeroThreadsIsRejected) { EXPECT_THROW(ThreadPool(0), std::invalid_argument); }

TEST(ThreadPool, JoinWaitsForQueuedAndRunningTasks) {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    pool.execute([&done] {
      // No task ends before main waits in join().
      EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "join() never waited";
      done.fetch_add(1);
    });
  }
  pool.join();
  EXPECT_EQ(done.load(), 10);
}

TEST(ThreadPool, JoinOnAnIdlePoolReturnsAtOnceAndCanRepeat) {
  ThreadPool pool(2);
  pool.join();
  pool.join();
  std::atomic<int> n{0};
  pool.execute([&n] { n = 1; });
  pool.join();
  pool.join();
  EXPECT_EQ(n.load(), 1);
}

TEST(ThreadPool, SeveralThreadsMayJoinAtOnce) {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  // No task ends before all four joiners wait in join().
  auto all_joining = [] {
    for (std::string name : {"joiner-0", "joiner-1", "joiner-2", "main"}) {
      if (detector::waiting_in(name) != WaitKind::kOther) return false;
    }
    return true;
  };
  for (int i = 0; i < 20; ++i) {
    pool.execute([&done, &all_joining] {
      EXPECT_TRUE(eventually(all_joining)) << "not every joiner waited in join()";
      done.fetch_add(1);
    });
  }
  std::vector<JoinHandle<int>> joiners;
  for (int j = 0; j < 3; ++j) {
    joiners.push_back(Builder().name("joiner-" + std::to_string(j)).spawn([&] {
      pool.join();
      return done.load();
    }));
  }
  pool.join();
  for (auto& j : joiners) EXPECT_EQ(j.join(), 20);
}

TEST(ThreadPool, JoinFromItsOwnTaskThrowsInsteadOfHanging) {
  ThreadPool pool(2);
  auto [tx, rx] = channel<std::string>();
  pool.execute([&pool, tx = std::move(tx)]() mutable {
    try {
      pool.join();
      tx.send("returned").unwrap();
    } catch (const std::logic_error& e) {
      tx.send(e.what()).unwrap();
    }
  });
  std::string got = rx.recv().unwrap();
  EXPECT_NE(got.find("would wait for itself"), std::string::npos) << got;
}

TEST(ThreadPool, DestructorRunsAllQueuedWork) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 100; ++i) {
      pool.execute([&done] {
        // The first task holds the one worker until the destructor waits for
        // it, with the other 99 still queued.
        if (done.load() == 0) {
          EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kJoin)) << "the destructor never joined";
        }
        done.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(ThreadPool, TasksMayQueueMoreTasksDuringShutdown) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(2);
    pool.execute([&] {
      // Queues its follow-up only once the destructor is shutting down.
      EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kJoin)) << "the destructor never joined";
      pool.execute([&done] { done.fetch_add(1); });
      done.fetch_add(1);
    });
  }
  EXPECT_EQ(done.load(), 2);
}

TEST(ThreadPool, ShutdownNowDropsQueuedTasksAndCountsThem) {
  ThreadPool pool(1);
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  auto [started_tx, started_rx] = channel<int>();
  pool.execute([&, tx = std::move(started_tx)]() mutable {
    tx.send(1).unwrap();
    while (!release.load()) std::this_thread::sleep_for(1ms);
    ran.fetch_add(1);
  });
  started_rx.recv().unwrap();
  for (int i = 0; i < 10; ++i) pool.execute([&ran] { ran.fetch_add(1); });
  EXPECT_EQ(pool.queued_count(), 10u);
  EXPECT_EQ(pool.active_count(), 1u);
  // The queue empties only when shutdown_now() drops it (the one worker is
  // busy): release the running task then.
  auto releaser = spawn([&] {
    EXPECT_TRUE(eventually([&] { return pool.queued_count() == 0; }));
    release.store(true);
  });
  EXPECT_EQ(pool.shutdown_now(), 10u);
  releaser.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(pool.shutdown_now(), 0u);
  EXPECT_THROW(pool.execute([] {}), std::logic_error);
  pool.join();  // Nothing left: returns at once.
}

TEST(ThreadPool, DroppedTasksReleaseWhatTheyOwn) {
  auto [tx, rx] = channel<int>();
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel<int>();
  auto [started_tx, started_rx] = channel<int>();
  pool.execute([rx = std::move(gate_rx), started = std::move(started_tx)]() mutable {
    started.send(1).unwrap();
    (void)rx.recv();
  });
  started_rx.recv().unwrap();
  for (int i = 0; i < 5; ++i) pool.execute([tx] { (void)tx.send(1); });
  tx.close();
  auto releaser = spawn([&, gtx = std::move(gate_tx)]() mutable {
    EXPECT_TRUE(eventually([&] { return pool.queued_count() == 0; }));
    gtx.send(0).unwrap();
  });
  EXPECT_EQ(pool.shutdown_now(), 5u);
  releaser.join();
  // Every Sender copy died with its dropped task: the channel is closed.
  EXPECT_TRUE(rx.recv().is_err());
}

TEST(ThreadPool, ExceptionsAreCountedKeptAndPrinted) {
  ThreadPool pool(2);
  std::atomic<int> ok{0};
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 10; ++i) {
    pool.execute([i, &ok] {
      if (i % 3 == 0) throw std::runtime_error("task " + std::to_string(i) + " failed");
      ok.fetch_add(1);
    });
  }
  pool.join();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(pool.panic_count(), 4u);
  EXPECT_NE(err.find("'pool-worker-"), std::string::npos) << err;
  EXPECT_NE(err.find("threw an exception: task 3 failed"), std::string::npos) << err;
  std::vector<ThreadPanic> panics = pool.take_panics();
  ASSERT_EQ(panics.size(), 4u);
  std::multiset<std::string> whats;
  for (const auto& p : panics) whats.insert(p.what());
  EXPECT_EQ(whats, (std::multiset<std::string>{"task 0 failed", "task 3 failed", "task 6 failed", "task 9 failed"}));
  EXPECT_THROW(panics.front().rethrow(), std::runtime_error);
  EXPECT_TRUE(pool.take_panics().empty());
  EXPECT_EQ(pool.panic_count(), 4u);
  // The workers survive their tasks' exceptions.
  pool.execute([&ok] { ok.fetch_add(1); });
  pool.join();
  EXPECT_EQ(ok.load(), 7);
}

TEST(ThreadPool, NonStandardExceptionsAreKeptToo) {
  ThreadPool pool(1);
  ::testing::internal::CaptureStderr();
  pool.execute([] { throw 42; });
  pool.join();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("not a std::exception"), std::string::npos) << err;
  auto panics = pool.take_panics();
  ASSERT_EQ(panics.size(), 1u);
  try {
    panics[0].rethrow();
  } catch (int v) {
    EXPECT_EQ(v, 42);
  }
}

TEST(ThreadPool, CountersDescribeThePool) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.max_count(), 3u);
  std::atomic<bool> release{false};
  std::atomic<int> running{0};
  for (int i = 0; i < 5; ++i) {
    pool.execute([&] {
      running.fetch_add(1);
      while (!release.load()) std::this_thread::sleep_for(1ms);
    });
  }
  ASSERT_TRUE(eventually([&] { return running.load() == 3; }));
  EXPECT_EQ(pool.active_count(), 3u);
  EXPECT_EQ(pool.queued_count(), 2u);
  release.store(true);
  pool.join();
  EXPECT_EQ(pool.active_count(), 0u);
  EXPECT_EQ(pool.queued_count(), 0u);
  EXPECT_EQ(pool.panic_count(), 0u);
}

// Rust (seed 002, "Custom thread pool"):
//
//   let pool = ThreadPool::new(4);
//   let (tx, rx) = mpsc::channel();
//   for i in 0..8 {
//       let tx = tx.clone();
//       pool.execute(move || {
//           tx.send(format!("Task {} completed", i)).unwrap();
//       });
//   }
//   drop(tx);
//   for msg in rx.iter() {
//       println!("{}", msg);
//   }
TEST(ThreadPool, Seed002ThreadPoolExampleReceivesEveryMessage) {
  ThreadPool pool(4);
  auto [tx, rx] = channel<std::string>();
  for (int i = 0; i < 8; ++i) {
    pool.execute([tx, i]() mutable { tx.send("Task " + std::to_string(i) + " completed").unwrap(); });
  }
  tx.close();  // drop(tx)
  std::multiset<std::string> got;
  for (std::string msg : rx) got.insert(msg);
  std::multiset<std::string> expected;
  for (int i = 0; i < 8; ++i) expected.insert("Task " + std::to_string(i) + " completed");
  EXPECT_EQ(got, expected);
}

// A task waits for a message the main thread sends only after join(): every
// thread ends up blocked (main in join, the task in recv, the other workers
// idle), and the detector reports it instead of hanging.
void task_waits_for_the_joiner() {
  ThreadPool pool(2);
  auto [tx, rx] = channel<int>();
  pool.execute([rx = std::move(rx)]() mutable { (void)rx.recv(); });
  pool.join();  // Never returns: the task waits for the send below.
  tx.send(1).unwrap();
}

TEST(ThreadPoolDeathTest, TaskWaitingForTheJoinerIsReportedAsADeadlock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  setenv("RACELINGS_DEADLOCK_GRACE_MS", "100", 1);
  EXPECT_EXIT(task_waits_for_the_joiner(), ::testing::ExitedWithCode(66),
              "deadlock \\(all threads are blocked\\)(.|\n)*waits in ThreadPool::join\\(\\)");
}

}  // namespace
}  // namespace racelings
