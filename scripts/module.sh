#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds ioasim.ko and the test-only ioasim_mock.ko from the repository's
# sources against Debian's linux-headers-6.12 amd64, as external modules
# with W=1. Any compiler warning or sparse report fails the build. The
# sources are copied to a build directory in the cache first, so no
# object file lands in the checkout (and none can be picked up by the
# in-tree UML build through VPATH). The mock's iommufd_test.h comes from
# the cached kernel tree: the headers package does not carry it.
source "$(dirname "$0")/lib.sh"

ensure_packages
ensure_tree
kdir=$(headers_dir)
kver=$(basename "$kdir" | sed 's/^linux-headers-//')
out=$IOASIM_CACHE/module-$kver
mkdir -p "$out" "$IOASIM_REPO/out"
# Not -a: a changed file must get a new time, or make, comparing it with
# an object built from another checkout, could keep the object.
rsync -rlp --delete --checksum --exclude=.git --exclude=out \
	--include='*/' --include=Kbuild --include=Kconfig \
	--include='*.[ch]' --exclude='*' "$IOASIM_REPO"/ "$out/src/"

say "building ioasim.ko, ioasim_mock.ko and ioasim_edu.ko against $kdir"
log=$out/build.log
make -C "$kdir" M="$out/src" CONFIG_IOASIM=m CONFIG_IOASIM_MOCK=m CONFIG_IOASIM_EDU=m \
	IOASIM_SELFTEST_DIR="$IOASIM_TREE/drivers/iommu/iommufd" \
	W=1 C=2 -j"$IOASIM_JOBS" modules \
	>"$log" 2>&1 || { cat "$log"; die "module build failed"; }
if grep -Ei 'warning:|error:' "$log"; then
	die "the module build printed warnings (full log: $log)"
fi

for mod in ioasim ioasim_mock ioasim_edu; do
	ko=$out/src/$mod.ko
	lic=$(modinfo -F license "$ko")
	vermagic=$(modinfo -F vermagic "$ko")
	[ "$lic" = GPL ] || die "$mod.ko license is '$lic', not GPL"
	case $vermagic in
	"$kver "*) ;;
	*) die "$mod.ko vermagic '$vermagic' does not match $kver" ;;
	esac
	cp "$ko" "$IOASIM_REPO/out/$mod.ko"
	say "out/$mod.ko: license $lic, vermagic $vermagic"
done
# The mock depends on ioasim.ko alone, through its namespaces.
deps=$(modinfo -F depends "$out/src/ioasim_mock.ko")
[ "$deps" = ioasim ] || die "ioasim_mock.ko depends on '$deps', not ioasim"
[ -z "$(modinfo -F depends "$out/src/ioasim.ko")" ] ||
	die "ioasim.ko depends on other modules"
[ "$(modinfo -F depends "$out/src/ioasim_edu.ko")" = ioasim ] ||
	die "ioasim_edu.ko depends on more than ioasim"
