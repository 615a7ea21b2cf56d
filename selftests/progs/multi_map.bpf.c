// SPDX-License-Identifier: GPL-2.0
/*
 * The register-file test device on two port ranges, as a device with
 * several ranges is built (IDE: command block and control port): two
 * kvm_accel_ops maps in one object over one register file.  Both ranges
 * answer offset o from register o.  A third map, multi_spare, is never
 * attached by multi_map_test: only the maps named are.
 */
#include "regfile_ops.bpf.h"
#include "multi_map.h"

KVM_ACCEL(multi_a, KVM_ACCEL_BUS_PIO, MULTI_A_BASE, MULTI_LEN,
	  .read = (void *)regfile_read,
	  .write = (void *)regfile_write);

KVM_ACCEL(multi_b, KVM_ACCEL_BUS_PIO, MULTI_B_BASE, MULTI_LEN,
	  .read = (void *)regfile_read,
	  .write = (void *)regfile_write);

KVM_ACCEL(multi_spare, KVM_ACCEL_BUS_PIO, MULTI_A_BASE, MULTI_LEN,
	  .read = (void *)regfile_read);
