"""Per-target sanitizers.

Each exercise needs its own sanitizer (ThreadSanitizer for races, AddressSanitizer
for lifetimes), whatever `--config` the build runs with. `sanitized_cc_test`
builds a cc_test's whole dependency graph (primitives, GoogleTest, the test)
under one sanitizer through a configuration transition, so a library is
declared once and compiled once per sanitizer, and no `--config` can mix two
sanitizers into one binary.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

# Compile and link flags per sanitizer. Optimisation -O1 with frame pointers is
# what the sanitizers' documentation recommends for readable, fast reports.
SANITIZER_COPTS = {
    "none": [],
    "tsan": ["-fsanitize=thread", "-O1", "-fno-omit-frame-pointer"],
    "asan": ["-fsanitize=address", "-fsanitize-address-use-after-scope", "-O1", "-fno-omit-frame-pointer"],
    "ubsan": ["-fsanitize=undefined", "-fno-sanitize-recover=all", "-O1", "-fno-omit-frame-pointer"],
    # libFuzzer targets (checker/report/parser_fuzzer.cc): coverage-guided, with ASan and UBSan.
    "fuzz": ["-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined", "-O1", "-fno-omit-frame-pointer"],
}

SANITIZER_LINKOPTS = {
    "none": [],
    "tsan": ["-fsanitize=thread"],
    "asan": ["-fsanitize=address"],
    "ubsan": ["-fsanitize=undefined"],
    # Bazel links with clang, not clang++: UBSan's C++ part (vptr checks) must be asked for.
    "fuzz": ["-fsanitize=fuzzer,address,undefined", "-fsanitize-link-c++-runtime"],
}

# clang-19's own symbolizer, so that reports name files and lines on any machine.
_SYMBOLIZER = "external_symbolizer_path=/usr/lib/llvm-19/bin/llvm-symbolizer"

# Runtime options. Each sanitized target also writes them to `<name>.env`
# beside its binary, which is where the checker reads them: one definition.
SANITIZER_ENV = {
    "none": {},
    # atexit_sleep_ms=0: TSan's default one-second sleep at exit (for threads
    # still running) is paid only by programs that leave one running: the
    # detector reports such a thread as a leak and waits for it (detector.cc).
    "tsan": {"TSAN_OPTIONS": "halt_on_error=0:exitcode=66:history_size=4:second_deadlock_stack=1:atexit_sleep_ms=0:" + _SYMBOLIZER},
    "asan": {"ASAN_OPTIONS": "detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:" + _SYMBOLIZER},
    "ubsan": {"UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:" + _SYMBOLIZER},
    "fuzz": {
        "ASAN_OPTIONS": "detect_leaks=1:" + _SYMBOLIZER,
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:" + _SYMBOLIZER,
    },
}

SANITIZERS = ["none", "tsan", "asan", "ubsan", "fuzz"]

def _is_sanitizer_flag(flag):
    return (flag.startswith("-fsanitize") or flag.startswith("-fno-sanitize") or
            flag in ("-O0", "-O1", "-O2", "-O3", "-fno-omit-frame-pointer"))

def _sanitizer_transition_impl(settings, attr):
    # Replace whatever sanitizer the command line asked for with this target's own.
    copts = [f for f in settings["//command_line_option:copt"] if not _is_sanitizer_flag(f)]
    linkopts = [f for f in settings["//command_line_option:linkopt"] if not _is_sanitizer_flag(f)]
    return {
        "//command_line_option:copt": copts + SANITIZER_COPTS[attr.sanitizer],
        "//command_line_option:linkopt": linkopts + SANITIZER_LINKOPTS[attr.sanitizer],
    }

_sanitizer_transition = transition(
    implementation = _sanitizer_transition_impl,
    inputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
    outputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _sanitized_impl(ctx):
    binary = ctx.attr.binary[0]
    src = binary[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = src, is_executable = True)
    runfiles = ctx.runfiles(files = [out, src]).merge(binary[DefaultInfo].default_runfiles)
    env = dict(SANITIZER_ENV[ctx.attr.sanitizer])
    env.update(ctx.attr.env)
    env_file = ctx.actions.declare_file(ctx.label.name + ".env")
    ctx.actions.write(env_file, "".join(["%s=%s\n" % (k, env[k]) for k in sorted(env)]))
    return [
        DefaultInfo(executable = out, files = depset([out, env_file]), runfiles = runfiles.merge(ctx.runfiles(files = [env_file]))),
        testing.TestEnvironment(env),
    ]

_ATTRS = {
    "binary": attr.label(mandatory = True, executable = True, cfg = _sanitizer_transition),
    "sanitizer": attr.string(mandatory = True, values = SANITIZERS),
    "env": attr.string_dict(),
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

_sanitized_test = rule(
    implementation = _sanitized_impl,
    attrs = _ATTRS,
    test = True,
)

_sanitized_binary = rule(
    implementation = _sanitized_impl,
    attrs = _ATTRS,
    executable = True,
)

def sanitized_cc_test(name, sanitizer, srcs = [], deps = [], env = {}, size = "small", tags = [], timeout = None, data = [], visibility = None, **kwargs):
    """A cc_test whose whole dependency graph is built under `sanitizer`.

    Creates `<name>` (the test) and `<name>_bin` (the binary, tagged manual).
    """
    cc_binary(
        name = name + "_bin",
        srcs = srcs,
        deps = deps,
        data = data,
        testonly = True,
        tags = ["manual"],
        visibility = visibility,
        **kwargs
    )
    _sanitized_test(
        name = name,
        binary = ":" + name + "_bin",
        sanitizer = sanitizer,
        env = env,
        size = size,
        tags = tags,
        timeout = timeout,
        visibility = visibility,
    )

def sanitized_cc_binary(name, sanitizer, srcs = [], deps = [], testonly = False, visibility = None, tags = [], **kwargs):
    """A cc_binary whose whole dependency graph is built under `sanitizer`."""
    cc_binary(
        name = name + "_unsanitized",
        srcs = srcs,
        deps = deps,
        testonly = testonly,
        tags = ["manual"],
        **kwargs
    )
    _sanitized_binary(
        name = name,
        binary = ":" + name + "_unsanitized",
        sanitizer = sanitizer,
        testonly = testonly,
        visibility = visibility,
        tags = tags,
    )
