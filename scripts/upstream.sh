#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# upstream.sh: builds the comparison kernel, the kernel's own iommufd with
# its selftest mock (CONFIG_IOMMUFD_TEST) under UML, from the cached tree,
# for make bench-compare, make fuzz-diff and for counting upstream's
# fail-nth sites.
#
# Two changes are made, to the comparison tree only. First, UML has no
# CONFIG_IOMMU_DMA, and without it iommu_get_default_domain_type() forces
# an IDENTITY default domain whenever the driver states no preference.
# The selftest mock states none and offers a static BLOCKED default
# domain instead, so every mock device silently ends up without a group
# and nearly every selftest fails. The forcing is skipped when the
# driver has a static default domain. Second, the selftest mock's fault
# queue needs CONFIG_IOMMU_IOPF, which only hardware IOMMU drivers select:
# IOMMUFD_TEST selects it too, as Debian's kernel has it (VT-d and AMD-Vi
# select it); without it, attaching a HWPT with a fault queue is ENODEV.
#
# The tree is a hard-linked copy of the cached one (the patched file is
# a file of its own), keyed by the cached tree, the change and the
# configuration, so that a change to any of them builds afresh. Prints the kernel's path.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
# Keyed by the change and the configuration, not by this script's prose.
key=$( (grep '^	perl' "$0"; cat "$IOASIM_REPO/configs/upstream.config") |
	sha1sum | cut -c1-8)
tree=$IOASIM_CACHE/src/upstream-$key-$IOASIM_TREEKEY
build=$IOASIM_CACHE/build/upstream-$key-$IOASIM_TREEKEY

# Comparison trees and builds of other keys are dead weight.
for d in "$IOASIM_CACHE"/src/upstream-* "$IOASIM_CACHE"/build/upstream-*; do
	case $d in
	"$tree" | "$build" | *'*') ;;
	*)
		say "removing stale comparison tree or build $d"
		rm -rf "$d"
		;;
	esac
done

if [ ! -e "$tree/.ioasim-prepared" ]; then
	say "making the comparison tree $tree"
	rm -rf "$tree" "$tree.tmp"
	cp -al "$IOASIM_TREE" "$tree.tmp"
	f=$tree.tmp/drivers/iommu/iommu.c
	cp --remove-destination "$IOASIM_TREE/drivers/iommu/iommu.c" "$f"
	# The only "if (!driver_type)" of the function that forces IDENTITY.
	perl -0pi -e 's/(if \(!IS_ENABLED\(CONFIG_IOMMU_DMA\)\) \{.*?if \(!driver_type)\)/$1 \&\&\n\t\t    !dev_iommu_ops(iommu_group_first_dev(group))->default_domain)/s' "$f"
	[ "$(grep -c 'first_dev(group))->default_domain)$' "$f")" -eq 1 ] ||
		die "could not apply the default-domain change to $f"
	# The selftest mock's fault queue needs IOMMU_IOPF, which only
	# hardware drivers select; Debian's kernel has it (VT-d, AMD-Vi).
	k=$tree.tmp/drivers/iommu/iommufd/Kconfig
	cp --remove-destination "$IOASIM_TREE/drivers/iommu/iommufd/Kconfig" "$k"
	perl -0pi -e 's/(config IOMMUFD_TEST\n(?:.*\n)*?\tselect IOMMUFD_DRIVER\n)/$1\tselect IOMMU_IOPF\n/' "$k"
	grep -q '^	select IOMMU_IOPF$' "$k" ||
		die "could not make IOMMUFD_TEST select IOMMU_IOPF in $k"
	mv "$tree.tmp" "$tree"
	touch "$tree/.ioasim-prepared"
fi

mkdir -p "$build"
say "comparison kernel: $build (a first build takes minutes)"
log=$build/build.log
timed python3 -B "$tree/tools/testing/kunit/kunit.py" build \
	--build_dir="$build" --jobs="$IOASIM_JOBS" \
	--kunitconfig="$IOASIM_REPO/configs/upstream.config" >"$log" 2>&1 ||
	{ tail -n 30 "$log"; die "the comparison kernel did not build"; }
echo "$build/linux"
