#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The layer check of docs/design.md (scripts/layers.py), then checkpatch
# --strict on every C source and header of the project. sparse runs
# inside the builds (module.sh for amd64, kunit.sh check for UML), where
# the compiler flags are right.
source "$(dirname "$0")/lib.sh"

cd "$IOASIM_REPO"
python3 -B scripts/layers.py || die "a dependency points up or loops"

ensure_packages
ensure_tree
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || die "no C sources found"

say "checkpatch --strict on ${#files[@]} files"
bad=0
for f in "${files[@]}"; do
	# The walks over a space's areas are for-each macros: they name their
	# cursor and bounds more than once, as the kernel's own do.
	extra=()
	[ "$f" != core/space_internal.h ] || extra=(--ignore MACRO_ARG_REUSE)
	if ! out=$("$IOASIM_TREE/scripts/checkpatch.pl" --strict --no-tree \
			--show-types --quiet "${extra[@]}" -f "$f" 2>&1); then
		printf '%s\n' "$out"
		bad=1
	fi
done
[ $bad -eq 0 ] || die "checkpatch found problems"
say "checkpatch: clean"
