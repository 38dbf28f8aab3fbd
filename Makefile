# SPDX-License-Identifier: GPL-2.0-only
#
# ioasim developer entry points. Kernel builds read Kbuild, not this file.
#
#   make run     the KUnit suites under UML (kunit.py run); ARGS go to kunit.py
#   make sim     the userspace programs of sim/ inside the run kernel;
#                PROGS picks some (default: all)
#   make check   everything: style and the layer check, the modules, the
#                VM, the selftests, coverage, the mutation sample, KUnit
#                and sim/ under the check configuration (KASAN, UBSAN,
#                lockdep, ...); ends with each step's time
#   make check-kunit, make check-sim  the last two steps alone
#   make module  ioasim.ko and the test-only ioasim_mock.ko against Debian's
#                linux-headers-6.12 amd64
#   make vm      the sim/ programs in Debian's real 6.12 kernel under QEMU,
#                against ioasim.ko + ioasim_mock.ko; PROGS picks some
#                (none: none), EXTRA= adds static binaries of one's own
#   make selftests  the kernel's own iommufd selftests (from the cached
#                tree) in UML and in the VM
#   make coverage  KUnit under gcov: lcov/HTML report and the coverage gate
#   make style   the layer check (scripts/layers.py) and checkpatch
#                --strict on every source file
#   make bench   the benchmark suite in a kernel without the reference ledger,
#                then make bench-compare
#   make bench-compare  sim/iommufd_bench in that kernel and in the kernel's
#                own iommufd (scripts/upstream.sh), ROUNDS= interleaved
#                boots each (default 3): medians and ratios
#   make bench-vm  in the VT-d machine of make vm: MAP+UNMAP of 256 KiB to
#                64 MiB (plain; hugetlb at 64 MiB) and of 4 KiB maps through
#                ioasim's IOAS_MAP, ioasim's type1 and Debian's VFIO type1,
#                interleaved: medians, ratios, slab bytes per pinned page
#   make bench-vm-profile  each way of bench-vm's 64 MiB and 4 KiB cases
#                alone under the guest's perf, ROUNDS= rounds (default 40):
#                the heaviest functions of each
#   make bench-profile  perf profile of one benchmark case (CASE=, default
#                map_unmap_64M) in both kernels: the heaviest functions
#   make fail-nth-sites  the fault sites of each iommufd_fail_nth scenario
#                in the run kernel and in upstream's, BOOTS= boots each
#   make fuzz    the model-based fuzzer: SEED=, STEPS=, SECONDS= (FLAVOUR=check
#                for sanitizers); a failure is shrunk and printed as a case
#   make fuzz-ioctl  sim/iommufd_fuzz, random ioctls from userspace, for
#                SECONDS= (default 60) from SEED=
#   make fuzz-diff  the same seeded calls (sim/iommufd_diff) in ioasim and
#                in the kernel's own iommufd, every answer compared, each
#                kind of difference shrunk to a case; SEED= (default:
#                drawn), CALLS= (default 20000) or SECONDS=, FLAVOUR=check,
#                SHRINK=0
#   make mutate  mutation testing: Coccinelle mutants of core/ against the
#                KUnit suites and sim/; FILES= and OPS= pick a subset
#
# Caches (kernel tree, build directories) live under IOASIM_CACHE
# (default /var/cache/ioasim if writable, else ~/.cache/ioasim), outside
# the repository.

ARGS ?=
PROGS ?=

.PHONY: run sim check check-kunit check-sim module style coverage setup help \
	fuzz fuzz-ioctl fuzz-diff bench bench-compare bench-vm bench-vm-profile bench-profile \
	fail-nth-sites \
	mutate mutate-sample \
	vm selftests

run:
	@scripts/kunit.sh run $(ARGS)

sim:
	@SIM_ARGS="$(SIM_ARGS)" SIM_EXTRA="$(EXTRA)" scripts/sim.sh run $(PROGS)

# Every step in order, then the step times and the summary lines; the
# KUnit and sim/ runs come last, and so do their "kunit: N passed,
# N failed" and "sim: N passed, N failed" lines (scripts/check.sh).
check:
	@scripts/check.sh

check-kunit:
	@scripts/kunit.sh check $(ARGS)

# Boots the kernel check-kunit built.
check-sim: check-kunit
	@scripts/sim.sh check $(PROGS)

module:
	@scripts/module.sh

vm:
	@SIM_EXTRA="$(EXTRA)" scripts/vm.sh $(PROGS)

selftests:
	@scripts/selftests.sh

bench:
	@scripts/kunit.sh bench ioasim_bench
	@scripts/bench-compare.sh $(ROUNDS)

bench-compare:
	@scripts/bench-compare.sh $(ROUNDS)

# The VT-d machine of make vm, with sim/real_type1's benchmark only.
bench-vm:
	@IOASIM_VM_MACHINES=intel-iommu IOASIM_VM_REAL_PROGS=real_type1 \
		VM_ARGS="ioasim_vm.bench=1 $(VM_ARGS)" scripts/vm.sh none

bench-vm-profile:
	@IOASIM_VM_MACHINES=intel-iommu IOASIM_VM_REAL_PROGS=real_type1 \
		IOASIM_VM_PERF=1 VM_ARGS="ioasim_vm.bench=1 \
		ioasim_vm.profile=$(or $(ROUNDS),40) $(VM_ARGS)" scripts/vm.sh none

bench-profile:
	@scripts/bench-profile.sh $(CASE)

fail-nth-sites:
	@scripts/fail-nth-sites.sh $(BOOTS)

mutate:
	@scripts/mutate.sh $(if $(FILES),--files $(FILES)) $(if $(OPS),--ops $(OPS))

# The fixed sample make check runs: the first mutant of each operator
# of the reference, pinning, contract and ranges families; a survivor
# fails it.
mutate-sample:
	@scripts/mutate.sh --sample 10

# SECONDS is also bash's own clock: passed on under another name.
fuzz:
	@SEED="$(SEED)" STEPS="$(STEPS)" SECONDS_TO_RUN="$(or $(SECONDS),0)" \
		FLAVOUR="$(or $(FLAVOUR),run)" scripts/fuzz.sh

fuzz-diff:
	@CALLS="$(CALLS)" RUN_FOR="$(SECONDS)" FLAVOUR="$(FLAVOUR)" \
		SHRINK="$(SHRINK)" scripts/fuzz-diff.sh $(SEED)

fuzz-ioctl:
	@SIM_ARGS="ioasim_fuzz.seconds=$(or $(SECONDS),60) \
		$(if $(SEED),ioasim_fuzz.seed=$(SEED))" \
		scripts/sim.sh $(or $(FLAVOUR),run) iommufd_fuzz

coverage:
	@coverage/coverage.sh $(ARGS)

style:
	@scripts/style.sh

setup:
	@bash -c 'source scripts/lib.sh && ensure_packages && ensure_tree && say "tree ready: $$IOASIM_TREE"'

help:
	@sed -n '3,/^$$/p' Makefile
