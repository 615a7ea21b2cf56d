# SPDX-License-Identifier: GPL-2.0
#
# QEMU with the kvm-accel patch series, included by the top-level Makefile.
#
#   make qemu    $(O)/qemu/qemu-system-x86_64 (scripts/qemu-build.sh: Debian's
#                QEMU 10.0.2 source + integrations/qemu/*.patch, cached in
#                $(KA_CACHE)/qemu) and the guest program of the end-to-end test
#   make vm-qemu $(O)/vm-qemu/qemu-system-x86_64, the test VM's emulator
#                (the same source + integrations/qemu-tcg/*.patch)

.PHONY: qemu vm-qemu

qemu: $(O)/libkvmaccel.a $(O)/qemu/clockcheck $(O)/qemu/ka_probe.ko \
	$(filter $(O)/bpf/devices/%,$(BPF_OBJS))
	$(Q)O=$(O) scripts/qemu-build.sh >/dev/null

# Runs inside the nested guest's busybox initramfs: static.
$(O)/qemu/clockcheck: selftests/qemu_e2e/clockcheck.c
	$(Q)mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -Wall -Wextra -static -o $@ $<

# The differential test's guest probe (qemu_diff_test.sh), a module for the
# nested guest, which runs the distribution's kernel whatever the test VM
# runs: built against the same headers as kvm_accel.ko, in a copy under
# $(O) so that kbuild writes nothing into the source tree.
$(O)/qemu/ka_probe.ko: selftests/qemu_e2e/ka_probe.c
	$(Q)mkdir -p $(O)/qemu/probe
	$(Q)cp $< $(O)/qemu/probe/ka_probe.c
	$(Q)echo 'obj-m := ka_probe.o' > $(O)/qemu/probe/Kbuild
	@echo "  KMOD    $@"
	$(Q)$(MAKE) -C $(KDIR) M=$(O)/qemu/probe W=1 modules >$(O)/qemu/probe/kbuild.log 2>&1 || \
		{ cat $(O)/qemu/probe/kbuild.log; exit 1; }
	$(Q)if grep -q 'warning:' $(O)/qemu/probe/kbuild.log; then \
		cat $(O)/qemu/probe/kbuild.log; echo "ka_probe: warnings are errors"; exit 1; fi
	$(Q)cp $(O)/qemu/probe/ka_probe.ko $@

# The emulator of the test VM (scripts/vm-run.sh), which needs nothing built.
vm-qemu:
	$(Q)O=$(O) scripts/qemu-build.sh vm >/dev/null
