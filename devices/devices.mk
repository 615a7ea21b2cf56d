# SPDX-License-Identifier: GPL-2.0
#
# Userspace halves of the device fast paths: every devices/<name>/*.c that
# is not a BPF program is a device slow path on the reference VMM (vmm/).
# They are collected into $(O)/libkvmaccel-devices.a, which the VMM
# programs link (vmm/vmm.mk).  See devices/README.md for the files each
# device has.

DEV_SRCS := $(filter-out %.bpf.c,$(wildcard devices/*/*.c))
DEV_OBJS := $(patsubst devices/%.c,$(O)/devices/%.o,$(DEV_SRCS))
DEV_LIB := $(O)/libkvmaccel-devices.a

.PHONY: devices
devices: $(DEV_LIB) $(filter $(O)/bpf/devices/%,$(BPF_OBJS))

$(O)/devices/%.o: devices/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMM_CFLAGS) -c $< -o $@

$(DEV_LIB): $(DEV_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(wildcard $(O)/devices/*/*.d)

# The generic BPF rule knows only the shared headers; fast paths include
# their device's header too.
$(filter $(O)/bpf/devices/%,$(BPF_OBJS)): $(wildcard devices/*/*.h)
