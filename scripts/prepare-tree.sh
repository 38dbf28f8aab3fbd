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

# UML's userspace on hosts whose XSAVE area is larger than UML's copy of
# it (AMX: about 11 KiB, UML keeps 2696 bytes): the host takes
# PTRACE_SETREGSET of NT_X86_XSTATE only as a whole area, so every
# process of a sim/ run dies with "ptrace set fp regs failed, errno = 14".
# Set the whole area: read it, lay UML's part over its start, write it.
regs=arch/x86/um/os-Linux/registers.c
sed -i 's|if (ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov) < 0)|if (ioasim_set_xstate(pid, \&iov) < 0)|' \
	"$tree/$regs"
cat >>"$tree/$regs.tmp" <<'CODE'
#include <string.h>

/* Added by ioasim's scripts/prepare-tree.sh, see there. */
static int ioasim_set_xstate(int pid, struct iovec *part)
{
	static char area[64 * 1024] __attribute__((aligned(64)));
	struct iovec whole = { .iov_base = area, .iov_len = sizeof(area) };

	if (ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &whole) < 0)
		return -1;
	if (whole.iov_len <= part->iov_len)
		return ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, part);
	memcpy(area, part->iov_base, part->iov_len);
	return ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &whole);
}
CODE
sed -i "/^#include <registers.h>$/r $tree/$regs.tmp" "$tree/$regs"
rm "$tree/$regs.tmp"
grep -q 'ioasim_set_xstate(pid, &iov)' "$tree/$regs" || {
	echo "prepare-tree: could not patch $regs" >&2
	exit 1
}
