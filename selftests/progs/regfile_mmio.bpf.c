// SPDX-License-Identifier: GPL-2.0
/* The register-file test device on an unbacked guest physical range. */
#include "regfile_ops.bpf.h"

KVM_ACCEL(regfile_mmio, KVM_ACCEL_BUS_MMIO, REGFILE_MMIO_BASE, REGFILE_MMIO_LEN,
	  .read = (void *)regfile_read,
	  .write = (void *)regfile_write);
