// thread_annotations.h
// -----------------------------------------------------------------------------
//
// Macros for Clang's Thread Safety Analysis (`-Wthread-safety`). They state, in
// the code, which lock guards which data and which functions take or need a
// lock, so that the compiler rejects some races before a sanitizer ever runs.
// On compilers without the attributes they expand to nothing.
//
// Rust equivalent: none needed. Rust's `Mutex<T>` owns its data, so the type
// system enforces what these annotations only describe. Our `Mutex<T>` does the
// same for its own data; the annotations cover `RawMutex` and the classes built
// on it, where data and lock live side by side, the guards (a guard's scope is
// where its lock is held), and the primitives' own bookkeeping (plain_mutex.h).
//
// Reference: https://clang.llvm.org/docs/ThreadSafetyAnalysis.html

#ifndef RACELINGS_PRIMITIVES_THREAD_ANNOTATIONS_H_
#define RACELINGS_PRIMITIVES_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define RACELINGS_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define RACELINGS_THREAD_ANNOTATION_(x)
#endif

// CAPABILITY: marks a class as a lock.
//   class CAPABILITY("mutex") RawMutex { ... };
#define CAPABILITY(x) RACELINGS_THREAD_ANNOTATION_(capability(x))

// SCOPED_CAPABILITY: an RAII class that holds a lock for its lifetime.
//   class SCOPED_CAPABILITY LockGuard { ... };
#define SCOPED_CAPABILITY RACELINGS_THREAD_ANNOTATION_(scoped_lockable)

// GUARDED_BY: the data may only be touched while holding the lock.
//   int balance GUARDED_BY(mu) = 0;
#define GUARDED_BY(x) RACELINGS_THREAD_ANNOTATION_(guarded_by(x))

// PT_GUARDED_BY: the data a pointer points to is guarded (the pointer is not).
//   int* cell PT_GUARDED_BY(mu);
#define PT_GUARDED_BY(x) RACELINGS_THREAD_ANNOTATION_(pt_guarded_by(x))

// ACQUIRED_BEFORE / ACQUIRED_AFTER: a documented lock order.
//   RawMutex first ACQUIRED_BEFORE(second);
#define ACQUIRED_BEFORE(...) RACELINGS_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) RACELINGS_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))

// REQUIRES / REQUIRES_SHARED: the caller must hold the lock (exclusively, or at
// least for reading).
//   void deposit(int amount) REQUIRES(mu);
#define REQUIRES(...) RACELINGS_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) RACELINGS_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))

// ACQUIRE / ACQUIRE_SHARED / RELEASE / RELEASE_SHARED / RELEASE_GENERIC: the
// function takes or gives back the lock.
//   void lock() ACQUIRE();
//   void unlock() RELEASE();
#define ACQUIRE(...) RACELINGS_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) RACELINGS_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) RACELINGS_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) RACELINGS_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) RACELINGS_THREAD_ANNOTATION_(release_generic_capability(__VA_ARGS__))

// TRY_ACQUIRE / TRY_ACQUIRE_SHARED: the lock is held when the function returns
// the given value.
//   bool try_lock() TRY_ACQUIRE(true);
#define TRY_ACQUIRE(...) RACELINGS_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) RACELINGS_THREAD_ANNOTATION_(try_acquire_shared_capability(__VA_ARGS__))

// EXCLUDES: the caller must NOT hold the lock (the function takes it itself;
// calling it with the lock held would deadlock).
//   void transfer(Account& to) EXCLUDES(mu);
#define EXCLUDES(...) RACELINGS_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))

// ASSERT_CAPABILITY / ASSERT_SHARED_CAPABILITY: the function states that the
// lock is held (exclusively, or at least for reading) when it returns.
//   void assert_held() const ASSERT_CAPABILITY(this);
#define ASSERT_CAPABILITY(x) RACELINGS_THREAD_ANNOTATION_(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) RACELINGS_THREAD_ANNOTATION_(assert_shared_capability(x))

// RETURN_CAPABILITY: the function returns a reference to the given lock.
#define RETURN_CAPABILITY(x) RACELINGS_THREAD_ANNOTATION_(lock_returned(x))

// NO_THREAD_SAFETY_ANALYSIS: the escape hatch. Turns the analysis off for one
// function. Every use must say in a comment why the analysis cannot follow it.
#define NO_THREAD_SAFETY_ANALYSIS RACELINGS_THREAD_ANNOTATION_(no_thread_safety_analysis)

// GUARD_ANNOTATION: the annotations of the guards that move (`MutexGuard<T>`,
// `ReadGuard<T>`, `WriteGuard<T>`) and of the locks that hand them out
// (`Mutex<T>`, `RwLock<T>`). Each guard is a scoped capability; `lock()`,
// `read()` and `write()` acquire the lock into the guard they return. Clang
// follows such a guard within a function and through a move, but not out of
// a function that returns one without an ACQUIRE annotation of its own:
// there `return m.lock();` reads as "still held at the end of function", and
// the caller's guard as "releasing a mutex that was not held". Students'
// code (built with -Werror=thread-safety-analysis, tools/copts.bzl) must not
// need annotations, so the exercises define RACELINGS_UNCHECKED_GUARDS and
// these annotations vanish there; everywhere else they are checked.
//   MutexGuard<T> lock() GUARD_ANNOTATION(ACQUIRE());
// GUARD_LOCK_FUNCTION is for the few functions underneath the guards that
// call RawMutex's (always annotated) lock and unlock: when the guards are
// unchecked, nothing would balance those calls, so the analysis skips them.
//   void acquire() GUARD_LOCK_FUNCTION(ACQUIRE()) { raw_.lock(); }
#if defined(RACELINGS_UNCHECKED_GUARDS)
#define GUARD_ANNOTATION(...)
#define GUARD_LOCK_FUNCTION(...) NO_THREAD_SAFETY_ANALYSIS
#else
#define GUARD_ANNOTATION(...) __VA_ARGS__
#define GUARD_LOCK_FUNCTION(...) __VA_ARGS__
#endif

#endif  // RACELINGS_PRIMITIVES_THREAD_ANNOTATIONS_H_
