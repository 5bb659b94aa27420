"""Targets for one exercise and its solution, from the catalog.

An exercise's BUILD file is two lines:

    load("//tools:exercise.bzl", "exercise")
    exercise()

and makes `:test`, the student's `exercise.cc` with its `test.cc`, built under
the sanitizer the catalog gives the exercise (whatever --config is used).
`solution()` in `solutions/NN_topic/BUILD` makes the same test against
`solution.cc`. Both link `:test_lib`, the test compiled once per sanitizer, so
a student's edit recompiles only exercise.cc. Both check the integrity of the
file under test first (checker/integrity/README.md), and pass only when every
test ran to the end.

Each wrong fix kept in `mutants/<name>.cc` (checker/mutants.h) becomes
`:mutant_<name>`, the same test against that file under the same sanitizer
(with the same integrity check), and `:mutants` gathers them, with their
sources and exercise.cc, for the audit test.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("@racelings_catalog//:catalog.bzl", "EXERCISES")
load("//tools:copts.bzl", "EXERCISE_COPTS")
load("//tools:sanitizers.bzl", "sanitized_cc_test")

_DEPS = [
    "//primitives",
    "//primitives/async",
    "//primitives/parallel",
    "//primitives:test_main",
    "@googletest//:gtest",
]

def _entry(kind):
    name = native.package_name().split("/")[-1]
    if name not in EXERCISES:
        fail("%s/%s is not in exercises/catalog.json: add an entry for it (see exercises/README.md)" % (kind, name))
    return EXERCISES[name]

def _env(entry):
    env = {"RACELINGS_TEST_TIMEOUT_S": str(entry["timeout_s"])}
    env.update(entry["env"])
    return env

def exercise():
    """The student's exercise: broken on a pristine tree, so tagged manual."""
    entry = _entry("exercises")
    native.exports_files(["test.cc", "exercise.cc", "README.md"])

    # Built only as a dependency of the tests, so only under their sanitizer.
    cc_library(
        name = "test_lib",
        testonly = True,
        srcs = ["test.cc"],
        copts = EXERCISE_COPTS,
        deps = _DEPS,
        # The TEST() registrations are static initializers nothing refers to.
        alwayslink = True,
        tags = ["manual"],
        visibility = [
            "//checker:__subpackages__",
            "//solutions:__subpackages__",
        ],
    )
    _student_file_test(entry, "test", "exercise.cc", "exercise")
    _mutants(entry)

def _student_file_test(entry, name, src, kind, visibility = ["//visibility:public"]):
    """`src` in place of exercise.cc, against the exercise's test and sanitizer."""
    sanitized_cc_test(
        name = name,
        sanitizer = entry["sanitizer"],
        srcs = [src],
        copts = EXERCISE_COPTS,
        deps = _DEPS + ["//exercises/%s:test_lib" % entry["name"]],
        env = _env(entry),
        # The solution shows what a fix may use.
        integrity_reference = "//solutions/%s:solution.cc" % entry["name"],
        size = "medium",
        tags = ["manual", kind],
        visibility = visibility,
    )

def _mutants(entry):
    sources = native.glob(["mutants/*.cc"])
    native.exports_files(sources)
    tests = []
    for src in sources:
        name = "mutant_" + src[len("mutants/"):-len(".cc")]
        tests.append(":" + name)
        # Wrong on purpose: only the audit runs them, and each must fail.
        _student_file_test(entry, name, src, "mutant")
    native.filegroup(
        name = "mutant_sources",
        srcs = sources,
        visibility = ["//checker:__pkg__"],
    )
    native.filegroup(
        name = "mutants",
        testonly = True,
        srcs = sources + tests + ["exercise.cc"],
        tags = ["manual"],
        visibility = ["//checker:__pkg__"],
    )

def solution():
    """The fixed twin: must pass, so part of `bazel test //...`."""
    entry = _entry("solutions")
    name = entry["name"]
    native.exports_files(["solution.cc"])
    sanitized_cc_test(
        name = "test",
        sanitizer = entry["sanitizer"],
        srcs = ["solution.cc"],
        copts = EXERCISE_COPTS,
        deps = _DEPS + ["//exercises/%s:test_lib" % name],
        env = _env(entry),
        # Checked as a submission would be: the solutions raise no false alarm.
        integrity_reference = "solution.cc",
        size = "medium",
        tags = ["solution"],
        visibility = ["//visibility:public"],
    )

    # The same test with no sanitizer: the audit measures the sanitizer's
    # slowdown against it.
    sanitized_cc_test(
        name = "test_plain",
        sanitizer = "none",
        srcs = ["solution.cc"],
        copts = EXERCISE_COPTS,
        deps = _DEPS + ["//exercises/%s:test_lib" % name],
        env = _env(entry),
        size = "medium",
        tags = ["manual"],
        visibility = ["//visibility:public"],
    )

def submission_test(name, exercise, src):
    """`src` handed in as exercise `exercise`'s file, from outside its folder.

    The same test as the exercise's own, integrity check included, for files
    that stand for student submissions (the hostile corpus in
    checker/testdata/hostile/). Tagged manual: such a file is meant to fail.
    """
    _student_file_test(EXERCISES[exercise], name, src, "submission", visibility = ["//checker:__subpackages__"])
