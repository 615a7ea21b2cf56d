# SPDX-License-Identifier: GPL-2.0
#
# What the tests that boot a nested guest under QEMU share (sourced by
# qemu_e2e_test.sh and qemu_diff_test.sh inside the test VM): the boot
# timeout, the guest's kernel, and TAP output.
#
# The KASAN build of the test VM runs the nested guests several times slower.
TMO=${KA_QEMU_E2E_TIMEOUT:-600}
grep -qw 'ka\.kernel=debug' /proc/cmdline && TMO=${KA_QEMU_E2E_TIMEOUT:-1800}
# The nested guest runs the distribution's kernel from the cache, whatever
# kernel the test VM runs (make debug-check boots a debug build).
CACHE=$(sed -n 's/.*\bka\.cache=\([^ ]*\).*/\1/p' /proc/cmdline)
REL=$(cat "$CACHE/kernel/current" 2>/dev/null)
KROOT=$CACHE/kernel/$REL/root
KERNEL=$KROOT/boot/vmlinuz-$REL
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
bail() { echo "Bail out! $*"; exit 1; }
