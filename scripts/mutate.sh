#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mutate.sh [mutate.py arguments...]
#
# make mutate: mutation testing with the Coccinelle operators of
# scripts/mutate/ops/ (see scripts/mutate.py and docs/mutation.md). Mutants are
# built by workers under $IOASIM_CACHE/mutate, each with its own copy of
# the sources, of the kernel tree and build directory; results are cached
# there by mutant and tree. The checkout and its kernel tree are left
# alone: other make targets may run meanwhile (on the same cores).
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
export IOASIM_CACHE IOASIM_TREE IOASIM_TREEKEY
exec python3 -B "$IOASIM_REPO/scripts/mutate.py" "$@"
