#!/usr/bin/env python3
"""Lists the C++ files and functions over a size limit (issue #21: no file over
about 700 lines, no function over about 80).

    tools/size_report.py [--max-function N] [--max-file N] [--all] [--check] PATH...

A PATH is a file or a folder (searched for *.cc and *.h). A function's size is
the span of its definition, from the first line of its declaration to its
closing brace, comments and blank lines included: what a reader scrolls
through. A file's size is its line count. Lambdas and local classes count
toward the function that holds them; a lambda in a namespace-scope initializer
is not a function of its own.

The count is made on a lexed copy of each file: comments, string and character
literals (raw strings included) and preprocessor lines are blanked first, so a
brace in any of them is not a brace. Each `{` at namespace or class scope is
then classified by the tokens before it (namespace, class, initializer or
function body; constructor initializer lists included).

Prints one line per item over its limit, largest first. With --check, exits 1
when there is any; --all lists every function instead.
"""

import argparse
import os
import re
import sys

SOURCE_SUFFIXES = (".cc", ".h")
CLASS_KEYWORDS = {"class", "struct", "union", "enum"}
NOT_A_NAME = {"decltype", "alignas", "noexcept", "__attribute__", "requires"}
TEST_MACROS = re.compile(r"^(TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)$")


def blank_non_code(text):
    """Replaces comments, literals and preprocessor lines with spaces, keeping
    every newline so that line numbers stay right."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            end = i
            while end < n and text[end] != "\n":
                end += 2 if text[end] == "\\" and end + 1 < n else 1
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        if c == "\n":
            at_line_start = True
            out.append(c)
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            delim_end = text.find("(", i + 2)
            closing = ")" + text[i + 2:delim_end] + '"'
            end = text.find(closing, delim_end)
            end = n if end < 0 else end + len(closing)
            out.append(" S" + re.sub(r"[^\n]", " ", text[i + 2:end]))
            i = end
        elif c in "\"'":
            # A quote right after a digit is a digit separator (1'000), not a literal.
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(" ")
                i += 1
                continue
            end = i + 1
            while end < n and text[end] != c and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, n)
            out.append("S" + " " * (end - i - 1))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|::|->|\d[\w.]*|\S")


def tokens(code):
    """(text, line) pairs of the blanked code."""
    for number, line in enumerate(code.split("\n"), start=1):
        for match in TOKEN.finditer(line):
            yield match.group(0), number


def without_template_heads(header):
    """The header minus `template <...>` parts, whose `class` and `=` mean
    nothing about the brace that follows."""
    kept, i = [], 0
    while i < len(header):
        if header[i][0] == "template" and i + 1 < len(header) and header[i + 1][0] == "<":
            depth, i = 0, i + 1
            while i < len(header):
                depth += {"<": 1, ">": -1}.get(header[i][0], 0)
                i += 1
                if depth == 0:
                    break
            continue
        kept.append(header[i])
        i += 1
    return kept


def first_call_parens(header):
    """Index of the first `(` at depth 0 and of its matching `)`, or None."""
    for start, (text, _) in enumerate(header):
        if text == "(" and (start == 0 or header[start - 1][0] not in NOT_A_NAME):
            depth = 0
            for end in range(start, len(header)):
                depth += {"(": 1, ")": -1}.get(header[end][0], 0)
                if depth == 0:
                    return start, end
            return start, len(header) - 1
    return None


def classify(header):
    """What a `{` at namespace or class scope opens, given the tokens before it."""
    words = [t for t, _ in header]
    if "namespace" in words or (words[:1] == ["extern"] and words[1:2] == ["S"]):
        return "scope"
    plain = without_template_heads(header)
    parens = first_call_parens(plain)
    before_parens = plain[:parens[0]] if parens else plain
    for k, (text, _) in enumerate(before_parens):
        if text == "=" and (k == 0 or before_parens[k - 1][0] != "operator"):
            return "init"
        if text in CLASS_KEYWORDS:
            return "scope"
    if not parens:
        return "init"
    after = [t for t, _ in plain[parens[1] + 1:]]
    if ":" in after and words[-1] not in (")", "}"):
        return "init"  # a member's brace initializer: Foo() : a_{1} {
    return "function"


def function_name(header):
    plain = without_template_heads(header)
    parens = first_call_parens(plain)
    if not parens:
        return "?"
    start = parens[0]
    words = [t for t, _ in plain[:start]]
    if "operator" in words:
        return "operator" + "".join(words[len(words) - words[::-1].index("operator"):])
    name = words[-1] if words else "?"
    if TEST_MACROS.match(name):
        return name + "(" + "".join(t for t, _ in plain[start + 1:parens[1]]).replace(",", ", ") + ")"
    parts, k = [name], start - 2
    while k >= 1 and plain[k][0] == "::":
        parts.insert(0, plain[k - 1][0])
        k -= 2
    return "::".join(parts)


def functions(path):
    """(name, first line, last line) of each function defined in the file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = blank_non_code(f.read())
    found = []
    stack = []  # the kind of each open brace: scope, init or function
    header = []
    for text, line in tokens(code):
        inside_function = any(kind == "function" for kind, _ in stack)
        if text == "{":
            if inside_function or (stack and stack[-1][0] == "init"):
                stack.append(("block", None))
                continue
            kind = classify(header) if header else "init"
            start = (function_name(header), header[0][1]) if kind == "function" else None
            stack.append((kind, start))
            if kind != "init":
                header = []
            continue
        if text == "}":
            kind, start = stack.pop() if stack else ("scope", None)
            if kind == "function":
                found.append((start[0], start[1], line))
            if kind in ("scope", "function"):
                header = []
            continue
        if inside_function or (stack and stack[-1][0] == "init"):
            continue
        if text == ";":
            header = []
        elif text == ":" and header and header[-1][0] in ("public", "private", "protected"):
            header = []
        else:
            header.append((text, line))
    return found


def source_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "bazel-")))
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.join(folder, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--max-function", type=int, default=80)
    parser.add_argument("--max-file", type=int, default=700)
    parser.add_argument("--all", action="store_true", help="list every function")
    parser.add_argument("--check", action="store_true", help="exit 1 when anything is over its limit")
    args = parser.parse_args()

    long_files, long_functions, count = [], [], 0
    for path in source_files(args.paths):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().count("\n")
        if lines > args.max_file:
            long_files.append((lines, path))
        for name, first, last in functions(path):
            count += 1
            size = last - first + 1
            if args.all or size > args.max_function:
                long_functions.append((size, f"{path}:{first}", name))

    for lines, path in sorted(long_files, reverse=True):
        print(f"file     {lines:5d} lines  {path}")
    for size, where, name in sorted(long_functions, key=lambda item: (-item[0], item[1])):
        print(f"function {size:5d} lines  {where}  {name}")
    over = len(long_files) + sum(1 for size, _, _ in long_functions if size > args.max_function)
    print(f"size_report: {over} over the limits (files > {args.max_file} lines, functions > "
          f"{args.max_function}) among {count} functions", file=sys.stderr)
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
