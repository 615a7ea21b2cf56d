# SPDX-License-Identifier: GPL-2.0
#
# The demo programs run by `make demo` (scripts/demo.sh, inside the test VM).
# They are VMMs on the reference VMM (vmm/vmm.mk).

DEMO_SRCS := $(wildcard demo/*_demo.c)
DEMO_PROGS := $(patsubst demo/%.c,$(O)/demo/%,$(DEMO_SRCS))

.PHONY: demo-progs
demo-progs: $(DEMO_PROGS) $(filter $(O)/bpf/demo/%,$(BPF_OBJS))

$(O)/demo/%.o: demo/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMM_CFLAGS) -c $< -o $@

$(O)/demo/%_demo: $(O)/demo/%_demo.o $(VMM_LINK_DEPS)
	@echo "  LD      $@"
	$(Q)$(call vmm-link,$<)

.SECONDARY: $(patsubst %,%.o,$(DEMO_PROGS))

-include $(wildcard $(O)/demo/*.d)
