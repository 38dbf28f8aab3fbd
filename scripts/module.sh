#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds ioasim.ko from the repository's sources against Debian's
# linux-headers-6.12 amd64, as an external module with W=1. Any compiler
# warning or sparse report fails the build. The sources are copied to a build directory in
# the cache first, so no object file lands in the checkout (and none can
# be picked up by the in-tree UML build through VPATH).
source "$(dirname "$0")/lib.sh"

ensure_packages
kdir=$(headers_dir)
kver=$(basename "$kdir" | sed 's/^linux-headers-//')
out=$IOASIM_CACHE/module-$kver
mkdir -p "$out" "$IOASIM_REPO/out"
rsync -a --delete --checksum --exclude=.git --exclude=out \
	--include='*/' --include=Kbuild --include=Kconfig \
	--include='*.[ch]' --exclude='*' "$IOASIM_REPO"/ "$out/src/"

say "building ioasim.ko against $kdir"
log=$out/build.log
make -C "$kdir" M="$out/src" CONFIG_IOASIM=m W=1 C=2 -j"$IOASIM_JOBS" modules \
	>"$log" 2>&1 || { cat "$log"; die "module build failed"; }
if grep -E 'warning:|error:' "$log"; then
	die "the module build printed warnings (full log: $log)"
fi

ko=$out/src/ioasim.ko
lic=$(modinfo -F license "$ko")
vermagic=$(modinfo -F vermagic "$ko")
[ "$lic" = GPL ] || die "ioasim.ko license is '$lic', not GPL"
case $vermagic in
"$kver "*) ;;
*) die "ioasim.ko vermagic '$vermagic' does not match $kver" ;;
esac
cp "$ko" "$IOASIM_REPO/out/ioasim.ko"
say "out/ioasim.ko: license $lic, vermagic $vermagic"
