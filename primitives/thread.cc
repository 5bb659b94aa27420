#include "primitives/thread.h"

#include <unistd.h>

#include <algorithm>
#include <string>

namespace racelings {
namespace internal {

std::string_view record_name(const detector::ThreadRecord* record) {
  return record == nullptr ? std::string_view() : detector::thread_name(*record);
}

size_t effective_stack_size(size_t requested) {
  size_t floor = PTHREAD_STACK_MIN;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  floor = 256 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  floor = 256 * 1024;
#endif
#endif
  return std::max(requested, floor);
}

void set_native_name(const std::string& name) {
  // The OS keeps 15 characters; the full name stays in our records.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

void print_thread_exception(const detector::ThreadRecord* record, const std::exception_ptr& e) {
  // Like Rust's "thread '<name>' panicked at ...": say so at once, even if
  // nobody ever joins the thread to see the exception.
  std::string name(record_name(record));
  std::string what = ThreadPanic(e).what();
  std::string line = "racelings: " +
                     (record != nullptr ? detector::thread_description(*record) : std::string("thread")) +
                     " threw an exception: " + what + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace internal

std::string_view current_thread_name() { return detector::thread_name(*detector::self()); }

}  // namespace racelings
