#!/usr/bin/env bash
# Build (offline, from Debian's Rust crates) and run the Rust baselines.
# stdout: only `metric: <name> value=<number><unit>` lines; everything else
# goes to stderr.
#   RACELINGS_BENCH_SCALE=0.1  shrink every problem size (quick run)
#   RACELINGS_BENCH_REPS=5     timed repetitions per workload (median reported)
#   CARGO_TARGET_DIR           build dir (default: outside the repo)
#   RACELINGS_NO_APT=1         never apt-get install missing packages
#   args                       substrings selecting workloads, e.g. `./run.sh channel`
#   --build-only               build, print the binary's path on stdout, run nothing
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
registry=/usr/share/cargo/registry
# The crates are declared in ../../racelings (BENCH_PACKAGES), which installs them.
racelings="$here/../../racelings"
apt_line="$racelings install --bench"

log() { echo "bench/rust: $*" >&2; }

have_crates() {
    compgen -G "$registry/crossbeam-channel-*" >/dev/null &&
        compgen -G "$registry/rayon-[0-9]*" >/dev/null &&
        compgen -G "$registry/rayon-core-*" >/dev/null
}

if ! have_crates; then
    if [[ $(id -u) -eq 0 && -z ${RACELINGS_NO_APT:-} ]] && command -v apt-get >/dev/null; then
        log "Rust crates missing under $registry; running: $apt_line"
        "$racelings" install --bench >&2 || true
    fi
    if ! have_crates; then
        log "ERROR: crossbeam-channel/rayon crates not found under $registry."
        log "Fix (as root): $apt_line"
        exit 3
    fi
fi

if ! command -v cargo >/dev/null; then
    log "ERROR: cargo not found on PATH (rustup's ~/.cargo/bin, or: apt-get install -y cargo)."
    exit 3
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/racelings/bench-rust}"
cd "$here" # .cargo/config.toml (directory source) is picked up from the cwd
log "building in $CARGO_TARGET_DIR"
if ! cargo build --release --offline --locked >&2; then
    log "ERROR: cargo build --release --offline failed (see above)."
    log "If a crate is missing: $apt_line"
    exit 4
fi

if [[ ${1:-} == --build-only ]]; then
    echo "$CARGO_TARGET_DIR/release/racelings-bench-rust"
    exit 0
fi
exec "$CARGO_TARGET_DIR/release/racelings-bench-rust" "$@"
