#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM, chrooted into the host's root (read-only).  Loads
# kvm, kvm_amd and kvm_accel from the cache and build tree, runs the job
# named by ka.mode, saves the kernel log, and marks the job done.  TAP goes
# to the console and to $RES/tap.txt.
set -uo pipefail

arg() { sed -n "s/.*\\bka\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
MODE=$(arg mode)
REPO=$(arg repo)
KROOT=$(arg kroot)
O=$(arg build)
RES=$(arg res)
TESTS=$(arg tests | tr ',' ' ')
KO=$(arg ko)
export KA_REPO=$REPO KA_BUILD=$O KA_RES=$RES KA_ACCEL_KO=$KO
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TMPDIR=/tmp
TAP=$RES/tap.txt
: > "$TAP"
n=0

tap() {	# tap ok|not-ok DESCRIPTION [# SKIP reason]
	n=$((n + 1))
	local line
	if [ "$1" = ok ]; then line="ok $n - $2"; else line="not ok $n - $2"; fi
	echo "$line" | tee -a "$TAP"
}

finish() {
	dmesg > "$RES/dmesg.txt"
	touch "$RES/done"
	sync
}
trap finish EXIT

# --- modules -----------------------------------------------------------------
# vm-run.sh counts kernel problems from here on, in the kernel log and on
# the console: before it the kernel booted with none of KVM or kvm_accel.
echo "kvm-accel: the guest job starts" | tee /dev/kmsg
if modprobe -d "$KROOT" kvm_amd 2>"$RES/modprobe.err" && [ -c /dev/kvm ]; then
	tap ok "vm: kvm and kvm_amd loaded, /dev/kvm present"
else
	tap not-ok "vm: kvm_amd did not load: $(cat "$RES/modprobe.err")"
fi
# A module built for another kernel, forced in (insmod -f skips the
# vermagic check): the load must fail, and the kernel log must say why.
# The bookworm-backports 6.12 module stands in for it on every other
# Debian kernel of the matrix (not on the debug build, a different config;
# not on 6.12 itself, whose bench job loads the benchmark build instead).
OTHER_KO=$O/kvm_accel.ko
if [ "$KO" != "$OTHER_KO" ] && [ -f "$OTHER_KO" ] && [ "$(arg kernel)" != debug ] &&
   [ "$(arg kernel)" != 6.12 ]; then
	# Only the lines of this attempt: the whole log is kept for the verdict.
	seen=$(dmesg | wc -l)
	if insmod -f "$OTHER_KO" 2>/dev/null; then
		rmmod kvm_accel
		tap not-ok "vm: a kvm_accel.ko built for another kernel was loaded by insmod -f"
	elif why=$(dmesg | tail -n +$((seen + 1)) |
		   grep -m1 -E 'kvm_accel: (built for Linux|Unknown symbol)'); then
		tap ok "vm: insmod -f of a module built for another kernel fails: ${why#*] }"
	else
		tap not-ok "vm: insmod -f of a module built for another kernel failed without a kvm_accel line: $(dmesg | tail -1)"
	fi
fi
# ka.no_module=1: a boot that never loads kvm_accel, the control of a
# soak (scripts/lifecycle-soak.sh) that must tell its failures from ours.
if [ "$(arg no_module)" = 1 ]; then
	echo "# vm: kvm_accel not loaded in this boot (ka.no_module=1)"
elif insmod "$KO" 2>"$RES/insmod.err" && [ -d /sys/kernel/kvm_accel ]; then
	tap ok "vm: kvm_accel loaded"
else
	tap not-ok "vm: kvm_accel did not load: $(cat "$RES/insmod.err")"
fi

# Run one TAP-speaking program; a crash or timeout with no failing result
# of its own still counts as a failure.  The KASAN build runs everything
# several times slower (qemu_e2e alone nearly 900 s there).
TEST_TMO=900
[ "$(arg kernel)" = debug ] && TEST_TMO=2700
run_tap() {	# run_tap NAME CMD...
	local name=$1 out rc
	shift
	out=$RES/$name.tap
	echo "# === $name"
	(cd "$O" && timeout -k 5 "$TEST_TMO" "$@") > >(tee "$out") 2>&1
	rc=$?
	wait
	cat "$out" | grep -E '^(not )?ok [0-9]+' | sed "s|^\\(\\(not \\)\\?ok [0-9]*\\)|\\1 $name:|" >> "$TAP"
	if [ $rc != 0 ] && ! grep -qE '^not ok' "$out"; then
		tap not-ok "$name exited with status $rc"
	fi
}

selected() {	# selected NAME: in ka.tests, or ka.tests empty
	[ -z "$TESTS" ] && return 0
	local t
	for t in $TESTS; do [ "$t" = "$1" ] && return 0; done
	return 1
}

case $MODE in
check)
	for t in "$O"/selftests/*_test; do
		[ -x "$t" ] || continue
		selected "$(basename "$t")" || continue
		run_tap "$(basename "$t")" "$t"
	done
	if [ -x "$O/verifier-tests/verifier_runner" ] && selected verifier_runner; then
		run_tap verifier_runner "$O/verifier-tests/verifier_runner" \
			"$O/bpf/verifier-tests" "$O/bpf/devices"
	fi
	if [ -x "$REPO/selftests/qemu_e2e_test.sh" ] && selected qemu_e2e_test; then
		run_tap qemu_e2e_test "$REPO/selftests/qemu_e2e_test.sh"
	fi
	if [ -x "$REPO/selftests/qemu_diff_test.sh" ] && selected qemu_diff_test; then
		run_tap qemu_diff_test "$REPO/selftests/qemu_diff_test.sh"
	fi
	if [ -x "$REPO/loader/tests/test-cli-errors.sh" ] && selected cli_errors; then
		run_tap cli_errors "$REPO/loader/tests/test-cli-errors.sh" "$O/kvm-accel" "$O/bpf"
	fi
	;;
demo)
	bash "$REPO/scripts/demo.sh" 2>&1 | tee "$RES/demo.txt"
	;;
bench)
	bash "$REPO/scripts/bench.sh" --job "$RES" 2>&1 | tee "$RES/bench.txt"
	;;
run)
	# Development: run one script in the VM, e.g.
	#   scripts/vm-run.sh run -- ka.script=/path/to/script.sh
	bash "$(arg script)" 2>&1 | tee "$RES/run.txt"
	;;
shell)
	setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	;;
esac
