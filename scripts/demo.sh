#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the test VM: run the same guest loop against a port
# and an MMIO register on three paths and show the userspace exits each
# path costs.  Runs as part of scripts/vm-guest.sh (KA_BUILD is set).
set -euo pipefail
O=${KA_BUILD:?}
N=${KA_DEMO_N:-10000}

cat <<TXT

kvm-accel demo: a KVM guest reads and writes one device register $N times
per row.  "userspace" has no kernel device: every access exits to the VMM.
"kvm device" is a register KVM itself emulates in the kernel.  "kvm-accel"
is the same register as the userspace row, served by a verified eBPF
program (demo/minimal.bpf.c) attached with libkvmaccel.

TXT
"$O/demo/exits_demo" -n "$N"
for d in "$O"/demo/*_demo; do
	[ "$(basename "$d")" = exits_demo ] && continue
	echo
	"$d"
done
