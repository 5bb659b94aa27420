#include "primitives/parallel/thread_pool.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace racelings {
namespace {

// The pool whose task the calling thread runs, if any: join() and the
// destructor refuse to wait for themselves.
thread_local const ThreadPool* tls_current_pool = nullptr;

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

ThreadPool::ThreadPool(size_t num_threads, std::string name, std::source_location created)
    : name_(std::move(name)), max_count_(num_threads), created_(created) {
  if (num_threads == 0) throw std::invalid_argument("ThreadPool needs at least one thread");
  workers_.reserve(num_threads);
  try {
    for (size_t i = 0; i < num_threads; ++i) {
      workers_.push_back(Builder().name(name_ + "-" + std::to_string(i)).spawn([this] { worker_main(); }, created));
    }
  } catch (...) {
    // Stop the workers that did start before reporting the failure.
    {
      internal::PlainLock lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    join_workers();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  // The pool's own locking is no scheduling point (its workers' joins are).
  schedule::Quiet quiet;
  if (tls_current_pool == this) {
    const char* msg =
        "racelings: a ThreadPool was destroyed by one of its own tasks: it would wait for itself forever\n";
    (void)!::write(STDERR_FILENO, msg, std::char_traits<char>::length(msg));
    std::abort();
  }
  {
    internal::PlainLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  join_workers();
}

void ThreadPool::push(Task task) {
  detector::stress_point();
  {
    internal::PlainLock lock(mu_);
    if (!accepting_) throw std::logic_error("execute() on a ThreadPool after shutdown_now()");
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
  work_cv_.notify_one();
}

void ThreadPool::join(std::source_location where) {
  if (tls_current_pool == this) {
    throw std::logic_error("ThreadPool::join() called from one of the pool's own tasks: it would wait for itself");
  }
  schedule::point(schedule::Op::kJoin, this, nullptr, where);
  schedule::Quiet quiet;
  internal::PlainLock lock(mu_);
  if (queue_.empty() && active_.load(std::memory_order_relaxed) == 0) return;
  // Wait for the next moment the pool is idle, even if new tasks arrive
  // right after it (then other joiners must not be kept waiting either).
  const uint64_t generation = idle_generation_;
  // While someone joins, idle workers count as blocked (see the header):
  // wake them so that they wait again in that mode, and again at the end.
  if (joiners_++ == 0) work_cv_.notify_all();
  while (idle_generation_ == generation) {
    if (detector::enabled()) {
      detector::BlockScope waiting(join_wait_, /*has_timeout=*/false, where);
      idle_cv_.wait(lock.native());
    } else {
      idle_cv_.wait(lock.native());
    }
  }
  if (--joiners_ == 0) work_cv_.notify_all();
}

size_t ThreadPool::shutdown_now() {
  std::deque<Task> dropped;
  schedule::Quiet quiet;
  {
    internal::PlainLock lock(mu_);
    accepting_ = false;
    stopping_ = true;
    dropped.swap(queue_);
    queued_.store(0, std::memory_order_relaxed);
    // Joiners waiting only for the dropped tasks may go.
    if (active_.load(std::memory_order_relaxed) == 0) {
      ++idle_generation_;
      idle_cv_.notify_all();
    }
  }
  work_cv_.notify_all();
  join_workers();
  // The dropped closures are destroyed here, outside the lock: what they own
  // (a Sender, a guard) may run code of its own.
  return dropped.size();
}

std::vector<ThreadPanic> ThreadPool::take_panics() {
  schedule::Quiet quiet;
  internal::PlainLock lock(mu_);
  return std::exchange(panics_, {});
}

void ThreadPool::worker_main() {
  tls_current_pool = this;
  for (;;) {
    Task task;
    {
      // Taking a task is the pool's business: no scheduling point of its own.
      schedule::Quiet quiet;
      internal::PlainLock lock(mu_);
      while (queue_.empty() && !stopping_) {
        if (detector::enabled()) {
          // Counted as blocked only while a thread joins the pool: see "What
          // the deadlock detector sees" in the header.
          detector::BlockScope idle(idle_wait_, /*has_timeout=*/joiners_ == 0, created_);
          work_cv_.wait(lock.native());
        } else {
          work_cv_.wait(lock.native());
        }
      }
      if (queue_.empty()) break;  // Stopping, and nothing left to run.
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_relaxed);
      active_.fetch_add(1, std::memory_order_relaxed);
    }
    detector::stress_point();
    // A task switch: under the controlled scheduler, another thread may run
    // before this task starts.
    schedule::point(schedule::Op::kTask, this, nullptr, created_);
    run_one(task);
    {
      schedule::Quiet quiet;
      internal::PlainLock lock(mu_);
      if (active_.fetch_sub(1, std::memory_order_relaxed) == 1 && queue_.empty()) {
        ++idle_generation_;
        idle_cv_.notify_all();
      }
    }
  }
  tls_current_pool = nullptr;
}

void ThreadPool::run_one(Task& task) {
  try {
    task.run();
  } catch (...) {
    std::exception_ptr e = std::current_exception();
    internal::print_thread_exception(detector::self(), e);
    schedule::Quiet quiet;
    internal::PlainLock lock(mu_);
    panics_.emplace_back(std::move(e));
    panic_count_.fetch_add(1, std::memory_order_relaxed);
  }
  // Destroy the closure now, before the task counts as done: join() then
  // also means "every finished task's captures are released".
  task.reset();
}

void ThreadPool::join_workers() {
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

std::string ThreadPool::IdleWait::describe_wait() const {
  return "is idle: waits for a task on ThreadPool '" + pool->name_ + "' (" +
         plural(pool->queued_count(), "task", "tasks") +
         " queued; an idle worker is normal, look at what the other threads wait for)";
}

std::string ThreadPool::JoinWait::describe_wait() const {
  return "waits in ThreadPool::join() for " + std::to_string(pool->queued_count()) + " queued and " +
         std::to_string(pool->active_count()) + " running tasks of ThreadPool '" + pool->name_ + "'";
}

}  // namespace racelings
