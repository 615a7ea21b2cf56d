// SPDX-License-Identifier: GPL-2.0
/* The register-file test device on REGFILE_PIO_LEN ports. */
#include "regfile_ops.bpf.h"

KVM_ACCEL(regfile_pio, KVM_ACCEL_BUS_PIO, REGFILE_PIO_BASE, REGFILE_PIO_LEN,
	  .read = (void *)regfile_read,
	  .write = (void *)regfile_write);
