// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libkvmaccel: open an accelerator object, point its kvm_accel_ops map at a
 * VM, load it, attach it through a BPF link, and map its register file.
 *
 * The kvm_accel_ops data members (vm_fd, bus, base, len, eventfds) are
 * written into the user-side copy of the struct_ops map that libbpf keeps
 * between open and load.  That copy is laid out as the object's own BTF
 * describes kvm_accel_ops, which need not match any C struct compiled into
 * this library, so members are found by name through the object's BTF.
 *
 * Everything here reports errors as negative errno values.  Object errors
 * are normalised (missing file, unreadable, not BPF, not an accelerator) so
 * a caller can tell "wrong file" apart from "kernel said no".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libkvmaccel.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* An opts field, or @def if the caller's struct is too old to have it. */
#define OPT(opts, field, def)						\
	((opts) && (opts)->sz >= offsetofend(typeof(*(opts)), field) ?	\
	 (opts)->field : (def))

/*
 * libbpf's OPTS rule: a caller built against a newer header may pass a
 * bigger struct, as long as the fields this library does not know are zero.
 */
static bool opts_valid(const struct kvm_accel_attach_opts *opts)
{
	const char *p;
	size_t i;

	if (!opts)
		return true;
	if (opts->sz < offsetofend(struct kvm_accel_attach_opts, sz))
		return false;
	for (p = (const char *)opts, i = sizeof(*opts); i < opts->sz; i++)
		if (p[i])
			return false;
	return true;
}

/* One register file mapping made by kvm_accel_regfile(). */
struct kvm_accel_mapping {
	__u32 map_id;		/* kernel map id: stable across kvm_accel_update() */
	void *addr;
	size_t mmap_sz;
	size_t size;		/* what the caller was told */
};

/* One kvm_accel_ops map of a device, and its attachment. */
struct kvm_accel_range {
	struct bpf_map *map;		/* in the device's object */
	__u32 nr_members;		/* of the object's kvm_accel_ops */
	char *name;			/* the map's: kept across updates */
	struct bpf_link *link;		/* NULL until attached; knows its pin */
	__u32 bus;
	__u64 base;
	__u64 len;
	bool base_given;		/* @base is meant (settled at open) */
	__u64 budget[3];		/* budget_ns, window_ns, window_budget_ns */
};

struct kvm_accel_dev {
	struct bpf_object *obj;
	struct kvm_accel_range ranges[KVM_ACCEL_MAX_MAPS];
	__u32 nr_ranges;
	bool attached;			/* every range has its link */
	int vm_fd;			/* the caller's, not owned */
	__u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char *pin_path;			/* from the options, applied on attach */
	struct kvm_accel_mapping *mappings;
	size_t nr_mappings;
};

/* ---------------------------------------------------------------------- */
/* sysfs */

int kvm_accel_module_loaded(void)
{
	struct stat st;

	return stat(KVM_ACCEL_SYSFS_DIR, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Attachment directories are numbered by the module, which cannot name
 * them by link id (the link gets its id only after reg() returns), and
 * hold the link id in a link_id file.
 */

/* Read file @attr of attachment directory @ent into @buf, without the newline. */
static int read_attr(const char *ent, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/%s/%s", KVM_ACCEL_SYSFS_DIR, ent, attr) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT && !kvm_accel_module_loaded())
			return -ENODEV;
		return err;
	}
	n = read(fd, buf, size - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* A decimal or 0x-prefixed number, all of @s. */
static int parse_u64(const char *s, __u64 *val)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EPROTO;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EPROTO;
	*val = v;
	return 0;
}

static int read_attr_u64(const char *ent, const char *attr, __u64 *val)
{
	char buf[64];
	int err;

	err = read_attr(ent, attr, buf, sizeof(buf));
	return err ?: parse_u64(buf, val);
}

/* The link id of directory @ent; 0 while the link is being created. */
static int entry_link_id(const char *ent, __u32 *id)
{
	__u64 v;
	int err;

	err = read_attr_u64(ent, "link_id", &v);
	if (err)
		return err;
	if (v > UINT32_MAX)
		return -EPROTO;
	*id = v;
	return 0;
}

/* The directory of attachment @link_id, into @ent. */
static int find_attachment(__u32 link_id, char *ent, size_t size)
{
	struct dirent *de;
	__u32 id;
	DIR *dir;
	int err = -ENOENT;

	if (!link_id)
		return -ENOENT;
	dir = opendir(KVM_ACCEL_SYSFS_DIR);
	if (!dir)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= size)
			continue;
		if (!entry_link_id(de->d_name, &id) && id == link_id) {
			strcpy(ent, de->d_name);
			err = 0;
			break;
		}
	}
	closedir(dir);
	return err;
}

static int read_counters(const char *ent, struct kvm_accel_counters *c)
{
	int err;

	err = read_attr_u64(ent, "handled", &c->handled);
	err = err ?: read_attr_u64(ent, "exits", &c->exits);
	err = err ?: read_attr_u64(ent, "errors", &c->errors);
	return err;
}

/* An attachment's state file: "live" or "defunct". */
static int parse_state(const char *s, __u32 *state)
{
	if (!strcmp(s, "live"))
		*state = KVM_ACCEL_STATE_LIVE;
	else if (!strcmp(s, "defunct"))
		*state = KVM_ACCEL_STATE_DEFUNCT;
	else
		return -EPROTO;
	return 0;
}

static bool entry_exists(const char *ent)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", KVM_ACCEL_SYSFS_DIR, ent);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int read_state(const char *ent, __u32 *state)
{
	char buf[32];
	int err;

	err = read_attr(ent, "state", buf, sizeof(buf));
	/* A module older than defunct attachments has no such file. */
	if (err == -ENOENT && entry_exists(ent)) {
		*state = KVM_ACCEL_STATE_LIVE;
		return 0;
	}
	return err ?: parse_state(buf, state);
}

int kvm_accel_read_counters(__u32 link_id, struct kvm_accel_counters *c)
{
	struct kvm_accel_counters tmp;
	char ent[NAME_MAX + 1];
	int err;

	if (!c)
		return -EINVAL;
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	err = find_attachment(link_id, ent, sizeof(ent));
	err = err ?: read_counters(ent, &tmp);
	if (err)
		return err;
	*c = tmp;
	return 0;
}

/*
 * The "budget" and "disabled" files (kvm_accel_sysfs.c); a module without
 * them has no budget: all zero.
 */
static int read_budget(const char *ent, struct kvm_accel_budget_state *b)
{
	static const char *const why[] = { "no", "call", "window" };
	char buf[512], word[16], *tok, *save;
	unsigned long long v;
	int err;
	__u32 i;

	memset(b, 0, sizeof(*b));
	err = read_attr(ent, "budget", buf, sizeof(buf));
	if (err == -ENOENT && entry_exists(ent))
		return 0;
	if (err)
		return err;
	if (sscanf(buf, "call_ns=%llu window_ns=%llu window_budget_ns=%llu",
		   (unsigned long long *)&b->budget_ns, (unsigned long long *)&b->window_ns,
		   (unsigned long long *)&b->window_budget_ns) != 3)
		return -EPROTO;
	err = read_attr(ent, "disabled", buf, sizeof(buf));
	if (err)
		return err;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (sscanf(tok, "last=%15s", word) == 1 || !strchr(tok, '=')) {
			const char *w = strchr(tok, '=') ? word : tok;

			for (i = 0; i < 3 && strcmp(w, why[i]); i++)
				;
			if (i == 3)
				return -EPROTO;
			if (strchr(tok, '='))
				b->reason = i;
			else
				b->disabled = i;
		} else if (!strcmp(tok, "prog=write")) {
			b->is_write = 1;
		} else if (sscanf(tok, "when_ns=%llu", &v) == 1) {
			b->when_ns = v;
		} else if (sscanf(tok, "time_ns=%llu", &v) == 1) {
			b->time_ns = v;
		} else if (sscanf(tok, "budget_ns=%llu", &v) == 1) {
			b->limit_ns = v;
		} else if (sscanf(tok, "vcpu=%llu", &v) == 1) {
			b->vcpu_id = v;
		} else if (sscanf(tok, "addr=%llx", &v) == 1) {
			b->addr = v;
		} else if (sscanf(tok, "trips=%llu", &v) == 1) {
			b->trips = v;
		}
	}
	return 0;
}

int kvm_accel_read_budget(__u32 link_id, struct kvm_accel_budget_state *b)
{
	struct kvm_accel_budget_state tmp;
	char ent[NAME_MAX + 1];
	int err;

	if (!b)
		return -EINVAL;
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	err = find_attachment(link_id, ent, sizeof(ent));
	err = err ?: read_budget(ent, &tmp);
	if (err)
		return err;
	*b = tmp;
	return 0;
}

int kvm_accel_read_info(__u32 link_id, struct kvm_accel_info *info)
{
	struct kvm_accel_info tmp = { .link_id = link_id };
	char ent[NAME_MAX + 1], buf[64];
	__u64 pid;
	int err;

	if (!info)
		return -EINVAL;
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	err = find_attachment(link_id, ent, sizeof(ent));
	err = err ?: read_attr(ent, "name", tmp.name, sizeof(tmp.name));
	err = err ?: read_attr(ent, "bus", buf, sizeof(buf));
	if (err)
		return err;
	if (!strcmp(buf, "pio"))
		tmp.bus = KVM_ACCEL_BUS_PIO;
	else if (!strcmp(buf, "mmio"))
		tmp.bus = KVM_ACCEL_BUS_MMIO;
	else
		return -EPROTO;
	err = read_attr_u64(ent, "base", &tmp.base);
	err = err ?: read_attr_u64(ent, "length", &tmp.len);
	err = err ?: read_attr_u64(ent, "vm_pid", &pid);
	err = err ?: read_state(ent, &tmp.state);
	err = err ?: read_counters(ent, &tmp.counters);
	err = err ?: read_budget(ent, &tmp.budget);
	if (err)
		return err;
	if (pid > INT32_MAX)
		return -EPROTO;
	tmp.vm_pid = pid;
	*info = tmp;
	return 0;
}

/*
 * How often kvm_accel_pwait_defunct() looks whether the attachment still
 * exists: sysfs wakes no poller when it removes a file.
 */
#define WAIT_RECHECK_MS	1000

/* The state in the open state file @fd, read again from the start as sysfs wants. */
static int read_state_fd(int fd, __u32 *state)
{
	char buf[32];
	ssize_t n;

	/* A file sysfs removed meanwhile fails with ENODEV. */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return errno == ENODEV ? -ENOENT : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENODEV ? -ENOENT : -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return parse_state(buf, state);
}

/* Milliseconds from now until @end, rounded up; at most INT_MAX. */
static int ms_until(const struct timespec *end)
{
	struct timespec now;
	long long ns, ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (end->tv_sec - now.tv_sec) * 1000000000LL + end->tv_nsec - now.tv_nsec;
	if (ns <= 0)
		return 0;
	ms = (ns + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int kvm_accel_pwait_defunct(__u32 link_id, int timeout_ms, const sigset_t *sigmask)
{
	struct pollfd pfd = { .fd = -1, .events = POLLPRI };
	char ent[NAME_MAX + 1], path[PATH_MAX];
	struct timespec end = { 0 }, ts;
	__u32 state, id;
	int err, slice;

	if (!kvm_accel_module_loaded())
		return -ENODEV;
	err = find_attachment(link_id, ent, sizeof(ent));
	if (err)
		return err;
	if (snprintf(path, sizeof(path), "%s/%s/state", KVM_ACCEL_SYSFS_DIR, ent) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	/* No state file: an older module, whose attachments are always live. */
	pfd.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0 && errno != ENOENT)
		return -errno;
	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout_ms / 1000;
		end.tv_nsec += timeout_ms % 1000 * 1000000L;
		if (end.tv_nsec >= 1000000000L) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000L;
		}
	}

	/*
	 * Read, then poll: sysfs reports POLLPRI (and POLLERR) once the file
	 * was notified after the latest read, so a change between the two is
	 * not missed.  The directory is looked at each time, since its
	 * removal wakes nobody.
	 */
	for (;;) {
		/* Gone, or its directory number reused. */
		err = entry_link_id(ent, &id);
		if (!err && id != link_id)
			err = -ENOENT;
		if (err)
			break;
		if (pfd.fd >= 0) {
			err = read_state_fd(pfd.fd, &state);
			if (err)
				break;
			if (state == KVM_ACCEL_STATE_DEFUNCT)
				break;
		}
		slice = WAIT_RECHECK_MS;
		if (timeout_ms >= 0) {
			int left = ms_until(&end);

			if (!left) {
				err = -ETIMEDOUT;
				break;
			}
			if (left < slice)
				slice = left;
		}
		ts.tv_sec = slice / 1000;
		ts.tv_nsec = slice % 1000 * 1000000L;
		if (ppoll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0, &ts, sigmask) < 0) {
			err = -errno;
			break;
		}
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	return err;
}

int kvm_accel_wait_defunct(__u32 link_id, int timeout_ms)
{
	return kvm_accel_pwait_defunct(link_id, timeout_ms, NULL);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

int kvm_accel_list(__u32 *ids, size_t max)
{
	__u32 *all = NULL, *tmp;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int err = 0;

	if (!ids && max)
		return -EINVAL;
	dir = opendir(KVM_ACCEL_SYSFS_DIR);
	if (!dir)
		return errno == ENOENT ? -ENODEV : -errno;

	/* Skip what is no attachment, or one whose link is not settled yet. */
	while ((errno = 0, de = readdir(dir))) {
		__u32 id;

		if (de->d_name[0] == '.' || entry_link_id(de->d_name, &id) || !id)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(all, cap * sizeof(*all));
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			all = tmp;
		}
		all[n++] = id;
	}
	if (errno) {
		err = -errno;
		goto out;
	}
	if (n > INT_MAX) {
		err = -EOVERFLOW;
		goto out;
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_u32);
	if (max)
		memcpy(ids, all, (n < max ? n : max) * sizeof(*ids));
out:
	closedir(dir);
	free(all);
	return err ?: (int)n;
}

/* ---------------------------------------------------------------------- */
/* File descriptor checks */

static int check_fd_kind(int fd, const char *want)
{
	char path[64], target[64];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		/* No /proc: the kernel checks again anyway, let it decide. */
		if (access("/proc/self", F_OK))
			return 0;
		return -EBADF;
	}
	target[n] = '\0';
	return strcmp(target, want) ? -EBADF : 0;
}

int kvm_accel_check_vm_fd(int fd)
{
	return check_fd_kind(fd, "anon_inode:kvm-vm");
}

int kvm_accel_check_eventfd(int fd)
{
	return check_fd_kind(fd, "anon_inode:[eventfd]");
}

static int check_fds(const struct kvm_accel_dev *dev)
{
	__u32 i;
	int err;

	err = kvm_accel_check_vm_fd(dev->vm_fd);
	for (i = 0; !err && i < dev->nr_eventfds; i++)
		err = kvm_accel_check_eventfd(dev->eventfds[i]);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Messages */

static kvm_accel_print_fn_t print_fn;

kvm_accel_print_fn_t kvm_accel_set_print(kvm_accel_print_fn_t fn)
{
	kvm_accel_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

__attribute__((format(printf, 1, 2)))
static void pr_msg(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_fn(msg);
}

/* ---------------------------------------------------------------------- */
/* The kvm_accel_ops maps and their data members */

/*
 * The shadow type of kvm_accel_ops: a map's value as libbpf keeps it
 * between open and load and returns it from bpf_map__initial_value(),
 * laid out as bpf/kvm_accel.h declares the struct, each program slot a
 * struct bpf_program * (as in the struct_ops shadow types of bpftool's
 * skeletons; libbpf reads the slots back at load).  This library writes
 * the data members through it, once the object's BTF has shown that its
 * kvm_accel_ops is laid out so (check_layout()).  Members are only ever
 * added at the end: an object built against an older header has a
 * prefix of them, and is given only what it has.
 */
struct kvm_accel_ops_shadow {
	struct bpf_program *read;
	struct bpf_program *write;
	int vm_fd;
	__u32 bus;
	__u64 base;
	__u64 len;
	__u32 flags;
	__u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char name[KVM_ACCEL_NAME_LEN];
	__u64 budget_ns;
	__u64 window_ns;
	__u64 window_budget_ns;
};

/* BPF objects are 64-bit: their program slots are 8 bytes. */
_Static_assert(sizeof(struct bpf_program *) == 8, "a 64-bit host");

enum {
	OPS_READ, OPS_WRITE, OPS_VM_FD, OPS_BUS, OPS_BASE, OPS_LEN, OPS_FLAGS,
	OPS_NR_EVENTFDS, OPS_EVENTFDS, OPS_NAME, OPS_BUDGET_NS, OPS_WINDOW_NS,
	OPS_WINDOW_BUDGET_NS, OPS_NR_MEMBERS,
};

/* The members up to len are written for every attachment. */
#define OPS_REQUIRED	(OPS_LEN + 1)

struct shadow_member {
	const char *name;
	size_t off;
	size_t size;
	bool prog;		/* a program slot: a pointer in BTF */
};

#define SHADOW(_idx, _m, _prog) [_idx] = {				\
	.name = #_m,							\
	.off = offsetof(struct kvm_accel_ops_shadow, _m),		\
	.size = sizeof(((struct kvm_accel_ops_shadow *)0)->_m),		\
	.prog = _prog,							\
}

static const struct shadow_member shadow_members[] = {
	SHADOW(OPS_READ, read, true),
	SHADOW(OPS_WRITE, write, true),
	SHADOW(OPS_VM_FD, vm_fd, false),
	SHADOW(OPS_BUS, bus, false),
	SHADOW(OPS_BASE, base, false),
	SHADOW(OPS_LEN, len, false),
	SHADOW(OPS_FLAGS, flags, false),
	SHADOW(OPS_NR_EVENTFDS, nr_eventfds, false),
	SHADOW(OPS_EVENTFDS, eventfds, false),
	SHADOW(OPS_NAME, name, false),
	SHADOW(OPS_BUDGET_NS, budget_ns, false),
	SHADOW(OPS_WINDOW_NS, window_ns, false),
	SHADOW(OPS_WINDOW_BUDGET_NS, window_budget_ns, false),
};

_Static_assert(sizeof(shadow_members) / sizeof(shadow_members[0]) == OPS_NR_MEMBERS,
	       "one shadow_members entry per member");

/*
 * Whether the object's kvm_accel_ops (the BTF type of @map's value) is
 * laid out as the shadow type: the same members, in the same order, at
 * the same offsets and of the same sizes, program slots where it has
 * them; at least up to len, and nothing the shadow lacks.  libbpf itself
 * matches members by name at load, so an object with its members in
 * another order would load and work with libbpf alone, but the shadow
 * would write its vm_fd and range into the wrong members.  Stores how
 * many members the object has in *@nr.
 */
static int check_layout(const struct bpf_object *obj, const struct bpf_map *map, __u32 *nr)
{
	const struct btf *btf = bpf_object__btf(obj);
	const char *mname = bpf_map__name(map);
	const struct btf_member *m;
	const struct btf_type *t, *mt;
	__u32 i, vlen, off;
	size_t vsize;
	__s64 size;

	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	if (!t || !bpf_map__initial_value(map, &vsize))
		return -EINVAL;
	vlen = btf_vlen(t);
	for (i = 0, m = btf_members(t); i < vlen; i++, m++) {
		const struct shadow_member *want = &shadow_members[i];
		const char *name = btf__name_by_offset(btf, m->name_off);
		bool prog;

		if (i >= OPS_NR_MEMBERS) {
			pr_msg("map %s: kvm_accel_ops member %u, '%s', is unknown to libkvmaccel %s (it knows %u members)",
			       mname, i, name, LIBKVMACCEL_VERSION, OPS_NR_MEMBERS);
			return -EINVAL;
		}
		off = btf_member_bit_offset(t, i);
		size = btf__resolve_size(btf, m->type);
		mt = btf__type_by_id(btf, btf__resolve_type(btf, m->type));
		prog = mt && btf_is_ptr(mt);
		if (strcmp(name, want->name) || btf_member_bitfield_size(t, i) || off % 8 ||
		    off / 8 != want->off || size != (__s64)want->size || prog != want->prog) {
			pr_msg("map %s: kvm_accel_ops member %u is '%s' at offset %u (%lld bytes%s), where libkvmaccel %s expects '%s' at offset %zu (%zu bytes%s): build the object with that version's bpf/kvm_accel.h",
			       mname, i, name, off / 8, (long long)size, prog ? ", a program" : "",
			       LIBKVMACCEL_VERSION, want->name, want->off, want->size,
			       want->prog ? ", a program" : "");
			return -EINVAL;
		}
	}
	if (vlen < OPS_REQUIRED) {
		pr_msg("map %s: kvm_accel_ops has no member '%s' (it has %u members; libkvmaccel needs read to len)",
		       mname, shadow_members[vlen].name, vlen);
		return -EINVAL;
	}
	if (vsize < shadow_members[vlen - 1].off + shadow_members[vlen - 1].size)
		return -EINVAL;
	*nr = vlen;
	return 0;
}

static bool is_accel_map(const struct bpf_object *obj, const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;

	if (!btf || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	return t && btf_is_struct(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), KVM_ACCEL_OPS_TYPE);
}

/*
 * The map to attach: the kvm_accel_ops map called @name if given, else the
 * object's only one.  With @fallback, a missing @name falls back to the
 * only one (used by update, where the name is only a preference).
 */
static int find_accel_map(struct bpf_object *obj, const char *name,
			  bool fallback, struct bpf_map **mapp)
{
	struct bpf_map *map, *found = NULL, *named = NULL;
	int count = 0;

	bpf_object__for_each_map(map, obj) {
		if (!is_accel_map(obj, map))
			continue;
		count++;
		found = map;
		if (name && !strcmp(bpf_map__name(map), name))
			named = map;
	}
	if (named) {
		*mapp = named;
		return 0;
	}
	if (name && !fallback)
		return -ENOMSG;
	if (!count)
		return -ENOMSG;
	if (count > 1)
		return -ENOTUNIQ;
	*mapp = found;
	return 0;
}

/*
 * Write the members this library owns into the shadow of @r's map.  With
 * @resolve (at open), first take bus, base, len and the budget from the
 * object where the options left them; from then on the range is settled
 * and written as it is, into a new object's map too (kvm_accel_update()).
 */
static int set_ops_members(struct kvm_accel_dev *dev, struct kvm_accel_range *r, bool resolve)
{
	static const int budget_idx[3] = {
		OPS_BUDGET_NS, OPS_WINDOW_NS, OPS_WINDOW_BUDGET_NS,
	};
	struct kvm_accel_ops_shadow *ops;
	__u64 *budget[3];
	size_t vsize;
	__u32 n = r->nr_members, i;

	ops = bpf_map__initial_value(r->map, &vsize);
	if (!ops || n < OPS_REQUIRED)
		return -EINVAL;
	/*
	 * The eventfd table is always the loader's, never the object's: an
	 * object may leave the members out only if there are none to pass.
	 */
	if (dev->nr_eventfds && n <= OPS_EVENTFDS) {
		pr_msg("map %s: kvm_accel_ops has no eventfd table, and eventfds were given",
		       r->name);
		return -EINVAL;
	}
	if (resolve) {
		r->bus = r->bus ?: ops->bus;
		r->base = r->base_given ? r->base : ops->base;
		r->base_given = true;
		r->len = r->len ?: ops->len;
	}
	ops->vm_fd = dev->vm_fd;
	ops->bus = r->bus;
	ops->base = r->base;
	ops->len = r->len;
	if (n > OPS_EVENTFDS) {
		ops->nr_eventfds = dev->nr_eventfds;
		memset(ops->eventfds, 0, sizeof(ops->eventfds));
		memcpy(ops->eventfds, dev->eventfds, dev->nr_eventfds * sizeof(int));
	}

	budget[0] = &ops->budget_ns;
	budget[1] = &ops->window_ns;
	budget[2] = &ops->window_budget_ns;
	for (i = 0; i < 3; i++) {
		/* As for the range: 0 keeps the object's value, which then stays. */
		if (n <= (__u32)budget_idx[i]) {
			if (r->budget[i]) {
				pr_msg("map %s: kvm_accel_ops has no member %s, and a budget was given",
				       r->name, shadow_members[budget_idx[i]].name);
				return -EINVAL;
			}
			continue;
		}
		if (resolve && !r->budget[i])
			r->budget[i] = *budget[i];
		*budget[i] = r->budget[i];
	}
	return 0;
}

/*
 * Create and load only what the attachments need: the chosen struct_ops
 * maps (libbpf then skips the programs only other struct_ops maps use) and
 * no program of another type, which could only fail to load or be wasted.
 */
static int trim_object(struct bpf_object *obj, struct bpf_map *const *keep, __u32 nr)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	__u32 i;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		for (i = 0; i < nr && keep[i] != map; i++)
			;
		if (i < nr)
			continue;
		err = bpf_map__set_autocreate(map, false);
		if (err)
			return err;
	}
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
			continue;
		err = bpf_program__set_autoload(prog, false);
		if (err)
			return err;
	}
	return 0;
}

/*
 * bpf_object__open_file() with its errors sorted into "cannot read the
 * file" (kept) and "not a BPF object" (-ENOEXEC, whatever libbpf said).
 */
static int open_object(const char *path, struct bpf_object **objp)
{
	struct bpf_object *obj;
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		if (err == -ENOMEM || err == -ENOENT || err == -EACCES)
			return err;
		return -ENOEXEC;
	}
	*objp = obj;
	return 0;
}

/*
 * The kvm_accel_ops map of @obj for @name (see find_accel_map()), checked
 * for a link and for its layout: the map and its member count.
 */
static int bind_map(struct bpf_object *obj, const char *name, bool fallback,
		    struct bpf_map **mapp, __u32 *nr_members)
{
	int err;

	err = find_accel_map(obj, name, fallback, mapp);
	if (err == -ENOMSG && name)
		pr_msg("no %s map named '%s'", KVM_ACCEL_OPS_TYPE, name);
	if (err)
		return err;
	/*
	 * A map outside ".struct_ops.link" would be attached without a link,
	 * which the module refuses at attach time; say so before loading.
	 */
	if (!(bpf_map__map_flags(*mapp) & BPF_F_LINK))
		return -EOPNOTSUPP;
	return check_layout(obj, *mapp, nr_members);
}

/* ---------------------------------------------------------------------- */
/* Open, attach, detach */

static int share_maps(struct bpf_object *old, struct bpf_object *obj);

static void unmap_regfiles(struct kvm_accel_dev *dev)
{
	size_t i;

	for (i = 0; i < dev->nr_mappings; i++)
		munmap(dev->mappings[i].addr, dev->mappings[i].mmap_sz);
	free(dev->mappings);
	dev->mappings = NULL;
	dev->nr_mappings = 0;
}

static void dev_free(struct kvm_accel_dev *dev)
{
	__u32 i;

	unmap_regfiles(dev);
	bpf_object__close(dev->obj);
	for (i = 0; i < dev->nr_ranges; i++)
		free(dev->ranges[i].name);
	free(dev->pin_path);
	free(dev);
}

/* The ranges the options ask for, into @dev->ranges (names not yet bound). */
static int ranges_from_opts(struct kvm_accel_dev *dev, const struct kvm_accel_attach_opts *opts,
			    const char **names)
{
	const struct kvm_accel_map_opts *maps = OPT(opts, maps, NULL);
	__u32 nr_maps = OPT(opts, nr_maps, 0), flags = OPT(opts, flags, 0), i, j;
	__u64 budget[3] = {
		OPT(opts, budget_ns, 0), OPT(opts, window_ns, 0),
		OPT(opts, window_budget_ns, 0),
	};
	struct kvm_accel_range *r;

	if (nr_maps > KVM_ACCEL_MAX_MAPS || !nr_maps != !maps)
		return -EINVAL;
	if (!nr_maps) {
		__u32 bus = OPT(opts, bus, 0);
		__u64 base = OPT(opts, base, 0);

		if ((flags & ~KVM_ACCEL_BASE_GIVEN) ||
		    (bus && bus != KVM_ACCEL_BUS_PIO && bus != KVM_ACCEL_BUS_MMIO))
			return -EINVAL;
		r = &dev->ranges[0];
		names[0] = OPT(opts, map_name, NULL);
		r->bus = bus;
		r->base = base;
		r->base_given = base || (flags & KVM_ACCEL_BASE_GIVEN);
		r->len = OPT(opts, len, 0);
		memcpy(r->budget, budget, sizeof(budget));
		dev->nr_ranges = 1;
		return 0;
	}

	/* Each map says its own range. */
	if (OPT(opts, map_name, NULL) || OPT(opts, bus, 0) || OPT(opts, base, 0) ||
	    OPT(opts, len, 0) || flags || (nr_maps > 1 && OPT(opts, pin_path, NULL)))
		return -EINVAL;
	for (i = 0; i < nr_maps; i++) {
		const struct kvm_accel_map_opts *m = &maps[i];

		if (!m->name || (m->flags & ~KVM_ACCEL_BASE_GIVEN) || m->reserved[0] ||
		    m->reserved[1] ||
		    (m->bus && m->bus != KVM_ACCEL_BUS_PIO && m->bus != KVM_ACCEL_BUS_MMIO))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(m->name, maps[j].name))
				return -EINVAL;
		r = &dev->ranges[i];
		names[i] = m->name;
		r->bus = m->bus;
		r->base = m->base;
		r->base_given = m->base || (m->flags & KVM_ACCEL_BASE_GIVEN);
		r->len = m->len;
		memcpy(r->budget, budget, sizeof(budget));
	}
	dev->nr_ranges = nr_maps;
	return 0;
}

int kvm_accel_open(const char *obj_path, const struct kvm_accel_attach_opts *opts,
		   struct kvm_accel_dev **devp)
{
	const char *pin_path = OPT(opts, pin_path, NULL);
	const int *eventfds = OPT(opts, eventfds, NULL);
	__u32 nr_eventfds = OPT(opts, nr_eventfds, 0), i;
	const char *names[KVM_ACCEL_MAX_MAPS] = { NULL };
	struct bpf_map *keep[KVM_ACCEL_MAX_MAPS];
	struct kvm_accel_dev *dev;
	int err;

	if (!obj_path || !devp || !opts_valid(opts))
		return -EINVAL;
	if (nr_eventfds > KVM_ACCEL_MAX_EVENTFDS || (nr_eventfds && !eventfds))
		return -EINVAL;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->vm_fd = -1;
	err = ranges_from_opts(dev, opts, names);
	if (err)
		goto err_free;
	dev->nr_eventfds = nr_eventfds;
	if (nr_eventfds)
		memcpy(dev->eventfds, eventfds, nr_eventfds * sizeof(int));
	if (pin_path) {
		dev->pin_path = strdup(pin_path);
		if (!dev->pin_path) {
			err = -ENOMEM;
			goto err_free;
		}
	}

	err = open_object(obj_path, &dev->obj);
	if (err)
		goto err_free;
	for (i = 0; i < dev->nr_ranges; i++) {
		struct kvm_accel_range *r = &dev->ranges[i];

		err = bind_map(dev->obj, names[i], false, &r->map, &r->nr_members);
		if (err)
			goto err_free;
		r->name = strdup(bpf_map__name(r->map));
		if (!r->name) {
			err = -ENOMEM;
			goto err_free;
		}
		keep[i] = r->map;
	}
	err = trim_object(dev->obj, keep, dev->nr_ranges);
	if (err)
		goto err_free;
	/* vm_fd is written again at attach; this resolves the ranges now. */
	for (i = 0; i < dev->nr_ranges; i++) {
		err = set_ops_members(dev, &dev->ranges[i], true);
		if (err)
			goto err_free;
	}

	*devp = dev;
	return 0;

err_free:
	dev_free(dev);
	return err;
}

static int link_id_of_fd(int fd, __u32 *id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_link_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	*id = info.id;
	return 0;
}

int kvm_accel_dev_attach(struct kvm_accel_dev *dev, int vm_fd)
{
	struct kvm_accel_range *r;
	__u32 i;
	int err;

	if (!dev || dev->attached)
		return -EINVAL;
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	dev->vm_fd = vm_fd;
	err = check_fds(dev);
	for (i = 0; !err && i < dev->nr_ranges; i++)
		err = set_ops_members(dev, &dev->ranges[i], false);
	if (err)
		return err;

	/*
	 * One load for every map: their programs share the object's maps,
	 * global data included.  A failed load leaves a libbpf object that
	 * cannot be loaded again; the caller must free the device and start
	 * over.
	 */
	err = bpf_object__load(dev->obj);
	if (err)
		return err;

	for (i = 0; i < dev->nr_ranges; i++) {
		r = &dev->ranges[i];
		r->link = bpf_map__attach_struct_ops(r->map);
		if (!r->link) {
			err = -errno;
			goto err_unwind;
		}
	}
	if (dev->pin_path) {
		err = bpf_link__pin(dev->ranges[0].link, dev->pin_path);
		if (err)
			goto err_unwind;
	}
	dev->attached = true;
	return 0;

err_unwind:
	/* Nobody else has the links yet: destroying them detaches. */
	for (i = 0; i < dev->nr_ranges; i++) {
		r = &dev->ranges[i];
		bpf_link__destroy(r->link);
		r->link = NULL;
	}
	return err;
}

int kvm_accel_attach(const char *obj_path, int vm_fd,
		     const struct kvm_accel_attach_opts *opts,
		     struct kvm_accel_dev **devp)
{
	const int *eventfds = OPT(opts, eventfds, NULL);
	__u32 i, nr_eventfds = OPT(opts, nr_eventfds, 0);
	struct kvm_accel_dev *dev;
	int err;

	if (!obj_path || !devp || !opts_valid(opts) ||
	    nr_eventfds > KVM_ACCEL_MAX_EVENTFDS || (nr_eventfds && !eventfds))
		return -EINVAL;
	/*
	 * The environment first, then the file: a missing module or a wrong
	 * fd explains a failure better than anything the object could.
	 */
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	err = kvm_accel_check_vm_fd(vm_fd);
	for (i = 0; !err && i < nr_eventfds; i++)
		err = kvm_accel_check_eventfd(eventfds[i]);
	if (err)
		return err;

	err = kvm_accel_open(obj_path, opts, &dev);
	if (err)
		return err;
	err = kvm_accel_dev_attach(dev, vm_fd);
	if (err) {
		dev_free(dev);
		return err;
	}
	*devp = dev;
	return 0;
}

int kvm_accel_nr_maps(const struct kvm_accel_dev *dev)
{
	return dev ? (int)dev->nr_ranges : -EINVAL;
}

const char *kvm_accel_map_name(const struct kvm_accel_dev *dev, unsigned int idx)
{
	return dev && idx < dev->nr_ranges ? dev->ranges[idx].name : NULL;
}

/* The link of map @idx, or NULL if not attached or no such map. */
static struct bpf_link *dev_link(const struct kvm_accel_dev *dev, unsigned int idx)
{
	if (!dev || !dev->attached || idx >= dev->nr_ranges)
		return NULL;
	return dev->ranges[idx].link;
}

int kvm_accel_link_id_at(const struct kvm_accel_dev *dev, unsigned int idx)
{
	struct bpf_link *link = dev_link(dev, idx);
	__u32 id;
	int err;

	if (!link)
		return -EINVAL;
	err = link_id_of_fd(bpf_link__fd(link), &id);
	if (err)
		return err;
	return id > INT_MAX ? -EOVERFLOW : (int)id;
}

int kvm_accel_link_id(const struct kvm_accel_dev *dev)
{
	return kvm_accel_link_id_at(dev, 0);
}

int kvm_accel_link_fd_at(const struct kvm_accel_dev *dev, unsigned int idx)
{
	struct bpf_link *link = dev_link(dev, idx);

	return link ? bpf_link__fd(link) : -EINVAL;
}

int kvm_accel_link_fd(const struct kvm_accel_dev *dev)
{
	return kvm_accel_link_fd_at(dev, 0);
}

struct bpf_object *kvm_accel_object(const struct kvm_accel_dev *dev)
{
	return dev ? dev->obj : NULL;
}

int kvm_accel_pin_at(struct kvm_accel_dev *dev, unsigned int idx, const char *path)
{
	struct bpf_link *link = dev_link(dev, idx);

	if (!link || !path)
		return -EINVAL;
	return bpf_link__pin(link, path);
}

int kvm_accel_pin(struct kvm_accel_dev *dev, const char *path)
{
	return kvm_accel_pin_at(dev, 0, path);
}

int kvm_accel_detach(struct kvm_accel_dev *dev)
{
	struct bpf_link *link;
	int err = 0, ret;
	__u32 i;

	if (!dev)
		return 0;
	for (i = 0; i < dev->nr_ranges; i++) {
		link = dev->ranges[i].link;
		if (!link)
			continue;
		/*
		 * Closing our fd would not end an attachment that is pinned or
		 * whose fd was passed on; BPF_LINK_DETACH does.
		 */
		ret = bpf_link__detach(link);
		/* A kernel without it: unpin and close below still end it. */
		if (ret != -EOPNOTSUPP)
			err = err ?: ret;
		if (bpf_link__pin_path(link)) {
			ret = bpf_link__unpin(link);
			/* Someone removed it already: fine. */
			if (ret != -ENOENT)
				err = err ?: ret;
		}
		bpf_link__destroy(link);
		dev->ranges[i].link = NULL;
	}
	dev_free(dev);
	return err;
}

void kvm_accel_release(struct kvm_accel_dev *dev)
{
	struct bpf_link *link;
	__u32 i;
	int fd;

	if (!dev)
		return;
	for (i = 0; i < dev->nr_ranges; i++) {
		link = dev->ranges[i].link;
		if (!link)
			continue;
		/*
		 * Close the fd only: never detach, never unpin.  A disconnected
		 * libbpf link leaves its fd open, so close it here.
		 */
		fd = bpf_link__fd(link);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		close(fd);
		dev->ranges[i].link = NULL;
	}
	dev_free(dev);
}

/* ---------------------------------------------------------------------- */
/* Register files */

static size_t round_up(size_t x, size_t to)
{
	return (x + to - 1) / to * to;
}

void *kvm_accel_regfile(struct kvm_accel_dev *dev, const char *map_name, size_t *size)
{
	struct kvm_accel_mapping *m, *tmp;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map;
	size_t stride, bytes, i;
	void *addr;
	int prot;

	if (!dev || !dev->attached || !map_name) {
		errno = EINVAL;
		return NULL;
	}
	/* A leading dot matches the section name of global data. */
	map = bpf_object__find_map_by_name(dev->obj, map_name);
	if (!map) {
		errno = ENOENT;
		return NULL;
	}
	/* Ask the kernel: after an update the map may come from the old object. */
	if (bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return NULL;
	if (info.type != BPF_MAP_TYPE_ARRAY || !(info.map_flags & BPF_F_MMAPABLE) ||
	    !info.value_size || !info.max_entries) {
		errno = EINVAL;
		return NULL;
	}

	for (i = 0; i < dev->nr_mappings; i++) {
		if (dev->mappings[i].map_id == info.id) {
			if (size)
				*size = dev->mappings[i].size;
			return dev->mappings[i].addr;
		}
	}

	/*
	 * The mapping is ours rather than libbpf's (which it also keeps for
	 * global data) so that it outlives the object across an update.
	 * Array elements sit round_up(value_size, 8) apart in the kernel.
	 */
	stride = round_up(info.value_size, 8);
	if (info.max_entries > SIZE_MAX / stride) {
		errno = E2BIG;
		return NULL;
	}
	bytes = stride * info.max_entries;
	tmp = realloc(dev->mappings, (dev->nr_mappings + 1) * sizeof(*dev->mappings));
	if (!tmp) {
		errno = ENOMEM;
		return NULL;
	}
	dev->mappings = tmp;

	/* Like libbpf: maps the programs cannot write are frozen, map them read-only. */
	prot = PROT_READ;
	if (!(info.map_flags & BPF_F_RDONLY_PROG))
		prot |= PROT_WRITE;
	addr = mmap(NULL, round_up(bytes, sysconf(_SC_PAGESIZE)), prot, MAP_SHARED,
		    bpf_map__fd(map), 0);
	if (addr == MAP_FAILED)
		return NULL;

	m = &dev->mappings[dev->nr_mappings++];
	m->map_id = info.id;
	m->addr = addr;
	m->mmap_sz = round_up(bytes, sysconf(_SC_PAGESIZE));
	m->size = info.max_entries == 1 ? info.value_size : bytes;
	if (size)
		*size = m->size;
	return addr;
}

/* ---------------------------------------------------------------------- */
/* Update */

/*
 * The map of the attached object @old that @map of the new object takes
 * over, if any.  Global data is matched by section name, since libbpf
 * prefixes the object's name, which may differ; the section name comes
 * from the new object's BTF, still its own before any reuse.  Anything
 * else is matched by map name.
 */
static struct bpf_map *same_map(struct bpf_object *old, const struct bpf_object *obj,
				const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	const char *name = bpf_map__name(map);
	const struct btf_type *t;
	struct bpf_map *prev;

	if (bpf_map__is_internal(map)) {
		t = btf ? btf__type_by_id(btf, bpf_map__btf_value_type_id(map)) : NULL;
		if (t && btf_is_datasec(t))
			name = btf__name_by_offset(btf, t->name_off);
		else
			name = strchr(name, '.');
		/* bpf_object__find_map_by_name() matches ".bss" by section. */
		if (!name || name[0] != '.')
			return NULL;
	}
	prev = bpf_object__find_map_by_name(old, name);
	if (!prev || !bpf_map__autocreate(prev) ||
	    bpf_map__type(prev) == BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	return prev;
}

/*
 * Make every map of @obj that the attached object also has use the
 * attached object's kernel map, so the new programs see the state (and
 * register file) the old ones left.  Struct_ops maps are per object,
 * read-only data is per object configuration, pinned maps libbpf shares
 * by itself.
 */
static int share_maps(struct bpf_object *old, struct bpf_object *obj)
{
	struct bpf_map *map, *prev;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS ||
		    (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG) ||
		    bpf_map__pin_path(map) || !bpf_map__autocreate(map))
			continue;
		prev = same_map(old, obj, map);
		if (!prev)
			continue;
		if (bpf_map__type(map) != bpf_map__type(prev) ||
		    bpf_map__key_size(map) != bpf_map__key_size(prev) ||
		    bpf_map__value_size(map) != bpf_map__value_size(prev) ||
		    bpf_map__max_entries(map) != bpf_map__max_entries(prev) ||
		    bpf_map__map_flags(map) != bpf_map__map_flags(prev))
			return -EINVAL;
		err = bpf_map__reuse_fd(map, bpf_map__fd(prev));
		if (err)
			return err;
	}
	return 0;
}

int kvm_accel_update(struct kvm_accel_dev *dev, const char *obj_path)
{
	struct bpf_map *maps[KVM_ACCEL_MAX_MAPS], *old_maps[KVM_ACCEL_MAX_MAPS];
	__u32 nr_members[KVM_ACCEL_MAX_MAPS], old_nr[KVM_ACCEL_MAX_MAPS];
	struct bpf_object *obj, *old;
	__u32 i, done = 0;
	int err;

	if (!dev || !dev->attached || !obj_path)
		return -EINVAL;
	if (!kvm_accel_module_loaded())
		return -ENODEV;
	/* The module resolves vm_fd and the eventfds again, in this process. */
	err = check_fds(dev);
	if (err)
		return err;

	err = open_object(obj_path, &obj);
	if (err)
		return err;
	for (i = 0; i < dev->nr_ranges; i++) {
		err = bind_map(obj, dev->ranges[i].name, dev->nr_ranges == 1, &maps[i],
			       &nr_members[i]);
		if (err)
			goto out_close;
	}
	err = trim_object(obj, maps, dev->nr_ranges);
	err = err ?: share_maps(dev->obj, obj);
	if (err)
		goto out_close;

	/* set_ops_members() works on the ranges' maps: switch, and back on error. */
	old = dev->obj;
	for (i = 0; i < dev->nr_ranges; i++) {
		old_maps[i] = dev->ranges[i].map;
		old_nr[i] = dev->ranges[i].nr_members;
		dev->ranges[i].map = maps[i];
		dev->ranges[i].nr_members = nr_members[i];
	}
	for (i = 0; !err && i < dev->nr_ranges; i++)
		err = set_ops_members(dev, &dev->ranges[i], false);
	err = err ?: bpf_object__load(obj);
	for (; !err && done < dev->nr_ranges; done++)
		err = bpf_link__update_map(dev->ranges[done].link, maps[done]);
	if (err) {
		/* The links updated already go back to the old maps, still loaded. */
		for (i = 0; i < done; i++)
			bpf_link__update_map(dev->ranges[i].link, old_maps[i]);
		for (i = 0; i < dev->nr_ranges; i++) {
			dev->ranges[i].map = old_maps[i];
			dev->ranges[i].nr_members = old_nr[i];
		}
		goto out_close;
	}
	/* The links hold the new maps now; the old object may go. */
	dev->obj = obj;
	obj = old;
out_close:
	bpf_object__close(obj);
	return err;
}

/*
 * Updating a link to the map it already has is the module's "re-enable"
 * (kvm_accel_main.c, kvm_accel_reenable()): nothing else changes.
 */
int kvm_accel_reenable(struct kvm_accel_dev *dev)
{
	__u32 i;

	if (!dev || !dev->attached)
		return -EINVAL;
	for (i = 0; i < dev->nr_ranges; i++)
		if (bpf_link_update(bpf_link__fd(dev->ranges[i].link),
				    bpf_map__fd(dev->ranges[i].map), NULL))
			return -errno;
	return 0;
}
