// SPDX-License-Identifier: GPL-2.0
/* Version 2 of the lifecycle test device: reads carry tag 2. */
#define LIFECYCLE_VERSION	2
#include "lifecycle_ops.bpf.h"
