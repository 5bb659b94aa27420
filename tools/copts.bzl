"""Compiler flags shared by the project's own code."""

# The primitives and the checker: warnings are errors, and Clang's thread
# safety analysis checks every annotated lock.
STRICT_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wthread-safety",
    "-Wthread-safety-beta",
]

# Exercises and solutions: thread safety analysis on, warnings shown, but only
# thread-safety findings stop the build (they are part of the lesson).
EXERCISE_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wthread-safety",
    "-Werror=thread-safety-analysis",
    # Students' code is not annotated: the guards that move (MutexGuard and
    # the RwLock guards) are checked only in our own code, where a function
    # that returns a guard says so (see primitives/thread_annotations.h).
    "-DRACELINGS_UNCHECKED_GUARDS",
    # A function declared to return a value that falls off its end: undefined
    # behaviour, and a coroutine Task<T> without co_return is not a coroutine.
    "-Werror=return-type",
]
