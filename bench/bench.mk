# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks run by `make bench` (scripts/bench.sh, inside the test VM,
# or natively with scripts/bench.sh --native).  Like the demos they are VMMs
# on the reference VMM (vmm/vmm.mk); every bench/<x>_bench.c becomes
# $(O)/bench/<x>_bench.  Their programs are bench/progs/*.bpf.c.

BENCH_SRCS := $(wildcard bench/*_bench.c)
BENCH_PROGS := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRCS))

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS) $(filter $(O)/bpf/bench/%,$(BPF_OBJS))

$(O)/bench/%.o: bench/%.c $(wildcard bench/*.h)
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMM_CFLAGS) -I$(CURDIR)/bench -c $< -o $@

$(O)/bench/%_bench: $(O)/bench/%_bench.o $(VMM_LINK_DEPS)
	@echo "  LD      $@"
	$(Q)$(call vmm-link,$<)

.SECONDARY: $(patsubst %,%.o,$(BENCH_PROGS))

-include $(wildcard $(O)/bench/*.d)
