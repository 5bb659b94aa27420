// pool.h
// -----------------------------------------------------------------------------
//
// The work-stealing pools under parallel.h, rayon style: `join(a, b)` (two
// closures, potentially in parallel), `ParallelPool` (a pool of your own,
// `install(f)` runs f on it), `ParallelPoolBuilder` and
// `ParallelPoolBuildError` (the global pool, configured before first use),
// `current_num_threads` and `current_thread_index`. parallel.h includes this
// header and explains where the work runs; programs include parallel.h.
//
// Rust equivalent: `rayon::join`, `rayon::ThreadPool`, `rayon::ThreadPoolBuilder`.

#ifndef RACELINGS_PRIMITIVES_PARALLEL_POOL_H_
#define RACELINGS_PRIMITIVES_PARALLEL_POOL_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

#include "primitives/parallel/scheduler.h"
#include "primitives/result.h"

namespace racelings {

// ---- join --------------------------------------------------------------------

// join(): runs `a` and `b`, potentially in parallel, and returns both results
// as a pair (a void side is std::monostate; if both are void, join returns
// void). On a worker, `a` runs at once on the calling thread and `b` waits
// on the worker's deque, where an idle worker may steal it; if nobody did,
// the caller runs `b` itself after `a`. Blocks until both are done. If
// either throws, the exception is rethrown after both are done (a's first).
// Memory ordering: everything both closures wrote is visible after join()
// returns; everything the caller wrote before join() is visible to both.
template <typename A, typename B>
auto join(A&& a, B&& b, std::source_location where = std::source_location::current()) {
  using RA = std::invoke_result_t<A&>;
  using RB = std::invoke_result_t<B&>;
  auto run = [&a, &b]() { return internal::join_in_worker(*internal::tls_current_worker, a, b); };
  if constexpr (std::is_void_v<RA> && std::is_void_v<RB>) {
    if (internal::tls_current_worker != nullptr) {
      run();
    } else {
      internal::global_registry().in_worker(run, where, /*participate=*/true);
    }
  } else {
    if (internal::tls_current_worker != nullptr) return run();
    return internal::global_registry().in_worker(run, where, /*participate=*/true);
  }
}

// ---- Pools -------------------------------------------------------------------

// current_num_threads(): the number of workers of the pool the calling
// thread would use (its own pool, or the global one). Rust:
// `rayon::current_num_threads()`.
inline size_t current_num_threads() { return internal::current_registry().num_threads(); }

// current_thread_index(): the calling worker's index in its pool, or
// std::nullopt outside every pool. Rust: `rayon::current_thread_index()`.
inline std::optional<size_t> current_thread_index() {
  internal::WorkerThread* w = internal::tls_current_worker;
  // An outside thread working in an external slot is no worker of the pool.
  if (w == nullptr || w->index() >= w->registry().num_threads()) return std::nullopt;
  return w->index();
}

// ParallelPool: a work-stealing pool of your own (rayon's `ThreadPool`; the
// threadpool crate's pool is `ThreadPool`, thread_pool.h). Movable, not
// copyable. Destroying it waits for its workers to exit; it must not be
// destroyed while another thread is inside install().
class ParallelPool {
 public:
  // ParallelPool::ParallelPool(): `num_threads` workers (0: one per CPU),
  // named "par-worker-<i>". Throws std::system_error if a thread cannot start.
  explicit ParallelPool(size_t num_threads = 0, std::source_location created = std::source_location::current())
      : ParallelPool(internal::RegistryOptions{num_threads, "par-worker", 0, created}) {}

  ParallelPool(ParallelPool&&) noexcept = default;
  ParallelPool& operator=(ParallelPool&& other) noexcept {
    if (this != &other) {
      shut_down();
      registry_ = std::move(other.registry_);
    }
    return *this;
  }
  ParallelPool(const ParallelPool&) = delete;
  ParallelPool& operator=(const ParallelPool&) = delete;

  // ParallelPool::~ParallelPool(): stops the workers and joins them. From
  // one of its own workers (inside install()), the workers are detached
  // instead and exit once idle.
  ~ParallelPool() { shut_down(); }

  // ParallelPool::install(): runs `f` on one of this pool's workers and
  // returns its result, or rethrows its exception. join and par_* calls
  // inside `f` use this pool. Blocks until `f` is done (a worker of another
  // pool keeps running its own pool's jobs meanwhile).
  // Memory ordering: what the caller wrote before install() is visible in f;
  // what f wrote is visible after install() returns.
  template <typename F>
  std::invoke_result_t<F&> install(F&& f, std::source_location where = std::source_location::current()) {
    return registry_->in_worker(f, where);
  }

  // ParallelPool::join(): join() inside this pool.
  template <typename A, typename B>
  auto join(A&& a, B&& b, std::source_location where = std::source_location::current()) {
    auto op = [&a, &b, where] { return racelings::join(a, b, where); };
    return registry_->in_worker(op, where);
  }

  // ParallelPool::current_num_threads(): the number of workers.
  size_t current_num_threads() const { return registry_->num_threads(); }

 private:
  friend class ParallelPoolBuilder;

  explicit ParallelPool(internal::RegistryOptions options)
      : registry_(internal::Registry::create(std::move(options))) {}

  void shut_down() {
    if (!registry_) return;
    internal::WorkerThread* w = internal::tls_current_worker;
    registry_->terminate(/*join=*/!(w != nullptr && &w->registry() == registry_.get()));
    registry_.reset();
  }

  std::shared_ptr<internal::Registry> registry_;
};

// ParallelPoolBuildError: build_global() after the global pool started.
class ParallelPoolBuildError {
 public:
  const char* what() const { return "the global thread pool has already been initialized"; }
};

// ParallelPoolBuilder: a pool with a number of threads, a name, a stack
// size. Rust: `rayon::ThreadPoolBuilder`.
//   ParallelPool pool = ParallelPoolBuilder().num_threads(2).build();
//   pool.install([&] { return par_iter(v).sum(); });
class ParallelPoolBuilder {
 public:
  // ParallelPoolBuilder::num_threads(): 0 (the default) is one per CPU.
  ParallelPoolBuilder& num_threads(size_t n) {
    options_.num_threads = n;
    return *this;
  }
  // ParallelPoolBuilder::thread_name(): workers are named "<prefix>-<i>".
  ParallelPoolBuilder& thread_name(std::string prefix) {
    options_.thread_name = std::move(prefix);
    return *this;
  }
  // ParallelPoolBuilder::stack_size(): bytes per worker (see Builder).
  ParallelPoolBuilder& stack_size(size_t bytes) {
    options_.stack_size = bytes;
    return *this;
  }

  // ParallelPoolBuilder::build(): starts the pool.
  ParallelPool build(std::source_location where = std::source_location::current()) {
    internal::RegistryOptions options = options_;
    options.created = where;
    return ParallelPool(std::move(options));
  }

  // ParallelPoolBuilder::build_global(): configures the global pool; fails
  // if it already runs (any join or par_* call outside a pool starts it).
  Result<void, ParallelPoolBuildError> build_global(std::source_location where = std::source_location::current()) {
    internal::RegistryOptions options = options_;
    options.created = where;
    if (!internal::init_global_registry(std::move(options))) return Result<void, ParallelPoolBuildError>(Err);
    return {};
  }

 private:
  internal::RegistryOptions options_;
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_POOL_H_
