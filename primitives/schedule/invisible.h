// invisible.h
// -----------------------------------------------------------------------------
//
// Internal: `Invisible`, a scope in which ThreadSanitizer sees neither the
// calling thread's memory accesses nor its synchronisation, and in which the
// controlled scheduler lets every interposed call through untouched.
//
// The deadlock detector and the scheduler run inside one. Their own locks,
// atomics and futexes would otherwise order the threads they watch: a thread
// that hands its turn to another would "synchronise" with it, and TSan would
// miss the very race an exercise is about. The primitives' real locks stay
// visible, because they are taken outside.
//
// Rust equivalent: none; loom's runtime is invisible by construction, since
// it is not instrumented.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_INVISIBLE_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_INVISIBLE_H_

#include "primitives/schedule/schedule.h"

// ThreadSanitizer's dynamic annotations, present when it is linked in.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line) __attribute__((weak));
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line) __attribute__((weak));
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));

namespace racelings {
namespace schedule {

class Invisible {
 public:
  Invisible() {
    ++internal::tls_flags.in_scheduler;
    if (AnnotateIgnoreSyncBegin == nullptr) return;
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  }
  ~Invisible() {
    if (AnnotateIgnoreSyncEnd != nullptr) {
      AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
      AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
      AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    }
    --internal::tls_flags.in_scheduler;
  }
  Invisible(const Invisible&) = delete;
  Invisible& operator=(const Invisible&) = delete;
};

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_INVISIBLE_H_
