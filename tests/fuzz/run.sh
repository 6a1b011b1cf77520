#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/CMakeLists.txt: clang, ASan + UBSan) and runs each one
# for a bounded time from its seed corpus (tests/fuzz/corpus/<target>/). Fails when any target
# finds a crash, a sanitizer report, a leak, an out-of-memory or a timeout; the input that did it
# is kept in build-fuzz/artifacts/<target>/ (add it to the corpus once the parser is fixed).
#
#   DIFFSCOPE_FUZZ_SECONDS   seconds per target (default 30)
#   DIFFSCOPE_FUZZ_SEED      libFuzzer seed (default 1: CI replays the same inputs; 0 = random)
#   DIFFSCOPE_FUZZ_JOBS      targets run side by side, and build jobs (default 2)
#   DIFFSCOPE_FUZZ_TARGETS   space-separated subset, e.g. "npy idx" (default: all)
#   DIFFSCOPE_FUZZ_BUILD     build folder (default build-fuzz/ beside build/)
#   DIFFSCOPE_FUZZ_SKIP_BUILD=1  run what is built
#   DIFFSCOPE_MUTANTS=0      skip the mutated-checkpoint run (mutant_checkpoints, after the targets)
#   DIFFSCOPE_MUTANT_CHECKPOINTS  demo names to mutate (default: two_moons; a UNet demo such as
#                                fashion_mnist_dnm_naive takes minutes and GBs under ASan)
# Needs the main build's models archive (build/models/libdiffscope_models.a): run after scripts/build.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${DIFFSCOPE_FUZZ_BUILD:-$root/build-fuzz}"
seconds="${DIFFSCOPE_FUZZ_SECONDS:-30}"
jobs="${DIFFSCOPE_FUZZ_JOBS:-2}"
all="npy idx safetensors state_dict zip_archive checkpoint_header diffscope_json spec_string training_config
diffusers_scheduler diffusers_config image network_config"
targets="${DIFFSCOPE_FUZZ_TARGETS:-$all}"

if [ "${DIFFSCOPE_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup-debian.sh installs it)"; exit 1; }
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  mkdir -p "$build"
  cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None \
    -DDIFFSCOPE_MODELS_LIBRARY="$root/build/models/libdiffscope_models.a" "${launcher[@]}" >"$build/configure.log" 2>&1 \
    || { cat "$build/configure.log"; exit 1; }
  cmake --build "$build" --parallel "$jobs"
fi

symbolizer="$(command -v llvm-symbolizer || ls /usr/lib/llvm-*/bin/llvm-symbolizer 2>/dev/null | head -n 1 || true)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Leaks in LibTorch's own code (lsan.supp). LibTorch has no frame pointers, so only the slow
# unwinder sees the frames a suppression names: state_dict (the one target that reaches that
# code) runs with it, at about a seventh of the speed.
export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0"
export DIFFSCOPE_RESOURCES="$root/resources"

# One target: new inputs go to build-fuzz/corpus/<target> (the committed seeds stay as they are).
run_one() {
  local name="$1" seeds="$root/tests/fuzz/corpus/$1" work="$build/corpus/$1" art="$build/artifacts/$1/"
  mkdir -p "$work" "$art"
  [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds" >"$build/logs/$name.log"; return 1; }
  local asan="$ASAN_OPTIONS"
  [ "$name" = state_dict ] && asan="$asan:fast_unwind_on_malloc=0"
  ASAN_OPTIONS="$asan" "$build/fuzz_$name" "$work" "$seeds" -seed="${DIFFSCOPE_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$art" -close_fd_mask=1 >"$build/logs/$name.log" 2>&1
}
export -f run_one
export root build seconds

mkdir -p "$build/logs"
start=$(date +%s)
failed=0
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {} && echo "{} ok" || echo "{} FAILED"' \
  >"$build/logs/status.txt" || true

printf '%-20s %8s %10s %8s %8s %8s %s\n' target status execs "exec/s" cov ft corpus
for name in $targets; do
  log="$build/logs/$name.log"
  status="$(grep -E "^$name " "$build/logs/status.txt" | awk '{print $2}' || true)"
  execs="$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")"
  rate="$(awk '/stat::average_exec_per_sec:/ {print $2}' "$log")"
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")"
  printf '%-20s %8s %10s %8s %8s %8s %s\n' "$name" "${status:-?}" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}"
  if [ "$status" != ok ]; then
    failed=1
    echo "---- $name: last lines of $log"
    tail -n 40 "$log"
  fi
done
echo "fuzz: $(($(date +%s) - start)) s for $(wc -w <<<"$targets") targets, ${seconds} s each"

# Mutated checkpoints under the same sanitizers (DIFFSCOPE_MUTANTS=0 skips): every mutant of a
# demo checkpoint is refused with a one-line message or gives the original's output.
if [ "${DIFFSCOPE_MUTANTS:-1}" != 0 ]; then
  for demo in ${DIFFSCOPE_MUTANT_CHECKPOINTS:-two_moons}; do
    mstart=$(date +%s)
    if ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" "$build/mutant_checkpoints" "$root/resources/demo/$demo.dsckpt" \
      >"$build/logs/mutants_$demo.log" 2>&1; then
      grep '^mutant_checkpoints:' "$build/logs/mutants_$demo.log"
    else
      failed=1
      echo "---- mutant_checkpoints $demo FAILED: last lines of $build/logs/mutants_$demo.log"
      tail -n 40 "$build/logs/mutants_$demo.log"
    fi
    echo "mutants: $demo in $(($(date +%s) - mstart)) s"
  done
fi
exit $failed
