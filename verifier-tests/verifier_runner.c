// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_runner: load every verifier-tests object alone and check that
 * the kernel accepts or rejects it as the object itself declares.
 *
 * Usage: verifier_runner DIR|OBJECT...
 *
 * Every *.bpf.o under each DIR (recursively, sorted by path) is considered;
 * an OBJECT named directly is run alone (handy while writing a test).
 * Its expectation is read from the BTF declaration tags verifier_tests.h
 * defines; an object without __description is not a test and is skipped
 * with a '#' note, except under a directory named "devices", where an
 * object without annotations must load and attach (__success).  A DIR that
 * does not exist is noted and skipped, so the device directory may be
 * passed before any device exists.
 *
 * Each test: open the object with a log buffer per program, give each
 * kvm_accel_ops map a freshly created VM (KVM_CREATE_VM, no vCPU), load,
 * attach the kvm_accel_ops maps through links, compare with the
 * expectation, then destroy the links, the object and the VM.  Other
 * struct_ops types are loaded but never attached (that would register them
 * system-wide).
 *
 * Output is TAP; a failed test is followed by '#' lines with what was
 * expected, what happened and the tail of the log.  Exit status: 0 if every
 * test passed (or everything was skipped), 1 if one failed, 2 on usage or
 * setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kvm_accel_abi.h"

#define TAG_PREFIX	"comment:ka_test_"
/* Separates the alternatives of one __msg (verifier_tests.h). */
#define MSG_ALT_SEP	"||"
#define LOG_SIZE	(4u << 20)	/* per program; kernel logs rotate beyond */
#define LIBBPF_LOG_SIZE	(64u << 10)
#define LOG_TAIL_LINES	25

/*
 * Default verifier log level: BPF_LOG_STATS alone makes the verifier write
 * its error messages (and the modules' bpf_log() text) and a summary, but
 * not the instruction-by-instruction trace of level 1.  That keeps the log
 * small even for programs that fail after a million instructions (a level
 * 1 log of those overflows any buffer, and the kernel then reports ENOSPC
 * instead of the real error).  A failed test is loaded once more at level 1
 * for the diagnostics.
 */
#define LOG_LEVEL_DEFAULT	4	/* BPF_LOG_STATS */
#define LOG_LEVEL_DIAG		1

enum outcome {
	EXPECT_NONE,
	EXPECT_SUCCESS,		/* loads and attaches */
	EXPECT_LOAD_FAIL,	/* load fails (with errno, if given) */
	EXPECT_ATTACH_FAIL,	/* loads, attach fails with errno */
};

struct expect_msg {
	long seq;
	char *text;
};

struct test {
	char *path;		/* as found under the directory */
	char *name;		/* path relative to that directory, no .bpf.o */
	char *description;
	enum outcome outcome;
	int err;		/* positive errno for LOAD_FAIL/ATTACH_FAIL, 0: any */
	bool no_vm;
	int log_level;
	struct expect_msg *msgs;
	int nr_msgs;
	char *bad_tag;		/* malformed annotation: reported as a failure */
};

static struct test *tests;
static int nr_tests;

/* --- libbpf output ---------------------------------------------------- */

static char libbpf_log[LIBBPF_LOG_SIZE];
static size_t libbpf_log_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	size_t room = sizeof(libbpf_log) - libbpf_log_len;
	int n;

	if (level == LIBBPF_DEBUG || room <= 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_log_len, room, fmt, args);
	if (n > 0)
		libbpf_log_len += (size_t)n < room ? (size_t)n : room - 1;
	return n;
}

/* --- errno names --------------------------------------------------------- */

static const struct {
	const char *name;
	int err;
} errnos[] = {
#define E(x) { #x, x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EBADF), E(ENOMEM), E(EACCES),
	E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV), E(EINVAL), E(ENOSPC),
	E(E2BIG), E(ERANGE), E(EOPNOTSUPP), E(ENOTSUP), E(EPROTO),
#undef E
	{ "ENOTSUPP", 524 },	/* kernel-internal, leaks out of bpf() */
};

static int errno_by_name(const char *s)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(s, errnos[i].name))
			return errnos[i].err;
	v = strtol(s, &end, 10);
	if (*s && !*end && v > 0 && v < 4096)
		return v;
	return -1;
}

static const char *errno_name(int err)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

/* --- expectations from BTF ---------------------------------------------- */

static void set_bad(struct test *t, const char *fmt, ...)
{
	va_list ap;

	if (t->bad_tag)
		return;
	va_start(ap, fmt);
	if (vasprintf(&t->bad_tag, fmt, ap) < 0)
		t->bad_tag = NULL;
	va_end(ap);
}

static void set_outcome(struct test *t, enum outcome o, const char *tag)
{
	/* __load_errno after __failure (or the reverse) only adds the errno */
	if (t->outcome != EXPECT_NONE && t->outcome != o)
		set_bad(t, "conflicting outcome annotation '%s'", tag);
	t->outcome = o;
}

static void set_errno(struct test *t, const char *val, const char *tag)
{
	int e = errno_by_name(val);

	if (e < 0)
		set_bad(t, "unknown errno in '%s'", tag);
	else if (t->err && t->err != e)
		set_bad(t, "conflicting errno annotation '%s'", tag);
	else
		t->err = e;
}

static void add_msg(struct test *t, const char *val, const char *tag)
{
	struct expect_msg *m;
	const char *eq = strchr(val, '=');
	char *end;
	long seq;
	int i;

	seq = strtol(val, &end, 10);
	if (!eq || end != eq) {
		set_bad(t, "malformed '%s'", tag);
		return;
	}
	/* The same tag on the function and on the map is one message. */
	for (i = 0; i < t->nr_msgs; i++)
		if (t->msgs[i].seq == seq && !strcmp(t->msgs[i].text, eq + 1))
			return;
	m = realloc(t->msgs, (t->nr_msgs + 1) * sizeof(*m));
	if (!m)
		abort();
	t->msgs = m;
	t->msgs[t->nr_msgs].seq = seq;
	t->msgs[t->nr_msgs].text = strdup(eq + 1);
	t->nr_msgs++;
}

static void parse_tag(struct test *t, const char *tag)
{
	const char *key = tag + strlen(TAG_PREFIX);
	const char *val = strchr(key, '=');
	size_t klen = val ? (size_t)(val - key) : strlen(key);

#define KEY(k) (klen == strlen(k) && !strncmp(key, k, klen))
	if (val)
		val++;
	if (KEY("description") && val) {
		if (t->description && strcmp(t->description, val))
			set_bad(t, "two different __description annotations");
		free(t->description);
		t->description = strdup(val);
	} else if (KEY("success") && !val) {
		set_outcome(t, EXPECT_SUCCESS, tag);
	} else if (KEY("failure") && !val) {
		set_outcome(t, EXPECT_LOAD_FAIL, tag);
	} else if (KEY("load_errno") && val) {
		set_outcome(t, EXPECT_LOAD_FAIL, tag);
		set_errno(t, val, tag);
	} else if (KEY("attach_errno") && val) {
		set_outcome(t, EXPECT_ATTACH_FAIL, tag);
		set_errno(t, val, tag);
	} else if (KEY("msg") && val) {
		add_msg(t, val, tag);
	} else if (KEY("no_vm") && !val) {
		t->no_vm = true;
	} else if (KEY("log_level") && val) {
		t->log_level = atoi(val);
	} else {
		set_bad(t, "unknown annotation '%s'", tag);
	}
#undef KEY
}

static int cmp_msg(const void *a, const void *b)
{
	const struct expect_msg *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Fill @t from the declaration tags in the object's BTF.  Tags on any
 * declaration count: an object is one test.  Returns false if the object
 * has no BTF at all.
 */
static bool read_expectations(struct test *t)
{
	struct btf *btf;
	__u32 id, n;

	btf = btf__parse_elf(t->path, NULL);
	if (!btf)
		return false;
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *bt = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_decl_tag(bt) || btf_decl_tag(bt)->component_idx != -1)
			continue;
		name = btf__name_by_offset(btf, bt->name_off);
		if (name && !strncmp(name, TAG_PREFIX, strlen(TAG_PREFIX)))
			parse_tag(t, name);
	}
	btf__free(btf);
	qsort(t->msgs, t->nr_msgs, sizeof(*t->msgs), cmp_msg);
	return true;
}

/* --- finding the objects ------------------------------------------------ */

static char **found;
static int nr_found;

static int collect(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	size_t len = strlen(path);
	char **f;

	if (type != FTW_F || len < 6 || strcmp(path + len - 6, ".bpf.o"))
		return 0;
	f = realloc(found, (nr_found + 1) * sizeof(*found));
	if (!f)
		abort();
	found = f;
	found[nr_found++] = strdup(path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static bool under_devices(const char *path)
{
	return !strncmp(path, "devices/", 8) || strstr(path, "/devices/");
}

/* Add the objects under directory @path, or @path itself if it is a file. */
static void add_path(const char *path)
{
	size_t dlen = strlen(path);
	struct stat st;
	int i;

	while (dlen > 1 && path[dlen - 1] == '/')
		dlen--;
	nr_found = 0;
	if (stat(path, &st)) {
		printf("# %s: does not exist, nothing to test there\n", path);
		return;
	} else if (S_ISREG(st.st_mode)) {
		/* One object, named by its file name. */
		collect(path, &st, FTW_F, NULL);
		dlen = strrchr(path, '/') ? (size_t)(strrchr(path, '/') - path) : 0;
	} else if (nftw(path, collect, 16, FTW_PHYS)) {
		printf("# %s: cannot walk: %s\n", path, strerror(errno));
		return;
	}
	qsort(found, nr_found, sizeof(*found), cmp_str);

	for (i = 0; i < nr_found; i++) {
		struct test t = { .path = found[i] };
		const char *rel = found[i] + dlen;
		struct test *nt;

		while (*rel == '/')
			rel++;
		t.name = strndup(rel, strlen(rel) - 6);
		if (!read_expectations(&t)) {
			printf("# %s: no BTF, not a test\n", rel);
			continue;
		}
		if (!t.description) {
			if (!under_devices(found[i]) || t.outcome != EXPECT_NONE ||
			    t.nr_msgs) {
				printf("# %s: no __description, not a test\n", rel);
				continue;
			}
			t.description = strdup("device program loads and attaches");
			t.outcome = EXPECT_SUCCESS;
		}
		if (t.outcome == EXPECT_NONE)
			set_bad(&t, "no outcome annotation (__success, __failure, __load_errno, __attach_errno)");
		nt = realloc(tests, (nr_tests + 1) * sizeof(*tests));
		if (!nt)
			abort();
		tests = nt;
		tests[nr_tests++] = t;
	}
	free(found);
	found = NULL;
}

/* --- running one test ----------------------------------------------------- */

#define MAX_PROGS 16
#define MAX_MAPS 8

struct result {
	bool opened;
	int load_err;		/* 0 or positive errno */
	int attach_err;		/* 0 or positive errno */
	char *attach_map;	/* the map whose attach failed */
	char *log;		/* verifier logs, then libbpf's messages */
	char *why;		/* what went wrong with the test itself */
};

static char *prog_logs[MAX_PROGS];

static void runner_error(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&r->why, fmt, ap) < 0)
		r->why = strdup(fmt);
	va_end(ap);
}

static int create_vm(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		vm = -errno;
	close(kvm);
	return vm;
}

static bool is_kvm_accel_map(const struct bpf_object *obj,
			     const struct bpf_map *map)
{
	const struct btf_type *bt;
	const char *name;
	struct btf *btf;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	btf = bpf_object__btf(obj);
	bt = btf ? btf__type_by_id(btf, bpf_map__btf_value_type_id(map)) : NULL;
	if (!bt)
		return false;
	name = btf__name_by_offset(btf, bt->name_off);
	return name && !strcmp(name, KVM_ACCEL_OPS_TYPE);
}

/* Write @vm_fd into the vm_fd member of the map's user-side struct. */
static int set_vm_fd(const struct bpf_object *obj, struct bpf_map *map,
		     int vm_fd)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *bt;
	const struct btf_member *m;
	size_t size;
	char *data;
	int i;

	bt = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	data = bpf_map__initial_value(map, &size);
	if (!bt || !btf_is_struct(bt) || !data)
		return -EINVAL;
	m = btf_members(bt);
	for (i = 0; i < btf_vlen(bt); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		__u32 off = btf_member_bit_offset(bt, i) / 8;

		if (!name || strcmp(name, "vm_fd"))
			continue;
		if (btf_member_bitfield_size(bt, i) ||
		    btf__resolve_size(btf, m->type) != sizeof(int) ||
		    off + sizeof(int) > size)
			return -EINVAL;
		memcpy(data + off, &vm_fd, sizeof(int));
		return 0;
	}
	return -ENOENT;
}

static void append(char **buf, const char *s)
{
	size_t old = *buf ? strlen(*buf) : 0, add = strlen(s);
	char *n = realloc(*buf, old + add + 1);

	if (!n)
		abort();
	memcpy(n + old, s, add + 1);
	*buf = n;
}

static void run(const struct test *t, struct result *r, __u32 log_level)
{
	struct bpf_link *links[MAX_MAPS] = {};
	int vms[MAX_MAPS], nr_vms = 0, nr_links = 0, i, err;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;

	memset(r, 0, sizeof(*r));
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';

	obj = bpf_object__open_file(t->path, NULL);
	if (!obj) {
		r->load_err = errno;
		goto out_log;
	}
	r->opened = true;

	i = 0;
	bpf_object__for_each_program(prog, obj) {
		if (i == MAX_PROGS) {
			runner_error(r, "more than %d programs", MAX_PROGS);
			goto out;
		}
		prog_logs[i][0] = '\0';
		bpf_program__set_log_buf(prog, prog_logs[i], LOG_SIZE);
		bpf_program__set_log_level(prog, log_level);
		i++;
	}

	bpf_object__for_each_map(map, obj) {
		if (!is_kvm_accel_map(obj, map) || t->no_vm)
			continue;
		if (nr_vms == MAX_MAPS) {
			runner_error(r, "more than %d kvm_accel_ops maps", MAX_MAPS);
			goto out;
		}
		vms[nr_vms] = create_vm();
		if (vms[nr_vms] < 0) {
			runner_error(r, "cannot create a VM: %s",
				 strerror(-vms[nr_vms]));
			goto out;
		}
		err = set_vm_fd(obj, map, vms[nr_vms++]);
		if (err) {
			runner_error(r, "map %s: cannot set vm_fd: %s",
				 bpf_map__name(map), strerror(-err));
			goto out;
		}
	}

	err = bpf_object__load(obj);
	if (err) {
		r->load_err = -err;
		goto out;
	}

	bpf_object__for_each_map(map, obj) {
		if (!is_kvm_accel_map(obj, map) || !bpf_map__autocreate(map))
			continue;
		links[nr_links] = bpf_map__attach_struct_ops(map);
		if (!links[nr_links]) {
			r->attach_err = errno;
			r->attach_map = strdup(bpf_map__name(map));
			break;
		}
		if (++nr_links == MAX_MAPS)
			break;
	}

out:
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		if (i == MAX_PROGS)
			break;
		append(&r->log, prog_logs[i++]);
	}
	for (i = 0; i < nr_links; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	for (i = 0; i < nr_vms; i++)
		close(vms[i]);
out_log:
	append(&r->log, libbpf_log);
}

/*
 * The first place in @log where one of the "||"-separated alternatives of
 * @text stands; *@len gets the length of the one found there.
 */
static const char *find_alternative(const char *log, const char *text, size_t *len)
{
	const char *best = NULL, *alt = text;

	for (;;) {
		const char *end = strstr(alt, MSG_ALT_SEP);
		size_t n = end ? (size_t)(end - alt) : strlen(alt);
		const char *hit = n ? memmem(log, strlen(log), alt, n) : NULL;

		if (hit && (!best || hit < best)) {
			best = hit;
			*len = n;
		}
		if (!end)
			return best;
		alt = end + strlen(MSG_ALT_SEP);
	}
}

/* Find each expected message in order; return the first one missing. */
static const char *missing_msg(const struct test *t, const char *log)
{
	const char *pos = log;
	size_t len = 0;
	int i;

	for (i = 0; i < t->nr_msgs; i++) {
		const char *hit = find_alternative(pos, t->msgs[i].text, &len);

		if (!hit)
			return t->msgs[i].text;
		pos = hit + len;
	}
	return NULL;
}

static void print_tail(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	if (!*log) {
		printf("#   (log is empty)\n");
		return;
	}
	while (p > log && lines <= LOG_TAIL_LINES) {
		p--;
		if (*p == '\n' && p[1])
			lines++;
	}
	if (lines > LOG_TAIL_LINES)
		p++;
	printf("#   log tail:\n");
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#     %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

static const char *describe_expected(const struct test *t, char *buf, size_t sz)
{
	switch (t->outcome) {
	case EXPECT_SUCCESS:
		return "loads and attaches";
	case EXPECT_LOAD_FAIL:
		if (!t->err)
			return "load fails";
		snprintf(buf, sz, "load fails with %s", errno_name(t->err));
		return buf;
	case EXPECT_ATTACH_FAIL:
		snprintf(buf, sz, "loads, attach fails with %s", errno_name(t->err));
		return buf;
	default:
		return "?";
	}
}

static const char *describe_actual(const struct result *r, char *buf, size_t sz)
{
	if (r->load_err)
		snprintf(buf, sz, "%s fails with %s (%s)",
			 r->opened ? "load" : "open", errno_name(r->load_err),
			 strerror(r->load_err));
	else if (r->attach_err)
		snprintf(buf, sz, "loads, attach of map %s fails with %s (%s)",
			 r->attach_map, errno_name(r->attach_err),
			 strerror(r->attach_err));
	else
		snprintf(buf, sz, "loads and attaches");
	return buf;
}

/* Returns true if the test passed; prints its TAP line. */
static bool check(int num, const struct test *t)
{
	char ebuf[96], abuf[160];
	const char *why = NULL, *missing = NULL;
	struct result r;
	bool ok;

	if (t->bad_tag) {
		printf("not ok %d - %s: %s\n", num, t->name,
		       t->description ? t->description : "?");
		printf("#   bad annotation: %s\n", t->bad_tag);
		return false;
	}

	run(t, &r, t->log_level ?: LOG_LEVEL_DEFAULT);
	if (r.why) {
		why = r.why;
		ok = false;
	} else {
		switch (t->outcome) {
		case EXPECT_SUCCESS:
			ok = !r.load_err && !r.attach_err;
			break;
		case EXPECT_LOAD_FAIL:
			ok = r.load_err && (!t->err || r.load_err == t->err);
			break;
		case EXPECT_ATTACH_FAIL:
			ok = !r.load_err && r.attach_err == t->err;
			break;
		default:
			ok = false;
		}
		if (ok) {
			missing = missing_msg(t, r.log);
			ok = !missing;
		}
	}

	printf("%sok %d - %s: %s\n", ok ? "" : "not ", num, t->name,
	       t->description);
	if (!ok) {
		if (why)
			printf("#   runner error: %s\n", why);
		printf("#   expected: %s\n",
		       describe_expected(t, ebuf, sizeof(ebuf)));
		printf("#   actual:   %s\n", describe_actual(&r, abuf, sizeof(abuf)));
		if (missing)
			printf("#   message not found in the log: \"%s\"\n", missing);
		if (!t->log_level && !why) {
			struct result diag;

			run(t, &diag, LOG_LEVEL_DIAG);
			printf("#   (log of a second load at level %d)\n",
			       LOG_LEVEL_DIAG);
			print_tail(diag.log);
			free(diag.log);
			free(diag.why);
			free(diag.attach_map);
		} else {
			print_tail(r.log);
		}
	}
	fflush(stdout);
	free(r.log);
	free(r.why);
	free(r.attach_map);
	return ok;
}

static const char *cannot_run(void)
{
	if (access("/sys/kernel/btf/kvm_accel", F_OK))
		return "kvm_accel module not loaded (no /sys/kernel/btf/kvm_accel)";
	if (access("/dev/kvm", R_OK | W_OK))
		return "no usable /dev/kvm";
	return NULL;
}

int main(int argc, char **argv)
{
	const char *skip;
	int i, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|OBJECT...\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	for (i = 1; i < argc; i++)
		add_path(argv[i]);

	skip = cannot_run();
	if (skip) {
		printf("1..0 # SKIP %s\n", skip);
		return 0;
	}
	if (!nr_tests) {
		printf("1..0 # SKIP no tests found\n");
		return 0;
	}

	for (i = 0; i < MAX_PROGS; i++) {
		prog_logs[i] = malloc(LOG_SIZE);
		if (!prog_logs[i]) {
			fprintf(stderr, "verifier_runner: out of memory\n");
			return 2;
		}
	}

	printf("1..%d\n", nr_tests);
	for (i = 0; i < nr_tests; i++)
		failed += !check(i + 1, &tests[i]);
	printf("# %d passed, %d failed\n", nr_tests - failed, failed);
	return failed ? 1 : 0;
}
