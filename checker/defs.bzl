"""The shape of the checker's unit tests, said once."""

load("@rules_cc//cc:defs.bzl", "cc_test")
load("//tools:copts.bzl", "STRICT_COPTS")

# Tests that run programs built under their own sanitizers (or a browser):
# nothing more to check under --config=tsan/asan, so they run once.
OWN_SANITIZERS = [
    "no_asan",
    "no_tsan",
]

def checker_cc_test(name, deps, size = "small", data = [], tags = [], gtest_main = False):
    """A GoogleTest test of the checker, `<name>.cc`, under the strict flags.

    Args:
      name: the test, and its source without ".cc".
      deps: what it tests (GoogleTest and the main are added).
      size: Bazel's test size.
      data: runtime files.
      tags: e.g. OWN_SANITIZERS.
      gtest_main: GoogleTest's own main instead of the project's
        (//primitives:test_main, which brings the primitives' watchdog and
        the controlled scheduler): for libraries that use neither.
    """
    cc_test(
        name = name,
        size = size,
        srcs = [name + ".cc"],
        copts = STRICT_COPTS,
        data = data,
        tags = tags,
        deps = deps + (["@googletest//:gtest_main"] if gtest_main else [
            "//primitives:test_main",
            "@googletest//:gtest",
        ]),
    )
