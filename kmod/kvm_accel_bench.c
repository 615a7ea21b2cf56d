// SPDX-License-Identifier: GPL-2.0
/*
 * The bench_stage module parameter of the benchmark build (`make
 * kmod-bench`; kvm_accel_bench.h says what the stages are).  Root only:
 * a stage makes every attachment of every VM answer its accesses without
 * its programs, which is only right for VMs made to be measured.  The
 * release module has no such parameter (scripts/host-checks.sh checks it).
 */
#include <linux/kstrtox.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include "kvm_accel_bench.h"

DEFINE_STATIC_KEY_FALSE(kvm_accel_bench_key);
int kvm_accel_bench_stage;
static DEFINE_MUTEX(kvm_accel_bench_lock);

static int kvm_accel_bench_set(const char *val, const struct kernel_param *kp)
{
	int stage, ret;

	ret = kstrtoint(val, 0, &stage);
	if (ret)
		return ret;
	if (stage < KVM_ACCEL_BENCH_OFF || stage > KVM_ACCEL_BENCH_MAX)
		return -EINVAL;
	/* Serialise the key with the value so that both always agree. */
	mutex_lock(&kvm_accel_bench_lock);
	WRITE_ONCE(kvm_accel_bench_stage, stage);
	if (stage && !static_key_enabled(&kvm_accel_bench_key))
		static_branch_enable(&kvm_accel_bench_key);
	else if (!stage && static_key_enabled(&kvm_accel_bench_key))
		static_branch_disable(&kvm_accel_bench_key);
	mutex_unlock(&kvm_accel_bench_lock);
	return 0;
}

static const struct kernel_param_ops kvm_accel_bench_ops = {
	.set = kvm_accel_bench_set,
	.get = param_get_int,
};

module_param_cb(bench_stage, &kvm_accel_bench_ops, &kvm_accel_bench_stage, 0600);
MODULE_PARM_DESC(bench_stage,
		 "benchmarks only: 1 stop at the io device, 2 skip the program (default 0)");
