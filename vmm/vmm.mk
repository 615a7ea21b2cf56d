# SPDX-License-Identifier: GPL-2.0
#
# The reference VMM (vmm/), included by the top-level Makefile.
#
# It runs guests through the KVM selftests library (tools/testing/selftests/
# kvm/lib of the kernel source tree in the cache), which is built out of
# tree into $(O)/vmm/libkvm.a with the flags of its own Makefile; vmm/*.c
# become $(O)/vmm/libvmm.a.  Every VMM program here (selftests, demos,
# benchmarks) is compiled with $(VMM_CFLAGS) and linked with
# $(call vmm-link,OBJECTS), which adds the device slow paths, the VMM,
# libkvmaccel and the KVM library.

KVM_ST := $(KSRC)/tools/testing/selftests/kvm
LIBKVM_OUT := $(O)/vmm/libkvm
LIBKVM_A := $(O)/vmm/libkvm.a

# The x86_64 part of LIBKVM in $(KVM_ST)/Makefile.  memstress, userfaultfd,
# SEV, Hyper-V and nested virtualisation support are not used here.
LIBKVM_SRCS := assert.c elf.c guest_modes.c guest_sprintf.c io.c kvm_util.c \
	rbtree.c sparsebit.c test_util.c ucall_common.c \
	x86_64/apic.c x86_64/handlers.S x86_64/hyperv.c x86_64/pmu.c \
	x86_64/processor.c x86_64/sev.c x86_64/svm.c x86_64/ucall.c x86_64/vmx.c
LIBKVM_OBJS := $(addprefix $(LIBKVM_OUT)/,$(addsuffix .o,$(basename $(LIBKVM_SRCS))))
# Linked as an object, not from the archive, so that it overrides the C
# library's string functions in guest code, as upstream links it.
LIBKVM_STRING_OBJ := $(LIBKVM_OUT)/string_override.o

# Mirrors CFLAGS of $(KVM_ST)/Makefile and ../lib.mk; the UAPI headers of
# the cache stand in for the tree's 'make headers_install' output.
KVM_ST_CFLAGS := -D_GNU_SOURCE= -Wno-address-of-packed-member -Wall -Wstrict-prototypes -Wuninitialized -O2 -g -std=gnu99 \
	-MD -MP -DCONFIG_64BIT -U_FORTIFY_SOURCE \
	-fno-builtin-memcmp -fno-builtin-memcpy -fno-builtin-memset \
	-fno-builtin-strnlen -fno-stack-protector -fno-PIE -fno-strict-aliasing \
	-march=x86-64-v2 \
	-I$(KSRC)/tools/include -I$(KSRC)/tools/arch/x86/include \
	-I$(KVM_ST)/include -I$(KVM_ST)/include/x86_64 \
	-I$(KSRC)/tools/testing/selftests/rseq -I$(KSRC)/tools/testing/selftests \
	-isystem $(UAPI_INC)
KVM_ST_LDFLAGS := -pthread -no-pie

# VMM programs and the device slow paths: the same flags plus libbpf, the
# ABI, libkvmaccel, the devices' headers, the shared-memory vocabulary
# their NAME_access.h use (bpf/kvm_accel_atomics.h) and vmm/.
VMM_CFLAGS := $(KVM_ST_CFLAGS) -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -Wno-missing-field-initializers -Wno-clobbered \
	-I$(LIBBPF_INC) -I$(CURDIR)/include -I$(CURDIR)/loader -I$(CURDIR) \
	-I$(CURDIR)/devices -I$(CURDIR)/vmm -I$(CURDIR)/bpf

VMM_SRCS := $(wildcard vmm/*.c)
VMM_OBJS := $(patsubst vmm/%.c,$(O)/vmm/%.o,$(VMM_SRCS))
VMM_LIB := $(O)/vmm/libvmm.a

# What a VMM program links after its own objects, in link order, and the
# rule's command.
VMM_LINK_DEPS := $(LIBKVM_STRING_OBJ) $(DEV_LIB) $(VMM_LIB) $(O)/libkvmaccel.a $(LIBKVM_A)
vmm-link = $(CC) $(KVM_ST_LDFLAGS) $(1) $(VMM_LINK_DEPS) $(USER_LDLIBS) -ldl -lm -o $@

.PHONY: vmm
vmm: $(VMM_LIB)

$(LIBKVM_A): $(LIBKVM_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBKVM_OUT)/%.o: $(KVM_ST)/lib/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(KVM_ST_CFLAGS) -c $< -o $@

$(LIBKVM_OUT)/%.o: $(KVM_ST)/lib/%.S
	$(Q)mkdir -p $(@D)
	@echo "  AS      $@"
	$(Q)$(CC) $(KVM_ST_CFLAGS) -c $< -o $@

# Freestanding, or the compiler may turn memcpy() into a call to itself.
$(LIBKVM_STRING_OBJ): $(KVM_ST)/lib/string_override.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(KVM_ST_CFLAGS) -ffreestanding -c $< -o $@

$(O)/vmm/%.o: vmm/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMM_CFLAGS) -c $< -o $@

$(VMM_LIB): $(VMM_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(wildcard $(LIBKVM_OUT)/*.d $(LIBKVM_OUT)/x86_64/*.d $(O)/vmm/*.d)
