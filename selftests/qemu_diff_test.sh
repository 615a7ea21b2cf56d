#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-visible equivalence of the QEMU fast paths: a hostile guest's view.
# The nested guest loads a probe module (qemu_e2e/ka_probe.c) that makes a
# seeded sequence of random and directed accesses to every device the
# series accelerates (both IDE channels and their bus-master registers, the
# HPET, the ACPI PM timer: every width, misaligned, string forms, real
# commands, SRST, HOB, short PRD tables, counter writes while halted, timers
# armed while halted) and logs every value it sees.  The same guest runs
# under three QEMUs:
#
#   plain    the patched QEMU with fast paths off,
#   accel    the patched QEMU with fast paths on,
#   distro   the distribution's QEMU (the oracle: no patch at all),
#
# and the three logs must be identical, record by record; the first records
# that differ are printed (qemu_e2e/probe_diff.py).  So that a run whose
# fast paths did nothing cannot pass, each device must have seen at least
# STEPS accesses and the module's counters, which QEMU traces when it
# exits, must show every fast path handling accesses in the kernel.
#
# Then INITIALIZE DEVICE PARAMETERS with a sector count of 0 followed by a
# CHS read: the patched QEMU must abort the command and live; the
# distribution's QEMU divides by zero (SIGFPE), which shows the check
# reaches the path it guards.
#
# Runs inside the test VM (scripts/vm-guest.sh); TAP on stdout.
# Env: KA_BUILD (build tree), KA_QEMU_DIFF_SEED (default 0x6b612d64696666;
#      the seed is printed), KA_QEMU_DIFF_STEPS (random accesses per
#      device, default 12000; the long mode is e.g. 200000),
#      KA_QEMU_DIFF_QEMU (the oracle, default /usr/bin/qemu-system-x86_64),
#      KA_QEMU_E2E_TIMEOUT (s per boot, 600; 1800 on the debug kernel).
set -uo pipefail

O=${KA_BUILD:?KA_BUILD not set}
QEMU=$O/qemu/qemu-system-x86_64
DISTRO=${KA_QEMU_DIFF_QEMU:-/usr/bin/qemu-system-x86_64}
SEED=${KA_QEMU_DIFF_SEED:-0x6b612d64696666}
STEPS=${KA_QEMU_DIFF_STEPS:-12000}
HERE=$(cd "$(dirname "$0")" && pwd)
QMP="/usr/bin/python3 $HERE/qemu_e2e/qmp.py"
W=${TMPDIR:-/tmp}/qemu-diff
# shellcheck source=selftests/qemu_e2e/lib.sh
. "$HERE/qemu_e2e/lib.sh"

echo "TAP version 13"
echo "1..15"
echo "# seed $SEED, $STEPS random accesses per device (KA_QEMU_DIFF_SEED, KA_QEMU_DIFF_STEPS)"
[ -x "$QEMU" ] || bail "no patched QEMU at $QEMU (make qemu)"
[ -x "$DISTRO" ] || bail "no distribution QEMU at $DISTRO"
[ -r "$O/qemu/ka_probe.ko" ] || bail "no $O/qemu/ka_probe.ko (make qemu)"
[ -r "$KERNEL" ] || bail "no kernel image $KERNEL"
[ -c /dev/kvm ] || bail "/dev/kvm missing"
rm -rf "$W" && mkdir -p "$W"/initramfs/{bin,proc,sys,dev} || bail "cannot create $W"

d=$W/initramfs
cp /bin/busybox "$d/bin/" && cp "$O/qemu/ka_probe.ko" "$d/" &&
	cp "$HERE/qemu_e2e/probe-init.sh" "$d/init" && chmod +x "$d/init" || bail "initramfs"
for m in sh mount insmod cat head sed poweroff echo; do ln -s busybox "$d/bin/$m"; done
(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initramfs.cpio.gz" ||
	bail "initramfs"
ok "guest initramfs built (busybox, ka_probe.ko, probe-init.sh)"
# The disk the probe reads: 8 MiB the three runs see alike (each its copy).
head -c $((8 << 20)) /dev/urandom > "$W/disk.img"

# run NAME QEMU ACCEL MODE: boot the probe guest, save its log over QMP.
run() {
	local name=$1 qemu=$2 accel=$3 mode=$4 pid rc line=
	cp "$W/disk.img" "$W/$name.img"
	rm -f "$W/$name.qmp" "$W/$name.ctl"
	timeout -k 5 "$TMO" "$qemu" -nodefaults -machine pc -accel "$accel" -cpu host \
		-m 256 -smp 1 -display none -no-reboot \
		-serial "file:$W/$name.console" \
		-chardev "socket,id=ctl,path=$W/$name.ctl,server=on,wait=off" \
		-device isa-serial,chardev=ctl \
		-qmp "unix:$W/$name.qmp,server=on,wait=off" \
		-drive "file=$W/$name.img,format=raw,if=ide,index=0" \
		-kernel "$KERNEL" -initrd "$W/initramfs.cpio.gz" \
		-append "console=ttyS0 hpet=disable quiet panic=-1 ka_probe=$SEED,$STEPS,$mode" \
		-D "$W/$name.trace" -trace 'kvm_fastpath_*' > "$W/$name.out" 2>&1 &
	pid=$!
	# Until the guest says where its log is, or QEMU is gone.  The console
	# file grows a byte at a time: the line counts once the record count
	# follows the size, as a size still being written would be cut short.
	while kill -0 $pid 2>/dev/null; do
		line=$(tr -d '\r' 2>/dev/null < "$W/$name.console" |
			grep -m1 -E '^KA-WAIT probe log 0x[0-9a-fA-F]+ [0-9]+ [0-9]')
		[ -n "$line" ] && break
		sleep 0.2
	done
	if [ -n "$line" ]; then
		# "KA-WAIT probe log 0xADDR BYTES RECORDS", split into words
		# shellcheck disable=SC2086
		set -- $line
		$QMP cmd "$W/$name.qmp" pmemsave \
			"{\"val\": $(($4)), \"size\": $5, \"filename\": \"$W/$name.log\"}" > /dev/null
		$QMP send "$W/$name.ctl" go
	fi
	wait $pid
	rc=$?
	echo "# $name: QEMU exited with $rc"
	sed 's/^/#   qemu: /' "$W/$name.out" | head -20
	tr -d '\r' < "$W/$name.console" | grep -E '^(KA-|accesses|crc|insmod|ata)' | sed "s/^/#   $name: /"
	return $rc
}

accesses() {	# accesses NAME DEV: what the probe made
	tr -d '\r' < "$W/$1.console" | sed -n "s/^accesses .*\\b$2 \\([0-9]*\\).*/\\1/p" | head -1
}
handled() {	# handled NAME FASTPATH: the largest count the module reported
	grep -h "kvm_fastpath_counters $2 " "$W/$1.trace" 2>/dev/null |
		sed -n 's/.* handled \([0-9]*\) .*/\1/p' | sort -n | tail -1
}

ACCEL_ON="kvm,fast-paths=on,fast-paths-dir=$O/bpf/devices"
check "plain (patched QEMU, fast paths off) ran the probe" run plain "$QEMU" kvm diff
check "accel (patched QEMU, fast paths on) ran the probe" run accel "$QEMU" "$ACCEL_ON" diff
check "distro ($("$DISTRO" --version | head -1)) ran the probe" run distro "$DISTRO" kvm diff
for r in plain accel distro; do
	check "$r: the log was saved ($(stat -c %s "$W/$r.log" 2>/dev/null || echo no) bytes)" \
		test -s "$W/$r.log"
done
for dev in pm hpet ide; do
	a=$(accesses accel $dev)
	check "accel: the probe made ${a:-no} $dev accesses (at least $STEPS)" \
		test "${a:-0}" -ge "$STEPS"
done
/usr/bin/python3 "$HERE/qemu_e2e/probe_diff.py" "$W/distro.log" "$W/plain.log" > "$W/plain.diff"
check "plain sees what the distribution's QEMU shows ($(head -1 "$W/plain.diff"))" \
	test "$(head -1 "$W/plain.diff")" = "identical"
sed -n '2,40s/^/#   /p' "$W/plain.diff"
/usr/bin/python3 "$HERE/qemu_e2e/probe_diff.py" "$W/distro.log" "$W/accel.log" > "$W/accel.diff"
check "accel sees what the distribution's QEMU shows ($(head -1 "$W/accel.diff"))" \
	test "$(head -1 "$W/accel.diff")" = "identical"
sed -n '2,40s/^/#   /p' "$W/accel.diff"
h="$(handled accel hpet) $(handled accel pmtimer) $(handled accel ide_qemu)"
# shellcheck disable=SC2086
set -- $h
check "accel: every fast path handled accesses in the kernel (hpet, pmtimer, ide_qemu: $h)" \
	test "$#" = 3 -a "${1:-0}" -ge 1000 -a "${2:-0}" -ge 1000 -a "${3:-0}" -ge 1000

# INITIALIZE DEVICE PARAMETERS with no sectors per track, then CHS.
run specify "$QEMU" "$ACCEL_ON" specify0
rc=$?
/usr/bin/python3 "$HERE/qemu_e2e/probe_diff.py" --show "$W/specify.log" > "$W/specify.txt" 2>&1
sed 's/^/#   /' "$W/specify.txt"
# The taskfile after 0x91: error ABRT (0x04), status DRDY|ERR (0x41).
check "patched QEMU aborts INITIALIZE DEVICE PARAMETERS with count 0 and lives (exit $rc)" \
	test $rc = 0 -a -n "$(grep -m1 'ide r w1 0x1f1 = 0x4$' "$W/specify.txt")" \
	-a -n "$(grep -m1 'ide r w1 0x1f7 = 0x41$' "$W/specify.txt")"
run specify-distro "$DISTRO" kvm specify0
rc=$?
check "the distribution's QEMU dies of it with SIGFPE (exit $rc, 136 expected)" test $rc = 136

if [ -n "${KA_RES:-}" ] && mkdir -p "$KA_RES/qemu_diff"; then
	cp "$W"/*.console "$W"/*.out "$W"/*.diff "$W"/*.log "$KA_RES/qemu_diff/" 2>/dev/null
fi
exit $((fails > 0))
