// SPDX-License-Identifier: GPL-2.0
/* Version 1 of the lifecycle test device: reads carry tag 1. */
#define LIFECYCLE_VERSION	1
#include "lifecycle_ops.bpf.h"
