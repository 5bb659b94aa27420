// result.h
// -----------------------------------------------------------------------------
//
// `Result<T, E>`: either a value or an error, the return type of operations
// that can fail in an expected way (a send on a closed channel, a receive
// that timed out, a thread that threw). It is a small `std::expected` (C++23,
// which libstdc++ 12 lacks) with Rust's names for the common calls.
//
// Rust equivalent: `Result<T, E>`; `unwrap()`, `expect()`, `is_ok()`, `is_err()`
// mean the same. Like Rust's `#[must_use]`, ignoring a Result is a warning.
//
//   Result<int, RecvError> r = rx.recv();
//   if (r.is_ok()) use(*r);
//   int v = rx.recv().unwrap();  // throws BadResultAccess on an error

#ifndef RACELINGS_PRIMITIVES_RESULT_H_
#define RACELINGS_PRIMITIVES_RESULT_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace racelings {

// Thrown by `unwrap()`/`expect()` on an error, and by `error()` on a value.
class BadResultAccess : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace internal {

// The error's message when it has one (`what()`), for unwrap's exception.
template <typename E>
std::string error_message(const E& e) {
  if constexpr (requires { e.what(); }) {
    return std::string(e.what());
  } else {
    return "an error";
  }
}

}  // namespace internal

// Tag to build an error Result: `Result<int, MyError>(Err, MyError{...})`.
struct ErrTag {};
inline constexpr ErrTag Err{};

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  // A value.
  template <typename U = T>
    requires std::is_constructible_v<T, U&&>
  Result(U&& value) : storage_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT: implicit like Ok(..)
  // An error.
  template <typename... Args>
  Result(ErrTag, Args&&... args) : storage_(std::in_place_index<1>, std::forward<Args>(args)...) {}

  bool is_ok() const { return storage_.index() == 0; }
  bool is_err() const { return storage_.index() == 1; }
  explicit operator bool() const { return is_ok(); }

  // Result<T, E>::unwrap(): the value, or BadResultAccess naming the error.
  T& unwrap() & { return checked("called unwrap() on an error"); }
  T&& unwrap() && { return std::move(checked("called unwrap() on an error")); }
  // Result<T, E>::expect(): like unwrap, with your own message first.
  T& expect(std::string_view message) & { return checked(message); }
  T&& expect(std::string_view message) && { return std::move(checked(message)); }

  T& operator*() & { return checked("dereferenced an error Result"); }
  T&& operator*() && { return std::move(checked("dereferenced an error Result")); }
  T* operator->() { return &checked("dereferenced an error Result"); }

  // The value, or `fallback` on an error.
  T value_or(T fallback) && { return is_ok() ? std::move(std::get<0>(storage_)) : std::move(fallback); }

  E& error() & {
    if (!is_err()) throw BadResultAccess("called error() on a value");
    return std::get<1>(storage_);
  }
  E&& error() && { return std::move(error()); }

 private:
  // A string_view, not a std::string: the message is built only on an error,
  // so unwrap() on a value allocates nothing.
  // The check inlined, the throw kept out of line: unwrap() on a value is a
  // compare and a branch.
  [[gnu::always_inline]] T& checked(std::string_view message) {
    if (is_err()) [[unlikely]]
      fail(message);
    return *std::get_if<0>(&storage_);
  }
  [[noreturn, gnu::noinline, gnu::cold]] void fail(std::string_view message) const {
    throw BadResultAccess(std::string(message) + ": " + internal::error_message(std::get<1>(storage_)));
  }

  std::variant<T, E> storage_;
};

// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename... Args>
  Result(ErrTag, Args&&... args) : error_(std::in_place, std::forward<Args>(args)...) {}

  bool is_ok() const { return !error_.has_value(); }
  bool is_err() const { return error_.has_value(); }
  explicit operator bool() const { return is_ok(); }

  void unwrap() const { check("called unwrap() on an error"); }
  void expect(std::string_view message) const { check(message); }

  E& error() & {
    if (!is_err()) throw BadResultAccess("called error() on a success");
    return *error_;
  }
  E&& error() && { return std::move(error()); }

 private:
  [[gnu::always_inline]] void check(std::string_view message) const {
    if (is_err()) [[unlikely]]
      fail(message);
  }
  [[noreturn, gnu::noinline, gnu::cold]] void fail(std::string_view message) const {
    throw BadResultAccess(std::string(message) + ": " + internal::error_message(*error_));
  }

  std::optional<E> error_;
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_RESULT_H_
