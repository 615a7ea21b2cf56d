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

.PHONY: selftests
selftests: $(ST_PROGS) $(ST_BPF_OBJS)

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
