"""Repository rules that make Debian's Bazel 4.2.3 build this project offline.

Nothing here downloads: every repository is made from files that Debian
packages put on disk (see README "Requirements"). When a package is missing,
the rule fails with the `apt-get install` line that fixes it.
"""

def _require(rctx, path, package):
    p = rctx.path(path)
    if not p.exists:
        fail("racelings: %s is missing; install it with `apt-get install %s` (or run ./racelings, which installs it)" % (path, package))
    return p

def _debian_rules_cc_impl(rctx):
    # Debian's rules_cc 0.0.4 loads use_cpp_toolchain from
    # @bazel_tools//tools/cpp:toolchain_utils.bzl, which Bazel 4.2.3 lacks.
    # Copy the tree and replace the call with the label it returns.
    src = _require(rctx, "/usr/share/bazel/rules/cc", "bazel-rules-cc")
    result = rctx.execute(["cp", "-r", str(src) + "/.", "."])
    if result.return_code != 0:
        fail("racelings: copying Debian's rules_cc failed: " + result.stderr)
    for f in [
        "cc/private/rules_impl/compiler_flag.bzl",
        "cc/private/rules_impl/cc_flags_supplier.bzl",
    ]:
        text = rctx.read(f)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        rctx.file(f, text, executable = False)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    doc = "Debian's rules_cc, patched for Bazel 4.2.3.",
)

def _debian_local_impl(rctx):
    src = _require(rctx, rctx.attr.path, rctx.attr.package)
    for entry in src.readdir():
        rctx.symlink(entry, entry.basename)

debian_local = repository_rule(
    implementation = _debian_local_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "package": attr.string(mandatory = True),
    },
    doc = "A Bazel repository that Debian installs as a whole folder (rules_java, platforms).",
)

def _debian_source_impl(rctx):
    src = _require(rctx, rctx.attr.path, rctx.attr.package)
    for entry in src.readdir():
        rctx.symlink(entry, entry.basename)
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
    rctx.file("BUILD.bazel", rctx.read(rctx.attr.build_file))

debian_source = repository_rule(
    implementation = _debian_source_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "package": attr.string(mandatory = True),
        "build_file": attr.label(mandatory = True, allow_single_file = True),
    },
    doc = "Sources or headers installed by a Debian package, with a BUILD file of ours.",
)

def _debian_library_impl(rctx):
    _require(rctx, rctx.attr.header, rctx.attr.package)
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
    rctx.file("BUILD.bazel", """\
load("@rules_cc//cc:defs.bzl", "cc_library")

# {package}: headers are on the compiler's default path, the library is linked from the system.
cc_library(
    name = "{name}",
    linkopts = {linkopts},
    visibility = ["//visibility:public"],
)
""".format(package = rctx.attr.package, name = rctx.name, linkopts = repr(rctx.attr.linkopts)))

debian_library = repository_rule(
    implementation = _debian_library_impl,
    attrs = {
        "header": attr.string(mandatory = True),
        "package": attr.string(mandatory = True),
        "linkopts": attr.string_list(default = []),
    },
    doc = "A system library from a Debian -dev package, as a cc_library.",
)

def _coverage_unsupported_impl(rctx):
    # Bazel 4.2.3 wants @remote_coverage_tools for every test; we have none
    # offline, so `bazel coverage` says so instead of failing obscurely.
    rctx.file("WORKSPACE", 'workspace(name = "remote_coverage_tools")\n')
    rctx.file("coverage_report_generator.sh", """\
#!/bin/sh
echo "racelings: bazel coverage is not supported (no coverage tools are available offline)." >&2
exit 1
""", executable = True)
    rctx.file("BUILD.bazel", """\
sh_binary(
    name = "coverage_report_generator",
    srcs = ["coverage_report_generator.sh"],
    visibility = ["//visibility:public"],
)

filegroup(
    name = "coverage_output_generator",
    srcs = [],
    visibility = ["//visibility:public"],
)

filegroup(
    name = "lcov_merger",
    srcs = [],
    visibility = ["//visibility:public"],
)
""")

coverage_unsupported = repository_rule(
    implementation = _coverage_unsupported_impl,
    doc = "A stand-in for @remote_coverage_tools that explains coverage is unsupported.",
)
