#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The deepest kernel stack the kvm_accel paths reach, measured by the ftrace
# stack tracer at the entry of the functions of an access: the io device's
# read and write (KVM's exit path, the bus, the device) and the kfunc, which
# a program calls from its own frame (so the trampoline's and the program's
# frames are inside the measurement).  Loading and verifying programs is
# left out: that is a bpf() syscall like any other.  Runs in the test VM; prints the
# deepest stack seen with its trace, and the margin to the thread stack.
#
# Usage: scripts/vm-run.sh run -- ka.script=$PWD/scripts/stack-depth.sh
#        (KA_KERNEL picks the kernel; it needs CONFIG_STACK_TRACER, which
#        Debian's kernels have)
# Env (in the VM, from the kernel command line): ka.stack_tests=a,b,...
set -uo pipefail

T=/sys/kernel/tracing
TESTS=$(sed -n 's/.*\bka\.stack_tests=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
TESTS=${TESTS:-accel_read_test accel_write_test access_widths_test mpic_ipi_test ide_pio_test declined_write_test}

[ -d $T/options ] || mount -t tracefs nodev $T || { echo "no tracefs"; exit 1; }
[ -w /proc/sys/kernel/stack_tracer_enabled ] || { echo "no stack tracer (CONFIG_STACK_TRACER)"; exit 1; }
printf '%s\n' kvm_accel_dev_read kvm_accel_dev_write kvm_accel_signal_eventfd > $T/stack_trace_filter || { echo "kvm_accel functions not traceable"; exit 1; }
# Below the kfunc: the irqfd it signals injects the interrupt at once.
for f in irqfd_wakeup kvm_arch_set_irq_inatomic kvm_irq_delivery_to_apic_fast; do
	echo "$f" >> $T/stack_trace_filter 2>/dev/null
done
echo "# measured at the entry of: $(wc -l < $T/stack_trace_filter) functions ($(tr '\n' ' ' < $T/stack_trace_filter))"
echo 0 > $T/stack_max_size
echo 1 > /proc/sys/kernel/stack_tracer_enabled
for t in $TESTS; do
	(cd "$KA_BUILD" && timeout -k 5 900 "selftests/$t" > "/tmp/$t.out" 2>&1)
	echo "# $t: exit status $? ($(grep -c '^ok' "/tmp/$t.out") ok, $(grep -c '^not ok' "/tmp/$t.out") not ok)"
done
echo 0 > /proc/sys/kernel/stack_tracer_enabled
max=$(cat $T/stack_max_size)
# x86-64: THREAD_SIZE is 16 KiB, 32 KiB with KASAN (kasan_report exists).
size=16384
grep -qw kasan_report /proc/kallsyms && size=32768
echo "stack_max_size $max bytes of $size: margin $((size - max)) bytes"
cat $T/stack_trace
