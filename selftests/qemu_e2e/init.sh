#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the nested guest that qemu_e2e_test.sh boots with the patched
# QEMU: load the IDE driver stack, checksum the whole disk through
# ata_piix, exercise HPET and the ACPI PM timer, print results on the
# serial console between markers, power off.
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
/bin/clockcheck "$(sed -n 's/.*ka_reads=\([0-9]*\).*/\1/p' /proc/cmdline)" hpet acpi_pm
echo "clockcheck-status $?"
echo "KA-END"
poweroff -f
