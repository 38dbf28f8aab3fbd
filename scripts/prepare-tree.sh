#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# One-time changes to a freshly unpacked kernel tree. The tree's cache key
# includes this file's hash, so editing it gives a new tree.
set -euo pipefail

tree=$1
test -f "$tree/Makefile"

# Coverage under UML (CONFIG_GCOV): gcc 12 places libgcov's exit handlers,
# which write the .gcda files, in .fini_array.NNNNN sections, but UML's
# linker scripts keep only .fini_array, so nothing is written when UML
# halts. Keep the numbered sections too, in priority order. This changes
# nothing for builds without coverage, which have no such sections.
keep='KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))'
sed -i "s|^\(\s*\)\*(\.fini_array)$|\1$keep\n\1*(.fini_array)|" \
	"$tree/arch/um/include/asm/common.lds.S"
sed -i "s|{ \*(\.fini_array) }|{ $keep *(.fini_array) }|" \
	"$tree/arch/um/kernel/dyn.lds.S"
for f in arch/um/include/asm/common.lds.S arch/um/kernel/dyn.lds.S; do
	grep -qF "$keep" "$tree/$f" || {
		echo "prepare-tree: could not patch $f" >&2
		exit 1
	}
done
