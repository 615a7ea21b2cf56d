# SPDX-License-Identifier: GPL-2.0
#
# QEMU with the kvm-accel patch series, included by the top-level Makefile.
#
#   make qemu    $(O)/qemu/qemu-system-x86_64 (scripts/qemu-build.sh: Debian's
#                QEMU 10.0.2 source + integrations/qemu/*.patch, cached in
#                $(KA_CACHE)/qemu).  What the QEMU tests run in their nested
#                guests is built with the selftests (selftests/selftests.mk).
#   make vm-qemu $(O)/vm-qemu/qemu-system-x86_64, the test VM's emulator
#                (the same source + integrations/qemu-tcg/*.patch)

.PHONY: qemu vm-qemu

qemu: $(O)/libkvmaccel.a $(filter $(O)/bpf/devices/%,$(BPF_OBJS))
	$(Q)O=$(O) scripts/qemu-build.sh >/dev/null

# The emulator of the test VM (scripts/vm-run.sh), which needs nothing built.
vm-qemu:
	$(Q)O=$(O) scripts/qemu-build.sh vm >/dev/null
