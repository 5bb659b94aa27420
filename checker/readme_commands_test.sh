#!/usr/bin/env bash
# Every `./racelings ...` command line that the README (and an exercise's
# README) shows must be accepted as written: the checker parses each one
# (RACELINGS_PARSE_ONLY=1 stops it after parsing), and the commands that the
# racelings script handles itself must be among its cases.
#
#   readme_commands_test.sh RACELINGS_BINARY ENTRY_SCRIPT CATALOG README...
set -uo pipefail

bin=$(realpath "$1")
script=$2
catalog=$(realpath "$3")
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/submissions" "$work/out" "$work/tree/exercises"
# A tree for the checker to find (it resolves the exercises a command names).
: >"$work/tree/WORKSPACE"
cp "$catalog" "$work/tree/exercises/catalog.json"
: >"$work/log.txt"

python3 - "$work" "$@" >"$work/commands" <<'PY' || { echo "FAIL: could not read the READMEs"; exit 1; }
import re, sys
work, paths = sys.argv[1], sys.argv[2:]
# Placeholders the READMEs use, and what stands in for each here.
values = {"N": "1", "NN": "01", "FILE": work + "/out/result", "SUBMISSIONS": work + "/submissions",
          "OUT": work + "/out", "J": "2", "REF|DIR": "HEAD", "DIR": work + "/submissions",
          "<id>": "1", "ID": "1"}
for path in paths:
    text = open(path).read()
    found = []
    # Inline code, possibly wrapped over a line break.
    found += re.findall(r"`(\./racelings[^`]*)`", text.replace("\n", " "))
    # Shell blocks.
    for block in re.findall(r"```(?:sh|bash|shell)?\n(.*?)```", text, re.S):
        found += [l for l in block.splitlines() if l.startswith("./racelings")]
    for cmd in found:
        cmd = re.sub(r"\s+#.*$", "", cmd)          # a trailing comment
        cmd = re.sub(r"\s*<\s*\S+", "", cmd)         # an input redirection
        cmd = cmd.replace("[", "").replace("]", "")  # optional parts: all of them
        words = cmd.split()[1:]
        out = []
        for w in words:
            if w in values:
                out.append(values[w])
            elif re.fullmatch(r"[A-Z][A-Z|_]*", w) or re.fullmatch(r"<[a-z-]+>", w):
                print(f"UNKNOWN\t{path}\t{w}\t{cmd}")
                out.append(w)
            else:
                out.append(w)
        print("CMD\t" + path + "\t" + cmd.strip() + "\t" + "\x1f".join(out))
PY

# Commands the racelings script itself handles (before the checker).
script_commands=$(sed -n 's/^  \([a-z|]*\))$/\1/p' "$script" | tr '|' '\n')

failures=0 checked=0
while IFS=$'\t' read -r kind path shown args; do
  if [ "$kind" = UNKNOWN ]; then
    echo "FAIL: $path: '$args' uses the placeholder '$shown', which this test does not know: add it to its table"
    failures=$((failures + 1))
    continue
  fi
  IFS=$'\x1f' read -r -a argv <<<"$args"
  checked=$((checked + 1))
  if [ ${#argv[@]} -gt 0 ] && grep -qx -- "${argv[0]}" <<<"$script_commands"; then
    continue
  fi
  if ! err=$(cd "$work/tree" && RACELINGS_PARSE_ONLY=1 NO_COLOR=1 "$bin" "${argv[@]}" 2>&1 </dev/null); then
    echo "FAIL: $path shows '$shown', which racelings does not accept:"
    echo "$err" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
done <"$work/commands"

if [ "$checked" -lt 10 ]; then
  echo "FAIL: found only $checked command lines in $*: is the extraction broken?"
  exit 1
fi
echo "$checked command lines checked, $failures failed"
[ "$failures" -eq 0 ]
