#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the built modules that need no VM, as TAP on stdout (part of
# `make check`, see scripts/check.sh):
#
#   - for each kernel NAME whose kvm_accel.ko is built: the module's
#     vermagic is that kernel's; it imports no symbol that the kernel's
#     Module.symvers exports only to named other modules (namespace
#     "module:A,B", since 6.18 e.g. file_is_kvm for kvm-amd,kvm-intel: such
#     a module builds with a modpost warning on some kernels and does not
#     load); every symbol it imports is exported by the kernel or one of
#     its modules.
#   - no benchmark hooks in a release module: `modinfo -F parm` of each
#     kernel's kvm_accel.ko names no bench_stage, and that of the benchmark
#     build (kmod/kvm_accel_bench.c; for 6.12 `make kmod-bench`, required;
#     for the others where scripts/kmod-build.sh --bench built it) does.
#   - the namespace check itself: it must flag an object that calls
#     file_is_kvm (a two-line C file compiled here).
#   - bookworm's own 6.1 kernel is refused: kmod/ built against its headers
#     must stop with "kvm_accel: needs Linux X.Y or later" (kmod/Makefile;
#     X.Y is the oldest kernel kmod/ supports, 6.9 or 6.10).
#   - one vocabulary for shared memory: no device and no BPF program uses
#     the __sync_*/__atomic_* builtins, a volatile cast or a READ_ONCE,
#     WRITE_ONCE or *_LOAD/*_STORE macro of its own; only
#     bpf/kvm_accel_atomics.h does.
#   - the kvm-accel tool's JSON writer: its unit test
#     ($O/loader/tests/json_writer_test, built by `make loader`), each of its
#     results one of these.
#
# Usage: scripts/host-checks.sh [NAME...]   (default: $KA_CHECK_KERNELS, else
#                                            6.12 7.3)
#        scripts/host-checks.sh --ko KO --symvers MODULE.SYMVERS
#                 the symbol checks alone, for a module built for any kernel
#                 (e.g. /lib/modules/$(uname -r)/build/Module.symvers)
# Env:   KA_CACHE, O as for scripts/vm-run.sh
# Exit status: 0 if every check passed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
O=${O:-$REPO/build}
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"
if [ $# = 0 ]; then read -ra names <<<"${KA_CHECK_KERNELS:-6.12 7.3}"; set -- "${names[@]}"; fi

n=0 fails=0
tap() {	# tap ok|not-ok DESCRIPTION [DIAGNOSTIC-FILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - host: $2"
	else
		echo "not ok $n - host: $2"
		fails=$((fails + 1))
	fi
	[ -z "${3:-}" ] || sed 's/^/# /' "$3"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# restricted_imports KO SYMVERS: the symbols KO imports that SYMVERS
# exports in a "module:" namespace not naming kvm_accel, with that namespace.
restricted_imports() {
	nm -u "$1" | awk '{ print $NF }' > "$tmp/imports" || return 2
	awk -F'\t' 'NR == FNR { if ($5 ~ /^module:/) ns[$2] = $5; next }
		($1 in ns) {
			list = substr(ns[$1], 8); gsub(/-/, "_", list)
			if (("," list ",") !~ /,kvm_accel,/) print $1 " (" ns[$1] ")"
		}' "$2" "$tmp/imports"
}

# unexported_imports KO SYMVERS: imported symbols no one exports.
unexported_imports() {
	nm -u "$1" | awk '{ print $NF }' > "$tmp/imports" || return 2
	awk -F'\t' 'NR == FNR { e[$2] = 1; next } !($1 in e)' "$2" "$tmp/imports"
}

# bench_params NAME KO: KO, the release module, has no bench_stage
# parameter; the benchmark build for NAME has it.  A parameter is what
# makes the stages reachable, so its absence is what a release must show.
bench_params() {
	local name=$1 ko=$2 bko
	if ! modinfo -F parm "$ko" > "$tmp/parm" 2>&1; then
		tap not-ok "$name: modinfo -F parm $ko failed" "$tmp/parm"
	elif grep -q '^bench_stage:' "$tmp/parm"; then
		tap not-ok "$name: the release kvm_accel.ko has the bench_stage parameter" "$tmp/parm"
	else
		tap ok "$name: the release kvm_accel.ko has no bench_stage parameter"
	fi
	bko=$(ka_module_path "$name" bench)
	if [ ! -f "$bko" ]; then
		[ "$name" = 6.12 ] &&
			tap not-ok "$name: no benchmark build $bko (make kmod-bench)"
		return 0
	fi
	if modinfo -F parm "$bko" 2>&1 | grep -q '^bench_stage:'; then
		tap ok "$name: the benchmark build of kvm_accel.ko has the bench_stage parameter"
	else
		modinfo -F parm "$bko" > "$tmp/parm" 2>&1
		tap not-ok "$name: the benchmark build $bko has no bench_stage parameter" "$tmp/parm"
	fi
}

if [ "${1:-}" = --ko ]; then
	[ $# = 4 ] && [ "$3" = --symvers ] && [ -f "$2" ] && [ -f "$4" ] ||
		{ echo "usage: $0 --ko KO --symvers MODULE.SYMVERS (both must exist)" >&2; exit 2; }
	restricted_imports "$2" "$4" > "$tmp/r" && [ ! -s "$tmp/r" ] &&
		tap ok "$2 imports no symbol reserved to other modules" ||
		tap not-ok "$2 imports symbols reserved to other modules" "$tmp/r"
	unexported_imports "$2" "$4" > "$tmp/u" && [ ! -s "$tmp/u" ] &&
		tap ok "every symbol $2 imports is exported" ||
		tap not-ok "$2 imports symbols that $4 does not export" "$tmp/u"
	echo "1..$n"
	[ "$fails" = 0 ]
	exit
fi

for name in "$@"; do
	ka_kernel "$name" || { tap not-ok "unknown kernel $name"; continue; }
	[ "$K_BOOT" = 1 ] || continue
	ko=$(ka_module_path "$K_NAME")
	if [ ! -f "$ko" ]; then
		tap ok "$K_NAME: module symbol checks # SKIP kvm_accel.ko not built"
		continue
	fi
	symvers=$K_DIR/headers/Module.symvers
	bench_params "$K_NAME" "$ko"
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	if [ "$vm" = "$K_ABI" ]; then
		tap ok "$K_NAME: kvm_accel.ko is built for $K_ABI"
	else
		tap not-ok "$K_NAME: kvm_accel.ko vermagic '$vm', expected $K_ABI"
	fi
	if [ ! -f "$symvers" ]; then
		tap not-ok "$K_NAME: no $symvers"
		continue
	fi
	if restricted_imports "$ko" "$symvers" > "$tmp/r" && [ ! -s "$tmp/r" ]; then
		tap ok "$K_NAME: kvm_accel.ko imports no symbol reserved to other modules"
	else
		tap not-ok "$K_NAME: kvm_accel.ko imports symbols reserved to other modules" "$tmp/r"
	fi
	if unexported_imports "$ko" "$symvers" > "$tmp/u" && [ ! -s "$tmp/u" ]; then
		tap ok "$K_NAME: every symbol kvm_accel.ko imports is exported"
	else
		tap not-ok "$K_NAME: kvm_accel.ko imports symbols $K_ABI does not export" "$tmp/u"
	fi
done

# The namespace check must be able to fail.  A real >= 6.18 Module.symvers
# from the cache if there is one, else the line 7.3's has.
printf '%s\n' 'extern int file_is_kvm(void *f);' \
	'int f(void *p) { return file_is_kvm(p); }' > "$tmp/fake.c"
symvers=
for d in "$KA_CACHE"/kernel/*/headers/Module.symvers; do
	grep -qP '\tfile_is_kvm\t.*\tmodule:' "$d" 2>/dev/null && { symvers=$d; break; }
done
if [ -z "$symvers" ]; then
	symvers=$tmp/Module.symvers
	printf '0x00000000\tfile_is_kvm\tarch/x86/kvm/kvm\tEXPORT_SYMBOL_GPL\tmodule:kvm-amd,kvm-intel\n' > "$symvers"
fi
if gcc -c -o "$tmp/fake.o" "$tmp/fake.c" &&
   restricted_imports "$tmp/fake.o" "$symvers" > "$tmp/r" && grep -q '^file_is_kvm ' "$tmp/r"; then
	tap ok "the namespace check flags an object calling file_is_kvm ($symvers)"
else
	tap not-ok "the namespace check misses an object calling file_is_kvm ($symvers)" "$tmp/r"
fi

# The tool's JSON writer: escaping and nesting, one result per case.
jw=$O/loader/tests/json_writer_test
if [ ! -x "$jw" ]; then
	tap not-ok "json_writer: $jw not built (make loader)"
else
	"$jw" > "$tmp/jw" 2>&1
	jw_rc=$?
	jw_n=0
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*) tap ok "json_writer: ${line#ok * - }"; jw_n=$((jw_n + 1)) ;;
		"not ok "[0-9]*) tap not-ok "json_writer: ${line#not ok * - }"; jw_n=$((jw_n + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done < "$tmp/jw"
	if [ "$jw_n" = 0 ] || { [ "$jw_rc" != 0 ] && ! grep -q '^not ok' "$tmp/jw"; }; then
		tap not-ok "json_writer: the unit test exited with status $jw_rc" "$tmp/jw"
	fi
fi

# bookworm's 6.1: the build must stop, and say why.
ka_kernel 6.1
if [ -z "$K_ABI" ] || [ ! -f "$K_DIR/.done" ]; then
	tap not-ok "kmod/ refuses Linux 6.1: headers not in the cache (scripts/setup.sh kernels 6.1)"
else
	log=$O/kernels/$K_ABI/kbuild.log
	if "$REPO/scripts/kmod-build.sh" 6.1 > "$tmp/out" 2>&1; then
		tap not-ok "kmod/ refuses Linux 6.1 ($K_ABI): it built" "$tmp/out"
	elif grep -m1 -oE 'kvm_accel: needs Linux [0-9]+\.[0-9]+ or later.*' "$log" > "$tmp/why"; then
		tap ok "kmod/ refuses Linux 6.1 ($K_ABI) with '$(grep -oE 'needs Linux [0-9.]+ or later' "$tmp/why")'" "$tmp/why"
	else
		tail -n 8 "$log" > "$tmp/why" 2>/dev/null
		tap not-ok "kmod/ refuses Linux 6.1 ($K_ABI) without saying 'kvm_accel: needs Linux X.Y or later'" "$tmp/why"
	fi
fi
# One vocabulary for shared memory (bpf/kvm_accel_atomics.h): every device
# file, every BPF program and the headers only BPF programs include.
mapfile -t vocab_files < <(cd "$REPO" && {
	find devices -name '*.[ch]'
	find bench demo selftests verifier-tests -name '*.bpf.[ch]'
	ls selftests/progs/*.h verifier-tests/*.h
} | sort -u)
if (cd "$REPO" && grep -nE '__sync_|__atomic_|#define[[:space:]]+(READ_ONCE|WRITE_ONCE|[A-Z0-9_]+_(LOAD|STORE))\b|volatile[^*]*\*\)[[:space:]]*&' \
	"${vocab_files[@]}") > "$tmp/vocab"; then
	tap not-ok "devices and BPF programs use only bpf/kvm_accel_atomics.h for shared memory" "$tmp/vocab"
else
	tap ok "devices and BPF programs use only bpf/kvm_accel_atomics.h for shared memory (${#vocab_files[@]} files)"
fi
echo "1..$n"
[ "$fails" = 0 ]
