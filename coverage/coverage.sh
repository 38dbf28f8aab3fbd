#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# coverage.sh [kunit.py run arguments...]
#
# Builds the coverage configuration under UML (its own cached build
# directory), runs the KUnit suites, then boots the same kernel again with
# the userspace programs of sim/ (the ioctl layer, the control plane, the
# mock VFIO nodes are theirs to reach), and turns the counters UML writes
# at exit into lcov tracefiles: out/coverage/kunit.info (the suites alone)
# and ioasim.info (both runs), an HTML report and a per-file summary of
# ioasim's core/ and mock_iommu/. Then applies the gate in
# coverage/thresholds to both runs together; exits non-zero if any
# directory falls short.
#
# How the counters get out of UML: scripts/kunit.sh builds with
# KCFLAGS=-Dmangle_path=kernel_mangle_path (libgcov has its own
# mangle_path), and scripts/prepare-tree.sh makes UML's linker scripts
# keep libgcov's .fini_array.* exit handlers, which write the .gcda files
# when UML halts.
source "$(dirname "$0")/../scripts/lib.sh"

ensure_packages
ensure_tree
build=$IOASIM_CACHE/build/coverage-$IOASIM_TREEKEY
out=$IOASIM_REPO/out/coverage
rc=0

"$IOASIM_REPO/scripts/kunit.sh" coverage "$@" || rc=$?
[ $rc -eq 0 ] || die "the KUnit run under coverage failed"

# WARN lines state what cannot happen: their branches are not gated, and
# an unconditional WARN is a line that must never run.
lcov_rc=(--rc lcov_branch_coverage=1
	--rc 'lcov_excl_line=LCOV_EXCL_LINE|\bWARN\(1,'
	--rc 'lcov_excl_br_line=LCOV_EXCL_BR_LINE|\bWARN(_ON)?(_ONCE)?\(')
# Capture ioasim's counters as they are now into $out/$1.info.
capture()
{
	local ngcda

	ngcda=$(find "$build/drivers/ioasim" -name '*.gcda' | wc -l)
	[ "$ngcda" -gt 0 ] || die "UML wrote no coverage counters under $build"
	say "collecting $ngcda counter files ($1)"
	lcov "${lcov_rc[@]}" --quiet --capture \
		--directory "$build/drivers/ioasim" --output-file "$out/all.info"
	lcov "${lcov_rc[@]}" --quiet --extract "$out/all.info" \
		'*/drivers/ioasim/core/*' '*/drivers/ioasim/mock_iommu/*' \
		--output-file "$out/$1.raw.info"
	# Module teardown is not counted: see coverage/teardown.
	python3 -B "$IOASIM_REPO/coverage/drop-functions.py" \
		"$IOASIM_REPO/coverage/teardown" "$out/$1.raw.info" "$out/$1.info"
	rm "$out/all.info" "$out/$1.raw.info"
}

rm -rf "$out"
mkdir -p "$out"
capture kunit
# The counters add up across boots: the sim/ run adds its own.
"$IOASIM_REPO/scripts/sim.sh" coverage || die "the sim/ run under coverage failed"
capture ioasim
lcov "${lcov_rc[@]}" --summary "$out/kunit.info" 2>&1 |
	sed -n 's/^ *\(lines\|functions\|branches\)/KUnit alone: \1/p' >&2
genhtml "${lcov_rc[@]}" --quiet --branch-coverage --legend \
	--title "ioasim KUnit coverage" --output-directory "$out/html" \
	"$out/ioasim.info"
lcov "${lcov_rc[@]}" --list "$out/ioasim.info" | sed 's|^.*/drivers/ioasim/||'

# One figure from `lcov --summary`: "lines", "functions" or "branches".
percent()
{
	sed -n "s/^ *$2\.*: \([0-9.]*\)%.*/\1/p" "$1"
}

gate=0
while read -r dir lines funcs branches; do
	case $dir in '#'* | '') continue ;; esac
	info=$out/$dir.info
	if ! lcov "${lcov_rc[@]}" --quiet --extract "$out/ioasim.info" \
			"*/drivers/ioasim/$dir/*" --output-file "$info" 2>/dev/null ||
	   [ ! -s "$info" ] || ! grep -q '^SF:' "$info"; then
		say "gate $dir/: no sources found  FAIL"
		gate=1
		continue
	fi
	lcov "${lcov_rc[@]}" --summary "$info" >"$info.summary" 2>&1
	for what in lines:$lines functions:$funcs branches:$branches; do
		name=${what%%:*} min=${what#*:}
		got=$(percent "$info.summary" "$name")
		got=${got:-0}
		if awk -v g="$got" -v m="$min" 'BEGIN { exit !(g + 0 < m + 0) }'; then
			say "gate $dir/: $name $got% < $min%  FAIL"
			gate=1
		else
			say "gate $dir/: $name $got% >= $min%"
		fi
	done
done <"$IOASIM_REPO/coverage/thresholds"

say "HTML report: $out/html/index.html"
[ $gate -eq 0 ] || die "coverage below the gate (coverage/thresholds)"
