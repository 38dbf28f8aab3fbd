#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ci-nonroot.sh: prove that a kernel developer who is not root can use the
# rig. Run as root after `make check` (which installed every package): it
# makes an ordinary user, gives it a copy of this checkout, and runs the
# set-up and one suite as that user. /var/cache/ioasim is root's, so the
# user's run takes the default it can write, ~/.cache/ioasim; that cache
# lives in the user's home and is reused by the next CI run.
source "$(dirname "$0")/lib.sh"

user=ioasim-ci
[ "$(id -u)" -eq 0 ] || die "ci-nonroot.sh sets up a user: run it as root"
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)

say "copying the checkout for $user"
rsync -a --delete --exclude /out "$IOASIM_REPO/" "$home/ioasim/"
chown -R "$user:" "$home/ioasim"

# The user's own environment: no IOASIM_CACHE handed down from root.
runuser -u "$user" -- env -i HOME="$home" PATH=/usr/bin:/bin \
	bash -c 'cd ~/ioasim && make run ARGS="ioasim_obj.*"'
