# SPDX-License-Identifier: GPL-2.0-only
#
# ioasim developer entry points. Kernel builds read Kbuild, not this file.
#
#   make run     the KUnit suites under UML (kunit.py run); ARGS go to kunit.py
#   make check   everything: style, the real module, KUnit under the check
#                configuration (KASAN, UBSAN, lockdep, ...)
#   make module  ioasim.ko against Debian's linux-headers-6.12 amd64
#   make coverage  KUnit under gcov: lcov/HTML report and the coverage gate
#   make style   checkpatch --strict and sparse on every source file
#
# Caches (kernel tree, build directories) live under IOASIM_CACHE
# (default /var/cache/ioasim), outside the repository.

ARGS ?=

.PHONY: run check check-kunit module style coverage setup help

run:
	@scripts/kunit.sh run $(ARGS)

# check-kunit comes last: its closing "kunit: N passed, N failed" line is
# the run's summary.
check: style module coverage check-kunit

check-kunit:
	@scripts/kunit.sh check $(ARGS)

module:
	@scripts/module.sh

coverage:
	@coverage/coverage.sh $(ARGS)

style:
	@scripts/style.sh

setup:
	@bash -c 'source scripts/lib.sh && ensure_packages && ensure_tree && say "tree ready: $$IOASIM_TREE"'

help:
	@sed -n '3,14p' Makefile
