# SPDX-License-Identifier: GPL-2.0
#
# KVM selftests of kvm-accel, included by the top-level Makefile.
#
# Every selftests/<name>_test.c is a VMM on the reference VMM (vmm/vmm.mk),
# linked with the tests' fixtures into $(O)/selftests/<name>_test.
# scripts/vm-run.sh runs every $(O)/selftests/*_test inside the test VM.

ST_OUT := $(O)/selftests

# The reference VMM's flags (vmm/vmm.mk) plus the tests' own fixtures.
ST_CFLAGS := $(VMM_CFLAGS) -I$(CURDIR)/selftests

ST_SRCS := $(wildcard selftests/*_test.c)
ST_PROGS := $(patsubst selftests/%.c,$(ST_OUT)/%,$(ST_SRCS))
ST_UTIL_OBJS := $(ST_OUT)/accel_test_util.o
ST_BPF_OBJS := $(filter $(O)/bpf/selftests/%,$(BPF_OBJS))

# What qemu_e2e_test.sh and qemu_diff_test.sh run in their nested guests.
ST_QEMU_GUEST := $(O)/qemu/clockcheck $(O)/qemu/ka_probe.ko

.PHONY: selftests
selftests: $(ST_PROGS) $(ST_BPF_OBJS) $(ST_QEMU_GUEST)

# Runs inside the nested guest's busybox initramfs: static.
$(O)/qemu/clockcheck: selftests/qemu_e2e/clockcheck.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -Wall -Wextra -static -o $@ $<

# The differential test's guest probe (qemu_diff_test.sh), a module for the
# nested guest, which runs the distribution's kernel whatever the test VM
# runs: built against the same headers as kvm_accel.ko, in a copy under
# $(O) so that kbuild writes nothing into the source tree (O= keeps an O
# given to make from reaching kbuild as its output directory).
$(O)/qemu/ka_probe.ko: selftests/qemu_e2e/ka_probe.c
	$(Q)mkdir -p $(O)/qemu/probe
	$(Q)cp $< $(O)/qemu/probe/ka_probe.c
	$(Q)echo 'obj-m := ka_probe.o' > $(O)/qemu/probe/Kbuild
	@echo "  KMOD    $@"
	+$(Q)$(MAKE) -C $(KDIR) M=$(abspath $(O))/qemu/probe O= W=1 modules >$(O)/qemu/probe/kbuild.log 2>&1 || \
		{ cat $(O)/qemu/probe/kbuild.log; exit 1; }
	$(Q)if grep -q 'warning:' $(O)/qemu/probe/kbuild.log; then \
		cat $(O)/qemu/probe/kbuild.log; echo "ka_probe: warnings are errors"; exit 1; fi
	$(Q)cp $(O)/qemu/probe/ka_probe.ko $@

$(ST_OUT)/%.o: selftests/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ST_CFLAGS) -c $< -o $@

# Device tests run the device slow paths (devices/*/) on the reference VMM.
$(ST_OUT)/%_test: $(ST_OUT)/%_test.o $(ST_UTIL_OBJS) $(VMM_LINK_DEPS)
	@echo "  LD      $@"
	$(Q)$(call vmm-link,$< $(ST_UTIL_OBJS))

# Objects of the tests stay for incremental builds.
.SECONDARY: $(patsubst %,%.o,$(ST_PROGS)) $(ST_UTIL_OBJS)

-include $(wildcard $(ST_OUT)/*.d)

# The Makefile's BPF rule knows only the shared headers.
$(ST_BPF_OBJS): $(wildcard selftests/progs/*.h)
