#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh: make check. Runs every step in order, stops at the first that
# fails, and ends with the time each step took and the summary lines the
# steps printed: vm:, selftests ..., then kunit: and sim: last, so that the
# run's closing lines are its verdict. Each step's whole output stays in
# $IOASIM_CACHE/check-<step>.log as well as on the terminal.
source "$(dirname "$0")/lib.sh"

# name, the summary lines it contributes (a pattern, - for none), and the
# command.
steps=(
	"style       -                 scripts/style.sh"
	"module      -                 scripts/module.sh"
	"vm          ^vm(:|[[:space:]][a-z-]+:) scripts/vm.sh"
	"selftests   ^selftests        scripts/selftests.sh"
	"coverage    -                 coverage/coverage.sh"
	"mutate      ^mutate:.*killed, scripts/mutate.sh --sample 10"
	"check-kunit ^kunit:           scripts/kunit.sh check"
	"check-sim   ^sim:             scripts/sim.sh check"
	"fuzz-diff   ^fuzz-diff:.*calls, env FLAVOUR=check KERNEL_READY=1 CALLS=10000 SHRINK=0 scripts/fuzz-diff.sh 1 2 drawn"
)

# The packages and the tree come first, timed as a step of their own: on
# a fresh machine they are a good part of the run.
t0=$SECONDS
ensure_packages
ensure_tree
times=("setup $((SECONDS - t0))")
summary=()
rc=0

for step in "${steps[@]}"; do
	read -r name pattern cmd <<<"$step"
	log=$IOASIM_CACHE/check-$name.log
	say "make check: $name"
	start=$SECONDS
	# pipefail (lib.sh): the step's status, not tee's.
	# shellcheck disable=SC2086 # a command and its arguments, split
	(cd "$IOASIM_REPO" && $cmd) 2>&1 | tee "$log" || rc=1
	times+=("$name $((SECONDS - start))")
	if [ "$pattern" != - ]; then
		while IFS= read -r line; do
			summary+=("$line")
		done < <(tr -d '\r' <"$log" | grep -E "$pattern" || true)
	fi
	if [ "$rc" -ne 0 ]; then
		say "make check: $name failed (its output: $log)"
		break
	fi
done

echo
echo "check: step times"
total=0
for t in "${times[@]}"; do
	read -r name secs <<<"$t"
	printf '  %-12s %5d s\n' "$name" "$secs"
	total=$((total + secs))
done
printf '  %-12s %5d s\n' total "$total"
echo
# vm: and selftests first, kunit: and sim: as the closing lines.
for line in "${summary[@]}"; do
	case $line in kunit:* | sim:*) ;; *) echo "$line" ;; esac
done
for line in "${summary[@]}"; do
	case $line in kunit:* | sim:*) echo "$line" ;; esac
done
exit "$rc"
