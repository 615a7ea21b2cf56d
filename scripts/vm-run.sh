#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel from the cache (6.12 by default; the matrix of
# scripts/kernels.sh) under QEMU TCG and run one job inside it.  The guest
# mounts this host's root read-only over 9p and chroots into it, so the
# build tree and the host's programs are used unchanged; a writable 9p
# share carries results back.
#
# Usage: scripts/vm-run.sh check|demo|bench|run|shell [-- extra kernel args]
# Env:   KA_CACHE   cache directory (default ~/.cache/kvm-accel)
#        O          build directory (default ./build)
#        KA_TESTS   space-separated subset of selftests to run (check only)
#        KA_VM_CPUS (default 2), KA_VM_MEM (default 2048), KA_VM_TIMEOUT (s)
#        KA_TCG_THREAD  single (default) or multi
#        KA_ICOUNT=1  run with -icount shift=0,sleep=off (deterministic cost)
#        KA_KERNEL  the kernel to boot (scripts/kernels.sh):
#                   6.12         bookworm-backports 6.12.95+deb12-amd64 (default;
#                                the module is $O/kvm_accel.ko of `make kmod`;
#                                bench: $O/bench/kvm_accel.ko, built here)
#                   6.12-trixie  trixie 6.12.117+deb13-amd64
#                   7.2          sid 7.2.13+deb14-amd64
#                   7.3          trixie-backports 7.3.4+deb13-amd64
#                   debug        the KASAN/lockdep kernel of scripts/debug-kernel.sh
#                   (kvm_accel.ko is rebuilt for it in $O/debug)
#                   For 6.12-trixie, 7.2 and 7.3, `scripts/setup.sh kernels NAME`
#                   must have run; kvm_accel.ko is (re)built by
#                   scripts/kmod-build.sh into $O/kernels/<abi>/ (bench: the
#                   benchmark build, in $O/kernels/<abi>/bench/).  If it does not
#                   build, check, demo and bench stop; run and shell boot without it.
#
# Exit status: 0 only if every TAP result passed, the guest finished, and the
# guest kernel log holds no WARNING, BUG, oops, lockup or stall.
set -uo pipefail

MODE=${1:-check}
REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
O=${O:-$REPO/build}
ABI=$(cat "$KA_CACHE/kernel/current" 2>/dev/null) || {
	echo "vm-run: no kernel in $KA_CACHE; run 'make setup'" >&2; exit 1; }
KROOT=$KA_CACHE/kernel/$ABI
VMDIR=$O/vm
RES=$VMDIR/results-$MODE
TIMEOUT=${KA_VM_TIMEOUT:-3000}
KNAME=${KA_KERNEL:-6.12}
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"

die() { echo "vm-run: error: $*" >&2; exit 1; }

[ -e "$KROOT/vmlinuz" ] || die "kernel image missing in $KROOT"

# The 9p client modules and what they need, in load order, from the
# kernel's modules.dep (compressed .ko.xz or .ko.zst, as packaged).
ninep_modules() {	# ninep_modules MODDIR
	awk -v want="9pnet_virtio 9p" '
	function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.(xz|zst|gz))?$/, "", p); return p }
	function add(p) { if (!(p in seen)) { seen[p] = 1; print p } }
	{ split($0, a, ": *"); path[base(a[1])] = a[1]; deps[base(a[1])] = a[2] }
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			if (!(w[i] in path)) continue	# built in
			m = split(deps[w[i]], d, " ")
			for (j = m; j >= 1; j--) add(d[j])
			add(path[w[i]])
		}
	}' "$1/modules.dep"
}

# What to boot: a Debian kernel and its modules, or the debug build.
if [ "$KNAME" = debug ]; then
	[ -f "$KROOT/debug/.done" ] || die "no debug kernel; run scripts/debug-kernel.sh"
	IMAGE=$KROOT/debug/bzImage
	MODROOT=$KROOT/debug/root
	RELEASE=$(cat "$KROOT/debug/release")
	NINEP_MODS=()			# built in
	# kbuild builds in the module's directory: a copy for this kernel, in
	# the layout of the other builds ($O/kernels/<abi>/kbuild).
	rm -rf "$O/debug/kbuild" && mkdir -p "$O/debug/kbuild/kmod" "$O/debug/kbuild/include"
	cp "$REPO"/kmod/*.[ch] "$REPO"/kmod/*.sh "$REPO/kmod/Makefile" "$O/debug/kbuild/kmod/"
	cp "$REPO"/include/*.h "$O/debug/kbuild/include/"
	make -s -C "$KROOT/debug/build" M="$O/debug/kbuild/kmod" modules >/dev/null ||
		die "kvm_accel.ko does not build for the debug kernel"
	ACCEL_KO=$O/debug/kbuild/kmod/kvm_accel.ko
else
	ka_kernel "$KNAME" || die "unknown KA_KERNEL '$KNAME' ($KA_KERNELS_ALL debug)"
	[ "$K_BOOT" = 1 ] || die "kernel $K_NAME is not bootable (headers only)"
	if [ -z "$K_ABI" ] || [ ! -f "$K_DIR/.done" ]; then
		die "kernel $K_NAME ${K_ABI:+($K_ABI) }is not in the cache; run 'scripts/setup.sh kernels $K_NAME'"
	fi
	KNAME=$K_NAME
	IMAGE=$K_DIR/vmlinuz
	MODROOT=$K_DIR/root
	RELEASE=$K_ABI
	mapfile -t NINEP_MODS < <(ninep_modules "$MODROOT/lib/modules/$RELEASE")
	# bench loads the benchmark build, the only one with bench_stage, and
	# builds it here for every kernel (for 6.12, `make kmod-bench`).
	if [ "$MODE" = bench ]; then
		ACCEL_KO=$(ka_module_path "$K_NAME" bench)
		KMOD_BUILD=(env O="$O" "$REPO/scripts/kmod-build.sh" --bench "$K_NAME")
	else
		ACCEL_KO=$(ka_module_path "$K_NAME")
		KMOD_BUILD=(env O="$O" "$REPO/scripts/kmod-build.sh" "$K_NAME")
	fi
	if { [ "$K_NAME" != 6.12 ] || [ "$MODE" = bench ]; } && ! "${KMOD_BUILD[@]}"; then
		case $MODE in
		run|shell) echo "vm-run: warning: booting $K_NAME without kvm_accel.ko" >&2 ;;
		*) die "kvm_accel.ko does not build for $K_NAME ($K_ABI)" ;;
		esac
	fi
fi
# The emulator is QEMU with the test VM's fixes (scripts/qemu-build.sh vm,
# integrations/qemu-tcg/): bookworm-backports' own delivers some interrupts
# to the selftests' nested guests twice.  KA_QEMU runs another one.
QEMU=${KA_QEMU:-$O/vm-qemu/qemu-system-x86_64}
[ -x "$QEMU" ] || command -v "$QEMU" >/dev/null ||
	die "$QEMU missing; run 'make vm-qemu' or set KA_QEMU"

# --- initramfs: busybox, the 9p modules, and /init ------------------------
build_initramfs() {
	local dir=$VMDIR/initramfs mods=$MODROOT/lib/modules/$RELEASE m
	rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/modules" "$dir/host" \
		"$dir/proc" "$dir/sys" "$dir/dev"
	cp /bin/busybox "$dir/bin/busybox"
	for m in sh mount umount insmod mkdir chroot poweroff cat echo sleep \
		 mknod ln; do
		ln -s busybox "$dir/bin/$m"
	done
	# 9p and its dependencies, in load order, decompressed for busybox insmod.
	local order=0 dep
	for m in "${NINEP_MODS[@]}"; do
		dep=$(basename "$m")
		dep=$(printf '%02d-%s.ko' $order "${dep%%.ko*}")
		case $m in
		*.xz) xz -dc "$mods/$m" ;;
		*.zst) zstd -qdc "$mods/$m" ;;
		*.gz) gzip -dc "$mods/$m" ;;
		*) cat "$mods/$m" ;;
		esac > "$dir/modules/$dep" || die "module $m missing"
		order=$((order + 1))
	done
	cp "$REPO/scripts/vm-init.sh" "$dir/init"
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) > "$VMDIR/initramfs.cpio.gz"
}

mkdir -p "$VMDIR"
# One test VM per build tree at a time: runs share the initramfs and results
# directories, and two TCG guests on a small host only slow each other down.
exec 9> "$VMDIR/.lock"
flock 9
build_initramfs
rm -rf "$RES" && mkdir -p "$RES"

# Both TCG modes have a known nested-SVM fault (selftests/README.md, "Known
# test-VM faults").  Single-threaded is the default: multi-threaded TCG
# panics the VM's kernel under the suite's multi-vCPU exit load.
ACCEL="-accel tcg,thread=${KA_TCG_THREAD:-single}"
[ "${KA_ICOUNT:-0}" = 1 ] && ACCEL="-accel tcg -icount shift=0,sleep=off"

shift || true
[ "${1:-}" = "--" ] && shift
APPEND="console=ttyS0 loglevel=4 panic=-1 oops=panic softlockup_panic=0 \
ka.mode=$MODE ka.kernel=$KNAME ka.cache=$KA_CACHE ka.repo=$REPO ka.kroot=$MODROOT ka.build=$O ka.res=$RES ka.ko=$ACCEL_KO \
ka.tests=$(echo ${KA_TESTS:-} | tr " " ,) $*"

INTERACTIVE=()
[ "$MODE" = shell ] && INTERACTIVE=(-serial mon:stdio) || INTERACTIVE=(-serial stdio -monitor none)

echo "vm-run: booting $KNAME ($RELEASE) under QEMU TCG (${KA_VM_CPUS:-2} vCPUs, mode $MODE)" >&2
start=$(date +%s)
timeout --foreground -k 10 "$TIMEOUT" "$QEMU" $ACCEL -cpu max \
	-smp "${KA_VM_CPUS:-2}" -m "${KA_VM_MEM:-2048}" \
	-nographic -no-reboot -nic none "${INTERACTIVE[@]}" \
	-kernel "$IMAGE" -initrd "$VMDIR/initramfs.cpio.gz" \
	-append "$APPEND" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$RES",mount_tag=results,security_model=none,multidevs=remap \
	< /dev/null | tee "$VMDIR/console-$MODE.log" | tr -d '\r'
qrc=${PIPESTATUS[0]}
end=$(date +%s)
echo "vm-run: VM exited with status $qrc after $((end - start)) s" >&2

# --- verdict ----------------------------------------------------------------
fail=0
[ "$qrc" = 0 ] || { echo "vm-run: QEMU failed or timed out (status $qrc)" >&2; fail=1; }
[ -f "$RES/done" ] || { echo "vm-run: the guest did not finish its job" >&2; fail=1; }
# Which kernel ran: the banner in the guest's dmesg (the console's log
# level hides it).
booted=$(sed -n 's/.*Linux version \([^ ]*\) .*/\1/p' "$RES/dmesg.txt" 2>/dev/null | head -1)
if [ -n "$booted" ]; then
	echo "vm-run: the guest ran Linux $booted (KA_KERNEL=$KNAME)" >&2
	[ "$booted" = "$RELEASE" ] ||
		{ echo "vm-run: expected $RELEASE, the guest ran $booted" >&2; fail=1; }
fi

# Kernel problems, from the full dmesg the guest saved and from the console
# (which alone survives a panic).  They count from the line vm-guest.sh logs
# before it loads KVM and kvm_accel; what the kernel reported while it booted
# is shown, not counted (it ran nothing of ours; a log without the line
# counts whole).  The KASAN build under TCG has reported a wild-memory-access
# from an interrupt during identify_cpu() at boot in about one run in three.
PATTERN='WARNING:|BUG:|Oops|general protection fault|Kernel panic|soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|blocked for more than|KASAN|UBSAN|possible recursive locking|circular locking dependency|suspicious RCU usage|sleeping function called from invalid context|kmemleak'
MARK='kvm-accel: the guest job starts'
log_part() {	# log_part boot|job FILE: the lines before the job's mark, or from it
	if grep -qF "$MARK" "$2" 2>/dev/null; then
		awk -v m="$MARK" -v part="$1" 'index($0, m) { job = 1 }
			(part == "job") == (job == 1) { print }' "$2"
	elif [ "$1" = job ]; then
		cat "$2" 2>/dev/null
	fi
	return 0
}
problems() {	# problems boot|job OUT WHAT: the part's problems into OUT; 1 if any
	local f
	for f in "$RES/dmesg.txt" "$VMDIR/console-$MODE.log"; do
		log_part "$1" "$f"
	done | grep -E "$PATTERN" | sort -u > "$2"
	[ -s "$2" ] || return 0
	echo "vm-run: $3:" >&2
	sed 's/^/    /' "$2" >&2
	return 1
}
problems boot "$RES/kernel-problems-boot.txt" \
	"kernel problems while the guest kernel booted, before the job (not counted)"
problems job "$RES/kernel-problems.txt" "kernel problems in the guest log" || fail=1

if [ "$MODE" = check ]; then
	tap=$RES/tap.txt
	pass=$(grep -E '^ok [0-9]+' "$tap" 2>/dev/null | grep -vc '# SKIP' || true)
	skip=$(grep -E '^ok [0-9]+' "$tap" 2>/dev/null | grep -c '# SKIP' || true)
	nfail=$(grep -cE '^not ok [0-9]+' "$tap" 2>/dev/null || true)
	pass=${pass:-0}; skip=${skip:-0}; nfail=${nfail:-0}
	if [ "$fail" != 0 ]; then
		nfail=$((nfail + 1))	# the VM itself counts as a failed check
	fi
	[ "$nfail" = 0 ] || fail=1
	[ "$pass" -gt 0 ] || { echo "vm-run: no test passed" >&2; fail=1; }
	echo "$pass passed, $nfail failed, $skip skipped"
fi
exit $fail
