#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvm-accel benchmarks (`make bench`, `make bench-native`).
#
#   scripts/bench.sh            boot the test VM twice with the benchmark
#                               build of the module (bench_stage; vm-run.sh
#                               bench builds it), under -icount
#                               (deterministic instruction counts) and on the
#                               wall clock, run the benchmarks in each, then
#                               print the table and write results.json,
#                               table.txt and bench.png to $O/bench/<time>/
#                               ($O/bench/latest points there; KA_BENCH_OUT)
#   scripts/bench.sh --native   the same benchmarks on this host, which must
#                               have hardware KVM and kvm_accel.ko loaded, as
#                               root; one mode, "native" (wall clock)
#   scripts/bench.sh --job DIR  run the benchmark programs here and leave
#                               their JSON in DIR (what the VM runs; used by
#                               the two above)
#   scripts/bench.sh --report DIR   table, JSON and plot of a finished run
#
# Env: O (build directory, default ./build), KA_BENCH_OUT (where the
#      <time>-<kernel> directories go, default $O/bench), KA_BENCH_MODES
#      (default "icount wall"), KA_BENCH_N (accesses per row and
#      repetition), KA_BENCH_REPS (repetitions per row), KA_BENCH_MODE
#      (--job: the label), KA_KERNEL (the test VM's kernel, as for
#      scripts/vm-run.sh: 6.12 (default), 6.12-trixie, 7.2, 7.3, debug; it
#      names the output directory, e.g. 20261201-120000-7.3, and heads
#      table.txt; --native: this host's kernel).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$REPO/build}
OUT=${KA_BENCH_OUT:-$O/bench}
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"

die() { echo "bench: error: $*" >&2; exit 1; }

# --- the benchmark programs, wherever they run ------------------------------
job() {
	local out=$1 mode=${KA_BENCH_MODE:-unknown} b=${KA_BUILD:-$O} reps fail=0
	mkdir -p "$out" || die "cannot create $out"
	# The wall clock is noisy: more repetitions, the median is reported.
	reps=${KA_BENCH_REPS:-$([ "$mode" = icount ] && echo 3 || echo 7)}
	run() {	# run NAME CMD...: JSON on stdout into $out/NAME.json
		local name=$1
		shift
		echo "bench: $name ($mode)" >&2
		if ! (cd "$b" && "$@") > "$out/$name.json"; then
			echo "bench: $name failed" >&2
			rm -f "$out/$name.json"
			fail=1
		fi
	}
	run access "$b/bench/access_bench" -m "$mode" -n "${KA_BENCH_N:-5000}" -r "$reps"
	run ide "$b/bench/ide_bench" -m "$mode"
	run hpet "$b/demo/hpet_demo" -j -n 20000 -t 10
	run ipi "$b/demo/mpic_demo" -j -n 1000
	echo "$mode" > "$out/mode"
	return $fail
}

# The kernel a run measures: "NAME (release)", also in DIR/kernel.
kernel_label() {	# kernel_label native|vm
	local name=${KA_KERNEL:-6.12}
	if [ "$1" = native ]; then
		echo "native ($(uname -r))"
	elif [ "$name" = debug ]; then
		ka_kernel 6.12
		echo "debug ($(cat "$K_DIR/debug/release" 2>/dev/null || echo '?'))"
	elif ka_kernel "$name"; then
		echo "$K_NAME (${K_ABI:-?})"
	else
		die "unknown KA_KERNEL '$name' ($KA_KERNELS_ALL debug)"
	fi
}

report() {
	local rc=0
	[ -f "$1/kernel" ] && echo "Kernel: $(cat "$1/kernel")"
	python3 "$REPO/scripts/bench-report.py" "$1" || rc=$?
	[ -f "$1/kernel" ] && [ -f "$1/table.txt" ] &&
		sed -i "1i Kernel: $(cat "$1/kernel")" "$1/table.txt"
	return $rc
}

new_outdir() {	# new_outdir native|vm
	local out label
	label=$(kernel_label "$1") || exit 1
	out=$OUT/$(date +%Y%m%d-%H%M%S)-${label%% *}
	mkdir -p "$out" || die "cannot create $out"
	echo "$label" > "$out/kernel"
	ln -sfn "$(basename "$out")" "$OUT/latest"
	echo "$out"
}

case ${1:-} in
--job)
	[ $# = 2 ] || die "usage: $0 --job DIR"
	job "$2"
	;;
--report)
	[ $# = 2 ] || die "usage: $0 --report DIR"
	report "$2"
	;;
--native)
	[ "$(id -u)" = 0 ] || die "--native needs root (it loads BPF programs and sets a module parameter)"
	[ -c /dev/kvm ] || die "/dev/kvm missing: load kvm_intel or kvm_amd"
	[ -d /sys/kernel/kvm_accel ] || die "kvm_accel is not loaded: insmod $O/bench/kvm_accel.ko (make kmod-bench)"
	grep -qw hypervisor /proc/cpuinfo &&
		echo "bench: warning: this host is itself a VM; the numbers are not native" >&2
	out=$(new_outdir native) || exit 1
	export KA_BUILD=$O KA_BENCH_MODE=native
	job "$out/native" || die "a benchmark failed"
	report "$out"
	;;
"")
	rc=0
	out=$(new_outdir vm) || exit 1
	echo "bench: kernel $(cat "$out/kernel"), results in $out" >&2
	for mode in ${KA_BENCH_MODES:-icount wall}; do
		case $mode in
		icount) icount=1 ;;
		wall) icount=0 ;;
		*) die "unknown mode $mode (icount, wall)" ;;
		esac
		echo "bench: $mode mode in the test VM (KA_KERNEL=${KA_KERNEL:-6.12})" >&2
		KA_ICOUNT=$icount "$REPO/scripts/vm-run.sh" bench -- KA_BENCH_MODE=$mode \
			${KA_BENCH_N:+KA_BENCH_N=$KA_BENCH_N} \
			${KA_BENCH_REPS:+KA_BENCH_REPS=$KA_BENCH_REPS} || rc=1
		mkdir -p "$out/$mode"
		cp -r "$O/vm/results-bench/." "$out/$mode/"
	done
	report "$out" || rc=1
	exit $rc
	;;
*)
	die "usage: $0 [--native | --job DIR | --report DIR]"
	;;
esac
