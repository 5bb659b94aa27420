// parallel.h
// -----------------------------------------------------------------------------
//
// Data parallelism on a work-stealing pool, rayon style. `join(a, b)` runs two
// closures, potentially in parallel, and returns both results; the parallel
// algorithms split a random-access range (a container, a span, an integer
// range) into chunks with join and combine the chunks' results:
//
//   par_for_each(v, f)   par_map(v, f)      par_filter(v, pred)
//   par_reduce(v, identity, op)             par_sum(v)   par_sum(v, f)
//   par_min_by(v, key_or_less)              par_max_by(v, key_or_less)
//
// or, fluently, `par_iter(v).map(f).filter(p).sum()` (also `collect()`,
// `reduce`, `for_each`, `count`, `min`/`max`, `min_by`/`max_by`,
// `min_by_key`/`max_by_key`, `any`/`all`). Order is preserved: `collect()`,
// `par_map` and `par_filter` return the elements in the input's order, and
// `min_by` returns the first smallest element, `max_by` the last largest,
// exactly as the sequential loop would.
//
// Where the work runs: on the calling pool's workers when called from one
// of them, otherwise on the global pool (started on first use with
// std::thread::hardware_concurrency() threads, or RACELINGS_NUM_THREADS; its
// idle workers sleep, and it is never torn down). `ParallelPool` is a pool
// of your own: `pool.install(f)` runs f on it, and every join and par_* call
// inside f uses that pool. A thread outside the pool that calls join or a
// par_* function blocks until the pool is done (seen by the deadlock
// detector); a worker waiting for a stolen half of a join runs other jobs
// instead of sleeping. A thread outside every pool that calls join or a
// par_* function works on the global pool itself while it waits (as oneTBB's
// calling thread does), in one of a few external slots; when they are all
// taken it hands the work over and blocks.
//
// Chunking: a range of n items is halved recursively (each halving is a
// join) until pieces hold at most max(ceil(n / (8 * threads)), min_len)
// items; min_len is 1 unless `.with_min_len(m)` says otherwise (rayon's
// name). Eight pieces per worker lets idle workers steal and balance uneven
// items, while keeping the per-piece cost (one join, tens of nanoseconds)
// negligible for all but the tiniest items.
//
// Exceptions: if a closure throws, the operation still waits for every
// piece already started, then rethrows the exception (for join: a's if both
// threw). Nothing is left running.
//
// The closures run concurrently on several threads: they must be callable
// through a const reference (no `mutable` lambdas) and must not race on what
// they capture (Rust's `Fn + Sync`). Writing each element through its own
// reference (`par_for_each(v, [](int& x) { x *= 2; })`) is fine.
//
// This header holds `par_iter`, `par_iter_mut`, `into_par_iter`,
// `par_range`, `ParIter` and the `par_*` functions, and includes pool.h:
// `join`, `ParallelPool`, `ParallelPoolBuilder`, `ParallelPoolBuildError`,
// `current_num_threads` and `current_thread_index`.
//
// Rust equivalent: the `rayon` crate (seeds 000, 001, 002, 004):
//
//   let (a, b) = rayon::join(|| f(), || g());       // auto [a, b] = join([&] { return f(); }, [&] { return g(); });
//   let sum: i32 = numbers.par_iter().sum();        // int sum = par_iter(numbers).sum();
//   let s: i32 = v.par_iter().map(|&n| n * n).sum();// int s = par_iter(v).map([](int n) { return n * n; }).sum();
//   let r: Vec<_> = (0..1000).into_par_iter()       // auto r = par_range(0, 1000)
//       .map(|i| i * i).collect();                  //     .map([](int i) { return i * i; }).collect();
//   v.par_iter_mut().for_each(|x| *x *= 2);         // par_iter_mut(v).for_each([](int& x) { x *= 2; });
//   let pool = rayon::ThreadPoolBuilder::new()      // ParallelPool pool = ParallelPoolBuilder()
//       .num_threads(4).build().unwrap();           //     .num_threads(4).build();
//   pool.install(|| work());                        // pool.install([&] { return work(); });

#ifndef RACELINGS_PRIMITIVES_PARALLEL_PARALLEL_H_
#define RACELINGS_PRIMITIVES_PARALLEL_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "primitives/parallel/pool.h"
#include "primitives/parallel/scheduler.h"
#include "primitives/result.h"

namespace racelings {

// ---- Parallel iterators: the machinery -----------------------------------------

namespace internal {

// internal::Unit (thread.h) is the accumulator of folds that only act.

// Piece size for n items: see "Chunking" at the top.
inline size_t chunk_size(size_t n, size_t min_len, size_t threads) {
  const size_t pieces = 8 * std::max<size_t>(threads, 1);
  return std::max<size_t>({(n + pieces - 1) / pieces, min_len, 1});
}

// Runs leaf(lo, hi) on pieces of [lo, hi) of at most `grain` items, halving
// with join on the calling worker, and combines the results in order.
template <typename Acc, typename Leaf, typename Combine>
Acc bridge(size_t lo, size_t hi, size_t grain, const Leaf& leaf, const Combine& combine) {
  if (hi - lo <= grain) return leaf(lo, hi);
  const size_t mid = lo + (hi - lo) / 2;
  auto left = [&] { return bridge<Acc>(lo, mid, grain, leaf, combine); };
  auto right = [&] { return bridge<Acc>(mid, hi, grain, leaf, combine); };
  auto [l, r] = join_in_worker(*tls_current_worker, left, right);
  return combine(std::move(l), std::move(r));
}

// Runs `body` on a worker: directly on one, else through the global pool.
template <typename Body>
auto in_pool(Body& body, const std::source_location& where) {
  if (tls_current_worker != nullptr) return body();
  return global_registry().in_worker(body, where, /*participate=*/true);
}

// Sources: what a ParIter iterates. Each has
//   size()                      the number of base indices [0, size());
//   fold(lo, hi, acc, op)       acc = op(move(acc), item) over the items of [lo, hi);
//   kIndexed, item(i)           for sources with exactly one item per index;
//   Ref                         the type of an item as passed to op.

// A random-access range, referenced (Holder = R*) or owned (Holder = R).
template <typename Holder, bool kConst>
class RangeSource {
 public:
  static constexpr bool kIndexed = true;

  explicit RangeSource(Holder holder) : holder_(std::move(holder)) {}

  decltype(auto) get() const {
    if constexpr (std::is_pointer_v<Holder>) {
      if constexpr (kConst) {
        return std::as_const(*holder_);
      } else {
        return (*holder_);
      }
    } else {
      if constexpr (kConst) {
        return std::as_const(holder_);
      } else {
        return (holder_);
      }
    }
  }

  using Plain = std::conditional_t<std::is_pointer_v<Holder>, std::remove_pointer_t<Holder>, Holder>;
  using Range = std::conditional_t<kConst, const Plain, Plain>;
  using Ref = std::ranges::range_reference_t<Range>;

  size_t size() const { return static_cast<size_t>(std::ranges::size(get())); }

  Ref item(size_t i) const { return std::ranges::begin(get())[static_cast<std::ranges::range_difference_t<Range>>(i)]; }

  template <typename Acc, typename Op>
  Acc fold(size_t lo, size_t hi, Acc acc, const Op& op) const {
    auto first = std::ranges::begin(get());
    using D = std::ranges::range_difference_t<Range>;
    for (size_t i = lo; i < hi; ++i) acc = op(std::move(acc), first[static_cast<D>(i)]);
    return acc;
  }

 private:
  // Mutable: an owned view's begin() may be non-const; workers only read it
  // (calling begin() on the same view from several threads is safe for the
  // random-access views this accepts).
  mutable Holder holder_;
};

template <typename Inner, typename F>
class MapSource {
 public:
  static constexpr bool kIndexed = Inner::kIndexed;
  using Ref = std::invoke_result_t<const F&, typename Inner::Ref>;

  MapSource(Inner inner, F f) : inner_(std::move(inner)), f_(std::move(f)) {}

  size_t size() const { return inner_.size(); }

  Ref item(size_t i) const
    requires Inner::kIndexed
  {
    return std::invoke(f_, inner_.item(i));
  }

  template <typename Acc, typename Op>
  Acc fold(size_t lo, size_t hi, Acc acc, const Op& op) const {
    auto mapped = [&](Acc a, auto&& x) -> Acc {
      return op(std::move(a), std::invoke(f_, std::forward<decltype(x)>(x)));
    };
    return inner_.fold(lo, hi, std::move(acc), mapped);
  }

 private:
  Inner inner_;
  F f_;
};

template <typename Inner, typename P>
class FilterSource {
 public:
  static constexpr bool kIndexed = false;
  using Ref = typename Inner::Ref;

  FilterSource(Inner inner, P p) : inner_(std::move(inner)), p_(std::move(p)) {}

  size_t size() const { return inner_.size(); }

  template <typename Acc, typename Op>
  Acc fold(size_t lo, size_t hi, Acc acc, const Op& op) const {
    auto kept = [&](Acc a, auto&& x) -> Acc {
      if (!std::invoke(p_, std::as_const(x))) return a;
      return op(std::move(a), std::forward<decltype(x)>(x));
    };
    return inner_.fold(lo, hi, std::move(acc), kept);
  }

 private:
  Inner inner_;
  P p_;
};

// Pages of fresh memory are first touched (faulted in) in parallel before a
// big trivial output is value-initialised by std::vector, so that the one
// sequential pass of std::vector's constructor does not also pay every page
// fault. Worth it from this many bytes on.
inline constexpr size_t kParallelFirstTouchBytes = size_t{1} << 20;

}  // namespace internal

// ParIter<Source>: a parallel iterator, consumed by one terminal call (the
// adapters and terminals are for rvalues: `par_iter(v).map(f).sum()`).
template <typename Source>
class ParIter {
 public:
  // What the iterator yields, as passed to closures, and as a value.
  using Ref = typename Source::Ref;
  using Item = std::remove_cvref_t<Ref>;

  ParIter(Source source, size_t min_len, std::source_location where)
      : source_(std::move(source)), min_len_(min_len), where_(where) {}

  // ---- Adapters (lazy; nothing runs until a terminal call) ----

  // ParIter::map(): each item becomes f(item). Keeps order and indexing.
  template <typename F>
  auto map(F f) && {
    static_assert(std::is_invocable_v<const F&, Ref>, "map(f): f must be callable (through const) with an item");
    using S = internal::MapSource<Source, F>;
    return ParIter<S>(S(std::move(source_), std::move(f)), min_len_, where_);
  }

  // ParIter::filter(): keeps the items for which p(const item&) is true,
  // in order.
  template <typename P>
  auto filter(P p) && {
    using S = internal::FilterSource<Source, P>;
    return ParIter<S>(S(std::move(source_), std::move(p)), min_len_, where_);
  }

  // ParIter::with_min_len(): pieces hold at least `n` items (base indices).
  ParIter with_min_len(size_t n) && {
    min_len_ = std::max<size_t>(n, 1);
    return std::move(*this);
  }

  // ParIter::len(): the number of items (indexed iterators only: no filter).
  size_t len() const
    requires Source::kIndexed
  {
    return source_.size();
  }

  // ---- Terminals (run in parallel; block until done) ----

  // ParIter::for_each(): calls f(item) for every item, in no particular order.
  template <typename F>
  void for_each(F f) && {
    drive(
        internal::Unit{},
        [&f](internal::Unit u, Ref x) {
          std::invoke(f, std::forward<Ref>(x));
          return u;
        },
        [](internal::Unit, internal::Unit) { return internal::Unit{}; });
  }

  // ParIter::sum(): the sum of the items, as S (default: the item type),
  // starting from S{}.
  template <typename S = Item>
  S sum() && {
    return drive(
        S{},
        [](S acc, Ref x) {
          acc += std::forward<Ref>(x);
          return acc;
        },
        [](S a, S b) { return a + b; });
  }

  // ParIter::reduce(): op(op(identity, x1), x2)..., split across pieces that
  // each start from `identity`, combined in order with op. `op` must be
  // associative and `identity` its neutral element (0 for +), as in rayon.
  template <typename T, typename Op>
  T reduce(T identity, Op op) && {
    return drive(
        identity, [&op](T acc, Ref x) { return std::invoke(op, std::move(acc), std::forward<Ref>(x)); },
        [&op](T a, T b) { return std::invoke(op, std::move(a), std::move(b)); });
  }

  // ParIter::count(): the number of items.
  size_t count() && {
    return drive(size_t{0}, [](size_t n, Ref) { return n + 1; }, [](size_t a, size_t b) { return a + b; });
  }

  // ParIter::any() / all(): whether p holds for some / every item (every
  // item is looked at: no short cut).
  template <typename P>
  bool any(P p) && {
    return drive(
        false, [&p](bool b, Ref x) { return b || static_cast<bool>(std::invoke(p, std::as_const(x))); },
        [](bool a, bool b) { return a || b; });
  }
  template <typename P>
  bool all(P p) && {
    return drive(
        true, [&p](bool b, Ref x) { return b && static_cast<bool>(std::invoke(p, std::as_const(x))); },
        [](bool a, bool b) { return a && b; });
  }

  // ParIter::min_by() / max_by(): the smallest / largest item by `less`;
  // the first of equal smallest, the last of equal largest (as Rust's
  // Iterator::min_by/max_by). std::nullopt when there are no items.
  template <typename Less>
  std::optional<Item> min_by(Less less) && {
    return std::move(*this).extremum(less, /*want_max=*/false);
  }
  template <typename Less>
  std::optional<Item> max_by(Less less) && {
    return std::move(*this).extremum(less, /*want_max=*/true);
  }
  // ParIter::min_by_key() / max_by_key(): the same, comparing key(item).
  template <typename Key>
  std::optional<Item> min_by_key(Key key) && {
    return std::move(*this).min_by(
        [&key](const Item& a, const Item& b) { return std::invoke(key, a) < std::invoke(key, b); });
  }
  template <typename Key>
  std::optional<Item> max_by_key(Key key) && {
    return std::move(*this).max_by(
        [&key](const Item& a, const Item& b) { return std::invoke(key, a) < std::invoke(key, b); });
  }
  std::optional<Item> min() && { return std::move(*this).min_by(std::less<>()); }
  std::optional<Item> max() && { return std::move(*this).max_by(std::less<>()); }

  // ParIter::collect(): the items in order, as a std::vector<Item>.
  std::vector<Item> collect() && {
    if constexpr (Source::kIndexed && std::is_default_constructible_v<Item> && std::is_move_assignable_v<Item>) {
      return std::move(*this).collect_indexed();
    } else {
      return std::move(*this).collect_pieces();
    }
  }

 private:
  template <typename>
  friend class ParIter;

  // Folds every piece from a copy of `identity` and combines the pieces in order.
  template <typename Acc, typename Op, typename Combine>
  Acc drive(Acc identity, const Op& op, const Combine& combine) {
    const size_t n = source_.size();
    if (n == 0) return identity;
    auto body = [&]() -> Acc {
      const size_t grain = internal::chunk_size(n, min_len_, internal::current_registry().num_threads());
      auto leaf = [&](size_t lo, size_t hi) { return source_.fold(lo, hi, Acc(identity), op); };
      return internal::bridge<Acc>(0, n, grain, leaf, combine);
    };
    return internal::in_pool(body, where_);
  }

  // Runs leaf(lo, hi) over pieces of [0, n), for indexed work.
  template <typename Leaf>
  void for_pieces(size_t n, const Leaf& leaf) {
    if (n == 0) return;
    auto body = [&]() {
      const size_t grain = internal::chunk_size(n, min_len_, internal::current_registry().num_threads());
      auto unit_leaf = [&](size_t lo, size_t hi) {
        leaf(lo, hi);
        return internal::Unit{};
      };
      internal::bridge<internal::Unit>(0, n, grain, unit_leaf,
                                       [](internal::Unit, internal::Unit) { return internal::Unit{}; });
    };
    internal::in_pool(body, where_);
  }

  template <typename Less>
  std::optional<Item> extremum(Less& less, bool want_max) && {
    using Best = std::optional<Item>;
    return drive(
        Best(),
        [&less, want_max](Best best, Ref x) {
          // Min keeps the first of equals (replace only if x < best); max keeps
          // the last (replace unless x < best).
          if (!best || (want_max ? !std::invoke(less, std::as_const(x), std::as_const(*best))
                                 : static_cast<bool>(std::invoke(less, std::as_const(x), std::as_const(*best))))) {
            best.emplace(std::forward<Ref>(x));
          }
          return best;
        },
        [&less, want_max](Best a, Best b) {
          if (!a) return b;
          if (!b) return a;
          const bool b_less = std::invoke(less, std::as_const(*b), std::as_const(*a));
          if (want_max) return b_less ? a : b;
          return b_less ? b : a;
        });
  }

  // One item per index: write each into its place.
  std::vector<Item> collect_indexed() && {
    const size_t n = source_.size();
    std::vector<Item> out;
    if constexpr (std::is_trivially_default_constructible_v<Item> && std::is_trivially_copyable_v<Item>) {
      if (n * sizeof(Item) >= internal::kParallelFirstTouchBytes) {
        // See kParallelFirstTouchBytes. Writing bytes of the reserved storage
        // before the elements exist is fine: it is raw memory from the
        // allocator, and resize() then creates the elements over it.
        out.reserve(n);
        auto* bytes = reinterpret_cast<volatile unsigned char*>(out.data());
        const size_t page = 4096;
        for_pieces(n, [&](size_t lo, size_t hi) {
          const size_t first = (lo * sizeof(Item) + page - 1) / page * page;
          for (size_t b = first; b < hi * sizeof(Item); b += page) bytes[b] = 0;
        });
      }
    }
    out.resize(n);
    Item* data = out.data();
    for_pieces(n, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i) data[i] = source_.item(i);
    });
    return out;
  }

  // Each piece collects into its own vector; the pieces are joined in order.
  std::vector<Item> collect_pieces() && {
    using Pieces = std::vector<std::vector<Item>>;
    Pieces pieces = drive(
        Pieces(),
        [](Pieces p, Ref x) {
          if (p.empty()) p.emplace_back();
          p.back().emplace_back(std::forward<Ref>(x));
          return p;
        },
        [](Pieces a, Pieces b) {
          a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
          return a;
        });
    size_t total = 0;
    for (const auto& p : pieces) total += p.size();
    std::vector<Item> out;
    out.reserve(total);
    for (auto& p : pieces) out.insert(out.end(), std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()));
    return out;
  }

  Source source_;
  size_t min_len_;
  std::source_location where_;
};

// ---- Making parallel iterators -------------------------------------------------

namespace internal {

template <typename R>
concept ParallelRange = std::ranges::random_access_range<R> && std::ranges::sized_range<R>;

template <bool kConst, typename R>
auto make_par_iter(R&& r, const std::source_location& where) {
  using Plain = std::remove_cvref_t<R>;
  if constexpr (std::is_lvalue_reference_v<R>) {
    using Holder = std::remove_reference_t<R>*;
    using S = RangeSource<Holder, kConst>;
    return ParIter<S>(S(&r), 1, where);
  } else {
    using S = RangeSource<Plain, kConst>;
    return ParIter<S>(S(std::move(r)), 1, where);
  }
}

}  // namespace internal

// par_iter(): items are const references to the range's elements (Rust's
// `par_iter()`, `&T`). A temporary range (e.g. std::views::iota(0, n)) is
// kept inside the iterator. The range must outlive the terminal call and
// must not change during it.
template <internal::ParallelRange R>
auto par_iter(R&& r, std::source_location where = std::source_location::current()) {
  return internal::make_par_iter<true>(std::forward<R>(r), where);
}

// par_iter_mut(): items are mutable references (Rust's `par_iter_mut()`).
template <internal::ParallelRange R>
  requires std::is_lvalue_reference_v<R>
auto par_iter_mut(R&& r, std::source_location where = std::source_location::current()) {
  return internal::make_par_iter<false>(std::forward<R>(r), where);
}

// into_par_iter(): like Rust's `into_par_iter()`: a temporary is owned by
// the iterator; an lvalue yields references as its constness allows.
template <internal::ParallelRange R>
auto into_par_iter(R&& r, std::source_location where = std::source_location::current()) {
  return internal::make_par_iter<false>(std::forward<R>(r), where);
}

// par_range(): the integers [lo, hi) (Rust: `(lo..hi).into_par_iter()`).
template <std::integral I>
auto par_range(I lo, I hi, std::source_location where = std::source_location::current()) {
  if (hi < lo) hi = lo;
  return into_par_iter(std::views::iota(lo, hi), where);
}

// ---- The algorithms as functions ---------------------------------------------

// par_for_each(): f(element) for every element, in parallel; f gets a
// mutable reference when the range is a non-const lvalue.
template <internal::ParallelRange R, typename F>
void par_for_each(R&& r, F f, std::source_location where = std::source_location::current()) {
  into_par_iter(std::forward<R>(r), where).for_each(std::move(f));
}

// par_map(): {f(e) for e in r}, in order (rayon's `map(f).collect()`).
template <internal::ParallelRange R, typename F>
auto par_map(R&& r, F f, std::source_location where = std::source_location::current()) {
  return par_iter(std::forward<R>(r), where).map(std::move(f)).collect();
}

// par_filter(): the elements e with pred(e), in order.
template <internal::ParallelRange R, typename P>
auto par_filter(R&& r, P pred, std::source_location where = std::source_location::current()) {
  return par_iter(std::forward<R>(r), where).filter(std::move(pred)).collect();
}

// par_reduce(): see ParIter::reduce().
template <internal::ParallelRange R, typename T, typename Op>
T par_reduce(R&& r, T identity, Op op, std::source_location where = std::source_location::current()) {
  return par_iter(std::forward<R>(r), where).reduce(std::move(identity), std::move(op));
}

// par_sum(): the sum of the elements; with f, the sum of f(element).
template <internal::ParallelRange R>
auto par_sum(R&& r, std::source_location where = std::source_location::current()) {
  return par_iter(std::forward<R>(r), where).sum();
}
template <internal::ParallelRange R, typename F>
auto par_sum(R&& r, F f, std::source_location where = std::source_location::current()) {
  return par_iter(std::forward<R>(r), where).map(std::move(f)).sum();
}

// par_min_by() / par_max_by(): the smallest / largest element (first of
// equal smallest, last of equal largest), or std::nullopt for an empty
// range. `f` is either a comparator less(a, b) or a key function key(e).
template <internal::ParallelRange R, typename F>
auto par_min_by(R&& r, F f, std::source_location where = std::source_location::current()) {
  using E = const std::ranges::range_value_t<R>&;
  if constexpr (std::is_invocable_r_v<bool, F&, E, E>) {
    return par_iter(std::forward<R>(r), where).min_by(std::move(f));
  } else {
    return par_iter(std::forward<R>(r), where).min_by_key(std::move(f));
  }
}
template <internal::ParallelRange R, typename F>
auto par_max_by(R&& r, F f, std::source_location where = std::source_location::current()) {
  using E = const std::ranges::range_value_t<R>&;
  if constexpr (std::is_invocable_r_v<bool, F&, E, E>) {
    return par_iter(std::forward<R>(r), where).max_by(std::move(f));
  } else {
    return par_iter(std::forward<R>(r), where).max_by_key(std::move(f));
  }
}

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_PARALLEL_H_
