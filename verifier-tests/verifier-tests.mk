# SPDX-License-Identifier: GPL-2.0
#
# verifier-tests: included by the top-level Makefile.  The *.bpf.c programs
# under verifier-tests/ are compiled by the generic BPF rule there (into
# $(O)/bpf/verifier-tests/); this adds the runner that loads them.  Run in
# the test VM:
#
#   verifier_runner $(O)/bpf/verifier-tests $(O)/bpf/devices

.PHONY: verifier-tests

VERIFIER_RUNNER := $(O)/verifier-tests/verifier_runner

verifier-tests: $(VERIFIER_RUNNER) $(filter $(O)/bpf/verifier-tests/% $(O)/bpf/devices/%,$(BPF_OBJS))

# The annotations live in the programs' BTF: they depend on the header too.
$(filter $(O)/bpf/verifier-tests/%,$(BPF_OBJS)): verifier-tests/verifier_tests.h

$(VERIFIER_RUNNER): verifier-tests/verifier_runner.c include/kvm_accel_abi.h $(LIBBPF_A)
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LDLIBS)
