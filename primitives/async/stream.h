// stream.h
// -----------------------------------------------------------------------------
//
// Async streams: a coroutine returning `Stream<T>` (also spelled
// `AsyncGenerator<T>`) produces values with `co_yield` and may `co_await`
// between them; the consumer pulls them one at a time with
// `co_await stream.next()`, which gives `std::optional<T>` (std::nullopt at the
// end). `iter(range)` makes a stream of a range's elements.
//
// Like Task, a stream is lazy: its body runs only while the consumer awaits
// next(), on the consumer's task, and destroying the stream destroys its
// frame (its locals' destructors run) wherever it stopped. An exception the
// body throws comes out of the next() that was running it; the stream ends
// there.
//
// This header holds `AsyncGenerator<T>`, `Stream<T>` and `iter`.
//
// Rust equivalent: `tokio_stream` / `futures::Stream` with `StreamExt::next`
// (seed 002):
//
//   let mut stream = stream::iter(1..=3);           // auto stream = iter(std::views::iota(1, 4));
//   while let Some(num) = stream.next().await {     // while (auto num = co_await stream.next()) {
//       println!("Processing: {}", num);            //   std::printf("Processing: %d\n", *num);
//   }                                               // }

#ifndef RACELINGS_PRIMITIVES_ASYNC_STREAM_H_
#define RACELINGS_PRIMITIVES_ASYNC_STREAM_H_

#include <coroutine>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "primitives/async/core.h"
#include "primitives/async/task.h"

namespace racelings {
namespace async {

template <typename T>
class AsyncGenerator;

namespace internal {

template <typename T>
class GeneratorPromise : public PromiseBase {
 public:
  AsyncGenerator<T> get_return_object() noexcept;

  // Back to the consumer with the value (symmetric transfer). The yielded
  // object lives until the generator is resumed, so a pointer to it suffices.
  struct YieldAwaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<GeneratorPromise> h) noexcept {
      return h.promise().continuation;
    }
    void await_resume() const noexcept {}
  };
  YieldAwaiter yield_value(std::remove_reference_t<T>& value) noexcept {
    current_ = std::addressof(value);
    return {};
  }
  YieldAwaiter yield_value(std::remove_reference_t<T>&& value) noexcept {
    current_ = std::addressof(value);
    return {};
  }
  // Anything convertible to T (`co_yield 1` in a Stream<long>): kept in the
  // promise until the consumer took it.
  template <typename U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, std::remove_cvref_t<T>> && std::is_convertible_v<U &&, T>)
  YieldAwaiter yield_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    converted_.emplace(std::forward<U>(value));
    current_ = std::addressof(*converted_);
    return {};
  }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<GeneratorPromise> h) noexcept {
      return h.promise().continuation;
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept {
    current_ = nullptr;
    return {};
  }
  void return_void() noexcept {}
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  // What the consumer's next() gives (final_suspend cleared current_).
  std::optional<T> take() {
    if (exception_) std::rethrow_exception(std::exchange(exception_, nullptr));
    if (current_ == nullptr) return std::nullopt;
    std::optional<T> v(std::move(*current_));
    current_ = nullptr;
    return v;
  }

 private:
  std::remove_reference_t<T>* current_ = nullptr;
  std::optional<T> converted_;
  std::exception_ptr exception_;
};

}  // namespace internal

// AsyncGenerator<T>: a lazy async stream of T. Move-only; owns its frame.
template <typename T>
class [[nodiscard]] AsyncGenerator {
 public:
  using promise_type = internal::GeneratorPromise<T>;
  using value_type = T;

  AsyncGenerator() noexcept = default;
  AsyncGenerator(AsyncGenerator&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  AsyncGenerator& operator=(AsyncGenerator&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  AsyncGenerator(const AsyncGenerator&) = delete;
  AsyncGenerator& operator=(const AsyncGenerator&) = delete;

  // AsyncGenerator<T>::~AsyncGenerator(): destroys the frame wherever it
  // stopped.
  ~AsyncGenerator() { reset(); }

  // The awaitable of next().
  class NextAwaiter : public internal::KnownAwaitable {
   public:
    explicit NextAwaiter(std::coroutine_handle<promise_type> h) : h_(h) {}
    bool await_ready() const {
      if (!h_) throw EmptyTaskError("next() on an empty Stream (moved from or default-constructed)");
      return h_.done();
    }
    // Run the generator until its next co_yield (or its end): symmetric
    // transfer there, and back here from co_yield.
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) noexcept {
      h_.promise().continuation = consumer;
      return h_;
    }
    // The yielded value, std::nullopt at the end, or the body's exception.
    std::optional<T> await_resume() { return h_.promise().take(); }

   private:
    std::coroutine_handle<promise_type> h_;
  };

  // AsyncGenerator<T>::next(): `co_await s.next()` resumes the stream's body
  // until it yields (giving the value) or ends (giving std::nullopt); throws
  // what the body threw. Suspends the task whenever the body awaits.
  // Memory ordering: as for a Task awaited by the consumer.
  NextAwaiter next() { return NextAwaiter(h_); }

  bool valid() const noexcept { return static_cast<bool>(h_); }

 private:
  friend class internal::GeneratorPromise<T>;
  explicit AsyncGenerator(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  void reset() noexcept {
    if (h_) std::exchange(h_, nullptr).destroy();
  }
  std::coroutine_handle<promise_type> h_;
};

// Stream<T>: the name tokio_stream uses.
template <typename T>
using Stream = AsyncGenerator<T>;

namespace internal {
template <typename T>
AsyncGenerator<T> GeneratorPromise<T>::get_return_object() noexcept {
  return AsyncGenerator<T>(std::coroutine_handle<GeneratorPromise<T>>::from_promise(*this));
}
}  // namespace internal

// iter(range): a stream of the range's elements, in order (the range is moved
// into the stream). Rust: `tokio_stream::iter`.
template <std::ranges::input_range R>
AsyncGenerator<std::ranges::range_value_t<R>> iter(R range) {
  for (auto&& v : range) co_yield std::ranges::range_value_t<R>(v);
}

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_STREAM_H_
