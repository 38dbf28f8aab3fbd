#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fuzz.sh: the model-based fuzzer (KUnit suite ioasim_model) on demand.
#
#   SEED=n      first seed (default: random); each further run takes the next
#   STEPS=n     steps per run (default 400)
#   SECONDS=n   keep running new seeds for this long (default: one run)
#   FLAVOUR=f   run (default) or check (KASAN, UBSAN, lockdep: slower)
#
# Prints the steps per second. When a run disagrees with the model, the
# shrunk sequence is printed as a KUnit case and saved to
# $build/model-repro.c, ready to paste into kunit/model_test.c.
source "$(dirname "$0")/lib.sh"

ensure_tree
flavour=${FLAVOUR:-run}
seconds=${SECONDS_TO_RUN:-0}
args=()
[ -z "${SEED:-}" ] || args+=("ioasim_test.model_seed=$SEED")
[ -z "${STEPS:-}" ] || args+=("ioasim_test.model_steps=$STEPS")
[ "$seconds" -eq 0 ] || args+=("ioasim_test.model_seconds=$seconds")

rc=0
"$(dirname "$0")/kunit.sh" "$flavour" --timeout=$((seconds + 600)) \
	--kernel_args="${args[*]:-ioasim_test.model_steps=400}" \
	ioasim_model.model_random_sequences || rc=$?

build=$IOASIM_CACHE/build/$flavour-$IOASIM_TREEKEY
log=$build/test.log
grep -o 'model_random_sequences: .*steps per second.*' "$log" || true
if grep -q 'model repro begin' "$log"; then
	sed -n '/model repro begin/,/model repro end/{/| /s/^.*| \{0,1\}//p;/|$/s/.*//p}' \
		"$log" >"$build/model-repro.c"
	say "shrunk case, also in $build/model-repro.c:"
	cat "$build/model-repro.c"
fi
exit $rc
