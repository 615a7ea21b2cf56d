#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the nested guest that qemu_diff_test.sh boots: load the probe
# (ka_probe.ko) with the seed, step count and mode of ka_probe=SEED,STEPS,MODE
# on the command line, say where its log lies, wait on ttyS1 until the host
# has saved the log through QEMU's monitor, power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "KA-BEGIN"
args=$(sed -n 's/.*ka_probe=\([^ ]*\).*/\1/p' /proc/cmdline)
seed=${args%%,*}
rest=${args#*,}
steps=${rest%%,*}
mode=${rest#*,}
insmod /ka_probe.ko seed="$seed" steps="$steps" mode="$mode"
echo "insmod-status $?"
if [ -r /proc/ka_probe ]; then
	cat /proc/ka_probe
	echo "KA-WAIT probe $(head -1 /proc/ka_probe)"
	read -r go < /dev/ttyS1
fi
echo "KA-END"
poweroff -f
