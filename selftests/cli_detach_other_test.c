// SPDX-License-Identifier: GPL-2.0
/*
 * Guards `kvm-accel detach ID`: it acts only on a link that is a
 * kvm_accel attachment, judged from the link's fd, whatever the sysfs
 * directory says.  A struct_ops link of another type (a TCP congestion
 * control) is given a made-up attachment entry under its id (shown to the
 * tool as /sys/kernel/kvm_accel by the test-only LD_PRELOAD shim
 * fake_sysfs.so), as a stale or forged entry would be; detach must refuse
 * it, say so, and leave the link attached.
 */
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

static void write_file(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	TEST_ASSERT(f && fputs(val, f) >= 0 && !fclose(f), "%s: %s", path,
		    strerror(errno));
}

/* Whether link @fd still has its struct_ops map (a detached one has none). */
static bool link_attached(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	TEST_ASSERT_EQ(bpf_link_get_info_by_fd(fd, &info, &len), 0);
	TEST_ASSERT_EQ(info.type, BPF_LINK_TYPE_STRUCT_OPS);
	return info.struct_ops.map_id != 0;
}

TEST(detach_refuses_other_struct_ops_link)
{
	char fake[] = "/tmp/ka_sysfs.XXXXXX", entry[PATH_MAX], id_str[16];
	char out[4096], err[4096], env[PATH_MAX + 32], shim[PATH_MAX];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	struct bpf_object *obj;
	struct bpf_link *link;
	struct bpf_map *map;
	int ret;

	obj = bpf_object__open_file(accel_obj_path("other_struct_ops.bpf.o"), NULL);
	ASSERT_EQ(libbpf_get_error(obj), 0);
	ASSERT_EQ(bpf_object__load(obj), 0);
	map = bpf_object__find_map_by_name(obj, "ka_not_accel");
	ASSERT_NE(map, NULL);
	link = bpf_map__attach_struct_ops(map);
	ASSERT_EQ(libbpf_get_error(link), 0);
	ASSERT_EQ(bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len), 0);
	ASSERT_TRUE(link_attached(bpf_link__fd(link)));

	/* An attachment entry for its id, as the module lays them out. */
	ASSERT_NE(mkdtemp(fake), NULL);
	snprintf(entry, sizeof(entry), "%s/1", fake);
	ASSERT_EQ(mkdir(entry, 0755), 0);
	snprintf(id_str, sizeof(id_str), "%u\n", info.id);
	write_file(entry, "link_id", id_str);
	write_file(entry, "name", "ide\n");
	write_file(entry, "bus", "pio\n");
	write_file(entry, "base", "0x1f0\n");
	write_file(entry, "length", "8\n");
	write_file(entry, "vm_pid", "1\n");
	write_file(entry, "state", "live\n");
	write_file(entry, "handled", "0\n");
	write_file(entry, "exits", "0\n");
	write_file(entry, "errors", "0\n");

	snprintf(shim, sizeof(shim), "%s", accel_build_path("loader/tests/fake_sysfs.so"));
	ASSERT_EQ(setenv("KA_FAKE_SYSFS", fake, 1), 0);
	ASSERT_EQ(setenv("LD_PRELOAD", shim, 1), 0);
	ret = accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", info.id);
	EXPECT_EQ(ret, 6);
	EXPECT_NE(strstr(err, "is not a kvm_accel attachment"), NULL);
	EXPECT_TRUE(link_attached(bpf_link__fd(link)));

	/* A link that is detached already is no kvm_accel attachment either. */
	ASSERT_EQ(bpf_link__detach(link), 0);
	ret = accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", info.id);
	EXPECT_EQ(ret, 6);

	unsetenv("LD_PRELOAD");
	unsetenv("KA_FAKE_SYSFS");
	bpf_link__destroy(link);
	bpf_object__close(obj);
	snprintf(env, sizeof(env), "rm -rf %s", fake);
	ASSERT_EQ(system(env), 0);
}

TEST_HARNESS_MAIN
