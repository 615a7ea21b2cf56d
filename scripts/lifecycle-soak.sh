#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lifecycle load tests (detach, update and VM destruction while vCPUs
# hammer an attachment) run over and over in one boot of the test VM, to
# look for what one run does not show: a panic ("corrupted stack end
# detected inside scheduler" was seen once under multi-threaded TCG), an
# oops, a lockdep or KASAN report.  Prints one line per run and a summary;
# the kernel log of every run that logged a problem is kept in the results.
#
# Usage: KA_KERNEL=debug KA_TCG_THREAD=multi KA_VM_TIMEOUT=5400 \
#            scripts/vm-run.sh run -- ka.script=$PWD/scripts/lifecycle-soak.sh \
#            ka.soak_runs=20 ka.soak_seconds=3000 [ka.soak_control=1 [ka.no_module=1]]
#        (a panic ends the boot: the console log then shows the last run)
set -uo pipefail

arg() { sed -n "s/.*\\bka\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
RUNS=$(arg soak_runs)
RUNS=${RUNS:-20}
SECONDS_MAX=$(arg soak_seconds)
SECONDS_MAX=${SECONDS_MAX:-3000}
TESTS="lifecycle_detach_load_test lifecycle_update_load_test lifecycle_destroy_load_test"
# ka.soak_control=1: the control, without kvm_accel: the module is unloaded
# and the same four-vCPU load runs with every access exiting to the VMM
# (lifecycle_exit_load_test, which needs no module), for as long as the
# three load tests take (3 x 2 variants).  With ka.no_module=1 as well the
# module was never loaded in this boot (scripts/vm-guest.sh).
if [ "$(arg soak_control)" = 1 ]; then
	if [ -d /sys/module/kvm_accel ]; then
		rmmod kvm_accel || { echo "# cannot unload kvm_accel"; exit 1; }
	fi
	TESTS="lifecycle_exit_load_test lifecycle_exit_load_test lifecycle_exit_load_test"
fi
PATTERN='WARNING:|BUG:|Oops|general protection fault|Kernel panic|corrupted stack end|soft lockup|rcu: INFO|KASAN|UBSAN|circular locking dependency|suspicious RCU usage'

echo "# lifecycle soak: $RUNS runs of $TESTS, at most $SECONDS_MAX s; kernel $(uname -r); modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
done_runs=0 failed=0 problems=0
for i in $(seq 1 "$RUNS"); do
	if [ "$SECONDS" -ge "$SECONDS_MAX" ]; then
		echo "# stopped after $done_runs runs: $SECONDS s of at most $SECONDS_MAX"
		break
	fi
	seen=$(dmesg | wc -l)
	t0=$SECONDS
	res=
	for t in $TESTS; do
		(cd "$KA_BUILD" && timeout -k 5 900 "selftests/$t" > "/tmp/soak-$t.out" 2>&1)
		rc=$?
		res="$res ${t%_test}=$rc"
		[ "$rc" = 0 ] || { failed=$((failed + 1)); cp "/tmp/soak-$t.out" "$KA_RES/soak-$i-$t.out"; }
	done
	dmesg | tail -n +$((seen + 1)) > /tmp/soak-dmesg.txt
	if grep -Eq "$PATTERN" /tmp/soak-dmesg.txt; then
		problems=$((problems + 1))
		cp /tmp/soak-dmesg.txt "$KA_RES/soak-$i-dmesg.txt"
		res="$res kernel-problems=$(grep -Ec "$PATTERN" /tmp/soak-dmesg.txt)"
	fi
	done_runs=$i
	echo "soak run $i:$res ($((SECONDS - t0)) s)"
done
echo "# lifecycle soak: $done_runs runs, $failed test failures, $problems runs with kernel problems"
