#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kunit.sh FLAVOUR [kunit.py run arguments...]
#
# Builds and runs the ioasim KUnit suites under UML with the kernel's own
# kunit.py. FLAVOUR picks the configuration:
#   run       .kunitconfig only (fast edit-build-test loop)
#   check     .kunitconfig + configs/check.config (KASAN, UBSAN, lockdep, ...)
#   coverage  .kunitconfig + configs/coverage.config (gcov; see coverage/)
#   bench     .kunitconfig without the reference ledger and the mutex
#             debugging (make bench)
#   mutate    .kunitconfig + configs/mutate.config (lockdep), for the
#             copy of the sources that scripts/mutate.py mutates
# Under scripts/mutate.py (IOASIM_WORKER set), each worker has a build
# directory of its own, in the mutate flavour or the run flavour.
# Any WARN, sanitizer report or lockdep splat on the console fails the run
# even when every case passed.
source "$(dirname "$0")/lib.sh"

flavour=${1:?usage: kunit.sh run|check|coverage|bench|mutate [kunit.py args]}
shift

configs=(--kunitconfig="$IOASIM_REPO/.kunitconfig")
case $flavour in
run) ;;
mutate) configs+=(--kunitconfig="$IOASIM_REPO/configs/mutate.config") ;;
check) configs+=(--kunitconfig="$IOASIM_REPO/configs/check.config") ;;
# A kunitconfig may not contradict another; --kconfig_add may. The
# benchmark measures the code, not the debugging aids.
bench) configs+=(--kconfig_add=CONFIG_IOASIM_LEDGER=n
		 --kconfig_add=CONFIG_DEBUG_MUTEXES=n) ;;
coverage)
	configs+=(--kunitconfig="$IOASIM_REPO/configs/coverage.config")
	# libgcov and fs/seq_file.c both define mangle_path(): rename the
	# kernel's, build-wide, so that the coverage kernel links.
	configs+=(--make_options=KCFLAGS=-Dmangle_path=kernel_mangle_path)
	;;
*) die "unknown flavour '$flavour'" ;;
esac

ensure_packages
ensure_tree
build=$(build_dir "$flavour")
mkdir -p "$build"
# make trusts timestamps: after drivers/ioasim moved to another checkout
# (a CI clone, then this one), objects built from the other can be newer
# than this checkout's sources and would be linked unchanged. Build
# ioasim's objects afresh whenever the checkout differs from last time.
stamp=$build/.ioasim-checkout
if [ "$(cat "$stamp" 2>/dev/null)" != "$IOASIM_REPO" ]; then
	rm -rf "$build/drivers/ioasim"
	echo "$IOASIM_REPO" >"$stamp"
fi
# Counters accumulate across runs: start every coverage run from zero.
[ "$flavour" != coverage ] || find "$build" -name '*.gcda' -delete
say "kernel tree: $IOASIM_TREE"
say "build dir:   $build (a first build takes minutes; later ones are incremental)"

rc=0
out=$build/kunit-output.txt
kunit=(python3 -B "$IOASIM_TREE/tools/testing/kunit/kunit.py")
if [ -n "${IOASIM_MUTANT:-}" ] && [ -x "$build/linux" ]; then
	# A mutant changes one C file of ioasim in a build that the baseline
	# run configured and built. Compile drivers/ioasim/ and relink, and
	# leave out what took two thirds of the time: kunit.py's olddefconfig
	# and compile_commands.json, and make's walk through every directory
	# of the kernel (build-dir names the one that changed; the top
	# archive, touched, makes the link happen). kunit.py only runs it.
	say "building the mutant"
	kmake=(make -C "$IOASIM_TREE" O="$build" ARCH=um -j"$IOASIM_JOBS" -s)
	if ! { "${kmake[@]}" drivers/ioasim/ && touch "$build/built-in.a" &&
	       "${kmake[@]}" build-dir=drivers/ioasim linux; } \
		>"$build/make.log" 2>&1; then
		cat "$build/make.log"
		die "Could not build the mutant"
	fi
	# A link that missed an object would test the unmutated code.
	stale=$(find "$build/drivers/ioasim" -name '*.o' -newer "$build/linux")
	[ -z "$stale" ] || die "Could not build: linux is older than $stale"
	timed "${kunit[@]}" exec --build_dir="$build" \
		--kernel_args=panic_on_warn=1 "$@" 2>&1 | tee "$out" || rc=$?
else
	timed "${kunit[@]}" run --build_dir="$build" --jobs="$IOASIM_JOBS" \
		"${configs[@]}" --kernel_args=panic_on_warn=1 "$@" 2>&1 |
		tee "$out" || rc=$?
fi

if [ "$flavour" = check ] && [ $rc -eq 0 ]; then
	say "sparse on drivers/ioasim (UML build, tests included)"
	sparse_log=$build/sparse.log
	make -C "$IOASIM_TREE" O="$build" ARCH=um C=2 -j"$IOASIM_JOBS" \
		drivers/ioasim/ >"$sparse_log" 2>&1 || { cat "$sparse_log"; rc=1; }
	if grep -E 'drivers/ioasim/.*(warning|error):' "$sparse_log"; then
		say "sparse reported problems (full log: $sparse_log)"
		rc=1
	fi
fi

log=$build/test.log
if [ -f "$log" ] && ! "$IOASIM_REPO/scripts/scan-log.sh" "$log"; then
	say "the console log shows a kernel splat (see above): failing the run"
	rc=1
fi

# make bench: the figures the benchmark wrote to the kernel log.
if [ "$flavour" = bench ] && [ -f "$log" ]; then
	say "benchmark figures (from $log):"
	sed -n 's/^.*# bench_[a-z_]*: //p' "$log" | grep -v '^\(ok\|not ok\)' || true
fi

# A plain closing line for CI dashboards: "kunit: N passed, N failed".
summary=$(grep -o 'Ran [0-9]* tests:.*' "$out" | tail -n 1)
count()
{
	echo "$summary" | grep -o "$1: [0-9]*" | grep -o '[0-9]*' || echo 0
}
failed=$(($(count failed) + $(count crashed) + $(count errors)))
[ $rc -eq 0 ] || [ $failed -gt 0 ] || failed=1
line="kunit: $(count passed) passed, $failed failed"
[ "$(count skipped)" -eq 0 ] || line+=", $(count skipped) skipped"
echo "$line"
exit $rc
