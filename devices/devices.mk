# SPDX-License-Identifier: GPL-2.0
#
# Userspace halves of the device fast paths: every devices/<name>/*.c that
# is not a BPF program is plain C a VMM can link.  They are collected into
# $(O)/libkvmaccel-devices.a, which the selftests and demos link.

DEV_SRCS := $(filter-out %.bpf.c,$(wildcard devices/*/*.c))
DEV_OBJS := $(patsubst devices/%.c,$(O)/devices/%.o,$(DEV_SRCS))
DEV_LIB := $(O)/libkvmaccel-devices.a

.PHONY: devices
devices: $(DEV_LIB) $(filter $(O)/bpf/devices/%,$(BPF_OBJS))

$(O)/devices/%.o: devices/%.c $(wildcard devices/*/*.h) include/kvm_accel_abi.h
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(USER_CFLAGS) -fPIC -Idevices -c $< -o $@

$(DEV_LIB): $(DEV_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The generic BPF rule knows only the shared headers; fast paths include
# their device's header too.
$(filter $(O)/bpf/devices/%,$(BPF_OBJS)): $(wildcard devices/*/*.h)
