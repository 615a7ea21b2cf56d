// SPDX-License-Identifier: GPL-2.0
/*
 * The register-file device declared without a link: its map sits in
 * SEC(".struct_ops"), so libbpf attaches it with a plain map update.  The
 * module must refuse that (-EOPNOTSUPP), because nothing could ever detach
 * such an attachment.  Only attach_refused_test loads it, with plain libbpf.
 */
#include "regfile_ops.bpf.h"

SEC(".struct_ops") struct kvm_accel_ops regfile_linkless = {
	.read = (void *)regfile_read,
	.write = (void *)regfile_write,
	.bus = KVM_ACCEL_BUS_PIO,
	.base = REGFILE_PIO_BASE,
	.len = REGFILE_PIO_LEN,
	.name = "regfile_linkless",
};
