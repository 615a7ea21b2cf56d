# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks run by `make bench` (scripts/bench.sh, inside the test VM,
# or natively with scripts/bench.sh --native).  Like the demos they are KVM
# selftests-style VMMs, built with the selftests' flags and libraries
# (selftests/selftests.mk); every bench/<x>_bench.c becomes
# $(O)/bench/<x>_bench.  Their programs are bench/progs/*.bpf.c.

BENCH_SRCS := $(wildcard bench/*_bench.c)
BENCH_PROGS := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRCS))

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS) $(filter $(O)/bpf/bench/%,$(BPF_OBJS))

$(O)/bench/%.o: bench/%.c $(wildcard bench/*.h)
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ST_CFLAGS) -I$(CURDIR)/bench -c $< -o $@

$(O)/bench/%_bench: $(O)/bench/%_bench.o $(ST_UTIL_OBJS) $(LIBKVM_STRING_OBJ) \
		   $(ST_OUT)/libkvm.a $(O)/libkvmaccel.a $(DEV_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(KVM_ST_LDFLAGS) $(filter %.o,$^) $(DEV_LIB) $(O)/libkvmaccel.a \
		$(ST_OUT)/libkvm.a $(USER_LDLIBS) -ldl -lm -o $@

.SECONDARY: $(patsubst %,%.o,$(BENCH_PROGS))
