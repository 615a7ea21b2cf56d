#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the whole suite on each kernel of the matrix.
#
#   1. the kernels and their build roots in the cache (scripts/setup.sh
#      kernels; cheap once done), and kvm_accel.ko for each kernel
#      (scripts/kmod-build.sh): one TAP result per kernel;
#   2. the host-side checks (scripts/host-checks.sh: symbol namespaces,
#      vermagic, no bench_stage in a release module, bookworm's 6.1
#      refused), with the benchmark build of 6.12 (make kmod-bench) to
#      compare;
#   3. the suite in the test VM, booted once per kernel whose module built
#      (scripts/vm-run.sh check with KA_KERNEL=NAME).
#
# Every result goes, renumbered and prefixed with its kernel ("7.3: ..."),
# into $O/check/tap.txt; each kernel's VM results, console and log stay in
# $O/check/<NAME>/.  The very last line printed is the combined summary
# "N passed, N failed, N skipped" (.ci/run takes the last such line); the
# per-VM summaries vm-run.sh prints are shown prefixed with "check: NAME:".
#
# Usage: scripts/check.sh
# Env:   KA_CHECK_KERNELS  the kernels, in order (default "6.12 7.3"; `make
#                   check-kernels`: "6.12 6.12-trixie 7.2 7.3")
#        KA_CACHE, O, KA_TESTS, KA_VM_* ...  as for scripts/vm-run.sh
#
# Exit status: 0 only if nothing failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
O=${O:-$REPO/build}
export KA_CACHE O
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"
read -ra KERNELS <<<"${KA_CHECK_KERNELS:-6.12 7.3}"
OUT=$O/check
TAP=$OUT/tap.txt

log() { printf 'check: %s\n' "$*" >&2; }
die() { printf 'check: error: %s\n' "$*" >&2; exit 1; }

[ ${#KERNELS[@]} -gt 0 ] || die "KA_CHECK_KERNELS is empty"
for k in "${KERNELS[@]}"; do
	if ! ka_kernel "$k" || [ "$K_BOOT" != 1 ]; then
		die "unknown kernel '$k' in KA_CHECK_KERNELS ($KA_KERNELS_ALL)"
	fi
done
rm -rf "$OUT" && mkdir -p "$OUT"
: > "$TAP"
n=0

add() {	# add PREFIX < TAP: append the results, renumbered and prefixed
	# (not in a pipeline: n counts across calls)
	local line st rest
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*) st=ok; rest=${line#ok } ;;
		"not ok "[0-9]*) st="not ok"; rest=${line#not ok } ;;
		*) continue ;;
		esac
		rest=${rest#"${rest%%[!0-9]*}"}	# the number
		rest=${rest# }
		rest=${rest#- }
		n=$((n + 1))
		echo "$st $n - $1$rest" >> "$TAP"
	done
}
result() {	# result ok|not-ok PREFIX DESCRIPTION
	if [ "$1" = ok ]; then
		add "$2" <<<"ok 1 - $3"
	else
		add "$2" <<<"not ok 1 - $3"
	fi
}

# --- 1. kernels and modules ---------------------------------------------------
if ! "$REPO/scripts/setup.sh" kernels "${KERNELS[@]}" 6.1; then
	result not-ok "" "setup: scripts/setup.sh kernels ${KERNELS[*]} 6.1 failed"
fi
declare -A BUILT
for k in "${KERNELS[@]}"; do
	ka_kernel "$k"
	if "$REPO/scripts/kmod-build.sh" "$K_NAME"; then
		BUILT[$K_NAME]=1
		result ok "$K_NAME: " "kvm_accel.ko builds for ${K_ABI:-?}"
	else
		result not-ok "$K_NAME: " "kvm_accel.ko builds for ${K_ABI:-?} (log: $O/kernels/${K_ABI:-?}/kbuild.log)"
	fi
done
# The benchmark build, whose bench_stage the host-side checks look for
# (and find nowhere else): 6.12's, `make kmod-bench`.
if "$REPO/scripts/kmod-build.sh" --bench 6.12; then
	result ok "host: " "the benchmark build of kvm_accel.ko (make kmod-bench) builds"
else
	result not-ok "host: " "the benchmark build of kvm_accel.ko (make kmod-bench) builds (log: $O/bench/kmod.log)"
fi

# --- 2. host-side checks --------------------------------------------------------
log "host-side checks"
"$REPO/scripts/host-checks.sh" "${KERNELS[@]}" > "$OUT/host.tap"
add "" < "$OUT/host.tap"
grep -vE '^1\.\.' "$OUT/host.tap" >&2

# --- 3. the suite in the test VM, once per kernel ----------------------------------
for k in "${KERNELS[@]}"; do
	ka_kernel "$k"
	k=$K_NAME
	if [ -z "${BUILT[$k]:-}" ]; then
		log "$k: not booted: kvm_accel.ko did not build"
		continue
	fi
	mkdir -p "$OUT/$k"
	log "$k ($K_ABI): the suite in the test VM"
	# vm-run's own summary line is relabelled, so that only the combined
	# one below reads "N passed, N failed, N skipped".
	KA_KERNEL=$k "$REPO/scripts/vm-run.sh" check 2> >(tee "$OUT/$k/vm-run.err" >&2) |
		sed -u -E "s/^([0-9]+ passed, [0-9]+ failed)/check: $k: \\1/" | tee "$OUT/$k/vm-run.out"
	rc=${PIPESTATUS[0]}
	wait
	cp -r "$O/vm/results-check/." "$OUT/$k/" 2>/dev/null
	cp "$O/vm/console-check.log" "$OUT/$k/" 2>/dev/null
	add "$k: " < "$OUT/$k/tap.txt"
	# Failures of the VM itself (QEMU, a guest that did not finish, kernel
	# problems in its log) are one more failure in vm-run's count.
	vmfail=$(sed -n -E "s/^check: $k: [0-9]+ passed, ([0-9]+) failed.*/\\1/p" "$OUT/$k/vm-run.out" | tail -1)
	tapfail=$(grep -cE '^not ok ' "$OUT/$k/tap.txt" 2>/dev/null)
	tapfail=${tapfail:-0}
	if [ -z "$vmfail" ] || [ "$vmfail" -gt "$tapfail" ] || { [ "$rc" != 0 ] && [ "$tapfail" = 0 ]; }; then
		why=$(grep -E '^vm-run: (error|QEMU|the guest did not|kernel problems|no test|expected)' \
		      "$OUT/$k/vm-run.err" | head -3 | tr '\n' ' ')
		result not-ok "$k: " "vm: the test VM failed (vm-run status $rc) ${why}(see $OUT/$k/)"
	fi
done

# --- summary ----------------------------------------------------------------------
pass=$(grep -E '^ok ' "$TAP" | grep -vc '# SKIP')
skip=$(grep -E '^ok ' "$TAP" | grep -c '# SKIP')
nfail=$(grep -cE '^not ok ' "$TAP")
echo "check: all results in $TAP" >&2
for k in host "${KERNELS[@]}"; do
	[ "$k" = host ] || { ka_kernel "$k"; k=$K_NAME; }
	a=$(grep -F -- "- $k: " "$TAP" | grep -E '^ok ' | grep -vc '# SKIP')
	b=$(grep -F -- "- $k: " "$TAP" | grep -cE '^not ok ')
	c=$(grep -F -- "- $k: " "$TAP" | grep -E '^ok ' | grep -c '# SKIP')
	echo "check:   $k: $a passed, $b failed, $c skipped" >&2
done
if [ "$nfail" != 0 ]; then
	echo "check: failed:" >&2
	grep -E '^not ok ' "$TAP" | sed 's/^/check:   /' >&2
fi
# stdout, and last: what .ci/run reads.
echo "$pass passed, $nfail failed, $skip skipped"
[ "$nfail" = 0 ]
