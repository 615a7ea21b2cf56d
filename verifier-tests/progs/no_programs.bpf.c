// SPDX-License-Identifier: GPL-2.0
/*
 * An accelerator with neither a read nor a write program would only add a
 * bus device that declines everything: validate() refuses it.  The
 * annotations sit on the map, the object's only declaration.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__description("an accelerator without programs is refused at attach")
__attach_errno(EINVAL)
KVM_ACCEL(no_programs, KVM_ACCEL_BUS_PIO, 0x1f0, 8);
