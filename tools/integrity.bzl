"""What the compiler saw of a student's file, for the integrity check.

A submission is checked where it cannot be disguised (checker/integrity/README.md):
on its text, on its preprocessed text (names pasted by macros are spelled
out), on its LLVM IR as the front end produced it (which functions carry the
sanitizer's instrumentation attribute) and on the object file that is linked
into the test. `integrity_artifacts` makes the first two with the very
command line Bazel uses for a source file (the same toolchain, copts, defines
and include paths, `cc_common.compile` with one more flag), and compiles the
object from that IR with the same command line: the front end runs once, and
the object linked is the one compiled from the IR that was checked.

The rule is a dependency through the test's sanitizer transition, so all of
it is compiled under the test's own sanitizer.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

# Where clang-19's sanitizer runtimes keep the lists of symbols they export
# (package libclang-rt-19-dev): a submission may define none of them.
_RUNTIME_DIR = "/usr/lib/llvm-19/lib/clang/19/lib/linux"

RUNTIME_SYMBOL_LISTS = {
    "tsan": ["libclang_rt.tsan-x86_64.a.syms", "libclang_rt.tsan_cxx-x86_64.a.syms"],
    "asan": ["libclang_rt.asan-x86_64.a.syms", "libclang_rt.asan_cxx-x86_64.a.syms"],
}

IntegrityInfo = provider(
    doc = "The files the integrity check reads for one compiled source file.",
    fields = {
        "source": "File: the student's source file",
        "preprocessed": "File: its `clang -E` output",
        "ir": "File: its LLVM IR before any LLVM pass (`-S -emit-llvm -Xclang -disable-llvm-passes`)",
        "object": "File: the object file linked into the test",
    },
)

def _compile_variant(ctx, toolchain, features, suffix, flags):
    _, outputs = cc_common.compile(
        name = ctx.label.name + "_" + suffix,
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = toolchain,
        srcs = [ctx.file.src],
        user_compile_flags = ctx.attr.copts + flags,
        compilation_contexts = [dep[CcInfo].compilation_context for dep in ctx.attr.deps],
    )
    files = outputs.pic_objects + outputs.objects
    if len(files) != 1:
        fail("expected one output compiling %s with %s, got %s" % (ctx.file.src.path, flags, files))
    return files[0]

def _object_from_ir(ctx, toolchain, features, ir):
    # The object the test links, compiled from `ir` with the command line that
    # would compile the source: the same optimisation and sanitizer passes run
    # over the same IR, so the object is the one a direct compile gives (byte
    # for byte), the front end runs once, and what the integrity check reads
    # is exactly what was linked.
    obj = ctx.actions.declare_file("_objs/%s/%s.pic.o" % (ctx.label.name, ctx.file.src.basename.rsplit(".", 1)[0]))
    flags = (ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts + ctx.attr.copts +
             ["-Wno-unused-command-line-argument", "-x", "ir"])
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = toolchain,
        user_compile_flags = flags,
        source_file = ir.path,
        output_file = obj.path,
        use_pic = True,
    )
    ctx.actions.run(
        executable = cc_common.get_tool_for_action(feature_configuration = features, action_name = ACTION_NAMES.cpp_compile),
        arguments = cc_common.get_memory_inefficient_command_line(
            feature_configuration = features,
            action_name = ACTION_NAMES.cpp_compile,
            variables = variables,
        ),
        env = cc_common.get_environment_variables(
            feature_configuration = features,
            action_name = ACTION_NAMES.cpp_compile,
            variables = variables,
        ),
        inputs = depset([ir], transitive = [toolchain.all_files]),
        outputs = [obj],
        mnemonic = "CppCompileIr",
        progress_message = "Compiling %s from its LLVM IR" % ctx.file.src.short_path,
    )
    return obj

def _integrity_artifacts_impl(ctx):
    toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    ir = _compile_variant(ctx, toolchain, features, "ir", ["-S", "-emit-llvm", "-Xclang", "-disable-llvm-passes"])
    info = IntegrityInfo(
        source = ctx.file.src,
        # The output file keeps Bazel's object name; its content is text.
        preprocessed = _compile_variant(ctx, toolchain, features, "preprocessed", ["-E"]),
        ir = ir,
        object = _object_from_ir(ctx, toolchain, features, ir),
    )
    return [
        info,
        # Only the object: a cc_library links these files (`<name>_code`).
        DefaultInfo(files = depset([info.object])),
    ]

integrity_artifacts = rule(
    implementation = _integrity_artifacts_impl,
    doc = "The preprocessed source and LLVM IR of `src`, and the object compiled from that IR.",
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = [".cc"]),
        "deps": attr.label_list(providers = [CcInfo], doc = "what `src` includes from, for include paths and defines"),
        "copts": attr.string_list(doc = "the copts `src` is compiled with"),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
)

def integrity_manifest_lines(sanitizer, info, reference):
    """The `<test>.integrity` file: what to check, as runfiles paths, one `key=value` a line."""
    lines = [
        "sanitizer=" + sanitizer,
        "source=" + info.source.short_path,
        "reference=" + (reference.short_path if reference else ""),
        "preprocessed=" + info.preprocessed.short_path,
        "ir=" + info.ir.short_path,
        "object=" + info.object.short_path,
    ]
    for name in RUNTIME_SYMBOL_LISTS.get(sanitizer, []):
        lines.append("runtime_symbols=%s/%s" % (_RUNTIME_DIR, name))
    return "".join([line + "\n" for line in lines])
