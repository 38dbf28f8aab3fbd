#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One-time changes to a freshly unpacked kernel tree. The tree's cache key
# includes this file's hash, so editing it gives a new tree.
set -euo pipefail

tree=$1

# Nothing to change yet beyond the overlay, which lib.sh links on every
# run. Coverage (gcov under UML) will add its linker-script fix here.
test -f "$tree/Makefile"
