#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (busybox).  Mount the host's root over
# 9p, put the pseudo filesystems and the writable results share inside it,
# chroot into it and run scripts/vm-guest.sh.  Power off whatever happens.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || echo "vm-init: insmod $m failed"
done

arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
RES=$(arg ka.res)
REPO=$(arg ka.repo)

if mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /host; then
	mount -t proc proc /host/proc
	mount -t sysfs sys /host/sys
	mount -t devtmpfs dev /host/dev
	# devtmpfs lacks the links udev makes; bash process substitution needs /dev/fd.
	ln -sf /proc/self/fd /host/dev/fd
	ln -sf /proc/self/fd/0 /host/dev/stdin
	ln -sf /proc/self/fd/1 /host/dev/stdout
	ln -sf /proc/self/fd/2 /host/dev/stderr
	mount -t devpts devpts /host/dev/pts 2>/dev/null
	# The guest's /tmp is a fresh tmpfs; keep whatever the job needs from
	# the host's /tmp (a checkout, build or cache living there) visible.
	mkdir -p /oldtmp
	mount --bind /host/tmp /oldtmp
	mount -t tmpfs tmp /host/tmp
	for p in $(arg ka.repo) $(arg ka.build) $(arg ka.cache); do
		case $p in
		/tmp/*)
			mkdir -p "/host$p"
			mount --bind "/oldtmp${p#/tmp}" "/host$p"
			;;
		esac
	done
	mount -t tmpfs run /host/run
	mount -t bpf bpf /host/sys/fs/bpf
	mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L results "/host$RES"
	chroot /host /bin/bash "$REPO/scripts/vm-guest.sh"
	echo "vm-init: guest job exited with status $?"
else
	echo "vm-init: cannot mount the host root over 9p"
fi
poweroff -f
