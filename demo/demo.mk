# SPDX-License-Identifier: GPL-2.0
#
# The demo programs run by `make demo` (scripts/demo.sh, inside the test VM).
# They are KVM selftests-style VMMs, built with the selftests' flags and
# libraries (selftests/selftests.mk).

DEMO_SRCS := $(wildcard demo/*_demo.c)
DEMO_PROGS := $(patsubst demo/%.c,$(O)/demo/%,$(DEMO_SRCS))

.PHONY: demo-progs
demo-progs: $(DEMO_PROGS) $(filter $(O)/bpf/demo/%,$(BPF_OBJS))

$(O)/demo/%.o: demo/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ST_CFLAGS) -c $< -o $@

$(O)/demo/%_demo: $(O)/demo/%_demo.o $(ST_UTIL_OBJS) $(LIBKVM_STRING_OBJ) \
		  $(ST_OUT)/libkvm.a $(O)/libkvmaccel.a $(DEV_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(KVM_ST_LDFLAGS) $(filter %.o,$^) $(DEV_LIB) $(O)/libkvmaccel.a \
		$(ST_OUT)/libkvm.a $(USER_LDLIBS) -ldl -lm -o $@

.SECONDARY: $(patsubst %,%.o,$(DEMO_PROGS))
