# SPDX-License-Identifier: GPL-2.0
#
# KVM selftests of kvm-accel, included by the top-level Makefile.
#
# The KVM selftests library (tools/testing/selftests/kvm/lib of the kernel
# source tree in the cache) is built out of tree into $(O)/selftests/libkvm.a
# with the flags of its own Makefile, then every selftests/<name>_test.c is
# linked against it, libkvmaccel and libbpf into $(O)/selftests/<name>_test.
# scripts/vm-run.sh runs every $(O)/selftests/*_test inside the test VM.

KVM_ST := $(KSRC)/tools/testing/selftests/kvm
ST_OUT := $(O)/selftests
LIBKVM_OUT := $(ST_OUT)/libkvm

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

# Our tests: the same flags plus libbpf, the ABI, libkvmaccel and the
# selftests' own helpers.
ST_CFLAGS := $(KVM_ST_CFLAGS) -Wextra -Wno-unused-parameter \
	-Wno-sign-compare -Wno-missing-field-initializers -Wno-clobbered \
	-I$(LIBBPF_INC) -I$(CURDIR)/include -I$(CURDIR)/loader -I$(CURDIR)/selftests \
	-I$(CURDIR)/devices

ST_SRCS := $(wildcard selftests/*_test.c)
ST_PROGS := $(patsubst selftests/%.c,$(ST_OUT)/%,$(ST_SRCS))
ST_UTIL_OBJS := $(ST_OUT)/accel_test_util.o
ST_BPF_OBJS := $(filter $(O)/bpf/selftests/%,$(BPF_OBJS))

.PHONY: selftests
selftests: $(ST_PROGS) $(ST_BPF_OBJS)

$(ST_OUT)/libkvm.a: $(LIBKVM_OBJS)
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

$(ST_OUT)/%.o: selftests/%.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ST_CFLAGS) -c $< -o $@

# The device models (devices/*/, $(DEV_LIB)) are linked too: device tests
# run them as the VMM's slow path.
$(ST_OUT)/%_test: $(ST_OUT)/%_test.o $(ST_UTIL_OBJS) $(LIBKVM_STRING_OBJ) \
		  $(ST_OUT)/libkvm.a $(O)/libkvmaccel.a $(DEV_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(KVM_ST_LDFLAGS) $(filter %.o,$^) $(DEV_LIB) $(O)/libkvmaccel.a \
		$(ST_OUT)/libkvm.a $(USER_LDLIBS) -ldl -lm -o $@

# Objects of the tests stay for incremental builds.
.SECONDARY: $(patsubst %,%.o,$(ST_PROGS)) $(ST_UTIL_OBJS)

-include $(wildcard $(LIBKVM_OUT)/*.d $(LIBKVM_OUT)/x86_64/*.d $(ST_OUT)/*.d)

# The Makefile's BPF rule knows only the shared headers.
$(ST_BPF_OBJS): $(wildcard selftests/progs/*.h)
