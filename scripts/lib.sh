# SPDX-License-Identifier: GPL-2.0-only
#
# Shared set-up for the ioasim rig. Sourced by the other scripts; every
# step is idempotent so that each entry point can call all of them.
#
# Caches live outside the repository, under $IOASIM_CACHE:
#   src/linux-<pkgver>-<prepkey>/  the unpacked kernel tree; a new
#                                  linux-source package or a change to
#                                  scripts/prepare-tree.sh gives a new tree
#   build/<flavour>-<treekey>/     kunit.py build directories, one per
#                                  configuration flavour (run, check, ...)
#   module-<hdrver>/               the external module build
# Trees and build directories of other keys are removed when a new tree
# comes into use (IOASIM_KEEP_CACHE=1 keeps them).

set -euo pipefail

IOASIM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# /var/cache/ioasim when this user may write there (root, or a member of a
# group the administrator gave it to), else the user's own cache.
default_cache()
{
	local sys=/var/cache/ioasim

	if [ -w "$sys" ] || { [ ! -e "$sys" ] && [ -w /var/cache ]; }; then
		echo "$sys"
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/ioasim"
	fi
}

IOASIM_CACHE=${IOASIM_CACHE:-$(default_cache)}
IOASIM_JOBS=${IOASIM_JOBS:-$(nproc)}

IOASIM_PACKAGES=(
	linux-source-6.12 linux-headers-6.12-amd64
	bc bison flex gcc make libc6-dev libelf-dev libssl-dev
	python3 perl sparse dwarves kmod rsync xz-utils util-linux lcov
	coccinelle
)

say()
{
	printf '[ioasim] %s\n' "$*" >&2
}

die()
{
	say "error: $*"
	exit 1
}

ensure_packages()
{
	local missing=() p

	for p in "${IOASIM_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: ${missing[*]}"
		say "install them once, as root:"
		say "  apt-get update && apt-get install --no-install-recommends ${missing[*]}"
		die "missing packages"
	fi
	say "installing Debian packages: ${missing[*]}"
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}

# Sets IOASIM_TREE to the prepared kernel tree, unpacking it if needed.
ensure_tree()
{
	local ver tarball prepkey tree tmp

	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
		die "linux-source-6.12 is installed but its tarball is missing"
	prepkey=$(sha1sum "$IOASIM_REPO/scripts/prepare-tree.sh" | cut -c1-10)
	tree=$IOASIM_CACHE/src/linux-${ver//[^A-Za-z0-9.+-]/_}-$prepkey

	mkdir -p "$IOASIM_CACHE/src"
	exec 9>"$IOASIM_CACHE/src/.lock"
	flock 9
	if [ ! -e "$tree/.ioasim-prepared" ]; then
		say "unpacking linux-source $ver into $tree (about 30 s)"
		tmp=$(mktemp -d "$IOASIM_CACHE/src/.unpack.XXXXXX")
		tar -xJf "$tarball" -C "$tmp"
		rm -rf "$tree"
		mv "$tmp"/linux-source-6.12 "$tree"
		rmdir "$tmp"
		bash "$IOASIM_REPO/scripts/prepare-tree.sh" "$tree"
		touch "$tree/.ioasim-prepared"
	fi
	link_overlay "$tree"
	IOASIM_TREE=$tree
	IOASIM_TREEKEY=$(basename "$tree" | sed 's/^linux-//')
	[ -n "${IOASIM_KEEP_CACHE:-}" ] || prune_cache
	flock -u 9
}

# Trees of other keys (an older package or tree preparation) and their
# build directories are dead weight once a new tree is in use.
prune_cache()
{
	local d

	shopt -s nullglob
	for d in "$IOASIM_CACHE"/src/linux-*; do
		[ "$d" = "$IOASIM_TREE" ] && continue
		say "removing stale kernel tree $d"
		rm -rf "$d"
	done
	for d in "$IOASIM_CACHE"/build/*; do
		case $(basename "$d") in
		*-"$IOASIM_TREEKEY") ;;
		*)
			say "removing stale build directory $d"
			rm -rf "$d"
			;;
		esac
	done
	shopt -u nullglob
}

# drivers/ioasim in the tree points at this checkout; Kconfig and Makefile
# lines are added once.
link_overlay()
{
	local tree=$1

	if [ "$(readlink "$tree/drivers/ioasim" 2>/dev/null)" != "$IOASIM_REPO" ]; then
		say "linking $IOASIM_REPO as drivers/ioasim"
		ln -sfn "$IOASIM_REPO" "$tree/drivers/ioasim"
	fi
	grep -q '^source "drivers/ioasim/Kconfig"' "$tree/drivers/Kconfig" ||
		sed -i '$ s|^endmenu$|source "drivers/ioasim/Kconfig"\n\nendmenu|' \
			"$tree/drivers/Kconfig"
	grep -q '^source "drivers/ioasim/Kconfig"' "$tree/drivers/Kconfig" ||
		die "could not wire drivers/ioasim/Kconfig into $tree/drivers/Kconfig"
	grep -q '+= ioasim/$' "$tree/drivers/Makefile" ||
		echo 'obj-$(CONFIG_IOASIM)		+= ioasim/' >>"$tree/drivers/Makefile"
}

# Newest installed Debian 6.12 amd64 header tree.
headers_dir()
{
	local d

	d=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] || die "no linux-headers-6.12.*-amd64 under /usr/src"
	echo "$d"
}

# The tree's uAPI headers as userspace sees them, installed once; prints
# the directory to put before the system's with -isystem.
uapi_headers()
{
	local hdr=$IOASIM_CACHE/uapi-$IOASIM_TREEKEY

	if [ ! -f "$hdr/include/linux/iommufd.h" ]; then
		say "installing the tree's uAPI headers into $hdr"
		make -s -C "$IOASIM_TREE" ARCH=x86 O="$hdr/build" \
			INSTALL_HDR_PATH="$hdr" headers_install >&2
	fi
	echo "$hdr/include"
}

# build_sim ROOT [program...]: sim/init.c as ROOT/init, and the programs
# (default: every sim/*.c but init.c; "none": none of them) in ROOT/sim,
# named in ROOT/sim/list in the order they run. Static binaries, against
# the tree's 6.12 uAPI headers (Debian 12's own are 6.1) and the selftest
# ABI (iommufd_test.h) beside upstream's iommufd. SIM_CFLAGS adds flags.
# SIM_EXTRA names static binaries of one's own to copy in and run after
# them.
# sim_program PROG CFLAGS...: sets SIM_BIN to sim/PROG built with CFLAGS.
# Built once per content of what it includes from the checkout and per
# flags (which name the tree's headers): make mutate boots hundreds of
# kernels with the same programs.
sim_program()
{
	local prog=$1 key
	shift

	key=$( { printf '%s\n' "$@"; cat "$IOASIM_REPO/sim/$prog.c" \
		"$IOASIM_REPO"/sim/*.h "$IOASIM_REPO"/mock_iommu/*.h; } |
		sha1sum | cut -c1-16)
	SIM_BIN=$IOASIM_CACHE/build/sim-bin-$IOASIM_TREEKEY/$prog-$key
	[ -x "$SIM_BIN" ] && return
	say "building sim/$prog"
	mkdir -p "$(dirname "$SIM_BIN")"
	gcc "$@" -o "$SIM_BIN.tmp.$$" "$IOASIM_REPO/sim/$prog.c" -lpthread
	mv -f "$SIM_BIN.tmp.$$" "$SIM_BIN"
}

build_sim()
{
	local root=$1 hdr prog cflags
	shift

	hdr=$(uapi_headers)
	mkdir -p "$root/sim"
	cflags=(-static -O2 -Wall -Werror ${SIM_CFLAGS:-} -isystem "$hdr"
		-I"$IOASIM_TREE/tools/testing/selftests"
		-I"$IOASIM_TREE/drivers/iommu/iommufd"
		-I"$IOASIM_REPO/mock_iommu")
	sim_program init "${cflags[@]}"
	cp "$SIM_BIN" "$root/init"
	[ $# -gt 0 ] ||
		set -- $(cd "$IOASIM_REPO/sim" && ls *.c | grep -vx init.c | sed 's/\.c$//')
	[ "$*" != none ] || shift
	for prog; do
		sim_program "$prog" "${cflags[@]}"
		cp "$SIM_BIN" "$root/sim/$prog"
		echo "/sim/$prog" >>"$root/sim/list"
	done
	for prog in ${SIM_EXTRA:-}; do
		cp "$prog" "$root/sim/"
		echo "/sim/$(basename "$prog")" >>"$root/sim/list"
	done
	touch "$root/sim/list"
}

# boot_sim KERNEL ROOT OUT [ARGS...]: boots a UML KERNEL with ROOT (made
# by build_sim) as its hostfs root and init, console to OUT; the exit
# status is init's (that of the programs). IOASIM_BOOT_WRAPPER, if set, is
# a command the boot runs under (make bench-profile's perf record).
boot_sim()
{
	local kernel=$1 root=$2 out=$3
	shift 3

	# shellcheck disable=SC2086 # a command and its arguments, split
	${IOASIM_BOOT_WRAPPER:-} timeout 900 "$kernel" mem=1G \
		root=/dev/root rootfstype=hostfs hostfs="$root" rw init=/init \
		kunit.enable=0 panic_on_warn=1 "$@" con=null con0=fd:0,fd:1 \
		</dev/null >"$out" 2>&1
}

# tap_summary NAME LOG RC: the closing line, like kunit's,
# "NAME: N passed, N failed, N skipped", counted from the TAP cases in LOG
# (console logs may end lines in \r). A failed run (RC != 0) never reads
# as 0 failed.
tap_summary()
{
	local name=$1 log=$2 rc=$3 passed skipped failed

	passed=$(tr -d '\r' <"$log" | grep '^ok ' | grep -vc '# SKIP' || true)
	skipped=$(tr -d '\r' <"$log" | grep '^ok ' | grep -c '# SKIP' || true)
	failed=$(tr -d '\r' <"$log" | grep -c '^not ok ' || true)
	[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
	echo "$name: $passed passed, $failed failed, $skipped skipped"
}

# The build directory of FLAVOUR. make mutate's workers set IOASIM_WORKER
# and get one each.
build_dir()
{
	echo "$IOASIM_CACHE/build/$1${IOASIM_WORKER:+.$IOASIM_WORKER}-$IOASIM_TREEKEY"
}

timed()
{
	local start=$SECONDS rc=0

	"$@" || rc=$?
	say "$(basename "$1") took $((SECONDS - start)) s"
	return $rc
}

# boot_judged WHO OUT [ARGS...]: boots kernel[WHO] (set by bench_kernels,
# or by the caller the same way) with $work/root, console to OUT; says
# why and fails if the programs failed or the log shows a kernel splat.
boot_judged()
{
	local who=$1 out=$2 rc=0
	shift 2

	boot_sim "${kernel[$who]}" "$work/root" "$out" "$@" || {
		say "$who: the programs failed (console: $out)"
		rc=1
	}
	"$IOASIM_REPO/scripts/scan-log.sh" "$out" || {
		say "$who: the console log shows a kernel splat"
		rc=1
	}
	return $rc
}

# bench_kernels NAME: what make bench-compare and make bench-profile share.
# Sets kernel[ioasim] (the bench kernel, rebuilt if the sources moved on,
# its in-kernel suite run quietly) and kernel[upstream] (the comparison
# kernel of scripts/upstream.sh), and work, a fresh directory under the
# cache whose root/ holds sim/iommufd_bench and its init.
bench_kernels()
{
	local upstream

	ensure_packages
	ensure_tree
	"$IOASIM_REPO/scripts/kunit.sh" bench ioasim_bench >/dev/null ||
		die "the bench kernel did not build or its suite failed"
	# Not inside declare, whose own status would hide a failed build.
	upstream=$("$IOASIM_REPO/scripts/upstream.sh")
	declare -gA kernel=([ioasim]=$(build_dir bench)/linux
			    [upstream]=$upstream)
	work=$IOASIM_CACHE/$1-$IOASIM_TREEKEY
	rm -rf "$work"
	mkdir -p "$work/root"/{proc,sys,dev}
	build_sim "$work/root" iommufd_bench
}
