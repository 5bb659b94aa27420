// thread_pool.h
// -----------------------------------------------------------------------------
//
// `ThreadPool`: a fixed set of named worker threads that run the closures
// given to `execute()`, first in, first out. `join()` waits until the pool
// has nothing queued and nothing running; destroying the pool runs what is
// still queued and then joins the workers; `shutdown_now()` drops the queue.
//
// Differences from the Rust `threadpool` crate: a task that throws is
// counted (`panic_count()`, as the crate does), printed at once like an
// exception that ends a thread, and kept: `take_panics()` hands the
// exceptions back, so none is lost. The destructor waits for the queued work
// (the crate lets it finish in the background). Workers are started with
// `Builder` and named "<name>-<i>" ("pool-worker-0", ...), so deadlock and
// sanitizer reports name them. `join()` is seen by the deadlock detector: a
// task that waits for something only the joining thread would provide is
// reported, not hung. `join()` from one of the pool's own tasks throws
// `std::logic_error` (it would wait for itself).
//
// What the deadlock detector sees. `join()` waits with no timeout. An idle
// worker waits for work with no timeout (counts as blocked) while some thread
// is inside `join()`, and "with a timeout" (never counts) otherwise; each
// join() wakes the idle workers on entry and on exit so that they wait
// again in the right mode. Why: while a thread joins, an idle worker can
// only be woken by `execute()` from some other thread; if every thread the
// primitives know is blocked, nobody can make that call, so the joiner, the
// tasks it waits for and the idle workers all wait forever, a real deadlock
// (the case of a task that waits for something only the joiner would
// provide, while the other workers sit idle). With nobody joining, idle
// workers alone are normal: a pool kept alive to the end of the program,
// say, whose workers outlive the main thread's record while the process
// exits. The report names idle workers as "idle" so that they are not taken
// for the cause.
//
// This header holds `ThreadPool`.
//
// Rust equivalent: `threadpool::ThreadPool` (seed 002):
//
//   let pool = ThreadPool::new(4);                  // ThreadPool pool(4);
//   let (tx, rx) = mpsc::channel();                 // auto [tx, rx] = channel<std::string>();
//   for i in 0..8 {                                 // for (int i = 0; i < 8; ++i) {
//       let tx = tx.clone();                        //   pool.execute([tx, i]() mutable {
//       pool.execute(move || {                      //     tx.send("Task " + std::to_string(i) +
//           tx.send(format!("Task {} completed", i))//             " completed").unwrap();
//               .unwrap();                          //   });
//       });                                         // }
//   }                                               // tx.close();
//   drop(tx);                                       // for (std::string msg : rx) std::cout << msg;
//   for msg in rx.iter() { println!("{}", msg); }
//   pool.join();                                    // pool.join();
//   pool.panic_count()                              // pool.panic_count()

#ifndef RACELINGS_PRIMITIVES_PARALLEL_THREAD_POOL_H_
#define RACELINGS_PRIMITIVES_PARALLEL_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/thread.h"
#include "primitives/thread_annotations.h"

namespace racelings {

class ThreadPool {
 public:
  // ThreadPool::ThreadPool(): starts `num_threads` workers (at least one)
  // named "<name>-0", "<name>-1", ... Throws std::invalid_argument for 0
  // threads and std::system_error when the OS refuses a thread.
  explicit ThreadPool(size_t num_threads, std::string name = "pool-worker",
                      std::source_location created = std::source_location::current());

  // ThreadPool::~ThreadPool(): graceful shutdown. Blocks until every task
  // already queued (and any task those tasks queue meanwhile) has run, then
  // joins the workers. Never throws; exceptions of tasks stay counted and
  // printed. Destroying a pool from one of its own tasks aborts the program
  // with a message (it would wait for itself).
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // ThreadPool::execute(): queues `f` (moved into the pool; capture by value
  // what it needs) and returns at once; never blocks on the tasks. The
  // closure is destroyed on the worker right after it ran, so values it owns
  // (a Sender, say) are released then, not at shutdown. Throws
  // std::logic_error after shutdown_now().
  // Memory ordering: everything the caller wrote before execute() is visible
  // to the task.
  template <typename F>
  void execute(F&& f, std::source_location where = std::source_location::current()) {
    static_assert(std::is_invocable_v<std::decay_t<F>&>, "execute() needs a callable taking no arguments");
    schedule::point(schedule::Op::kSubmit, this, nullptr, where);
    schedule::Quiet quiet;
    push(Task(std::forward<F>(f)));
  }

  // ThreadPool::join(): blocks until no task is queued and none runs, then
  // returns (Rust threadpool's `join`). Tasks queued after that moment are
  // not waited for. Seen by the deadlock detector. Throws std::logic_error
  // when called from one of this pool's own tasks.
  // Memory ordering: everything the finished tasks wrote is visible after
  // join() returns.
  void join(std::source_location where = std::source_location::current());

  // ThreadPool::shutdown_now(): drops every queued task without running it,
  // lets the running ones finish, joins the workers, and returns how many
  // tasks were dropped. Blocks for the running tasks. Afterwards execute()
  // throws and join() returns at once. Calling it twice returns 0.
  size_t shutdown_now();

  // Snapshots: another thread may change them right after they are read.
  // ThreadPool::queued_count(): tasks waiting for a worker.
  size_t queued_count() const { return queued_.load(std::memory_order_relaxed); }
  // ThreadPool::active_count(): tasks running now.
  size_t active_count() const { return active_.load(std::memory_order_relaxed); }
  // ThreadPool::max_count(): the number of workers.
  size_t max_count() const { return max_count_; }
  // ThreadPool::panic_count(): tasks that threw, since the pool started.
  size_t panic_count() const { return panic_count_.load(std::memory_order_relaxed); }

  // ThreadPool::take_panics(): the exceptions thrown by tasks since the last
  // call, oldest first; `front().rethrow()` rethrows the first. Does not
  // reset panic_count(). Does not block on tasks.
  std::vector<ThreadPanic> take_panics();

 private:
  // A queued closure: move-only (std::function needs copyable closures).
  class Task {
   public:
    Task() = default;
    template <typename F>
    explicit Task(F&& f) : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}
    void run() { impl_->run(); }
    explicit operator bool() const { return impl_ != nullptr; }
    void reset() { impl_.reset(); }

   private:
    struct Base {
      virtual ~Base() = default;
      virtual void run() = 0;
    };
    template <typename F>
    struct Impl final : Base {
      explicit Impl(F f) : f(std::move(f)) {}
      void run() override { std::invoke(f); }
      F f;
    };
    std::unique_ptr<Base> impl_;
  };

  // How blocked pool threads describe themselves in deadlock reports. Both
  // read only atomics: the detector calls them holding its own lock.
  struct IdleWait final : detector::Waitable {
    const ThreadPool* pool;
    explicit IdleWait(const ThreadPool* p) : pool(p) {}
    std::string describe_wait() const override;
  };
  struct JoinWait final : detector::Waitable {
    const ThreadPool* pool;
    explicit JoinWait(const ThreadPool* p) : pool(p) {}
    std::string describe_wait() const override;
  };

  void push(Task task);
  void worker_main();
  void run_one(Task& task);
  void join_workers();

  const std::string name_;
  const size_t max_count_;
  const std::source_location created_;
  IdleWait idle_wait_{this};
  JoinWait join_wait_{this};

  // mu_ guards queue_, stopping_, accepting_, idle_generation_, joiners_, panics_ and
  // the changes of queued_/active_. Workers wait on work_cv_, joiners on
  // idle_cv_. A plain mutex (plain_mutex.h): it is held only for queue operations, never
  // while a task runs, so it cannot take part in a user's deadlock, and the
  // waits on it are reported through BlockScope instead.
  internal::PlainMutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Task> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;         // Workers exit once the queue is empty.
  bool accepting_ GUARDED_BY(mu_) = true;         // False after shutdown_now().
  uint64_t idle_generation_ GUARDED_BY(mu_) = 0;  // Bumped each time the pool becomes idle.
  size_t joiners_ GUARDED_BY(mu_) = 0;            // Threads inside join().
  std::vector<ThreadPanic> panics_ GUARDED_BY(mu_);

  // Relaxed: written under mu_, read without it only as snapshots (the
  // count getters and the deadlock report); nothing else is published
  // through them.
  std::atomic<size_t> queued_{0};
  std::atomic<size_t> active_{0};
  std::atomic<size_t> panic_count_{0};

  std::vector<JoinHandle<void>> workers_;  // Touched only by the owner.
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_THREAD_POOL_H_
