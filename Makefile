# SPDX-License-Identifier: GPL-2.0-only
#
# ioasim developer entry points. Kernel builds read Kbuild, not this file.
#
#   make run     the KUnit suites under UML (kunit.py run); ARGS go to kunit.py
#   make sim     the userspace programs of sim/ inside the run kernel;
#                PROGS picks some (default: all)
#   make check   everything: style, the real module, KUnit and sim/ under
#                the check configuration (KASAN, UBSAN, lockdep, ...)
#   make module  ioasim.ko against Debian's linux-headers-6.12 amd64
#   make coverage  KUnit under gcov: lcov/HTML report and the coverage gate
#   make style   checkpatch --strict and sparse on every source file
#
# Caches (kernel tree, build directories) live under IOASIM_CACHE
# (default /var/cache/ioasim), outside the repository.

ARGS ?=
PROGS ?=

.PHONY: run sim check check-kunit check-sim module style coverage setup help

run:
	@scripts/kunit.sh run $(ARGS)

sim:
	@scripts/sim.sh run $(PROGS)

# The KUnit and sim/ runs come last: their closing "kunit: N passed,
# N failed" and "sim: N passed, N failed" lines are the run's summary.
check: style module coverage check-kunit check-sim

check-kunit:
	@scripts/kunit.sh check $(ARGS)

# Boots the kernel check-kunit built.
check-sim: check-kunit
	@scripts/sim.sh check $(PROGS)

module:
	@scripts/module.sh

coverage:
	@coverage/coverage.sh $(ARGS)

style:
	@scripts/style.sh

setup:
	@bash -c 'source scripts/lib.sh && ensure_packages && ensure_tree && say "tree ready: $$IOASIM_TREE"'

help:
	@sed -n '3,16p' Makefile
