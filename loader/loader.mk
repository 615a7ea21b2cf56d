# SPDX-License-Identifier: GPL-2.0
#
# libkvmaccel and the kvm-accel tool, included by the top-level Makefile
# (which provides O, Q, CC, USER_CFLAGS, USER_LDLIBS and LIBBPF_A).
#
#   $(O)/libkvmaccel.a   the library a VMM links (with libbpf, -lelf -lz)
#   $(O)/kvm-accel       the command line tool
#
# and what only the tests use (loader/tests/, never installed):
#
#   $(O)/loader/tests/fake_sysfs.so       LD_PRELOAD shim: a made-up
#                                         /sys/kernel/kvm_accel
#   $(O)/loader/tests/json_writer_test    unit test of the tool's JSON writer

.PHONY: loader

LOADER_HDRS := loader/libkvmaccel.h loader/kvm_accel_cli.h loader/json_writer.h \
	include/kvm_accel_abi.h
LIBKVMACCEL_OBJS := $(O)/loader/libkvmaccel.o
KVM_ACCEL_CLI_OBJS := $(O)/loader/kvm-accel.o $(O)/loader/json_writer.o
LOADER_TESTS := $(O)/loader/tests/fake_sysfs.so $(O)/loader/tests/json_writer_test

# The kernel's own UAPI headers: the distribution's linux/bpf.h may predate
# what libbpf 1.5 and the module use (BPF_F_LINK, link detach).
LOADER_CFLAGS := $(USER_CFLAGS) -I$(UAPI_INC) -D_GNU_SOURCE

loader: $(O)/libkvmaccel.a $(O)/kvm-accel $(LOADER_TESTS)

# Position independent, so the archive can go into a VMM's shared object.
$(O)/loader/%.o: loader/%.c $(LOADER_HDRS)
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(LOADER_CFLAGS) -fPIC -c $< -o $@

$(O)/libkvmaccel.a: $(LIBKVMACCEL_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(O)/kvm-accel: $(KVM_ACCEL_CLI_OBJS) $(O)/libkvmaccel.a $(LIBBPF_A)
	@echo "  LD      $@"
	$(Q)$(CC) $(LOADER_CFLAGS) -o $@ $(KVM_ACCEL_CLI_OBJS) $(O)/libkvmaccel.a $(USER_LDLIBS)

$(O)/loader/tests/fake_sysfs.so: loader/tests/fake_sysfs.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(LOADER_CFLAGS) -fPIC -shared -o $@ $< -ldl

$(O)/loader/tests/json_writer_test: loader/tests/json_writer_test.c $(O)/loader/json_writer.o \
		loader/json_writer.h
	$(Q)mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LOADER_CFLAGS) -o $@ $< $(O)/loader/json_writer.o
