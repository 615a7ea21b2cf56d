#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Error paths of the kvm-accel tool: exit statuses, messages, and the order
# in which problems are reported (arguments 2, module 3, fds 4, object 5).
# Runs without the module: the test-only shim fake_sysfs.so (LD_PRELOAD,
# KA_FAKE_SYSFS) shows the tool an empty or made-up /sys/kernel/kvm_accel,
# so the checks after the module's can be reached anywhere.  The kernel
# still decides everything it decides; no test here attaches anything for
# real.
#
# Usage: test-cli-errors.sh KVM_ACCEL_CLI BPF_BUILD_DIR
#   BPF_BUILD_DIR is $(O)/bpf: it holds verifier-tests/progs/not_accel.bpf.o
#   and, if built, selftests/progs/regfile_{pio,linkless}.bpf.o and
#   selftests/progs/ops_reordered.bpf.o.  The shim is
#   $(O)/loader/tests/fake_sysfs.so, next to KVM_ACCEL_CLI ($(O)/kvm-accel),
#   or $KA_FAKE_SYSFS_SO.
#
# Output is TAP.  Tests that need /dev/kvm and python3 (to hand the tool a
# real VM fd) are skipped without them, and the "module not loaded" test on
# the real sysfs path is skipped where the module is loaded.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 KVM_ACCEL_CLI BPF_BUILD_DIR" >&2
	exit 2
fi
CLI=$1
BPF=$2
SHIM=${KA_FAKE_SYSFS_SO:-$(dirname "$CLI")/loader/tests/fake_sysfs.so}
if [ ! -f "$SHIM" ]; then
	echo "Bail out! no $SHIM (make loader)"
	exit 1
fi

REAL_SYSFS=/sys/kernel/kvm_accel
TMP=$(mktemp -d) || exit 2
HOLDER_PID=
cleanup()
{
	if [ -n "$HOLDER_PID" ]; then
		kill "$HOLDER_PID" 2>/dev/null
		wait "$HOLDER_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

NOMOD=$TMP/no-such-dir		# module "not loaded"
FAKE=$TMP/sysfs			# module "loaded", no attachments
mkdir -p "$FAKE"

n=0
failed=0

ok()
{
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# expect DESC STATUS PATTERN SYSFS CMD...
# Run CMD with the shim showing SYSFS as the tool's sysfs directory (empty:
# no shim, the real one) and stdin on /dev/null; check the exit status and
# that PATTERN (a fixed string, empty for none) occurs in stdout or stderr.
expect()
{
	local desc=$1 want=$2 pattern=$3 sysfs=$4 out rc
	shift 4

	if [ -n "$sysfs" ]; then
		out=$(LD_PRELOAD=$SHIM KA_FAKE_SYSFS=$sysfs "$@" </dev/null 2>&1)
	else
		out=$(env -u LD_PRELOAD -u KA_FAKE_SYSFS "$@" </dev/null 2>&1)
	fi
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pattern" ] || grep -qF -- "$pattern" <<<"$out"; }; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	echo "#   expected status $want${pattern:+ and '$pattern'}, got $rc:"
	sed 's/^/#   /' <<<"$out"
	return 1
}

# expect_json DESC STATUS PREFIX SYSFS CMD...: like expect, on stdout only,
# which must be one JSON line starting with PREFIX.  expect_json_is: the
# line must be exactly PREFIX.
json_check()
{
	local exact=$1 desc=$2 want=$3 pattern=$4 sysfs=$5 out rc
	shift 5

	out=$(LD_PRELOAD=$SHIM KA_FAKE_SYSFS=$sysfs "$@" </dev/null 2>/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "${out#"$pattern"}" != "$out" ] &&
	   { [ -z "$exact" ] || [ "$out" = "$pattern" ]; } &&
	   [ "$(wc -l <<<"$out")" -eq 1 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	echo "#   expected status $want and stdout ${exact:-starting }'$pattern', got $rc:"
	sed 's/^/#   /' <<<"$out"
	return 1
}

expect_json()
{
	json_check "" "$@"
}

expect_json_is()
{
	json_check "is " "$@"
}

NOT_ACCEL=$BPF/verifier-tests/progs/not_accel.bpf.o
REGFILE=$BPF/selftests/progs/regfile_pio.bpf.o
LINKLESS=$BPF/selftests/progs/regfile_linkless.bpf.o
REORDERED=$BPF/selftests/progs/ops_reordered.bpf.o
TEXT=$TMP/not-bpf.o
echo "this is not an ELF file" >"$TEXT"

# --- usage (2), reported before anything else: the module is "missing" ---

expect "no arguments" 2 "missing command" "$NOMOD" "$CLI"
expect "unknown command" 2 "unknown command 'frobnicate'" "$NOMOD" "$CLI" frobnicate
expect_json "unknown command, JSON" 2 '{"error":' "$NOMOD" "$CLI" -j frobnicate
expect "unknown global option" 2 "unknown option '--frob'" "$NOMOD" "$CLI" --frob list
expect "help" 0 "EXIT STATUS" "$NOMOD" "$CLI" help
expect "help of a command, by prefix" 0 "Usage: $(basename "$CLI") attach" "$NOMOD" \
	"$CLI" help att
expect "help of an unknown command" 2 "unknown command 'nope'" "$NOMOD" "$CLI" help nope
expect "version" 0 "kvm-accel " "$NOMOD" "$CLI" -V
expect_json "version, JSON" 0 '{"version":' "$NOMOD" "$CLI" --json --version
expect "attach: no object" 2 "missing object file" "$NOMOD" "$CLI" attach --fd 3
expect "attach: no --fd" 2 "missing --fd" "$NOMOD" "$CLI" attach "$NOT_ACCEL"
expect "attach: two objects" 2 "unexpected argument" "$NOMOD" \
	"$CLI" attach "$NOT_ACCEL" "$NOT_ACCEL" --fd 3
expect "attach: --fd not a number" 2 "invalid --fd 'abc': not a number" "$NOMOD" \
	"$CLI" attach x.o --fd abc
expect "attach: --fd negative" 2 "invalid --fd '-1': out of range" "$NOMOD" \
	"$CLI" attach x.o --fd -1
expect "attach: --fd trailing junk" 2 "invalid --fd '3x': not a number" "$NOMOD" \
	"$CLI" attach x.o --fd 3x
expect "attach: --fd too large" 2 "invalid --fd '0x80000000': out of range" "$NOMOD" \
	"$CLI" attach x.o --fd 0x80000000
expect "attach: --fd without a value" 2 "option '--fd' needs an argument" "$NOMOD" \
	"$CLI" attach x.o --fd
expect "attach: --pid 0" 2 "invalid --pid '0': out of range" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --pid 0
expect "attach: --base bare 0x" 2 "invalid --base '0x': not a number" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --base 0x
expect "attach: --base beyond 64 bits" 2 "out of range" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --base 0x10000000000000000
# 0 is a base like any other: past the arguments, on to the module.
expect "attach: --base 0 is no usage error" 3 "module is not loaded" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --base 0
expect "attach: --map given twice" 2 "--map a given twice" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --map a --map a
expect "attach: range before the first of several --map" 2 "before the first of several --map" \
	"$NOMOD" "$CLI" attach x.o --fd 3 --base 0x170 --map a --map b
expect "attach: --pin=PATH with several --map" 2 "--pin=PATH pins one link" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --map a --map b --pin="$TMP/pin"
expect "attach: range options after each --map" 3 "module is not loaded" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --map a --base 0 --len 8 --map b --base 0x376 --bus pio
MAX_MAPS=$("$CLI" help attach 2>/dev/null | sed -n 's/.*repeat it (up to \([0-9]*\)).*/\1/p')
expect "attach: one --map too many" 2 "more than ${MAX_MAPS:-?} --map" "$NOMOD" \
	"$CLI" attach x.o --fd 3 $(for i in $(seq $((${MAX_MAPS:-0} + 1))); do echo --map m$i; done)
expect "attach: --len 0" 2 "invalid --len '0': out of range" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --len 0
expect "attach: --bus isa" 2 "invalid --bus 'isa'" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --bus isa
# The limit is the ABI header's, which the help text quotes.
MAX_EV=$("$CLI" help attach 2>/dev/null | sed -n 's/.*up to \([0-9]*\);.*/\1/p')
expect "attach: one --eventfd too many" 2 "more than ${MAX_EV:-?} --eventfd" "$NOMOD" \
	"$CLI" attach x.o --fd 3 $(for i in $(seq $((${MAX_EV:-0} + 1))); do echo --eventfd 0; done)
expect "attach: unknown option" 2 "unknown option '--frob'" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --frob
expect "attach: empty --pin=" 2 "empty --pin path" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --pin=
expect_json "attach: empty --pin=, JSON" 2 '{"error":"empty --pin path' "$NOMOD" \
	"$CLI" attach -j x.o --fd 3 --pin=
# --pin's argument is optional: a separate word is a second object file.
expect "attach: --pin PATH without '='" 2 "unexpected argument '$TMP/pin'" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --pin "$TMP/pin"
expect "attach: --pin PATH without '=', hint" 2 "--pin=PATH" "$NOMOD" \
	"$CLI" attach x.o --fd 3 --pin "$TMP/pin"
expect "help attach: --pin and the foreground" 0 "--pin[=PATH]" "$NOMOD" \
	"$CLI" help attach
expect "list: extra argument" 2 "unexpected argument 'x'" "$NOMOD" "$CLI" list x
expect "stats: id not a number" 2 "invalid link id 'abc'" "$NOMOD" "$CLI" stats abc
expect "detach: no id" 2 "missing link id" "$NOMOD" "$CLI" detach
expect "detach: id 0" 2 "invalid link id '0': out of range" "$NOMOD" "$CLI" detach 0
expect "detach: id beyond 32 bits" 2 "out of range" "$NOMOD" "$CLI" detach 0x100000000
expect "detach: two ids" 2 "unexpected argument '2'" "$NOMOD" "$CLI" detach 1 2

# --- module not loaded (3), before fds and objects ---

if [ -d "$REAL_SYSFS" ]; then
	skip "module not loaded (real sysfs)" "the kvm_accel module is loaded"
else
	expect "module not loaded (real sysfs)" 3 "module is not loaded" "" "$CLI" list
fi
expect "list: module not loaded" 3 "module is not loaded" "$NOMOD" "$CLI" list
expect "stats: module not loaded" 3 "module is not loaded" "$NOMOD" "$CLI" stats 1
expect "detach: module not loaded" 3 "module is not loaded" "$NOMOD" "$CLI" detach 1
expect_json "detach: module not loaded, JSON" 3 '{"error":' "$NOMOD" "$CLI" -j detach 1
expect "attach: module before fd and object" 3 "module is not loaded" "$NOMOD" \
	"$CLI" attach /nonexistent.bpf.o --fd 77
expect "attach: --pin alone is no usage error" 3 "module is not loaded" "$NOMOD" \
	"$CLI" attach /nonexistent.bpf.o --fd 77 --pin
expect "attach: --pin=PATH is no usage error" 3 "module is not loaded" "$NOMOD" \
	"$CLI" attach /nonexistent.bpf.o --fd 77 --pin="$TMP/pin"

# --- bad fds (4), before objects ---

expect "attach: --fd not open" 4 "fd 77 is not open" "$FAKE" \
	"$CLI" attach /nonexistent.bpf.o --fd 77
expect "attach: --fd not a KVM fd" 4 "fd 0 is not a KVM VM fd (it is /dev/null)" "$FAKE" \
	"$CLI" attach /nonexistent.bpf.o --fd 0
expect_json "attach: --fd not a KVM fd, JSON" 4 '{"error":"fd 0 is not a KVM VM fd' "$FAKE" \
	"$CLI" attach -j /nonexistent.bpf.o --fd 0
sleep 0 &
DEAD=$!
wait "$DEAD"
expect "attach: --pid of a dead process" 4 "no process $DEAD" "$FAKE" \
	"$CLI" attach /nonexistent.bpf.o --pid "$DEAD" --fd 3

# --- with a real VM fd: objects (5) ---

# with_vm CMD...: run CMD with a fresh KVM VM fd on fd 9.
with_vm()
{
	python3 -c '
import fcntl, os, sys
kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
vm = fcntl.ioctl(kvm, 0xAE01, 0)	# KVM_CREATE_VM
os.dup2(vm, 9)
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}

HAVE_VM=
if [ ! -w /dev/kvm ]; then
	NO_VM="no /dev/kvm"
elif ! command -v python3 >/dev/null; then
	NO_VM="no python3 to create a VM fd"
elif ! with_vm /bin/true </dev/null 2>/dev/null; then
	NO_VM="cannot create a VM"
else
	HAVE_VM=1
fi

vm_test()
{
	if [ -z "$HAVE_VM" ]; then
		skip "$1" "$NO_VM"
		return
	fi
	local desc=$1 want=$2 pattern=$3
	shift 3
	expect "$desc" "$want" "$pattern" "$FAKE" with_vm "$@"
}

vm_test "attach: --eventfd not an eventfd" 4 "fd 0 is not an eventfd" \
	"$CLI" attach /nonexistent.bpf.o --fd 9 --eventfd 0
vm_test "attach: object missing" 5 "/nonexistent.bpf.o: No such file or directory" \
	"$CLI" attach /nonexistent.bpf.o --fd 9
vm_test "attach: object is a directory" 5 "Is a directory" \
	"$CLI" attach "$TMP" --fd 9
vm_test "attach: object is not BPF" 5 "not a BPF object file" \
	"$CLI" attach "$TEXT" --fd 9
if [ -f "$NOT_ACCEL" ]; then
	vm_test "attach: BPF object that is not an accelerator" 5 "not an accelerator" \
		"$CLI" attach "$NOT_ACCEL" --fd 9
else
	skip "attach: BPF object that is not an accelerator" "$NOT_ACCEL not built"
fi
if [ -f "$LINKLESS" ] && [ -f "$REGFILE" ]; then
	vm_test "attach: map not in .struct_ops.link" 5 "cannot be attached through a BPF link" \
		"$CLI" attach "$LINKLESS" --fd 9
	vm_test "attach: --map naming no kvm_accel_ops map" 5 "no kvm_accel_ops map named 'nope'" \
		"$CLI" attach "$REGFILE" --fd 9 --map nope
	# Only where the kernel cannot know kvm_accel_ops: elsewhere it would attach.
	if [ -d "$REAL_SYSFS" ]; then
		skip "attach: kernel without kvm_accel_ops" "the kvm_accel module is loaded"
	else
		vm_test "attach: kernel without kvm_accel_ops" 1 "no kvm_accel_ops type" \
			"$CLI" attach "$REGFILE" --fd 9
	fi
	vm_test "attach: one of several --map naming no kvm_accel_ops map" 5 \
		"no kvm_accel_ops map named 'nope'" \
		"$CLI" attach "$REGFILE" --fd 9 --map regfile_pio --map nope
else
	for t in "map not in .struct_ops.link" "--map naming no kvm_accel_ops map" \
		 "kernel without kvm_accel_ops" \
		 "one of several --map naming no kvm_accel_ops map"; do
		skip "attach: $t" "selftests objects not built"
	done
fi
if [ -f "$REORDERED" ]; then
	vm_test "attach: kvm_accel_ops members out of order" 5 \
		"kvm_accel_ops member 4 is 'len' at offset 24 (8 bytes), where libkvmaccel" \
		"$CLI" attach "$REORDERED" --fd 9
	if [ -n "$HAVE_VM" ]; then
		expect_json "attach: members out of order, JSON" 5 \
			'{"error":"'"$REORDERED"': map ops_reordered: kvm_accel_ops member 4 is' \
			"$FAKE" with_vm "$CLI" -j attach "$REORDERED" --fd 9
	else
		skip "attach: members out of order, JSON" "$NO_VM"
	fi
else
	skip "attach: kvm_accel_ops members out of order" "selftests objects not built"
	skip "attach: members out of order, JSON" "selftests objects not built"
fi

# --- --pid: fds taken from another process ---

PID_TESTS=("--pid: fd taken, then the object is checked"
	   "--pid: no such fd in the process"
	   "--pid: fd of the process not a KVM fd")
if [ -z "$HAVE_VM" ]; then
	for t in "${PID_TESTS[@]}"; do
		skip "$t" "$NO_VM"
	done
else
	# A VMM stand-in: holds a VM fd on 9 until its stdin closes.
	coproc HOLDER {
		exec python3 -c '
import fcntl, os, sys
kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
vm = fcntl.ioctl(kvm, 0xAE01, 0)
os.dup2(vm, 9)
os.dup2(os.open("/dev/null", os.O_RDONLY), 8)
print(os.getpid(), flush=True)
sys.stdin.read()'
	}
	HOLDER_PID=$HOLDER_PID
	read -r -u "${HOLDER[0]}" VMM_PID
	# pidfd_getfd() needs ptrace access, which a container may deny.
	probe=$(LD_PRELOAD=$SHIM KA_FAKE_SYSFS=$FAKE "$CLI" attach /nonexistent.bpf.o \
		--pid "$VMM_PID" --fd 9 </dev/null 2>&1)
	if grep -q "not allowed to take fd" <<<"$probe"; then
		for t in "${PID_TESTS[@]}"; do
			skip "$t" "no ptrace access to other processes here"
		done
	else
		expect "${PID_TESTS[0]}" 5 "No such file or directory" "$FAKE" \
			"$CLI" attach /nonexistent.bpf.o --pid "$VMM_PID" --fd 9
		expect "${PID_TESTS[1]}" 4 "process $VMM_PID has no fd 55" "$FAKE" \
			"$CLI" attach /nonexistent.bpf.o --pid "$VMM_PID" --fd 55
		expect "${PID_TESTS[2]}" 4 "fd 8 of process $VMM_PID is not a KVM VM fd" "$FAKE" \
			"$CLI" attach /nonexistent.bpf.o --pid "$VMM_PID" --fd 8
	fi
	eval "exec ${HOLDER[1]}>&-"
	wait "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
fi

# --- attachments (6), and listing a made-up sysfs directory ---

# A link id no kernel has handed out; detach refuses ids sysfs does not show.
BIG=4000000000
expect "stats: no such attachment" 6 "no attachment with link id $BIG" "$FAKE" \
	"$CLI" stats $BIG
expect "detach: no such attachment" 6 "no attachment with link id $BIG" "$FAKE" \
	"$CLI" detach $BIG
expect_json "detach: no such attachment, JSON" 6 '{"error":' "$FAKE" "$CLI" -j detach $BIG
expect "list: no attachments" 0 "" "$FAKE" "$CLI" list
expect_json_is "list: no attachments, JSON" 0 '[]' "$FAKE" "$CLI" -j list

# As the module lays it out: numbered directories, the link id in link_id.
ENT=$FAKE/9
mkdir -p "$ENT"
echo $BIG >"$ENT/link_id"
printf '%s\n' 'ide"0' >"$ENT/name"
echo pio >"$ENT/bus"
echo 0x1f0 >"$ENT/base"
echo 8 >"$ENT/length"
echo 4242 >"$ENT/vm_pid"
echo 11 >"$ENT/handled"
echo 22 >"$ENT/exits"
echo 33 >"$ENT/errors"
echo live >"$ENT/state"
expect "list: one attachment" 0 \
	"$BIG: ide\"0  pio 0x1f0-0x1f7 (8 bytes)  vm_pid 4242  state live" \
	"$FAKE" "$CLI" list
NAME='"name":"ide\"0"'
COUNTERS='"handled":11,"exits":22,"errors":33'
RANGE='"bus":"pio","base":496,"length":8,"vm_pid":4242'
ENTRY="{\"id\":$BIG,$NAME,$RANGE,\"state\":\"live\",\"pinned\":null,$COUNTERS}"
expect_json_is "list: one attachment, JSON" 0 "[$ENTRY]" \
	"$FAKE" "$CLI" -j list
expect_json_is "stats ID, JSON" 0 "{\"id\":$BIG,$NAME,\"state\":\"live\",$COUNTERS}" \
	"$FAKE" "$CLI" stats -j $BIG
expect "stats ID: state column" 0 "  live" "$FAKE" "$CLI" stats $BIG

OTHER=$((BIG + 1))
cp -r "$ENT" "$FAKE/1"
echo $OTHER >"$FAKE/1/link_id"
expect "stats: attachment found by its link_id file" 0 "$OTHER" "$FAKE" "$CLI" stats $OTHER
expect "stats: a directory number is no link id" 6 "no attachment with link id 1" \
	"$FAKE" "$CLI" stats 1
# A directory without link_id is no attachment (the library has no fixture rules).
mkdir "$FAKE/$((BIG + 4))"
expect "stats: a directory without link_id is no attachment" 6 \
	"no attachment with link id $((BIG + 4))" "$FAKE" "$CLI" stats $((BIG + 4))
rmdir "$FAKE/$((BIG + 4))"
# A module older than defunct attachments has no state file: live.
rm "$FAKE/1/state"
expect_json_is "stats: no state file (older module) is live, JSON" 0 \
	"{\"id\":$OTHER,$NAME,\"state\":\"live\",$COUNTERS}" "$FAKE" "$CLI" -j stats $OTHER
echo 0 >"$FAKE/1/link_id"
expect_json_is "list: attachment whose link is being created left out" 0 "[$ENTRY]" \
	"$FAKE" "$CLI" -j list
rm -rf "$FAKE/1"

# A defunct attachment: its VM is gone, its link and counters stay.
DEAD=$((BIG + 2))
cp -r "$ENT" "$FAKE/2"
echo $DEAD >"$FAKE/2/link_id"
echo defunct >"$FAKE/2/state"
DEAD_ENTRY="{\"id\":$DEAD,$NAME,$RANGE,\"state\":\"defunct\",\"pinned\":null,$COUNTERS}"
expect_json_is "list: a live and a defunct attachment, JSON" 0 "[$ENTRY,$DEAD_ENTRY]" \
	"$FAKE" "$CLI" -j list
expect "list: a defunct attachment" 0 \
	"$DEAD: ide\"0  pio 0x1f0-0x1f7 (8 bytes)  vm_pid 4242  state defunct" \
	"$FAKE" "$CLI" list
expect_json_is "stats ID of a defunct attachment, JSON" 0 \
	"{\"id\":$DEAD,$NAME,\"state\":\"defunct\",$COUNTERS}" "$FAKE" "$CLI" -j stats $DEAD
expect "stats ID of a defunct attachment" 0 "  defunct" "$FAKE" "$CLI" stats $DEAD
echo zombie >"$FAKE/2/state"
expect "stats: unknown state" 1 "Protocol error" "$FAKE" "$CLI" stats $DEAD
rm -rf "$FAKE/2"

# The runtime budget: a disabled attachment shows its exit record.
cp -r "$ENT" "$FAKE/3"
OFF=$((BIG + 3))
echo $OFF >"$FAKE/3/link_id"
echo "call_ns=50000000 window_ns=1000000000 window_budget_ns=500000000" >"$FAKE/3/budget"
echo "call last=call prog=read when_ns=1796182701839996172 time_ns=100474652 budget_ns=50000000 vcpu=3 addr=0x1f7 trips=2" \
	>"$FAKE/3/disabled"
expect "stats: a disabled attachment and its exit record" 0 \
	"disabled: the read program ran 100474652 ns in one call (budget 50000000 ns), vcpu 3, address 0x1f7, at 2026-12-02 03:38:21 UTC; 2 times" \
	"$FAKE" "$CLI" stats $OFF
expect "stats: a disabled attachment's state" 0 "  disabled" "$FAKE" "$CLI" stats $OFF
expect_json_is "stats ID of a disabled attachment, JSON" 0 \
	"{\"id\":$OFF,$NAME,\"state\":\"live\",$COUNTERS,\"disabled\":\"call\",\"budget_ns\":50000000,\"window_ns\":1000000000,\"window_budget_ns\":500000000,\"trips\":2,\"last_trip\":{\"reason\":\"call\",\"program\":\"read\",\"when_ns\":1796182701839996172,\"time_ns\":100474652,\"budget_ns\":50000000,\"vcpu\":3,\"addr\":503}}" \
	"$FAKE" "$CLI" -j stats $OFF
echo "no last=window prog=write when_ns=1 time_ns=2 budget_ns=1 vcpu=0 addr=0x0 trips=1" \
	>"$FAKE/3/disabled"
expect "list: a re-enabled attachment keeps its exit record" 0 \
	"was disabled: the write program ran 2 ns in one window (budget 1 ns)" "$FAKE" "$CLI" list
echo "maybe" >"$FAKE/3/disabled"
expect "stats: unknown disabled reason" 1 "Protocol error" "$FAKE" "$CLI" stats $OFF
rm -rf "$FAKE/3"

expect "detach: attachment shown but no such BPF link" 6 "no attachment with link id $BIG" \
	"$FAKE" "$CLI" detach $BIG
echo garbage >"$ENT/handled"
expect "stats: unreadable counter" 1 "Protocol error" "$FAKE" "$CLI" stats $BIG

echo "1..$n"
[ "$failed" -eq 0 ]
