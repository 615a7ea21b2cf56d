// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-accel: attach, list, count and detach kvm-accel device fast paths.
 *
 * The tool attaches an accelerator object to a VM fd it inherited or took
 * from a running VMM with pidfd_getfd(2) (the module only needs the fd in
 * the process that creates the link).  Then it either pins the link on
 * bpffs and exits (--pin), or holds the link in the foreground until the
 * attachment turns defunct (its VM was destroyed) or a stop signal comes,
 * and ends it.  Everything else reads the module's sysfs directory through
 * the library, one entry per attachment; attachments are named by their BPF
 * link id throughout.
 *
 * Errors go to stderr as "kvm-accel: error: ...", or to stdout as
 * {"error": "..."} with -j, and map to the exit statuses of
 * kvm_accel_cli.h; the order of checks makes the status predictable when
 * several things are wrong at once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libkvmaccel.h"
#include "kvm_accel_cli.h"
#include "json_writer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The kernel's internal ENOTSUPP leaks out of some BPF paths. */
#define KERNEL_ENOTSUPP 524

static const char *bin_name = "kvm-accel";
static bool json_output;
static bool debug;

/*
 * JSON output goes through a writer (json_writer.h) that each command
 * makes for what it prints, NULL in text mode: jw_new().
 */
static struct json_writer *jw_new(void)
{
	return json_output ? jsonw_new(stdout) : NULL;
}

/*
 * The latest message libkvmaccel gave (kvm_accel_set_print()): it says
 * what an errno cannot, e.g. which member of an object's kvm_accel_ops is
 * out of place.  Shown with -d as it comes.
 */
static char lib_msg[512];

static void lib_print(const char *msg)
{
	snprintf(lib_msg, sizeof(lib_msg), "%s", msg);
	if (debug)
		fprintf(stderr, "%s: libkvmaccel: %s\n", bin_name, msg);
}

/* ---------------------------------------------------------------------- */
/* Errors */

static const char *err_str(int err)
{
	if (err < 0)
		err = -err;
	if (err == KERNEL_ENOTSUPP)
		return "Operation not supported by the kernel";
	return strerror(err);
}

/*
 * Report an error and return @code, the exit status.  @hint, if not NULL,
 * is a second line telling what to do about it (text mode only).
 */
__attribute__((format(printf, 3, 4)))
static int fail(int code, const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (json_output) {
		/* Commands print only once nothing can fail: a writer of its own. */
		struct json_writer *w = jsonw_new(stdout);

		if (w) {
			jsonw_start_object(w);
			jsonw_string_field(w, "error", msg);
			jsonw_end_object(w);
			jsonw_destroy(w);
			return code;
		}
	}
	fprintf(stderr, "%s: error: %s\n", bin_name, msg);
	if (hint)
		fprintf(stderr, "%s: hint: %s\n", bin_name, hint);
	return code;
}

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024], hint[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(hint, sizeof(hint), "try '%s help%s%s'", bin_name,
		 cmd ? " " : "", cmd ?: "");
	return fail(KVM_ACCEL_EXIT_USAGE, hint, "%s", msg);
}

static int no_module(void)
{
	return fail(KVM_ACCEL_EXIT_NO_MODULE,
		    "load it: modprobe kvm_accel (or insmod kvm_accel.ko)",
		    "the kvm_accel module is not loaded (no %s)", KVM_ACCEL_SYSFS_DIR);
}

static int not_found(__u32 id)
{
	return fail(KVM_ACCEL_EXIT_NOT_FOUND, "'kvm-accel list' shows the attachments",
		    "no attachment with link id %u", id);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier log of a refused program: always show them. */
	if (level != LIBBPF_WARN && !debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---------------------------------------------------------------------- */
/* Argument parsing */

/*
 * A decimal or 0x-prefixed hexadecimal number no larger than @max.  No
 * sign, no space, no octal (a leading 0 is just a 0), nothing after it.
 */
static int parse_u64(const char *s, __u64 max, __u64 *out)
{
	unsigned long long v;
	const char *p;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	if (*s == '-' && isdigit((unsigned char)s[1]))
		return -ERANGE;
	for (p = s; *p; p++)
		if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	v = strtoull(s, NULL, base);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* parse_u64() for option @what of command @cmd, reporting the failure. */
static int parse_num(const char *cmd, const char *what, const char *s,
		     __u64 min, __u64 max, __u64 *out)
{
	int err = parse_u64(s, max, out);

	if (err == -EINVAL)
		return usage_error(cmd, "invalid %s '%s': not a number", what, s);
	if (err || *out < min)
		return usage_error(cmd, "invalid %s '%s': out of range (%llu..%llu)",
				   what, s, (unsigned long long)min,
				   (unsigned long long)max);
	return 0;
}

/* The option getopt_long() just refused, for the message. */
static int bad_option(const char *cmd, int argc, char **argv, int c)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (c == ':')
		return usage_error(cmd, "option '%s' needs an argument", arg);
	if (optopt && optopt != c && isprint(optopt))
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

/* ---------------------------------------------------------------------- */
/* Help */

static void print_exit_codes(FILE *f)
{
	fprintf(f,
		"EXIT STATUS\n"
		"  0  success\n"
		"  1  kernel or other failure\n"
		"  2  bad usage: unknown command, missing, extra or unparsable argument\n"
		"  3  the kvm_accel module is not loaded\n"
		"  4  bad VM fd or eventfd: not open, not that kind of fd, no such\n"
		"     process, or no such fd in it\n"
		"  5  object missing, unreadable, not BPF, or not an accelerator\n"
		"  6  no attachment with that link id\n"
		"  Checked in this order: 2, 3, 4, 5, then the kernel (1).\n");
}

static void help_attach(FILE *f)
{
	fprintf(f,
		"Usage: %s attach OBJ.bpf.o --fd N [--pid PID]\n"
		"           [--map NAME [--bus pio|mmio] [--base ADDR] [--len LEN]]...\n"
		"           [--eventfd FD]... [--pin[=PATH]]\n"
		"           [--budget NS] [--window NS] [--window-budget NS]\n"
		"\n"
		"Attach the kvm_accel_ops map of OBJ, or the maps named, to a VM.\n"
		"\n"
		"  --fd N        the VM fd: an fd this command inherited, or with --pid\n"
		"                an fd of process PID, taken with pidfd_getfd(2)\n"
		"                (needs ptrace access to PID)\n"
		"  --pid PID     the VMM process holding the VM fd and the eventfds\n"
		"  --map NAME    a struct_ops map to attach, needed if OBJ has several;\n"
		"                repeat it (up to %d) to attach several maps of OBJ\n"
		"                together: one load, so their programs share one\n"
		"                register file, and one attachment each\n"
		"  --bus, --base, --len\n"
		"                move the range of the --map before them (before any\n"
		"                --map: of the only map); default: what OBJ declares.\n"
		"                Any base may be given, 0 too\n"
		"  --eventfd FD  an eventfd the programs may signal, in table order;\n"
		"                up to %d; taken from PID with --pid\n"
		"  --pin[=PATH]  pin the links on bpffs and exit: at PATH (one map\n"
		"                only), or without one each at %s/link-<id>;\n"
		"                a PATH needs the '=' (--pin=PATH, not --pin PATH)\n"
		"  --budget NS   the most one program call may run (default %llu ns,\n"
		"                at most %llu); over it the attachment is disabled:\n"
		"                every access exits to the VMM ('stats' shows why)\n"
		"  --window NS, --window-budget NS\n"
		"                the most the programs may run in a window on one CPU\n"
		"                (default %llu ns in %llu ns)\n"
		"\n"
		"Prints, for each attachment (map), the link id, name, bus, range, VM\n"
		"creator's pid, state and pin: a line each, or with -j a JSON object\n"
		"each, one per line.\n"
		"\n"
		"Without --pin the command stays in the foreground holding the links\n"
		"until the first attachment is defunct (its VM was destroyed: the VMM\n"
		"closed it or exited), someone else ends it, or the command gets SIGINT,\n"
		"SIGTERM or SIGHUP (one ignored when it started, as under nohup, stays\n"
		"ignored).  Then it ends the attachments, says why and exits with status\n"
		"0.  What it prints on attaching is flushed at once; the end is a line\n"
		"per attachment on stderr, '%s: attachment ID (NAME): WHY', or with\n"
		"-j a JSON object per attachment on stdout:\n"
		"  {\"id\":ID,\"name\":NAME,\"detached\":true,\"reason\":\"defunct\"}\n"
		"REASON \"defunct\": the VM is gone; \"SIGINT\", \"SIGTERM\", \"SIGHUP\": that\n"
		"signal; \"ended\" (detached false): ended elsewhere, e.g. by 'detach ID'.\n"
		"\n"
		"With --pin it exits once pinned.  bpffs is mounted on %s if it\n"
		"is not.  An attachment lasts until '%s detach ID' (or the pin is\n"
		"removed); once its VM is gone it stays, defunct, until then.\n",
		bin_name, KVM_ACCEL_MAX_MAPS, KVM_ACCEL_MAX_EVENTFDS, KVM_ACCEL_PIN_DIR,
		KVM_ACCEL_BUDGET_NS_DEFAULT, KVM_ACCEL_BUDGET_NS_MAX,
		KVM_ACCEL_WINDOW_BUDGET_NS_DEFAULT, KVM_ACCEL_WINDOW_NS_DEFAULT, bin_name,
		KVM_ACCEL_BPFFS, bin_name);
}

static void help_list(FILE *f)
{
	fprintf(f,
		"Usage: %s list\n"
		"\n"
		"Show every attachment: link id, name, bus, base, length, pid of the\n"
		"VM's creator, state, counters, and the pin %s/link-<id>\n"
		"if present.  The state is live, or defunct once the VM is gone: a\n"
		"defunct attachment serves nothing and stays until its link is ended.\n",
		bin_name, KVM_ACCEL_PIN_DIR);
}
static void help_stats(FILE *f)
{
	fprintf(f,
		"Usage: %s stats [ID]\n"
		"\n"
		"Show the counters of attachment ID, or of all: accesses handled in\n"
		"the kernel, exits to the VMM, and errors (bad return values); and\n"
		"the state: live, or defunct once the VM is gone.\n",
		bin_name);
}

static void help_detach(FILE *f)
{
	fprintf(f,
		"Usage: %s detach ID\n"
		"\n"
		"End attachment ID (a BPF link id, see 'list') and remove its pin\n"
		"%s/link-<ID> if present.\n",
		bin_name, KVM_ACCEL_PIN_DIR);
}

static void help_help(FILE *f)
{
	fprintf(f, "Usage: %s help [COMMAND]\n", bin_name);
}

static void help_main(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Attach verified eBPF fast paths to emulated device registers of KVM VMs.\n"
		"\n"
		"Commands (any unique prefix will do):\n"
		"  attach OBJ --fd N [--pid PID] [...]   attach an accelerator (one or\n"
		"                                        several of its maps) to a VM:\n"
		"                                        hold it until the VM is gone,\n"
		"                                        or with --pin, pin it and exit\n"
		"  list                                  show all attachments\n"
		"  stats [ID]                            show counters\n"
		"  detach ID                             end an attachment\n"
		"  help [COMMAND]                        show help\n"
		"\n"
		"Options:\n"
		"  -j, --json     JSON output; errors as {\"error\": \"...\"} on stdout\n"
		"  -d, --debug    show libbpf's debug messages\n"
		"  -h, --help     show help (after a command: that command's)\n"
		"  -V, --version  show the version\n"
		"\n"
		"Numbers are decimal or 0x-prefixed hexadecimal.\n"
		"\n",
		bin_name);
	print_exit_codes(f);
}

/* ---------------------------------------------------------------------- */
/* Commands */

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	void (*help)(FILE *f);
};

static const struct cmd *find_cmd(const char *name, int *err);

/* Options every command takes, after its name. */
#define COMMON_LONGOPTS					\
	{ "json",	no_argument,	NULL, 'j' },	\
	{ "debug",	no_argument,	NULL, 'd' },	\
	{ "help",	no_argument,	NULL, 'h' }

static bool common_opt(int c)
{
	switch (c) {
	case 'j':
		json_output = true;
		return true;
	case 'd':
		debug = true;
		return true;
	}
	return false;
}

/*
 * Parse the options of a command that takes none but the common ones,
 * leaving positional arguments at argv[optind..].  Returns -1 when it
 * printed the help, else 0 or an exit status.
 */
static int parse_common(const char *cmd, void (*help)(FILE *f), int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONGOPTS, { } };
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jdh", opts, NULL)) != -1) {
		if (common_opt(c))
			continue;
		if (c == 'h') {
			help(stdout);
			return -1;
		}
		return bad_option(cmd, argc, argv, c);
	}
	return 0;
}

/* Parse a link id argument. */
static int parse_id(const char *cmd, const char *s, __u32 *id)
{
	__u64 v;
	int ret;

	ret = parse_num(cmd, "link id", s, 1, UINT32_MAX, &v);
	if (!ret)
		*id = v;
	return ret;
}

static const char *bus_name(__u32 bus)
{
	return bus == KVM_ACCEL_BUS_PIO ? "pio" : bus == KVM_ACCEL_BUS_MMIO ? "mmio" : "?";
}

/*
 * The conventional pin of link @id, in @path, if it exists and holds that
 * link (link ids are reused).  A pin this process may not open (no
 * privilege) is trusted by its name.
 */
static bool find_pin(__u32 id, char *path, size_t size)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	struct stat st;
	int fd, err;

	snprintf(path, size, "%s/link-%u", KVM_ACCEL_PIN_DIR, id);
	if (stat(path, &st))
		return false;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == EPERM || errno == EACCES;
	err = bpf_link_get_info_by_fd(fd, &info, &len);
	close(fd);
	return !err && info.id == id;
}

/* Mount bpffs on KVM_ACCEL_BPFFS unless it is there, and make the pin directory. */
static int prepare_pin_dir(void)
{
	struct statfs sfs;

	if (statfs(KVM_ACCEL_BPFFS, &sfs))
		return -errno;
	if (sfs.f_type != BPF_FS_MAGIC &&
	    mount("bpf", KVM_ACCEL_BPFFS, "bpf", 0, "mode=0700"))
		return -errno;
	if (mkdir(KVM_ACCEL_PIN_DIR, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* What an fd of this process is, for messages. */
static const char *fd_target(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return "unknown";
	buf[n] = '\0';
	return buf;
}

/*
 * Take fd @fd of process @pidfd into this process.  Returns the new fd or
 * an exit status as a negative number, having reported the problem.
 */
static int take_fd(int pidfd, int pid, int fd, const char *what)
{
	int local = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	char hint[64];

	if (local >= 0)
		return local;
	switch (errno) {
	case EBADF:
		snprintf(hint, sizeof(hint), "give the VMM's fd number: ls -l /proc/%d/fd", pid);
		return -fail(KVM_ACCEL_EXIT_BAD_FD, hint, "process %d has no fd %d (%s)",
			     pid, fd, what);
	case ESRCH:
		return -fail(KVM_ACCEL_EXIT_BAD_FD, NULL, "process %d exited", pid);
	case EPERM:
		return -fail(KVM_ACCEL_EXIT_FAILURE,
			     "needs ptrace access to it: CAP_SYS_PTRACE, or same user and no Yama",
			     "not allowed to take fd %d of process %d: %s", fd, pid,
			     strerror(errno));
	default:
		return -fail(KVM_ACCEL_EXIT_FAILURE, NULL, "pidfd_getfd(%d, fd %d): %s",
			     pid, fd, strerror(errno));
	}
}

/*
 * Explain why kvm_accel_check_*() refused @local, our copy of fd @fd of
 * process @pid (or our own fd @fd if @pid is 0).
 */
static int bad_fd(int local, int fd, int pid, const char *want)
{
	char buf[PATH_MAX];

	if (fcntl(local, F_GETFD) < 0)
		return fail(KVM_ACCEL_EXIT_BAD_FD,
			    "pass the fd to kvm-accel as an inherited fd, or use --pid",
			    "fd %d is not open", fd);
	if (pid)
		return fail(KVM_ACCEL_EXIT_BAD_FD, NULL,
			    "fd %d of process %d is not %s (it is %s)",
			    fd, pid, want, fd_target(local, buf, sizeof(buf)));
	return fail(KVM_ACCEL_EXIT_BAD_FD, NULL, "fd %d is not %s (it is %s)",
		    fd, want, fd_target(local, buf, sizeof(buf)));
}

static int object_error(int err, const char *obj, const char *map)
{
	const char *why = lib_msg[0] ? lib_msg : NULL;

	switch (err) {
	case -ENOENT:
	case -EACCES:
	case -EPERM:
	case -EISDIR:
		return fail(KVM_ACCEL_EXIT_BAD_OBJECT, NULL, "%s: %s", obj, strerror(-err));
	case -ENOEXEC:
		return fail(KVM_ACCEL_EXIT_BAD_OBJECT, "build it with clang -target bpf",
			    "%s: not a BPF object file", obj);
	case -ENOMSG:
		if (why)
			return fail(KVM_ACCEL_EXIT_BAD_OBJECT, NULL, "%s: %s", obj, why);
		if (map)
			return fail(KVM_ACCEL_EXIT_BAD_OBJECT, NULL,
				    "%s: no %s map named '%s'", obj, KVM_ACCEL_OPS_TYPE, map);
		return fail(KVM_ACCEL_EXIT_BAD_OBJECT,
			    "an accelerator declares its ops with KVM_ACCEL() from bpf/kvm_accel.h",
			    "%s: not an accelerator: no %s map", obj, KVM_ACCEL_OPS_TYPE);
	case -ENOTUNIQ:
		return usage_error("attach", "%s has several %s maps: choose one with --map NAME",
				   obj, KVM_ACCEL_OPS_TYPE);
	case -EOPNOTSUPP:
		return fail(KVM_ACCEL_EXIT_BAD_OBJECT,
			    "declare it with KVM_ACCEL() or in SEC(\".struct_ops.link\")",
			    "%s: the map cannot be attached through a BPF link", obj);
	case -EINVAL:
		if (why)
			return fail(KVM_ACCEL_EXIT_BAD_OBJECT,
				    "declare it with bpf/kvm_accel.h of this version",
				    "%s: %s", obj, why);
		return fail(KVM_ACCEL_EXIT_BAD_OBJECT,
			    "declare it with bpf/kvm_accel.h of this version",
			    "%s: its %s is not laid out as this version's bpf/kvm_accel.h lays it out",
			    obj, KVM_ACCEL_OPS_TYPE);
	default:
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "%s: %s", obj, err_str(err));
	}
}

static int attach_error(int err)
{
	const char *hint = NULL, *what = err_str(err);

	switch (err) {
	case -ENODEV:
		return no_module();
	case -EBADF:
		return fail(KVM_ACCEL_EXIT_BAD_FD, NULL,
			    "the kernel refused the VM fd or an eventfd");
	case -EEXIST:
		hint = "the range overlaps a device KVM already has or another attachment";
		break;
	case -ENOSPC:
		hint = "the VM has the maximum number of attachments, or its I/O bus is full";
		break;
	case -EINVAL:
		hint = "check bus, base, length (PIO ends by 0x10000) and libbpf's messages";
		break;
	case -EBUSY:
		hint = "the map is attached already";
		break;
	case -ESRCH:
		/* libbpf's "not found in kernel BTF" */
		what = "the kernel has no kvm_accel_ops type or a kfunc the object calls";
		hint = "is the module loaded and built with BTF (pahole installed)?";
		break;
	case -KERNEL_ENOTSUPP:
		hint = "is the module built for this kernel, with BTF?";
		break;
	case -EACCES:
	case -EPERM:
		hint = "the verifier refused a program (log above), or CAP_BPF is missing";
		break;
	}
	return fail(KVM_ACCEL_EXIT_FAILURE, hint, "cannot attach: %s", what);
}

static const char *state_name(__u32 state)
{
	return state == KVM_ACCEL_STATE_DEFUNCT ? "defunct" : "live";
}

/* The members of one attachment's object (@w), or its line of text (@w NULL). */
static void print_info(struct json_writer *w, const struct kvm_accel_info *info,
		       const char *pin)
{
	if (w) {
		jsonw_u64_field(w, "id", info->link_id);
		jsonw_string_field(w, "name", info->name);
		jsonw_string_field(w, "bus", bus_name(info->bus));
		jsonw_u64_field(w, "base", info->base);
		jsonw_u64_field(w, "length", info->len);
		jsonw_u64_field(w, "vm_pid", info->vm_pid);
		jsonw_string_field(w, "state", state_name(info->state));
		jsonw_string_field(w, "pinned", pin);
		return;
	}
	printf("%u: %s  %s 0x%llx-0x%llx (%llu bytes)  vm_pid %d  state %s\n",
	       info->link_id, info->name, bus_name(info->bus),
	       (unsigned long long)info->base,
	       (unsigned long long)(info->base + info->len - 1),
	       (unsigned long long)info->len, info->vm_pid, state_name(info->state));
	if (pin)
		printf("\tpinned %s\n", pin);
}

/* ---------------------------------------------------------------------- */
/* attach in the foreground: hold the link until the VM is gone */

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "signal";
}

/*
 * Catch the stop signals, blocked outside the wait so that none slips in
 * between looking at stop_signal and waiting: *@waitmask is the mask to
 * wait with.  A signal ignored when the tool started (nohup, a background
 * job's SIGINT) stays ignored.  SIGPIPE is ignored: a reader that went
 * away must not keep the attachment from being ended.
 */
static int catch_stop_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct sigaction old;
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&block, stop_signals[i]);
	if (sigprocmask(SIG_BLOCK, &block, waitmask))
		return -errno;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		if (sigaction(stop_signals[i], NULL, &old))
			return -errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		sigdelset(waitmask, stop_signals[i]);
		if (sigaction(stop_signals[i], &sa, NULL))
			return -errno;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* What attach knows of each attachment of the device, in map order. */
struct held {
	__u32 id;
	char name[KVM_ACCEL_NAME_LEN];	/* empty if the module did not say */
};

/*
 * Hold the attachments of @dev until the first is defunct (its VM is gone,
 * and with it every attachment of the device), ends elsewhere or a stop
 * signal arrives; then end them all (and free @dev) and say why: a line
 * each on stderr, or with -j a JSON object each on stdout.  An attachment
 * that is gone by then was ended elsewhere: reason "ended".
 */
static int hold_attachments(struct kvm_accel_dev *dev, const struct held *held, int nr,
			    const sigset_t *waitmask)
{
	struct kvm_accel_counters c;
	struct json_writer *w;
	const char *reason;
	bool gone[KVM_ACCEL_MAX_MAPS];
	int err, ret, i;

	do {
		err = stop_signal ? -EINTR : kvm_accel_pwait_defunct(held[0].id, -1, waitmask);
	} while (err == -EINTR && !stop_signal);

	if (stop_signal) {
		reason = signal_name(stop_signal);
	} else if (!err) {
		reason = "defunct";
	} else if (err == -ENOENT) {
		reason = "ended";
	} else {
		ret = fail(KVM_ACCEL_EXIT_FAILURE, NULL,
			   "cannot wait for attachment %u: %s; detaching it", held[0].id,
			   err_str(err));
		kvm_accel_detach(dev);
		return ret;
	}
	for (i = 0; i < nr; i++)
		gone[i] = kvm_accel_read_counters(held[i].id, &c) == -ENOENT;

	/* BPF_LINK_DETACH and close; "ended": the link is detached already. */
	err = kvm_accel_detach(dev);
	if (err)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot detach link %u: %s",
			    held[0].id, err_str(err));

	w = jw_new();
	for (i = 0; i < nr; i++) {
		const char *why = gone[i] ? "ended" : reason;
		const char *name = held[i].name[0] ? held[i].name : NULL;

		if (w) {
			jsonw_start_object(w);
			jsonw_u64_field(w, "id", held[i].id);
			jsonw_string_field(w, "name", name);
			jsonw_bool_field(w, "detached", strcmp(why, "ended") != 0);
			jsonw_string_field(w, "reason", why);
			jsonw_end_object(w);
		} else if (!strcmp(why, "defunct")) {
			fprintf(stderr, "%s: attachment %u (%s): the VM is gone; detached\n",
				bin_name, held[i].id, name ?: "?");
		} else if (!strcmp(why, "ended")) {
			fprintf(stderr, "%s: attachment %u (%s): ended elsewhere\n",
				bin_name, held[i].id, name ?: "?");
		} else {
			fprintf(stderr, "%s: attachment %u (%s): %s; detached\n",
				bin_name, held[i].id, name ?: "?", why);
		}
	}
	jsonw_destroy(w);
	return KVM_ACCEL_EXIT_OK;
}

/*
 * attach's range options go to the map of the --map before them, or
 * before any --map to the only map: the spec they change.
 */
static struct kvm_accel_map_opts *range_spec(struct kvm_accel_map_opts *maps, __u32 nr_maps,
					     struct kvm_accel_map_opts *first)
{
	return nr_maps ? &maps[nr_maps - 1] : first;
}

static int do_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd",		required_argument, NULL, 'f' },
		{ "pid",	required_argument, NULL, 'p' },
		{ "map",	required_argument, NULL, 'm' },
		{ "bus",	required_argument, NULL, 'b' },
		{ "base",	required_argument, NULL, 'a' },
		{ "len",	required_argument, NULL, 'l' },
		{ "eventfd",	required_argument, NULL, 'e' },
		{ "pin",	optional_argument, NULL, 'P' },
		{ "budget",	required_argument, NULL, 'B' },
		{ "window",	required_argument, NULL, 'W' },
		{ "window-budget", required_argument, NULL, 'w' },
		COMMON_LONGOPTS,
		{ }
	};
	KVM_ACCEL_ATTACH_OPTS(aopts);
	struct kvm_accel_map_opts maps[KVM_ACCEL_MAX_MAPS] = { }, first = { }, *spec;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS], local_ev[KVM_ACCEL_MAX_EVENTFDS];
	int fd = -1, pid = 0, pidfd = -1, vm_fd = -1, nr_local_ev = 0;
	char pin_buf[KVM_ACCEL_MAX_MAPS][PATH_MAX];
	const char *pins[KVM_ACCEL_MAX_MAPS] = { NULL };
	struct held held[KVM_ACCEL_MAX_MAPS] = { };
	struct kvm_accel_dev *dev = NULL;
	bool pin_opt = false, range_before_map = false;
	const char *obj, *pin = NULL;
	struct kvm_accel_info info;
	__u32 nr_ev = 0, nr_maps = 0, i, j;
	struct json_writer *w = NULL;
	int c, ret, err, id, nr;
	sigset_t waitmask;
	__u64 v;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jdh", opts, NULL)) != -1) {
		if (common_opt(c))
			continue;
		spec = range_spec(maps, nr_maps, &first);
		switch (c) {
		case 'h':
			help_attach(stdout);
			return KVM_ACCEL_EXIT_OK;
		case 'f':
			ret = parse_num("attach", "--fd", optarg, 0, INT_MAX, &v);
			if (ret)
				return ret;
			fd = v;
			break;
		case 'p':
			ret = parse_num("attach", "--pid", optarg, 1, INT_MAX, &v);
			if (ret)
				return ret;
			pid = v;
			break;
		case 'm':
			if (!*optarg)
				return usage_error("attach", "empty --map name");
			if (nr_maps == KVM_ACCEL_MAX_MAPS)
				return usage_error("attach", "more than %d --map",
						   KVM_ACCEL_MAX_MAPS);
			for (i = 0; i < nr_maps; i++)
				if (!strcmp(maps[i].name, optarg))
					return usage_error("attach", "--map %s given twice",
							   optarg);
			maps[nr_maps++].name = optarg;
			break;
		case 'b':
			if (!strcmp(optarg, "pio"))
				spec->bus = KVM_ACCEL_BUS_PIO;
			else if (!strcmp(optarg, "mmio"))
				spec->bus = KVM_ACCEL_BUS_MMIO;
			else
				return usage_error("attach", "invalid --bus '%s': pio or mmio",
						   optarg);
			range_before_map |= !nr_maps;
			break;
		case 'a':
			ret = parse_num("attach", "--base", optarg, 0, UINT64_MAX, &spec->base);
			if (ret)
				return ret;
			/* 0 is a base like any other: say it was given. */
			spec->flags |= KVM_ACCEL_BASE_GIVEN;
			range_before_map |= !nr_maps;
			break;
		case 'l':
			ret = parse_num("attach", "--len", optarg, 1, INT_MAX, &spec->len);
			if (ret)
				return ret;
			range_before_map |= !nr_maps;
			break;
		case 'e':
			if (nr_ev == KVM_ACCEL_MAX_EVENTFDS)
				return usage_error("attach", "more than %d --eventfd",
						   KVM_ACCEL_MAX_EVENTFDS);
			ret = parse_num("attach", "--eventfd", optarg, 0, INT_MAX, &v);
			if (ret)
				return ret;
			eventfds[nr_ev++] = v;
			break;
		case 'B':
			ret = parse_num("attach", "--budget", optarg, 1, KVM_ACCEL_BUDGET_NS_MAX,
					&aopts.budget_ns);
			if (ret)
				return ret;
			break;
		case 'W':
			ret = parse_num("attach", "--window", optarg, 1, KVM_ACCEL_WINDOW_NS_MAX,
					&aopts.window_ns);
			if (ret)
				return ret;
			break;
		case 'w':
			ret = parse_num("attach", "--window-budget", optarg, 1,
					KVM_ACCEL_WINDOW_NS_MAX, &aopts.window_budget_ns);
			if (ret)
				return ret;
			break;
		case 'P':
			/* Optional argument: only --pin=PATH gives one, never --pin PATH. */
			if (optarg && !*optarg)
				return usage_error("attach",
						   "empty --pin path: --pin alone pins at %s/link-<id>",
						   KVM_ACCEL_PIN_DIR);
			pin_opt = true;
			pin = optarg;
			break;
		default:
			return bad_option("attach", argc, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error("attach", "missing object file");
	obj = argv[optind++];
	if (optind < argc) {
		if (pin_opt && !pin)
			return fail(KVM_ACCEL_EXIT_USAGE,
				    "a --pin path takes the '=' form: --pin=PATH",
				    "unexpected argument '%s'", argv[optind]);
		return usage_error("attach", "unexpected argument '%s'", argv[optind]);
	}
	if (fd < 0)
		return usage_error("attach", "missing --fd: the VM fd");
	if (range_before_map && nr_maps > 1)
		return usage_error("attach",
				   "--bus, --base or --len before the first of several --map: give each after its --map");
	if (pin && nr_maps > 1)
		return usage_error("attach",
				   "--pin=PATH pins one link: with several --map, --pin pins each at %s/link-<id>",
				   KVM_ACCEL_PIN_DIR);

	/* One map: the options before --map are its own. */
	if (nr_maps == 1 && range_before_map) {
		if (!maps[0].bus)
			maps[0].bus = first.bus;
		if (!(maps[0].flags & KVM_ACCEL_BASE_GIVEN)) {
			maps[0].base = first.base;
			maps[0].flags |= first.flags;
		}
		if (!maps[0].len)
			maps[0].len = first.len;
	}
	if (nr_maps) {
		aopts.maps = maps;
		aopts.nr_maps = nr_maps;
	} else {
		aopts.bus = first.bus;
		aopts.base = first.base;
		aopts.len = first.len;
		aopts.flags = first.flags;
	}

	if (!kvm_accel_module_loaded())
		return no_module();

	/* File descriptors: take them from the VMM, then check what they are. */
	if (pid) {
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			if (errno == ESRCH || errno == EINVAL)
				return fail(KVM_ACCEL_EXIT_BAD_FD, NULL, "no process %d", pid);
			return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "pidfd_open(%d): %s", pid,
				    strerror(errno));
		}
		vm_fd = take_fd(pidfd, pid, fd, "--fd");
		if (vm_fd < 0) {
			ret = -vm_fd;
			goto out;
		}
		for (i = 0; i < nr_ev; i++) {
			local_ev[i] = take_fd(pidfd, pid, eventfds[i], "--eventfd");
			if (local_ev[i] < 0) {
				ret = -local_ev[i];
				goto out;
			}
			nr_local_ev++;
		}
	} else {
		vm_fd = fd;
		memcpy(local_ev, eventfds, nr_ev * sizeof(int));
	}
	if (kvm_accel_check_vm_fd(vm_fd)) {
		ret = bad_fd(vm_fd, fd, pid, "a KVM VM fd");
		goto out;
	}
	for (i = 0; i < nr_ev; i++) {
		if (kvm_accel_check_eventfd(local_ev[i])) {
			ret = bad_fd(local_ev[i], eventfds[i], pid, "an eventfd");
			goto out;
		}
	}
	aopts.eventfds = local_ev;
	aopts.nr_eventfds = nr_ev;

	lib_msg[0] = '\0';
	err = kvm_accel_open(obj, &aopts, &dev);
	if (err) {
		ret = object_error(err, obj, nr_maps == 1 ? maps[0].name : NULL);
		goto out;
	}
	err = kvm_accel_dev_attach(dev, vm_fd);
	if (err) {
		ret = attach_error(err);
		goto out;
	}

	nr = kvm_accel_nr_maps(dev);
	for (i = 0; i < (__u32)nr; i++) {
		id = kvm_accel_link_id_at(dev, i);
		if (id < 0) {
			ret = fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot read the link id: %s",
				   err_str(id));
			goto out_detach;
		}
		held[i].id = id;
	}
	if (pin_opt) {
		/* This process exits: only the pins keep the attachments. */
		if (!pin) {
			err = prepare_pin_dir();
			if (err) {
				ret = fail(KVM_ACCEL_EXIT_FAILURE,
					   "this needs root (CAP_SYS_ADMIN)",
					   "cannot prepare %s on bpffs: %s", KVM_ACCEL_PIN_DIR,
					   strerror(-err));
				goto out_detach;
			}
		}
		for (i = 0; i < (__u32)nr; i++) {
			if (pin) {
				pins[i] = pin;
			} else {
				snprintf(pin_buf[i], sizeof(pin_buf[i]), "%s/link-%u",
					 KVM_ACCEL_PIN_DIR, held[i].id);
				pins[i] = pin_buf[i];
			}
			err = kvm_accel_pin_at(dev, i, pins[i]);
			if (err) {
				ret = fail(KVM_ACCEL_EXIT_FAILURE,
					   err == -EINVAL ? "the path must be on a bpffs mount" : NULL,
					   "cannot pin the link at %s: %s", pins[i], err_str(err));
				goto out_detach;
			}
		}
	} else {
		/* This process holds the links, until a stop signal at the latest. */
		err = catch_stop_signals(&waitmask);
		if (err) {
			ret = fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot catch signals: %s",
				   strerror(-err));
			goto out_detach;
		}
		/*
		 * Its copy of the VM fd would keep the VM from ever being
		 * destroyed; the module needed it only to create the links.
		 */
		close(vm_fd);
		vm_fd = -1;
		for (i = 0; i < (__u32)nr_local_ev; i++)
			close(local_ev[i]);
		nr_local_ev = 0;
	}

	/* One JSON object, or one attached line, per attachment. */
	w = jw_new();
	for (i = 0; i < (__u32)nr; i++) {
		id = held[i].id;
		err = kvm_accel_read_info(id, &info);
		if (err)
			/* Attached all the same; the module just said nothing. */
			fprintf(stderr, "%s: warning: cannot read attachment %d: %s\n",
				bin_name, id, err_str(err));
		else
			snprintf(held[i].name, sizeof(held[i].name), "%s", info.name);
		if (w) {
			jsonw_start_object(w);
			if (err) {
				jsonw_u64_field(w, "id", id);
				jsonw_string_field(w, "pinned", pins[i]);
			} else {
				print_info(w, &info, pins[i]);
			}
			jsonw_end_object(w);
		} else if (err) {
			printf("attached %d\n", id);
			if (pins[i])
				printf("\tpinned %s\n", pins[i]);
		} else {
			printf("attached ");
			print_info(NULL, &info, pins[i]);
		}
	}
	jsonw_destroy(w);
	if (!json_output && !pin_opt)
		printf("\theld by pid %d until the VM is gone (or SIGINT, SIGTERM, SIGHUP)\n",
		       getpid());
	if (pin_opt) {
		kvm_accel_release(dev);
		dev = NULL;
		ret = KVM_ACCEL_EXIT_OK;
		goto out;
	}

	/* Whoever reads the output learns the link ids before the wait. */
	fflush(stdout);
	ret = hold_attachments(dev, held, nr, &waitmask);
	dev = NULL;
	goto out;

out_detach:
	kvm_accel_detach(dev);
	dev = NULL;
out:
	kvm_accel_release(dev);
	if (pid) {
		for (j = 0; j < (__u32)nr_local_ev; j++)
			close(local_ev[j]);
		if (vm_fd >= 0)
			close(vm_fd);
		if (pidfd >= 0)
			close(pidfd);
	}
	return ret;
}

static const char *disabled_name(__u32 why)
{
	return why == KVM_ACCEL_DISABLED_CALL ? "call" :
	       why == KVM_ACCEL_DISABLED_WINDOW ? "window" : "no";
}

/* The state column: "live", "defunct", or "disabled" (live, over budget). */
static const char *state_col(const struct kvm_accel_info *info)
{
	if (info->state == KVM_ACCEL_STATE_LIVE && info->budget.disabled)
		return "disabled";
	return state_name(info->state);
}

/* The exit record of the budget, if the programs ever went over it. */
static void print_budget_text(const struct kvm_accel_info *info)
{
	const struct kvm_accel_budget_state *b = &info->budget;
	char when[64] = "?";
	time_t t = b->when_ns / 1000000000ULL;
	struct tm tm;

	if (!b->trips)
		return;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("\t%s: the %s program ran %llu ns %s (budget %llu ns), vcpu %u, address 0x%llx, at %s; %u time%s\n",
	       b->disabled ? "disabled" : "was disabled", b->is_write ? "write" : "read",
	       (unsigned long long)b->time_ns,
	       b->reason == KVM_ACCEL_DISABLED_CALL ? "in one call" : "in one window",
	       (unsigned long long)b->limit_ns, b->vcpu_id, (unsigned long long)b->addr,
	       when, b->trips, b->trips == 1 ? "" : "s");
}

/* Nothing from a module without budgets: its output stays as it was. */
static void print_budget_json(struct json_writer *w, const struct kvm_accel_info *info)
{
	const struct kvm_accel_budget_state *b = &info->budget;

	if (!b->budget_ns)
		return;
	jsonw_string_field(w, "disabled", disabled_name(b->disabled));
	jsonw_u64_field(w, "budget_ns", b->budget_ns);
	jsonw_u64_field(w, "window_ns", b->window_ns);
	jsonw_u64_field(w, "window_budget_ns", b->window_budget_ns);
	jsonw_u64_field(w, "trips", b->trips);
	if (!b->trips)
		return;
	jsonw_name(w, "last_trip");
	jsonw_start_object(w);
	jsonw_string_field(w, "reason", disabled_name(b->reason));
	jsonw_string_field(w, "program", b->is_write ? "write" : "read");
	jsonw_u64_field(w, "when_ns", b->when_ns);
	jsonw_u64_field(w, "time_ns", b->time_ns);
	jsonw_u64_field(w, "budget_ns", b->limit_ns);
	jsonw_u64_field(w, "vcpu", b->vcpu_id);
	jsonw_u64_field(w, "addr", b->addr);
	jsonw_end_object(w);
}

static void print_counters_header(void)
{
	printf("%-8s %-20s %14s %14s %14s  %s\n", "ID", "NAME", "HANDLED", "EXITS",
	       "ERRORS", "STATE");
}

static void print_counters_text(struct json_writer *w, const struct kvm_accel_info *info)
{
	printf("%-8u %-20s %14llu %14llu %14llu  %s\n", info->link_id, info->name,
	       (unsigned long long)info->counters.handled,
	       (unsigned long long)info->counters.exits,
	       (unsigned long long)info->counters.errors, state_col(info));
	print_budget_text(info);
}

static void print_counters_json(struct json_writer *w, const struct kvm_accel_info *info)
{
	jsonw_start_object(w);
	jsonw_u64_field(w, "id", info->link_id);
	jsonw_string_field(w, "name", info->name);
	jsonw_string_field(w, "state", state_name(info->state));
	jsonw_u64_field(w, "handled", info->counters.handled);
	jsonw_u64_field(w, "exits", info->counters.exits);
	jsonw_u64_field(w, "errors", info->counters.errors);
	print_budget_json(w, info);
	jsonw_end_object(w);
}

static void print_list_entry(struct json_writer *w, const struct kvm_accel_info *info)
{
	char pin[PATH_MAX];
	bool pinned = find_pin(info->link_id, pin, sizeof(pin));

	if (w) {
		jsonw_start_object(w);
		print_info(w, info, pinned ? pin : NULL);
		jsonw_u64_field(w, "handled", info->counters.handled);
		jsonw_u64_field(w, "exits", info->counters.exits);
		jsonw_u64_field(w, "errors", info->counters.errors);
		print_budget_json(w, info);
		jsonw_end_object(w);
		return;
	}
	print_info(NULL, info, pinned ? pin : NULL);
	printf("\thandled %llu  exits %llu  errors %llu\n",
	       (unsigned long long)info->counters.handled,
	       (unsigned long long)info->counters.exits,
	       (unsigned long long)info->counters.errors);
	if (info->budget.budget_ns)
		printf("\tbudget %llu ns a call, %llu ns in %llu ns\n",
		       (unsigned long long)info->budget.budget_ns,
		       (unsigned long long)info->budget.window_budget_ns,
		       (unsigned long long)info->budget.window_ns);
	print_budget_text(info);
}

/*
 * Print every attachment with @print.  Attachments that go away while
 * being read are skipped; other read errors are reported at the end.
 */
static int for_each_attachment(void (*print)(struct json_writer *w,
					     const struct kvm_accel_info *info))
{
	struct json_writer *w = NULL;
	struct kvm_accel_info info;
	int n, i, err, ret = 0;
	__u32 *ids;

	n = kvm_accel_list(NULL, 0);
	if (n == -ENODEV)
		return no_module();
	if (n < 0)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot list %s: %s",
			    KVM_ACCEL_SYSFS_DIR, err_str(n));
	ids = calloc(n ?: 1, sizeof(*ids));
	if (!ids)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "%s", strerror(ENOMEM));
	/* Attachments come and go: take what fits of a second listing. */
	n = kvm_accel_list(ids, n);
	if (n < 0) {
		free(ids);
		return n == -ENODEV ? no_module() :
		       fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot list: %s", err_str(n));
	}

	if (json_output) {
		w = jw_new();
		if (!w) {
			free(ids);
			return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "%s", strerror(ENOMEM));
		}
		jsonw_start_array(w);
	}
	for (i = 0; i < n; i++) {
		err = kvm_accel_read_info(ids[i], &info);
		if (err == -ENOENT)
			continue;
		if (err) {
			fprintf(stderr, "%s: warning: attachment %u: %s\n", bin_name,
				ids[i], err_str(err));
			ret = KVM_ACCEL_EXIT_FAILURE;
			continue;
		}
		print(w, &info);
	}
	if (w) {
		jsonw_end_array(w);
		jsonw_destroy(w);
	}
	free(ids);
	return ret;
}

static int do_list(int argc, char **argv)
{
	int ret;

	ret = parse_common("list", help_list, argc, argv);
	if (ret)
		return ret < 0 ? KVM_ACCEL_EXIT_OK : ret;
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (!kvm_accel_module_loaded())
		return no_module();
	return for_each_attachment(print_list_entry);
}

static int do_stats(int argc, char **argv)
{
	struct kvm_accel_info info;
	__u32 id = 0;
	int ret, err;

	ret = parse_common("stats", help_stats, argc, argv);
	if (ret)
		return ret < 0 ? KVM_ACCEL_EXIT_OK : ret;
	if (optind < argc) {
		ret = parse_id("stats", argv[optind++], &id);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return usage_error("stats", "unexpected argument '%s'", argv[optind]);
	if (!kvm_accel_module_loaded())
		return no_module();

	if (!id) {
		if (!json_output)
			print_counters_header();
		return for_each_attachment(json_output ? print_counters_json :
					   print_counters_text);
	}

	err = kvm_accel_read_info(id, &info);
	if (err == -ENODEV)
		return no_module();
	if (err == -ENOENT)
		return not_found(id);
	if (err)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "attachment %u: %s", id,
			    err_str(err));
	if (json_output) {
		struct json_writer *w = jw_new();

		if (!w)
			return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "%s", strerror(ENOMEM));
		print_counters_json(w, &info);
		jsonw_destroy(w);
	} else {
		print_counters_header();
		print_counters_text(NULL, &info);
	}
	return KVM_ACCEL_EXIT_OK;
}

/*
 * Whether link @fd is a kvm_accel attachment, judged from the fd itself as
 * bpftool judges a link's type: a struct_ops link whose map's value type
 * is bpf_struct_ops_kvm_accel_ops in the kvm_accel module's BTF.  The
 * sysfs entry of the same id is not enough: an id names whatever object
 * holds it when the fd is opened.  Returns 1, 0 (another link, or one
 * already detached, which names no map), or a negative errno.
 */
static int link_is_kvm_accel(int fd)
{
	struct bpf_link_info linfo = {};
	struct bpf_map_info minfo = {};
	struct bpf_btf_info binfo = {};
	__u32 len = sizeof(linfo);
	struct btf *vmlinux = NULL, *btf = NULL;
	const struct btf_type *t;
	char bname[64] = "";
	int err, map_fd, btf_fd, ret = 0;

	err = bpf_link_get_info_by_fd(fd, &linfo, &len);
	if (err)
		return err;
	if (linfo.type != BPF_LINK_TYPE_STRUCT_OPS || !linfo.struct_ops.map_id)
		return 0;
	map_fd = bpf_map_get_fd_by_id(linfo.struct_ops.map_id);
	if (map_fd < 0)
		return map_fd == -ENOENT ? 0 : map_fd;
	len = sizeof(minfo);
	err = bpf_map_get_info_by_fd(map_fd, &minfo, &len);
	close(map_fd);
	if (err)
		return err;
	if (minfo.type != BPF_MAP_TYPE_STRUCT_OPS || !minfo.btf_vmlinux_id)
		return 0;

	btf_fd = bpf_btf_get_fd_by_id(minfo.btf_vmlinux_id);
	if (btf_fd < 0)
		return btf_fd == -ENOENT ? 0 : btf_fd;
	binfo.name = (__u64)(unsigned long)bname;
	binfo.name_len = sizeof(bname);
	len = sizeof(binfo);
	err = bpf_btf_get_info_by_fd(btf_fd, &binfo, &len);
	close(btf_fd);
	if (err)
		return err;
	if (!binfo.kernel_btf || strcmp(bname, "kvm_accel"))
		return 0;

	vmlinux = btf__load_vmlinux_btf();
	err = libbpf_get_error(vmlinux);
	if (err)
		return err;
	btf = btf__load_from_kernel_by_id_split(minfo.btf_vmlinux_id, vmlinux);
	err = libbpf_get_error(btf);
	if (err) {
		btf__free(vmlinux);
		return err;
	}
	t = btf__type_by_id(btf, minfo.btf_vmlinux_value_type_id);
	ret = t && btf_is_struct(t) &&
	      !strcmp(btf__name_by_offset(btf, t->name_off),
		      "bpf_struct_ops_" KVM_ACCEL_OPS_TYPE);
	btf__free(btf);
	btf__free(vmlinux);
	return ret;
}

static int do_detach(int argc, char **argv)
{
	__u32 id;
	struct kvm_accel_info info;
	char pin[PATH_MAX];
	bool unpinned = false;
	int ret, err, fd;

	ret = parse_common("detach", help_detach, argc, argv);
	if (ret)
		return ret < 0 ? KVM_ACCEL_EXIT_OK : ret;
	if (optind >= argc)
		return usage_error("detach", "missing link id");
	ret = parse_id("detach", argv[optind++], &id);
	if (ret)
		return ret;
	if (optind < argc)
		return usage_error("detach", "unexpected argument '%s'", argv[optind]);
	if (!kvm_accel_module_loaded())
		return no_module();

	/* Only ever detach links the module knows: never some other BPF link. */
	err = kvm_accel_read_info(id, &info);
	if (err == -ENODEV)
		return no_module();
	if (err == -ENOENT)
		return not_found(id);
	if (err)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "attachment %u: %s", id,
			    err_str(err));

	fd = bpf_link_get_fd_by_id(id);
	if (fd < 0) {
		if (fd == -ENOENT)
			return not_found(id);
		return fail(KVM_ACCEL_EXIT_FAILURE,
			    fd == -EPERM ? "this needs CAP_SYS_ADMIN" : NULL,
			    "cannot open link %u: %s", id, err_str(fd));
	}
	err = link_is_kvm_accel(fd);
	if (err <= 0) {
		close(fd);
		if (err < 0)
			return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "link %u: %s", id,
				    err_str(err));
		return fail(KVM_ACCEL_EXIT_NOT_FOUND, "'kvm-accel list' shows the attachments",
			    "link %u is not a kvm_accel attachment (or is detached already); left alone",
			    id);
	}
	err = bpf_link_detach(fd);
	close(fd);
	if (err)
		return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "cannot detach link %u: %s", id,
			    err_str(err));

	/* The detached link object lives as long as its pin: remove ours. */
	if (find_pin(id, pin, sizeof(pin))) {
		if (unlink(pin))
			fprintf(stderr, "%s: warning: cannot remove %s: %s\n", bin_name,
				pin, strerror(errno));
		else
			unpinned = true;
	}

	if (json_output) {
		struct json_writer *w = jw_new();

		if (!w)
			return fail(KVM_ACCEL_EXIT_FAILURE, NULL, "%s", strerror(ENOMEM));
		jsonw_start_object(w);
		jsonw_u64_field(w, "id", id);
		jsonw_string_field(w, "name", info.name);
		jsonw_bool_field(w, "detached", true);
		jsonw_string_field(w, "unpinned", unpinned ? pin : NULL);
		jsonw_end_object(w);
		jsonw_destroy(w);
	} else {
		printf("detached %u: %s\n", id, info.name);
		if (unpinned)
			printf("\tremoved pin %s\n", pin);
	}
	return KVM_ACCEL_EXIT_OK;
}

static int do_help(int argc, char **argv)
{
	const struct cmd *cmd;
	int ret, err;

	ret = parse_common("help", help_help, argc, argv);
	if (ret)
		return ret < 0 ? KVM_ACCEL_EXIT_OK : ret;
	if (optind >= argc) {
		help_main(stdout);
		return KVM_ACCEL_EXIT_OK;
	}
	if (optind + 1 < argc)
		return usage_error("help", "unexpected argument '%s'", argv[optind + 1]);
	cmd = find_cmd(argv[optind], &err);
	if (!cmd)
		return usage_error(NULL, "%s command '%s'",
				   err == -ENOTUNIQ ? "ambiguous" : "unknown", argv[optind]);
	cmd->help(stdout);
	return KVM_ACCEL_EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "attach",	do_attach,	help_attach },
	{ "list",	do_list,	help_list },
	{ "stats",	do_stats,	help_stats },
	{ "detach",	do_detach,	help_detach },
	{ "help",	do_help,	help_help },
};

/* The command @name names exactly or is the only one to start with. */
static const struct cmd *find_cmd(const char *name, int *err)
{
	const struct cmd *found = NULL;
	size_t i, n = strlen(name);

	*err = -ENOENT;
	if (!n)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (!strncmp(cmds[i].name, name, n)) {
			if (found) {
				*err = -ENOTUNIQ;
				return NULL;
			}
			found = &cmds[i];
		}
	}
	return found;
}

static int do_version(void)
{
	struct json_writer *w = jw_new();

	if (w) {
		jsonw_start_object(w);
		jsonw_string_field(w, "version", LIBKVMACCEL_VERSION);
		jsonw_string_field(w, "libbpf", libbpf_version_string());
		jsonw_end_object(w);
		jsonw_destroy(w);
	} else {
		printf("%s %s (libbpf %s)\n", bin_name, LIBKVMACCEL_VERSION,
		       libbpf_version_string());
	}
	return KVM_ACCEL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{ "version",	no_argument,	NULL, 'V' },
		{ }
	};
	const struct cmd *cmd;
	bool help = false, version = false;
	int c, err, ret;

	libbpf_set_print(libbpf_print);
	kvm_accel_set_print(lib_print);
	/* Options before the command; '+' stops at the command's name. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jdhV", opts, NULL)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		default:
			return bad_option(NULL, argc, argv, c);
		}
	}
	if (version)
		return do_version();
	if (help) {
		help_main(stdout);
		return KVM_ACCEL_EXIT_OK;
	}
	if (optind >= argc)
		return usage_error(NULL, "missing command");

	cmd = find_cmd(argv[optind], &err);
	if (!cmd)
		return usage_error(NULL, "%s command '%s'",
				   err == -ENOTUNIQ ? "ambiguous" : "unknown", argv[optind]);
	/* The command sees its own name as argv[0], as getopt wants. */
	ret = cmd->func(argc - optind, argv + optind);
	fflush(stdout);
	return ret;
}
