#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scan-log.sh LOG: exit 1 and print the offending lines if a kernel console
# log holds a WARN, BUG, sanitizer report, lockdep splat, leak report or
# panic. KUnit marks only KASAN/UBSAN reports as case failures by itself.
set -euo pipefail

patterns=(
	'WARNING:'			# WARN(), lockdep, RCU
	'BUG:'				# KASAN, sleeping in atomic, bad page state
	'UBSAN:'
	'kernel BUG at'
	'Kernel panic'
	'INFO: trying to register non-static key'
	'INFO: task .* blocked for more than'
	'ODEBUG:'
	'list_(add|del) corruption'
	'refcount_t: '
	'kmemleak: [0-9]+ new suspected memory leaks'
	'Oops'
	'ioasim ledger: '		# CONFIG_IOASIM_LEDGER: unbalanced
)
re=$(IFS='|'; echo "${patterns[*]}")

if splat=$(grep -nE "$re" "$1"); then
	echo "[ioasim] kernel splat in $1:" >&2
	head -n 40 <<<"$splat" >&2
	exit 1
fi
