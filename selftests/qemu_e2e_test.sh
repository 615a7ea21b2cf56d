#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: the patched QEMU (scripts/qemu-build.sh) boots the Debian
# kernel with an initramfs as a KVM guest of the test VM, -machine pc, once
# with -accel kvm,fast-paths=on and once without.  The guest checksums its
# IDE disk through ata_piix, runs with HPET as its clocksource and switches
# to acpi_pm (clockcheck.c), which reads the PM timer port.
#
# Guards:
#  - both runs see the same thing: the disk's checksum (equal to the
#    image's), both clocksources selected, no clock read going back;
#  - userspace exits, counted from QEMU's trace events (every access that
#    reaches a device model fires one), drop to zero for HPET counter reads
#    and PM timer reads with fast paths on, and the module's counters (which
#    QEMU traces at exit) show those reads handled in the kernel; IDE
#    taskfile and alternate status accesses drop to a tenth at most, and
#    status reads (those acknowledging an interrupt still exit) drop;
#  - QEMU with fast-paths=off loads nothing;
#  - QEMU publishes one exact clock offset (host CLOCK_MONOTONIC to its
#    virtual clock) while the VM runs, whatever the republishing;
#  - the lifecycle the series handles, in a third run with fast paths on
#    (qemu_e2e/qmp.py drives it over QMP and a second serial port):
#    the guest moves the PIIX4 PM I/O base and back, and the PM timer fast
#    path must follow (detached at 0x608, attached at 0xb008 where its reads
#    stay in the kernel, and back); the VM is stopped for STOP_MS and
#    continued, once on hpet and once on acpi_pm, and the clock must
#    neither go back nor count the stop (the guest's time across the wait
#    must stay below the host's view of it less half the stop);
#    the VM is migrated to a file and resumed by a second QEMU
#    (-incoming), where the fast paths must be attached, the clocks go on
#    without going back, the disk reads the same, and HPET counter and PM
#    timer reads still never exit.
#
# Runs inside the test VM (scripts/vm-guest.sh); TAP on stdout.
# Env: KA_BUILD (build tree), KA_QEMU_E2E_READS (clock reads per
#      clocksource, default 3000), KA_QEMU_E2E_TIMEOUT (s per boot, 600; 1800 on the
#      debug kernel).
set -uo pipefail

O=${KA_BUILD:?KA_BUILD not set}
QEMU=$O/qemu/qemu-system-x86_64
READS=${KA_QEMU_E2E_READS:-3000}
W=${TMPDIR:-/tmp}/qemu-e2e
# shellcheck source=selftests/qemu_e2e/lib.sh
. "$(dirname "$0")/qemu_e2e/lib.sh"

echo "TAP version 13"
echo "1..30"
[ -x "$QEMU" ] || bail "no patched QEMU at $QEMU (make qemu)"
[ -x "$O/qemu/clockcheck" ] || bail "no $O/qemu/clockcheck (make qemu)"
[ -r "$KERNEL" ] || bail "no kernel image $KERNEL"
[ -c /dev/kvm ] || bail "/dev/kvm missing"
rm -rf "$W" && mkdir -p "$W"/initramfs/{bin,modules,proc,sys,dev} || bail "cannot create $W"

# --- the guest: busybox, clockcheck, the IDE driver stack, /init -----------
build_initramfs() {
	local d=$W/initramfs mods=$KROOT/lib/modules/$REL m dep i=0 seen=" "
	cp /bin/busybox "$d/bin/" || return 1
	for m in sh mount insmod cat md5sum cut sed grep tr ls poweroff echo; do
		ln -s busybox "$d/bin/$m"
	done
	cp "$O/qemu/clockcheck" "$d/bin/" || return 1
	# Each module after its dependencies (modules.dep lists them deepest last).
	for m in sd_mod ata_piix; do
		for dep in $(grep -E "/$m\.ko(\.xz)?:" "$mods/modules.dep" |
			     tr -d : | awk '{ for (i = NF; i > 1; i--) print $i; print $1 }'); do
			case $seen in *" $dep "*) continue ;; esac
			seen="$seen$dep "
			xz -dcf "$mods/$dep" > "$d/modules/$(printf %02d $i)-$(basename "${dep%.xz}")" || return 1
			i=$((i + 1))
		done
	done
	[ $i -ge 5 ] || return 1
	cp "$(dirname "$0")/qemu_e2e/init.sh" "$d/init" && chmod +x "$d/init" || return 1
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initramfs.cpio.gz"
}
if build_initramfs; then
	ok "guest initramfs built (busybox, clockcheck, $(ls "$W/initramfs/modules" | wc -l) modules)"
else
	notok "guest initramfs built"
fi

# 8 MiB of data the guest must read back exactly.
head -c $((8 << 20)) /dev/urandom > "$W/disk.img"
DISK_MD5=$(md5sum < "$W/disk.img" | cut -d' ' -f1)

# --- boot it twice ---------------------------------------------------------
TRACES=(-trace hpet_ram_read -trace hpet_ram_write -trace acpi_pm_tmr_read
	-trace 'ide_ioport_*' -trace ide_status_read -trace ide_ctrl_write
	-trace 'ide_data_*' -trace 'kvm_fastpath_*')

ACCEL_ON="kvm,fast-paths=on,fast-paths-dir=$O/bpf/devices"

qemu() {	# qemu NAME DISK ACCEL APPEND [ARGS...]: run the guest in QEMU
	local name=$1 disk=$2 accel=$3 append=$4
	shift 4
	timeout -k 5 "$TMO" "$QEMU" -nodefaults -machine pc -accel "$accel" -cpu host \
		-m 256 -smp 1 -display none -no-reboot \
		-serial "file:$W/$name.console" \
		-drive "file=$W/$disk,format=raw,if=ide,index=0" \
		-kernel "$KERNEL" -initrd "$W/initramfs.cpio.gz" \
		-append "console=ttyS0 clocksource=hpet no-kvmclock tsc=unstable quiet panic=-1 ka_reads=$READS $append" \
		-D "$W/$name.trace" "${TRACES[@]}" "$@" > "$W/$name.out" 2>&1
}

report() {	# report NAME RC T0 [FROM]: QEMU's messages, the guest's result and notes
	local name=$1
	echo "# $name: QEMU exited with $2 after $((($(date +%s%N) - $3) / 1000000)) ms"
	sed 's/^/#   qemu: /' "$W/$name.out"
	# What the guest printed between the markers, as the comparable result
	# (a migration destination's console starts past KA-BEGIN).
	tr -d '\r' < "$W/$name.console" |
		awk -v from="${4-^KA-BEGIN}" '!done && $0 ~ from { on = 1 } on { print } /^KA-END/ { on = 0; done = 1 }' |
		grep -vE '^(cmdline|#)' > "$W/$name.result"
	tr -d '\r' < "$W/$name.console" | grep '^# ' | sed "s/^# /#   $name: /"
}

boot() {	# boot NAME ACCEL
	local name=$1 t0 rc
	cp "$W/disk.img" "$W/$name.img"
	t0=$(date +%s%N)
	qemu "$name" "$name.img" "$2" ""
	rc=$?
	report "$name" $rc "$t0"
	return $rc
}

count() {	# count NAME PATTERN: trace lines matching
	grep -cE "$2" "$W/$1.trace" 2>/dev/null || true
}

check "boot without fast paths completes" boot plain "kvm"
check "boot with fast paths completes" boot accel "$ACCEL_ON"

for r in plain accel; do
	check "$r: guest finished its job" grep -q '^KA-END' "$W/$r.result"
	check "$r: disk read through ata_piix matches the image ($DISK_MD5)" \
		grep -q "^disk sda 16384 sectors md5 $DISK_MD5\$" "$W/$r.result"
	check "$r: hpet and acpi_pm clocks selected, no read went back" \
		grep -q '^clockcheck-status 0$' "$W/$r.result"
done
check "both runs saw identical guest-visible results" cmp -s "$W/plain.result" "$W/accel.result"
if ! cmp -s "$W/plain.result" "$W/accel.result"; then
	diff "$W/plain.result" "$W/accel.result" | sed 's/^/#   /'
fi

# --- exits per device ------------------------------------------------------
# hpet_ram_read lines carry the offset: 0xf0/0xf4 is the main counter.
declare -A X
for r in plain accel; do
	X[$r,hpet_cnt]=$(count $r 'hpet_ram_read addr=0xf[04]\b|hpet_ram_read .*0xf[04]$')
	X[$r,hpet_rd]=$(count $r 'hpet_ram_read')
	X[$r,hpet_wr]=$(count $r 'hpet_ram_write')
	X[$r,pmtmr]=$(count $r 'acpi_pm_tmr_read')
	X[$r,ide]=$(count $r 'ide_(ioport|status|ctrl|data)')
	X[$r,ide_tf]=$(count $r 'ide_ioport_(read|write) .*\((Error|Features|Sector Count|Sector Number|Cylinder Low|Cylinder High)\)')
	X[$r,ide_alt]=$(count $r 'ide_status_read')
	X[$r,ide_st]=$(count $r 'ide_ioport_read .*\(Status\)')
done
printf '# %-28s %12s %12s\n' "userspace exits" "plain" "fast paths"
for k in hpet_cnt:"HPET main counter reads" hpet_rd:"HPET reads (all)" \
	 hpet_wr:"HPET writes" pmtmr:"PM timer reads" ide:"IDE port accesses" \
	 ide_tf:"IDE taskfile (err..LBA high)" ide_alt:"IDE alternate status" \
	 ide_st:"IDE status (0x1f7)"; do
	printf '# %-28s %12s %12s\n' "${k#*:}" "${X[plain,${k%%:*}]}" "${X[accel,${k%%:*}]}"
done
grep -h 'kvm_fastpath_counters' "$W/accel.trace" | sed 's/^/#   in kernel: /'
handled() {	# handled NAME [RUN]: what the module handled for fast path NAME
	grep -h "kvm_fastpath_counters $1 " "$W/${2:-accel}.trace" | tail -1 |
		sed -n 's/.* handled \([0-9]*\) .*/\1/p'
}

check "plain: HPET counter reads exit (${X[plain,hpet_cnt]} >= $READS)" \
	test "${X[plain,hpet_cnt]}" -ge "$READS"
check "plain: PM timer reads exit (${X[plain,pmtmr]} >= $READS)" \
	test "${X[plain,pmtmr]}" -ge "$READS"
check "fast paths: HPET counter reads never exit (${X[accel,hpet_cnt]}), $(handled hpet) handled in the kernel" \
	test "${X[accel,hpet_cnt]}" = 0 -a "$(handled hpet)" -ge "$READS"
check "fast paths: PM timer reads never exit (${X[accel,pmtmr]}), $(handled pmtimer) handled in the kernel" \
	test "${X[accel,pmtmr]}" = 0 -a "$(handled pmtimer)" -ge "$READS"
# Status reads that acknowledge an interrupt still exit, the rest not.
check "fast paths: IDE taskfile and alternate status accesses stay in the kernel ($((X[accel,ide_tf] + X[accel,ide_alt])) exits, plain $((X[plain,ide_tf] + X[plain,ide_alt]))), $(handled ide_qemu) handled" \
	test $((X[plain,ide_tf] + X[plain,ide_alt])) -ge 100 -a \
	$(((X[accel,ide_tf] + X[accel,ide_alt]) * 10)) -le $((X[plain,ide_tf] + X[plain,ide_alt])) -a \
	"$(handled ide_qemu)" -gt 0
check "fast paths: IDE status reads exit less ($((X[accel,ide_st])) exits, plain $((X[plain,ide_st])))" \
	test "${X[accel,ide_st]}" -lt "${X[plain,ide_st]}"
check "fast-paths off: nothing attached" \
	test "$(count plain 'kvm_fastpath_')" = 0 -a "$(count accel 'kvm_fastpath_attach')" -ge 2

# QEMU republishes a register file at every timer callback and register
# write it handles.  The clock offset it publishes must be one value while
# the VM runs: resampled each time, it moved by the time between two clock
# reads, and the guest's HPET clock stepped back (seen on Linux 7.3).
offs=$(grep -h '^kvm_fastpath_clock_offset ' "$W/accel.trace" | awk '{ print $2 }' | sort -u | wc -l)
check "fast paths: QEMU published one clock offset while the VM ran ($(count accel '^kvm_fastpath_clock_offset ') publishes, $offs values)" \
	test "$(count accel '^kvm_fastpath_clock_offset ')" -ge 10 -a "$offs" = 1

# --- lifecycle: remap, stop/cont, migration -------------------------------
# The source runs until the guest has moved the PM base and back and waits
# on ttyS1; it is stopped for STOP_MS, continued, and told to go on; at the
# next wait it is migrated to a file and quits; a second QEMU resumes the
# guest from the file and tells it to go on.
# The guest reads its clock every millisecond meanwhile: no step between
# two reads may show the stop (clockcheck.c).  The whole wait is no
# measure, as it grows with the time the host takes to notice KA-WAIT and
# to deliver the line: 2.5 s of it on the KASAN build of the test VM.
STOP_MS=4000
QMP="/usr/bin/python3 $(dirname "$0")/qemu_e2e/qmp.py"
life() {	# life NAME [ARGS...]: a lifecycle QEMU in the background
	local name=$1
	shift
	rm -f "$W/$name.qmp" "$W/$name.ctl"
	qemu "$name" life.img "$ACCEL_ON" "ka_life=$STOP_MS" \
		-chardev "socket,id=ctl,path=$W/$name.ctl,server=on,wait=off" \
		-device isa-serial,chardev=ctl \
		-qmp "unix:$W/$name.qmp,server=on,wait=off" "$@" &
}
source_run() {
	# The guest judges its clock against the host's window (clockcheck.c).
	for cs in hpet acpi_pm; do
		$QMP stop-window "$W/life.console" "KA-WAIT stop-$cs" "$W/life.qmp" \
			"$W/life.ctl" $STOP_MS "$TMO" || return 1
	done
	$QMP wait-for "$W/life.console" "KA-WAIT migrate" "$TMO" &&
	$QMP migrate "$W/life.qmp" "exec:cat > $W/life.mig" "$TMO" | sed 's/^/# /' &&
	$QMP cmd "$W/life.qmp" quit > /dev/null
}
dest_run() {
	$QMP wait-running "$W/life2.qmp" "$TMO" &&
	$QMP send "$W/life2.ctl" go
}
cp "$W/disk.img" "$W/life.img"
t0=$(date +%s%N)
life life
pid=$!
source_run
src=$?
wait $pid
rc=$?
report life $rc "$t0"
check "lifecycle: source stopped, continued, migrated to a file (QEMU exit $rc)" \
	test $src = 0 -a $rc = 0
t0=$(date +%s%N)
life life2 -incoming "exec:cat $W/life.mig"
pid=$!
dest_run
dst=$?
wait $pid
rc=$?
report life2 $rc "$t0" ""
cat "$W/life.result" "$W/life2.result" > "$W/lifecycle.result"
check "lifecycle: destination resumed the guest, which finished (QEMU exit $rc)" \
	test $dst = 0 -a $rc = 0 -a "$(grep -c '^KA-END' "$W/life2.result")" = 1
check "lifecycle: the guest read the PM timer at the moved base" \
	grep -q '^pmmove 0x608 -> 0xb008 ok ' "$W/lifecycle.result"
# Each move is one detach and one attach; nothing else moves it.
moves=$(grep -ohE 'kvm_fastpath_(attach|detach) pmtimer bus 1 base 0x[0-9a-f]+' "$W/life.trace" |
	sed 's/kvm_fastpath_//; s/ pmtimer bus 1 base//' | tr '\n' ' ')
check "lifecycle: the PM timer fast path followed the move ($moves)" \
	test "$moves" = "attach 0x608 detach 0x608 attach 0xb008 detach 0xb008 attach 0x608 "
moved=$(grep -h 'kvm_fastpath_counters pmtimer base 0xb008 ' "$W/life.trace" |
	sed -n 's/.* handled \([0-9]*\) exits \([0-9]*\) .*/\1 \2/p')
check "lifecycle: reads at 0xb008 stayed in the kernel (handled, exits: $moved)" \
	test -n "$moved" -a "${moved% *}" -ge "$READS" -a "${moved#* }" = 0
for cs in hpet acpi_pm; do
	check "lifecycle: the $cs clock stood still while stopped ${STOP_MS} ms, never went back" \
		grep -q "^wait stop-$cs ok\$" "$W/lifecycle.result"
done
check "lifecycle: the clocks went on across the migration, never back" \
	grep -q '^wait migrate ok$' "$W/lifecycle.result"
check "lifecycle: destination reads the disk as the image ($DISK_MD5)" \
	grep -q "^disk-after-migration sda md5 $DISK_MD5\$" "$W/lifecycle.result"
check "lifecycle: destination clocks, no read went back" \
	grep -q '^clockcheck-after-migration-status 0$' "$W/lifecycle.result"
dst_fp=$(grep -oE 'kvm_fastpath_attach [a-z_]+ bus [12] base 0x[0-9a-f]+' "$W/life2.trace" |
	 sed 's/kvm_fastpath_attach //; s/ bus [12] base / /' | sort | tr '\n' ' ')
check "lifecycle: destination attached the fast paths ($dst_fp)" \
	test "$dst_fp" = "hpet 0xfed00000 ide_qemu 0x170 ide_qemu 0x1f0 ide_qemu 0x376 ide_qemu 0x3f6 pmtimer 0x608 "
for r in life life2; do
	X[$r,hpet_cnt]=$(count $r 'hpet_ram_read addr=0xf[04]\b|hpet_ram_read .*0xf[04]$')
	X[$r,pmtmr]=$(count $r 'acpi_pm_tmr_read')
done
check "lifecycle: HPET counter and PM timer reads never exit, source or destination (${X[life,hpet_cnt]} ${X[life,pmtmr]} ${X[life2,hpet_cnt]} ${X[life2,pmtmr]}), $(handled hpet life2) handled on the destination" \
	test "${X[life,hpet_cnt]}${X[life,pmtmr]}${X[life2,hpet_cnt]}${X[life2,pmtmr]}" = 0000 -a \
	"$(handled hpet life2)" -ge "$READS"
# Keep the evidence with the other results (the guest's /tmp is lost).
if [ -n "${KA_RES:-}" ] && mkdir -p "$KA_RES/qemu_e2e"; then
	cp "$W"/*.console "$W"/*.result "$W"/*.out "$KA_RES/qemu_e2e/" 2>/dev/null
	for r in plain accel life life2; do gzip -c "$W/$r.trace" > "$KA_RES/qemu_e2e/$r.trace.gz"; done
fi
exit $((fails > 0))
