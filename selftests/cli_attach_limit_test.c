// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the per-VM limit as the command line reports it.  With
 * KVM_ACCEL_MAX_PER_VM attachments on a VM, the last one made and pinned by
 * `kvm-accel attach --pin`, one more `kvm-accel attach` to that VM exits with
 * status 1 and says why: on stderr that the VM has the maximum number of
 * attachments, or with -j an {"error": ...} object on stdout.  It leaves
 * nothing attached and nothing pinned in /sys/fs/bpf/kvm-accel.  The
 * library, asked for the same one too many, returns -ENOSPC and no device,
 * the CLI's pinned attachment counting towards the limit like its own.
 * Once `kvm-accel detach` has freed a slot, the same command succeeds.
 * (attach_refused_test covers the library's -ENOSPC on its own.)
 */
#include <limits.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "kvm_accel_cli.h"

#define RANGE_BASE	0x6000
#define RANGE_LEN	0x10

/* The "id" of the JSON object @json, 0 if none. */
static __u32 json_id(const char *json)
{
	const char *p = strstr(json, "\"id\":");

	return p ? strtoul(p + strlen("\"id\":"), NULL, 10) : 0;
}

/*
 * `kvm-accel attach --pin` of the register-file device at @base to our VM:
 * pinned, it returns instead of holding the link in the foreground.
 */
static int cli_attach(char *out, size_t out_size, char *err, size_t err_size,
		      struct kvm_vm *vm, __u64 base, const char *extra)
{
	char obj[PATH_MAX];

	snprintf(obj, sizeof(obj), "%s", accel_obj_path(accel_pio.obj));
	return accel_cli(out, out_size, err, err_size,
			 "attach %s --pid %d --fd %d --base 0x%llx --len %d --pin %s",
			 obj, getpid(), vm->fd, base, RANGE_LEN, extra);
}

/*
 * The CLI loads and verifies the object on each of its 17 runs: seconds
 * each on the KASAN kernel of make debug-check, past the harness's default
 * 30 s.
 */
FIXTURE(cli) {};
FIXTURE_SETUP(cli) {}
FIXTURE_TEARDOWN(cli) {}

TEST_F_TIMEOUT(cli, attach_past_limit, 300)
{
	struct kvm_accel_dev *devs[KVM_ACCEL_MAX_PER_VM - 1], *dev;
	const __u64 last = RANGE_BASE + RANGE_LEN * (KVM_ACCEL_MAX_PER_VM - 1);
	const __u64 extra = RANGE_BASE + RANGE_LEN * KVM_ACCEL_MAX_PER_VM;
	int i, ret, pins, attached;
	char out[1024], err[1024];
	struct accel_refs before;
	struct kvm_vm *vm;
	__u32 id;

	TEST_REQUIRE(kvm_accel_module_loaded());
	before = accel_refs();
	pins = accel_dir_entries(KVM_ACCEL_PIN_DIR);
	attached = kvm_accel_list(NULL, 0);
	vm = vm_create(1);

	/* All slots but one through the library, the last one by the CLI. */
	for (i = 0; i < KVM_ACCEL_MAX_PER_VM - 1; i++) {
		ret = __accel_attach(vm->fd, accel_obj_path(accel_pio.obj),
				     accel_pio.bus, RANGE_BASE + RANGE_LEN * i,
				     RANGE_LEN, &devs[i]);
		ASSERT_EQ(ret, 0) {
			TH_LOG("attachment %d: %s", i, strerror(-ret));
		}
	}
	ASSERT_EQ(cli_attach(out, sizeof(out), err, sizeof(err), vm, last, "-j"), 0);
	id = json_id(out);
	ASSERT_GT(id, 0);
	ASSERT_EQ(accel_dir_entries(KVM_ACCEL_PIN_DIR), pins + 1);
	ASSERT_EQ(kvm_accel_list(NULL, 0), attached + KVM_ACCEL_MAX_PER_VM);

	/* One too many: a plain message and a hint on stderr. */
	ret = cli_attach(out, sizeof(out), err, sizeof(err), vm, extra, "");
	ASSERT_EQ(ret, KVM_ACCEL_EXIT_FAILURE);
	ASSERT_STREQ(out, "");
	ASSERT_NE(strstr(err, "kvm-accel: error: cannot attach: No space left on device"), NULL);
	ASSERT_NE(strstr(err, "maximum number of attachments"), NULL);

	/* The same as JSON, on stdout. */
	ret = cli_attach(out, sizeof(out), err, sizeof(err), vm, extra, "-j");
	ASSERT_EQ(ret, KVM_ACCEL_EXIT_FAILURE);
	ASSERT_NE(strstr(out, "{\"error\":\"cannot attach: No space left on device\"}"), NULL);

	/* The library, at the same limit. */
	dev = NULL;
	ret = __accel_attach(vm->fd, accel_obj_path(accel_pio.obj), accel_pio.bus,
			     extra, RANGE_LEN, &dev);
	ASSERT_EQ(ret, -ENOSPC);
	ASSERT_NULL(dev);

	/* Nothing new attached or pinned. */
	ASSERT_EQ(kvm_accel_list(NULL, 0), attached + KVM_ACCEL_MAX_PER_VM);
	ASSERT_EQ(accel_dir_entries(KVM_ACCEL_PIN_DIR), pins + 1);

	/* Detaching one frees a slot for the very same command. */
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", id), 0);
	ASSERT_EQ(accel_dir_entries(KVM_ACCEL_PIN_DIR), pins);
	ASSERT_EQ(cli_attach(out, sizeof(out), err, sizeof(err), vm, extra, "-j"), 0);
	id = json_id(out);
	ASSERT_GT(id, 0);
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", id), 0);

	for (i = 0; i < KVM_ACCEL_MAX_PER_VM - 1; i++)
		kvm_accel_detach(devs[i]);
	kvm_vm_free(vm);
	ASSERT_EQ(kvm_accel_list(NULL, 0), attached);
	ASSERT_EQ(accel_dir_entries(KVM_ACCEL_PIN_DIR), pins);
	ASSERT_TRUE(accel_wait_released(0, &before));
}

TEST_HARNESS_MAIN
