"""How the tests of the primitives (and of parallel/, async/, schedule/) are declared."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("//tools:copts.bzl", "STRICT_COPTS")

# What every GoogleTest program of the primitives links: GoogleTest, and the
# main with the test watchdog (a hanging test fails with a report).
_GTEST_MAIN = [
    "//primitives:test_main",
    "@googletest//:gtest",
]

def primitives_test(name, deps, size = "small", srcs = None, **kwargs):
    """A GoogleTest test under the strict flags.

    Args:
      name: the test; its source is `name`.cc unless `srcs` says otherwise.
      deps: what it tests (GoogleTest and the watchdog's main come with it).
      size: Bazel's test size.
      srcs: the sources, when not `name`.cc.
      **kwargs: anything else cc_test takes (data, tags, ...).
    """
    cc_test(
        name = name,
        size = size,
        srcs = srcs or [name + ".cc"],
        copts = STRICT_COPTS,
        deps = deps + _GTEST_MAIN,
        **kwargs
    )

def primitives_test_program(name, deps, visibility = ["//visibility:private"], gtest = True):
    """A program (`name`.cc) that a test runs as a child process.

    Args:
      name: the program; its source is `name`.cc.
      deps: what it uses.
      visibility: who may run it (only its package's tests by default).
      gtest: a GoogleTest program with the watchdog's main (the default), or,
        False, a program with a main of its own that takes a scenario's name.
    """
    cc_binary(
        name = name,
        testonly = True,
        srcs = [name + ".cc"],
        copts = STRICT_COPTS,
        visibility = visibility,
        deps = deps + (_GTEST_MAIN if gtest else []),
    )
