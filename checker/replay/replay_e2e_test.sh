#!/usr/bin/env bash
# A real exercise's failing schedule, found by exploration and shown three
# ways, as a student would: `racelings explore 08`, then `racelings replay
# 08` (the text timeline), `--step` (the stepper, driven through tmux, and
# by lines on a pipe) and `--html` (loaded in headless Chromium). The
# program is the one Bazel built as this test's data; the screens and a
# screenshot of the page are kept in the test's undeclared outputs.
set -euo pipefail
runfiles="${TEST_SRCDIR}/${TEST_WORKSPACE}"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR}}"
export HOME="$TEST_TMPDIR"
ex=08_check_then_act

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect() {  # expect TEXT PATTERN WHAT
  grep -qF -- "$2" <<<"$1" || fail "$3: no '$2' in:"$'\n'"$1"
}

# The tree the checker reads (catalog and sources); the program from the runfiles.
tree="$TEST_TMPDIR/tree"
mkdir -p "$tree/exercises/$ex"
touch "$tree/WORKSPACE"
cp "$runfiles/exercises/catalog.json" "$tree/exercises/"
cp "$runfiles/exercises/$ex/exercise.cc" "$runfiles/exercises/$ex/test.cc" "$tree/exercises/$ex/"
racelings=("$runfiles/checker/racelings" --root "$tree" --no-color)

# 1. Exploration finds a failing schedule and shows its timeline.
if explore=$("${racelings[@]}" explore 08 --prebuilt "$runfiles" 2>&1); then fail "explore 08 passed: $explore"; fi
printf '%s\n' "$explore" >"$out/explore.txt"
expect "$explore" "its id: " "explore names the schedule"
expect "$explore" "The failing schedule, step by step" "explore shows the timeline"
expect "$explore" "./racelings replay 08 --step" "explore says how to step through it"

# 2. replay without an id takes the last failing schedule: the timeline.
if text=$("${racelings[@]}" replay 08 --prebuilt "$runfiles" --width 220 2>&1); then fail "replay 08 passed: $text"; fi
printf '%s\n' "$text" >"$out/replay.txt"
expect "$text" "fails, as it will every time" "replay fails again"
expect "$text" "T1 'user-0'" "a column per thread, named as in the reports"
expect "$text" "exercise.cc:22  if (accounts.lock()->contains(name)) return false;" "the check, with its source"
expect "$text" "exercise.cc:23  (*accounts.lock())[name] = user;" "the insert, with its source"
expect "$text" "(the schedule's choice)" "the switch the schedule made"
expect "$text" "✗ test failure at test.cc:" "the failure"
expect "$text" "· T" "the state under a step"
# A guard's unlock is at the line that took it, not inside the primitives.
grep -q "unlock M[0-9]*  *exercise.cc:2[23]" <<<"$text" || fail "unlocks at the program's lines: $text"
if grep -q "mutex.h" <<<"$text"; then fail "a step located in the primitives: $text"; fi

# 3. The stepper, by lines on a pipe: next, the failure, quit.
lines=$(printf 'n\nf\nq\n' | "${racelings[@]}" replay 08 --prebuilt "$runfiles" --step 2>&1) || true
printf '%s\n' "$lines" >"$out/stepper-lines.txt"
expect "$lines" "row 2 of" "next, on a pipe"
expect "$lines" "it goes wrong here" "the failure, on a pipe"

# 4. The stepper in a terminal (tmux): keys act at once.
# A socket path of its own, short enough for a Unix socket (TEST_TMPDIR is not).
sockets=$(mktemp -d /tmp/racelings-tmux.XXXXXX)
tmux=(tmux -S "$sockets/s" -f /dev/null)
trap '"${tmux[@]}" kill-server 2>/dev/null || true; rm -rf "$sockets"' EXIT
"${tmux[@]}" new-session -d -x 120 -y 45 \
  "${racelings[*]} replay 08 --prebuilt $runfiles --step 2>$out/stepper-stderr.txt; echo STEPPER-ENDED rc=\$?; sleep 600"
screen() { "${tmux[@]}" capture-pane -p -t 0; }
wait_for() {  # wait_for PATTERN WHAT
  for _ in $(seq 1 600); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.2
  done
  screen >"$out/stepper-stuck.txt"
  fail "the stepper never showed '$1' ($2): $(screen)"
}
wait_for "row 1 of" "its first screen"
screen >"$out/stepper-1-start.txt"
expect "$(screen)" "-- exercises/$ex/exercise.cc" "the source of exercise.cc"
expect "$(screen)" "n/→ next · p/← previous · f failure" "the keys"
"${tmux[@]}" send-keys -t 0 n
wait_for "row 2 of" "next"
"${tmux[@]}" send-keys -t 0 p
wait_for "row 1 of" "previous"
"${tmux[@]}" send-keys -t 0 s
wait_for "the schedule's choice" "the next switch"
screen >"$out/stepper-2-switch.txt"
"${tmux[@]}" send-keys -t 0 f
wait_for "it goes wrong here" "the failure"
screen >"$out/stepper-3-failure.txt"
# Each thread's current line is marked in the source: the one that ran last with ▶.
"${tmux[@]}" send-keys -t 0 Right
"${tmux[@]}" send-keys -t 0 g
wait_for "row 1 of" "the first row"
"${tmux[@]}" send-keys -t 0 s
wait_for "the schedule's choice" "the switch again"
"${tmux[@]}" send-keys -t 0 n
sleep 0.5
screen >"$out/stepper-4-after-switch.txt"
expect "$(screen)" "◀ T" "a thread's current line marked in exercise.cc"
"${tmux[@]}" send-keys -t 0 q
wait_for "STEPPER-ENDED" "quit"

# 5. The page, in headless Chromium, at the failure; and its screenshot.
if page_out=$("${racelings[@]}" replay 08 --prebuilt "$runfiles" --html "$out/replay-08.html" 2>&1); then
  fail "replay 08 --html passed"
fi
expect "$page_out" "The same as a page: file://$out/replay-08.html" "where the page is"
chromium=(chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$TEST_TMPDIR/chromium"
  --enable-logging=stderr --v=0)
dom=$("${chromium[@]}" --dump-dom "file://$out/replay-08.html#failure" 2>"$TEST_TMPDIR/chromium.log")
if grep -q ":CONSOLE\|net::ERR_" "$TEST_TMPDIR/chromium.log"; then fail "the page logged errors: $(cat "$TEST_TMPDIR/chromium.log")"; fi
expect "$dom" "class=\"step failure current\"" "the page shows the failure row"
expect "$dom" "it goes wrong here" "the page says where it goes wrong"
grep -qE 'class="line here current" id="L1-[0-9]+"' <<<"$dom" || fail "the page marks where main is, in test.cc"
# At the schedule's switch, the users stand in exercise.cc, at the check or the insert.
dom=$("${chromium[@]}" --dump-dom "file://$out/replay-08.html#switch" 2>>"$TEST_TMPDIR/chromium.log")
expect "$dom" "the schedule's choice" "the page starts at the switch"
grep -qE 'class="line here[^"]*" id="L0-2[23]"' <<<"$dom" || fail "the page marks the users' lines in exercise.cc"
"${chromium[@]}" --screenshot="$out/replay-08.png" --window-size=1400,1800 "file://$out/replay-08.html#failure" \
  2>>"$TEST_TMPDIR/chromium.log" >/dev/null
[ -s "$out/replay-08.png" ] || fail "no screenshot"
echo "PASS: explore, replay, --step (pipe and tmux) and --html on $ex"
