#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the nested guest that qemu_e2e_test.sh boots with the patched
# QEMU: load the IDE driver stack, checksum the whole disk through
# ata_piix, exercise HPET and the ACPI PM timer, print results on the
# serial console between markers, power off.
#
# With ka_life=STOPMS on the command line (the lifecycle run) it also moves
# the PM timer's I/O base and back, and twice waits for the host on ttyS1:
# while it stops and continues the VM (which must not take STOPMS ms of
# guest time), and while it migrates the VM to another QEMU, where the
# disk and the clocks are checked again.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "KA-BEGIN"
echo "cmdline $(cat /proc/cmdline)"
# Synchronous SCSI scan: the disk exists once insmod ata_piix returns.
for m in /modules/*.ko; do
	case $m in
	*scsi_mod.ko) insmod "$m" scan=sync ;;
	*) insmod "$m" ;;
	esac || echo "insmod $m failed"
done
if [ -b /dev/sda ]; then
	echo "disk sda $(cat /sys/block/sda/size) sectors md5 $(md5sum < /dev/sda | cut -d' ' -f1)"
else
	echo "disk sda missing"
fi


echo "clocksource-at-boot $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
reads=$(sed -n 's/.*ka_reads=\([0-9]*\).*/\1/p' /proc/cmdline)
/bin/clockcheck "$reads" hpet acpi_pm
echo "clockcheck-status $?"
life=$(sed -n 's/.*ka_life=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$life" ]; then
	/bin/clockcheck pmmove 0xb000 "$reads"
	/bin/clockcheck wait stop-hpet "$life" hpet
	/bin/clockcheck wait stop-acpi_pm "$life" acpi_pm
	/bin/clockcheck wait migrate 0 hpet
	# On the destination: the disk again, past the page cache.
	echo 3 > /proc/sys/vm/drop_caches
	echo "disk-after-migration sda md5 $(md5sum < /dev/sda | cut -d' ' -f1)"
	/bin/clockcheck "$reads" hpet acpi_pm
	echo "clockcheck-after-migration-status $?"
fi
echo "KA-END"
poweroff -f
