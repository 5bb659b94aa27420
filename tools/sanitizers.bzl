"""Per-target sanitizers.

Each exercise needs its own sanitizer (ThreadSanitizer for races, AddressSanitizer
for lifetimes), whatever `--config` the build runs with. `sanitized_cc_test`
builds a cc_test's whole dependency graph (primitives, GoogleTest, the test)
under one sanitizer through a configuration transition, so a library is
declared once and compiled once per sanitizer, and no `--config` can mix two
sanitizers into one binary.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")
load("//tools:integrity.bzl", "IntegrityInfo", "integrity_artifacts", "integrity_manifest_lines")
load("//tools/sanitizer_options:pinned.bzl", "ASAN_DEFAULTS", "LSAN_DEFAULTS", "TSAN_DEFAULTS")

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
_SYMBOLIZER_PATH = "/usr/lib/llvm-19/bin/llvm-symbolizer"
_SYMBOLIZER = "external_symbolizer_path=" + _SYMBOLIZER_PATH

def _pinned(chosen, defaults):
    """An options string: our choices, then every other option at its default.

    Options in the environment override those a program compiles in
    (`__tsan_default_options` and the like, parsed before the environment),
    so setting every one of them here leaves such a default nothing to change.
    """
    options = [(k, v) for k, v in chosen.items()]
    options += [(k, defaults[k]) for k in sorted(defaults) if k not in chosen]
    for k, v in options:
        if " " in v or ":" in v:
            fail("sanitizer option %s=%s: a value with a blank or a colon would be split" % (k, v))
    return ":".join(["%s=%s" % (k, v) for k, v in options])

# Runtime options. Each sanitized target also writes them to `<name>.env`
# beside its binary, which is where the checker reads them: one definition.
# Reports go to stderr unless the checker's runner says where (log_path).
SANITIZER_ENV = {
    "none": {},
    # atexit_sleep_ms=0: TSan's default one-second sleep at exit (for threads
    # still running) is paid only by programs that leave one running: the
    # detector reports such a thread as a leak and waits for it (detector.cc).
    "tsan": {"TSAN_OPTIONS": _pinned({
        "halt_on_error": "0",
        "exitcode": "66",
        "history_size": "4",
        "second_deadlock_stack": "1",
        "atexit_sleep_ms": "0",
        "external_symbolizer_path": _SYMBOLIZER_PATH,
        "log_path": "stderr",
        "help": "0",
    }, TSAN_DEFAULTS)},
    # LeakSanitizer, part of AddressSanitizer here, reads its own options
    # (and `__lsan_default_options`) apart from ASAN_OPTIONS.
    "asan": {
        "ASAN_OPTIONS": _pinned({
            "detect_leaks": "1",
            "detect_stack_use_after_return": "1",
            "strict_init_order": "1",
            "external_symbolizer_path": _SYMBOLIZER_PATH,
            "log_path": "stderr",
            "help": "0",
        }, ASAN_DEFAULTS),
        "LSAN_OPTIONS": _pinned({}, LSAN_DEFAULTS),
    },
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

def _program_and_env(ctx):
    # The binary, under the target's own name, and `<name>.env` beside it:
    # the checker runs the one with the other, as the test does.
    binary = ctx.attr.binary[0]
    src = binary[DefaultInfo].files_to_run.executable
    program = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = program, target_file = src, is_executable = True)
    env = dict(SANITIZER_ENV[ctx.attr.sanitizer])
    env.update(ctx.attr.env)
    env_file = ctx.actions.declare_file(ctx.label.name + ".env")
    ctx.actions.write(env_file, "".join(["%s=%s\n" % (k, env[k]) for k in sorted(env)]))
    runfiles = ctx.runfiles(files = [program, src, env_file]).merge(binary[DefaultInfo].default_runfiles)
    return program, env, env_file, runfiles

def _sanitized_binary_impl(ctx):
    program, env, env_file, runfiles = _program_and_env(ctx)
    return [
        DefaultInfo(executable = program, files = depset([program, env_file]), runfiles = runfiles),
        testing.TestEnvironment(env),
    ]

def _sanitized_test_impl(ctx):
    program, env, env_file, runfiles = _program_and_env(ctx)
    outputs = [program, env_file]
    runner = ctx.attr._runner[DefaultInfo]
    runfiles = runfiles.merge(runner.default_runfiles)
    command = [runner.files_to_run.executable.short_path, "--program", program.short_path]
    if ctx.attr.integrity:
        info = ctx.attr.integrity[0][IntegrityInfo]
        manifest = ctx.actions.declare_file(ctx.label.name + ".integrity")
        ctx.actions.write(manifest, integrity_manifest_lines(ctx.attr.sanitizer, info, ctx.file.reference))
        # Among the target's files too, so that a filegroup of tests (the
        # audit's mutants) carries what their manifests name.
        outputs += [manifest, info.preprocessed, info.ir, info.object]
        checked = [manifest, info.source, info.preprocessed, info.ir, info.object]
        if ctx.file.reference:
            checked.append(ctx.file.reference)
        runfiles = runfiles.merge(ctx.runfiles(files = checked))
        command += ["--integrity", manifest.short_path]

    # What `bazel test` runs: the runner checks the integrity of the code under
    # test, runs the program, and passes it only if every test ran to the end.
    script = ctx.actions.declare_file(ctx.label.name + ".runner.sh")
    ctx.actions.write(
        script,
        "#!/bin/bash\n# %s: see checker/integrity/test_runner.cc\nexec %s -- \"$@\"\n" % (
            ctx.label,
            " ".join(["'%s'" % part for part in command]),
        ),
        is_executable = True,
    )
    return [
        DefaultInfo(
            executable = script,
            files = depset(outputs + [script]),
            runfiles = runfiles.merge(ctx.runfiles(files = [script])),
        ),
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

_TEST_ATTRS = dict(_ATTRS)
_TEST_ATTRS.update({
    # The code under test as the compiler saw it, under the test's sanitizer.
    "integrity": attr.label(providers = [IntegrityInfo], cfg = _sanitizer_transition),
    # What the integrity scan of the source allows besides: the exercise's solution.
    "reference": attr.label(allow_single_file = [".cc"]),
    "_runner": attr.label(default = "//checker/integrity:test_runner", executable = True, cfg = "target"),
})

_sanitized_test = rule(
    implementation = _sanitized_test_impl,
    attrs = _TEST_ATTRS,
    test = True,
)

_sanitized_binary = rule(
    implementation = _sanitized_binary_impl,
    attrs = _ATTRS,
    executable = True,
)

def sanitized_cc_test(
        name,
        sanitizer,
        srcs = [],
        deps = [],
        copts = [],
        env = {},
        size = "small",
        tags = [],
        timeout = None,
        data = [],
        visibility = None,
        integrity_reference = None,
        **kwargs):
    """A cc_test whose whole dependency graph is built under `sanitizer`.

    Creates `<name>` (the test) and `<name>_bin` (the binary, tagged manual).
    The test passes only when the program's tests all ran to the end
    (test_main's completion record). With `integrity_reference` (the file the
    integrity scan compares `srcs` with; `srcs` is then the one student file),
    it also checks the integrity of `srcs` on its text, preprocessed text,
    LLVM IR and object (`<name>_code`, `<name>_integrity`), and fails first
    when that check does.
    """
    integrity = None
    binary_srcs = srcs
    binary_deps = deps
    if integrity_reference != None:
        if len(srcs) != 1:
            fail("%s: integrity is checked on one source file, got %s" % (name, srcs))
        integrity_artifacts(
            name = name + "_integrity",
            src = srcs[0],
            deps = deps,
            copts = copts,
            testonly = True,
            tags = ["manual"],
        )
        # The object compiled from the checked IR, linked as the test's code.
        cc_library(
            name = name + "_code",
            srcs = [":" + name + "_integrity"],
            deps = deps,
            testonly = True,
            # Nothing may be dropped from what is checked.
            alwayslink = True,
            tags = ["manual"],
        )
        integrity = ":" + name + "_integrity"
        binary_srcs = []
        binary_deps = [":" + name + "_code"] + deps
    cc_binary(
        name = name + "_bin",
        srcs = binary_srcs,
        deps = binary_deps,
        copts = copts,
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
        integrity = integrity,
        reference = integrity_reference,
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
