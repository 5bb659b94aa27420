#!/usr/bin/env bash
# Build and run the C++20 std/TBB/OpenMP baselines (same workloads and metric
# names as bench/rust; OpenMP figures are suffixed _omp).
# stdout: only `metric: <name> value=<number><unit>` lines; build noise and
# progress go to stderr.
#   RACELINGS_BENCH_SCALE=0.1  shrink every problem size (quick run)
#   RACELINGS_BENCH_REPS=5     timed repetitions per workload (median reported)
#   RACELINGS_BENCH_BUILD_DIR  binaries (default: outside the repo)
#   CXX                        compiler (default clang++-19)
#   RACELINGS_NO_APT=1         never apt-get install missing packages
#   args                       substrings selecting workloads, e.g. `./run.sh par_`
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${RACELINGS_BENCH_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/racelings/bench-baselines}"
CXX="${CXX:-clang++-19}"
flags=(-O2 -std=c++20)

log() { echo "bench/baselines: $*" >&2; }

can_apt() { [[ $(id -u) -eq 0 && -z ${RACELINGS_NO_APT:-} ]] && command -v apt-get >/dev/null; }
apt_updated=
apt_install() {
    can_apt || return 1
    log "running: apt-get install -y $*"
    if [[ -z $apt_updated ]]; then apt-get update -q >&2 || true; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# --- compiler
if ! command -v "$CXX" >/dev/null; then
    [[ $CXX == clang++-19 ]] && apt_install clang-19 || true
    if ! command -v "$CXX" >/dev/null; then
        log "ERROR: compiler '$CXX' not found. Fix (as root): apt-get update && apt-get install -y clang-19"
        exit 3
    fi
fi

# --- TBB
have_tbb() { [[ -f /usr/include/tbb/parallel_reduce.h || -f /usr/include/oneapi/tbb/parallel_reduce.h ]] &&
    compgen -G "/usr/lib/*/libtbb.so" >/dev/null; }
if ! have_tbb; then
    apt_install libtbb-dev || true
    if ! have_tbb; then
        log "ERROR: oneTBB development files not found. Fix (as root): apt-get update && apt-get install -y libtbb-dev"
        exit 3
    fi
fi

mkdir -p "$build"

# --- OpenMP: clang-19 + libomp-19-dev preferred, g++ + libgomp as fallback
omp_probe() { # $1 = compiler
    printf '#include <omp.h>\nint main(){int s=0;\n#pragma omp parallel reduction(+:s)\ns+=1;\nreturn s>0?0:1;}\n' |
        "$1" -x c++ -fopenmp - -o "$build/omp_probe" 2>/dev/null && "$build/omp_probe"
}
OMP_CXX=
if omp_probe "$CXX"; then
    OMP_CXX=$CXX
elif [[ $CXX == clang++-19 ]] && apt_install libomp-19-dev && omp_probe "$CXX"; then
    OMP_CXX=$CXX
elif command -v g++ >/dev/null && omp_probe g++; then
    log "OpenMP: $CXX -fopenmp unusable (apt-get install -y libomp-19-dev fixes it); using g++ -fopenmp"
    OMP_CXX=g++
else
    log "ERROR: no OpenMP-capable compiler. Fix (as root): apt-get update && apt-get install -y libomp-19-dev"
    exit 3
fi

# --- build (only when a source or the compiler choice changed)
compile() { # out compiler src extra-flags...
    local out=$1 cxx=$2 src=$3; shift 3
    local stamp="$out.cmd" cmd="$cxx ${flags[*]} $src $* -o $out"
    if [[ -x $out && -f $stamp && $(<"$stamp") == "$cmd" && $out -nt $here/$src && $out -nt $here/bench_util.hpp ]]; then
        return 0
    fi
    log "compiling: $cmd"
    if ! (cd "$here" && "$cxx" "${flags[@]}" "$src" "$@" -o "$out") >&2; then
        log "ERROR: compiling $src failed (see above)."
        exit 4
    fi
    echo "$cmd" >"$stamp"
}
compile "$build/baselines" "$CXX" baselines.cpp -pthread -ltbb
compile "$build/baselines_omp" "$OMP_CXX" baselines_omp.cpp -pthread -fopenmp

"$build/baselines" "$@"
"$build/baselines_omp" "$@"
