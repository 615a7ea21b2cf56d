# SPDX-License-Identifier: GPL-2.0
#
# kvm-accel top-level build.
#
#   make          set up (first run only) and build everything, boot nothing
#   make check    build, run the host-side checks, boot the test VM on each
#                 kernel of KA_CHECK_KERNELS (default "6.12 7.3") and run every
#                 test; the last line is the combined summary
#   make check-kernels  the same on the whole matrix: 6.12 (bookworm-backports
#                 6.12.95), 6.12-trixie (6.12.117), 7.2 (sid), 7.3
#                 (trixie-backports); see scripts/kernels.sh
#   make kmod-kernels  only kvm_accel.ko for each of KA_CHECK_KERNELS, in
#                 $(O)/kernels/<abi>/ (6.12: $(O)/kvm_accel.ko)
#   make kmod-bench  the benchmark build of kvm_accel.ko for 6.12, the one
#                 with the bench_stage parameter: $(O)/bench/kvm_accel.ko
#                 (other kernels: scripts/kmod-build.sh --bench NAME)
#   make demo     build, boot the test VM, show exits with and without kvm-accel
#   make bench    build, run the benchmarks in the test VM (icount, then wall
#                 clock): table, JSON and plot in $(O)/bench/<time>/
#   make bench-native  the same benchmarks on this host (hardware KVM,
#                 kvm_accel.ko loaded, root): see README.md, Benchmarks
#   make debug-check  the whole suite on a KASAN + lockdep build of the same
#                 kernel (first run builds it: ~45 min on 2 cores)
#   make setup    only install packages and fill the cache
#   make qemu     QEMU 10.0.2 with the integrations/qemu series (cached)
#   make vm-qemu  the test VM's emulator: QEMU 10.0.2, TCG, with the
#                 integrations/qemu-tcg fixes (cached)
#   make V=1      show full commands
#
# KA_KERNEL=NAME (6.12, 6.12-trixie, 7.2, 7.3, debug) picks the kernel that
# demo and bench boot; setup fetches only the kernels the goal needs.
#
# Everything downloaded lives in $(KA_CACHE); build output lives in $(O).

KA_CACHE ?= $(HOME)/.cache/kvm-accel
export KA_CACHE
O ?= $(CURDIR)/build

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

.DELETE_ON_ERROR:
.PHONY: all setup build check check-kernels kmod-kernels debug-check demo bench \
	bench-native clean kmod kmod-bench checkpatch

# The kernels `make check` runs the suite on, and the whole matrix.
KA_CHECK_KERNELS ?= 6.12 7.3
KA_ALL_KERNELS := 6.12 6.12-trixie 7.2 7.3

all: setup
	$(Q)$(MAKE) build

setup:
	$(Q)scripts/setup.sh all

# setup (a prerequisite through all) fetches these kernels; 6.1's headers
# are for the host-side check that kmod/ refuses it.
check: export KA_SETUP_KERNELS = $(KA_CHECK_KERNELS) 6.1
check: all
	$(Q)O=$(O) KA_CHECK_KERNELS="$(KA_CHECK_KERNELS)" scripts/check.sh

check-kernels: export KA_SETUP_KERNELS = $(KA_ALL_KERNELS) 6.1
check-kernels: all
	$(Q)O=$(O) KA_CHECK_KERNELS="$(KA_ALL_KERNELS)" scripts/check.sh

kmod-kernels: export KA_SETUP_KERNELS = $(KA_CHECK_KERNELS)
kmod-kernels: setup
	$(Q)$(MAKE) kmod
	$(Q)O=$(O) scripts/kmod-build.sh $(KA_CHECK_KERNELS)

demo: all
	$(Q)scripts/vm-run.sh demo

# The VM loads the benchmark build of the module (scripts/vm-run.sh bench).
bench: all
	$(Q)scripts/bench.sh

# The module is not rebuilt: the one loaded on this host is measured.
bench-native: setup
	$(Q)$(MAKE) bpf loader devices selftests demo-progs bench-progs
	$(Q)scripts/bench.sh --native

debug-check: all
	$(Q)scripts/debug-kernel.sh
	$(Q)KA_KERNEL=debug scripts/vm-run.sh check

# ---------------------------------------------------------------------------
# Everything below needs the cache filled by 'make setup'.

KABI := $(shell cat $(KA_CACHE)/kernel/current 2>/dev/null)
KROOT := $(KA_CACHE)/kernel/$(KABI)
KDIR ?= $(KROOT)/headers
KSRC ?= $(KROOT)/src
TOOLS := $(KROOT)/tools
LIBBPF_INC := $(TOOLS)/libbpf/include
LIBBPF_A := $(TOOLS)/libbpf/libbpf.a
UAPI_INC := $(TOOLS)/uapi/include
BPFTOOL := $(TOOLS)/bpftool/bpftool
CLANG ?= clang-16
CC ?= gcc

build: kmod bpf loader devices vmm selftests verifier-tests demo-progs bench-progs qemu vm-qemu

kmod: $(O)/kvm_accel.ko
kmod-bench: $(O)/bench/kvm_accel.ko

# kbuild writes its objects, .cmd files and Module.symvers next to the
# sources, so it builds in a directory of links to them, DIR/kbuild, laid
# out as the tree is (kmod/Makefile finds the ABI header in ../include):
# nothing is generated under kmod/.  Links, not copies: the compiler's
# messages and the debug info name the files in kmod/.
KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h kmod/*.sh) kmod/Makefile
KMOD_DEPS := $(KMOD_SRCS) $(wildcard include/*.h)

# $(call kmod-build,DIR,KBUILD-ARGS): DIR/kvm_accel.ko, its log DIR/kmod.log.
# O= (empty): this Makefile's O, inherited through MAKEFLAGS when given on
# the command line, would be the kernel build's output directory.
define kmod-build
	$(Q)mkdir -p $(1)/kbuild/kmod
	$(Q)find $(1)/kbuild/kmod -maxdepth 1 -type l -delete
	$(Q)ln -s $(addprefix $(CURDIR)/,$(KMOD_SRCS)) $(1)/kbuild/kmod/
	$(Q)ln -sfn $(CURDIR)/include $(1)/kbuild/include
	+$(Q)$(MAKE) -C $(KDIR) M=$(1)/kbuild/kmod O= W=1 $(2) modules $(if $(Q),>$(1)/kmod.log 2>&1 || { cat $(1)/kmod.log; exit 1; })
	$(Q)if grep -q 'warning:' $(1)/kmod.log 2>/dev/null; then cat $(1)/kmod.log; echo "kmod: warnings are errors"; exit 1; fi
	$(Q)cp $(1)/kbuild/kmod/kvm_accel.ko $(1)/kvm_accel.ko
	@echo "  KMOD    $(1)/kvm_accel.ko"
endef

$(O)/kvm_accel.ko: $(KMOD_DEPS)
	$(call kmod-build,$(abspath $(O)))

# The benchmark stages (kmod/kvm_accel_bench.h) are a build option: the
# release module has no code for them, not even a test on the hot path.
$(O)/bench/kvm_accel.ko: $(KMOD_DEPS)
	$(call kmod-build,$(abspath $(O)/bench),CONFIG_KVM_ACCEL_BENCH=y)

checkpatch:
	$(Q)$(KSRC)/scripts/checkpatch.pl --no-tree --terse -f $(wildcard kmod/*.c kmod/*.h)

# BPF objects: one rule for every *.bpf.c in the tree.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(LIBBPF_INC) -I$(UAPI_INC) -I$(CURDIR)/bpf -I$(CURDIR)/include -I$(CURDIR)
BPF_SRCS := $(shell find bench demo devices selftests verifier-tests -name '*.bpf.c' 2>/dev/null)
BPF_OBJS := $(patsubst %.bpf.c,$(O)/bpf/%.bpf.o,$(BPF_SRCS))

bpf: $(BPF_OBJS)

$(O)/bpf/%.bpf.o: %.bpf.c bpf/kvm_accel.h bpf/kvm_accel_atomics.h include/kvm_accel_abi.h
	$(Q)mkdir -p $(@D)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

USER_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -I$(LIBBPF_INC) \
	-I$(CURDIR)/include -I$(CURDIR)/loader
USER_LDLIBS := $(LIBBPF_A) -lelf -lz

include loader/loader.mk
include devices/devices.mk
include vmm/vmm.mk
include selftests/selftests.mk
include verifier-tests/verifier-tests.mk
include demo/demo.mk
include bench/bench.mk
include integrations/qemu/qemu.mk

clean:
	$(Q)rm -rf $(O)
