#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mutate.sh [mutate.py arguments...]
#
# make mutate: mutation testing with the Coccinelle operators of
# scripts/mutate/ops/ (see scripts/mutate.py and the README). Mutants are
# built from a copy of the sources under $IOASIM_CACHE/mutate, in a build
# directory of their own; results are cached there by mutant and tree.
# While it runs, the cached kernel tree builds that copy: do not run
# another make target of this checkout at the same time.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
export IOASIM_CACHE IOASIM_TREEKEY
rc=0
python3 -B "$IOASIM_REPO/scripts/mutate.py" "$@" || rc=$?
# Point the tree back at this checkout.
link_overlay "$IOASIM_TREE"
exit $rc
