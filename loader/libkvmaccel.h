/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libkvmaccel: attach kvm-accel device fast paths to a VM.
 *
 * A device fast path is a BPF object holding one or more struct_ops maps
 * of type kvm_accel_ops (see bpf/kvm_accel.h), one per guest address range.
 * A VMM attaches it to one of its VM file descriptors, maps the register
 * file the programs share with it, and detaches it when the device goes
 * away:
 *
 *	struct kvm_accel_map_opts maps[] = {
 *		{ .name = "ide_cmd" }, { .name = "ide_ctl" },
 *	};
 *	KVM_ACCEL_ATTACH_OPTS(opts, .maps = maps, .nr_maps = 2);
 *	struct kvm_accel_dev *dev;
 *	size_t sz;
 *	int err;
 *
 *	err = kvm_accel_attach("ide.bpf.o", vm_fd, &opts, &dev);
 *	if (err)
 *		return err;
 *	regs = kvm_accel_regfile(dev, ".bss", &sz);
 *	...
 *	kvm_accel_detach(dev);
 *
 * Every function returns 0 (or a non-negative value) on success and a
 * negative errno on failure, and never exits; it prints only through
 * kvm_accel_set_print(), which is silent by default.  libbpf's own
 * messages (verifier logs among them) go wherever the application pointed
 * libbpf_set_print(); this library does not touch that setting.
 *
 * A struct kvm_accel_dev is not thread safe: one thread at a time.
 */
#ifndef _LIBKVMACCEL_H
#define _LIBKVMACCEL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <kvm_accel_abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBKVMACCEL_VERSION	"0.2.0"

/*
 * Where the module publishes attachments, one directory each, whose
 * link_id file names the BPF link that holds it.
 */
#define KVM_ACCEL_SYSFS_DIR	"/sys/kernel/kvm_accel"

struct bpf_object;

/*
 * One opened accelerator object: its kvm_accel_ops maps and, once
 * attached, one BPF link (one attachment) per map.
 */
struct kvm_accel_dev;

/* kvm_accel_attach_opts.flags and kvm_accel_map_opts.flags */
#define KVM_ACCEL_BASE_GIVEN	(1U << 0)	/* @base is meant, even 0 */

/*
 * One kvm_accel_ops map of the object and where to attach it.  @bus and
 * @len: 0 keeps the object's.  @base: kept unless it is non-zero or
 * KVM_ACCEL_BASE_GIVEN is set, so base 0 needs the flag.  The layout of
 * this struct is fixed; @reserved must be zero.
 */
struct kvm_accel_map_opts {
	const char *name;
	__u32 flags;		/* KVM_ACCEL_BASE_GIVEN */
	__u32 bus;		/* KVM_ACCEL_BUS_* */
	__u64 base;
	__u64 len;
	__u64 reserved[2];
};

#define KVM_ACCEL_MAX_MAPS	8	/* maps attached in one call */

/*
 * Attach options, in libbpf's OPTS style: set @sz to sizeof(struct
 * kvm_accel_attach_opts).  Fields beyond @sz count as zero, so a program
 * built against an older header keeps working.  A NULL pointer means all
 * defaults.
 */
struct kvm_accel_attach_opts {
	size_t sz;
	/*
	 * The struct_ops map to attach.  NULL: the object's only
	 * kvm_accel_ops map (-ENOMSG if it has none, -ENOTUNIQ if several).
	 */
	const char *map_name;
	__u32 bus;		/* KVM_ACCEL_BUS_*; 0 keeps the object's */
	/* Kept unless non-zero or KVM_ACCEL_BASE_GIVEN is in @flags. */
	__u64 base;
	__u64 len;		/* 0 keeps the object's */
	/*
	 * Eventfds the programs may signal (kvm_accel_signal_eventfd(), index
	 * into this table), normally KVM irqfds.  Descriptors of the calling
	 * process; they must stay open until attached, and until any
	 * kvm_accel_update(), which passes the same table again.  With
	 * several maps, each attachment gets the same table.
	 */
	const int *eventfds;
	__u32 nr_eventfds;	/* at most KVM_ACCEL_MAX_EVENTFDS */
	/*
	 * If set, pin the link at this bpffs path once attached.  One map
	 * only (-EINVAL with several: pin each with kvm_accel_pin_at()).
	 */
	const char *pin_path;
	/*
	 * The runtime budget (kvm_accel_abi.h): the most one program call
	 * may take, a window and the most the programs may run in it on one
	 * CPU, all in ns.  0 keeps the object's value (0 there: the module's
	 * default), which kvm_accel_update() passes again; the module refuses
	 * (-EINVAL) more than KVM_ACCEL_BUDGET_NS_MAX per call, a window over
	 * KVM_ACCEL_WINDOW_NS_MAX, or a window budget longer than its window.
	 * An object built against a header without these members takes the
	 * defaults only (-EINVAL if one is set).  With several maps, each
	 * attachment has this budget.
	 */
	__u64 budget_ns;
	__u64 window_ns;
	__u64 window_budget_ns;
	__u32 flags;		/* KVM_ACCEL_BASE_GIVEN, for @base */
	/*
	 * Several kvm_accel_ops maps of the object, attached together (a
	 * device with several ranges, such as IDE's command block and
	 * control port): one object is loaded, so every program of every
	 * map sees the same global data and maps, which is one register
	 * file, and each map becomes an attachment of its own, in this
	 * order.  If all are attached on return, else none.  With @maps,
	 * @map_name, @bus, @base, @len and @flags must be zero.  At most
	 * KVM_ACCEL_MAX_MAPS, each named once.
	 */
	const struct kvm_accel_map_opts *maps;
	__u32 nr_maps;
};

#define KVM_ACCEL_ATTACH_OPTS(_name, ...)				\
	struct kvm_accel_attach_opts _name = {				\
		.sz = sizeof(struct kvm_accel_attach_opts),		\
		__VA_ARGS__						\
	}

/*
 * Open @obj_path, load it and attach its kvm_accel_ops map (or the maps
 * named in @opts->maps) to the VM behind @vm_fd (a descriptor of the
 * calling process: the module resolves it in the process that creates the
 * link).  On success *@devp holds the device; on failure nothing is left
 * attached or pinned and *@devp is untouched.
 *
 * Errors, in the order they are checked:
 *  -EINVAL     bad arguments or options
 *  -ENODEV     the kvm_accel module is not loaded
 *  -EBADF      @vm_fd is not an open KVM VM fd, or an eventfd is not an eventfd
 *  -ENOENT, -EACCES, -EISDIR
 *              the object file is missing, unreadable or a directory
 *  -ENOEXEC    the file is not a BPF object libbpf can open
 *  -ENOMSG     not an accelerator: no kvm_accel_ops map (named @map_name)
 *  -ENOTUNIQ   several kvm_accel_ops maps and no @map_name
 *  -EOPNOTSUPP the map is not declared in SEC(".struct_ops.link")
 *  -EINVAL     the object's kvm_accel_ops is not laid out as this
 *              library's bpf/kvm_accel.h lays it out (members in another
 *              order, of other sizes, or unknown): see kvm_accel_set_print()
 *  anything else: from libbpf or the kernel at load or attach, e.g.
 *  -EEXIST (range overlaps a KVM device or another attachment),
 *  -ENOSPC (too many attachments on the VM), -EINVAL (the module rejected
 *  bus/base/len/flags), -EACCES (verifier), -ESRCH/-ENOTSUP (kernel has no
 *  kvm_accel_ops type: module missing or built without BTF).
 */
int kvm_accel_attach(const char *obj_path, int vm_fd,
		     const struct kvm_accel_attach_opts *opts,
		     struct kvm_accel_dev **devp);

/*
 * kvm_accel_attach() in two steps, for callers that want to reach the
 * object between opening and loading (to set const volatile knobs in
 * .rodata through kvm_accel_object(), say).  kvm_accel_open() only reads
 * the file: it returns the object errors listed above and needs neither
 * the module nor a VM.  kvm_accel_dev_attach() loads and attaches; after a
 * failure the device stays opened (not attached) and must still be freed
 * with kvm_accel_detach().  Non-struct_ops programs and other struct_ops
 * maps of the object are not loaded.
 */
int kvm_accel_open(const char *obj_path, const struct kvm_accel_attach_opts *opts,
		   struct kvm_accel_dev **devp);
int kvm_accel_dev_attach(struct kvm_accel_dev *dev, int vm_fd);

/*
 * Messages that say more than an errno can: why an object's kvm_accel_ops
 * was refused, say.  The library prints nothing unless given a function
 * here (NULL: silent again); each call is one line without the newline.
 * Returns the previous function.
 */
typedef void (*kvm_accel_print_fn_t)(const char *msg);
kvm_accel_print_fn_t kvm_accel_set_print(kvm_accel_print_fn_t fn);

/* How many maps (attachments) @dev has: 1, or opts->nr_maps. */
int kvm_accel_nr_maps(const struct kvm_accel_dev *dev);
/* The name of map @idx (in the order of opts->maps), owned by @dev; NULL if none. */
const char *kvm_accel_map_name(const struct kvm_accel_dev *dev, unsigned int idx);

/*
 * The BPF link id (> 0) of map @idx's attachment, which names its
 * directory in sysfs.  -EINVAL if not attached or no such map.
 * kvm_accel_link_id() is map 0's.
 */
int kvm_accel_link_id(const struct kvm_accel_dev *dev);
int kvm_accel_link_id_at(const struct kvm_accel_dev *dev, unsigned int idx);
/* The link's fd, owned by @dev.  -EINVAL if not attached or no such map. */
int kvm_accel_link_fd(const struct kvm_accel_dev *dev);
int kvm_accel_link_fd_at(const struct kvm_accel_dev *dev, unsigned int idx);
/* The libbpf object, owned by @dev.  Replaced by kvm_accel_update(). */
struct bpf_object *kvm_accel_object(const struct kvm_accel_dev *dev);

/*
 * Pin the link of map @idx (kvm_accel_pin(): map 0) at @path on bpffs, so
 * the attachment outlives this process.  -EBUSY if @dev already pinned it;
 * -EINVAL if not attached, no such map, or @path is not on bpffs.
 * kvm_accel_detach() removes the pins again.
 */
int kvm_accel_pin(struct kvm_accel_dev *dev, const char *path);
int kvm_accel_pin_at(struct kvm_accel_dev *dev, unsigned int idx, const char *path);

/*
 * The register file: a shared mapping of the BPF_F_MMAPABLE array map
 * @map_name, writes visible to the programs at once.  Global data is named
 * after its section (".bss", ".data", ".data.regs"), any other map by its
 * name.  *@size (if not NULL) is the map's value size for a one-entry map
 * such as global data, else max_entries * round_up(value_size, 8), the
 * kernel's stride.  A read-only map (.rodata) is mapped read-only.
 *
 * The mapping belongs to @dev: repeated calls return the same address, it
 * survives kvm_accel_update() (which keeps the maps, see there), and it is
 * unmapped by kvm_accel_detach() / kvm_accel_release().
 *
 * Returns NULL with errno set: EINVAL (not attached, or not an mmapable
 * array), ENOENT (no such map), or mmap()'s error.
 */
void *kvm_accel_regfile(struct kvm_accel_dev *dev, const char *map_name, size_t *size);

struct kvm_accel_counters {
	__u64 handled;	/* accesses completed in the kernel */
	__u64 exits;	/* declined by the program (or no program): exited to the VMM */
	__u64 errors;	/* bad return value or malformed access: exited */
};

/*
 * The state of an attachment.  An attachment does not keep its VM alive:
 * once the VM is destroyed (its VMM closed every fd of it, or exited) the
 * attachment is defunct.  It serves nothing any more, but its BPF link and
 * its sysfs directory with the counters stay until the link is ended
 * (closed, detached, or unpinned by whoever holds it).
 */
enum kvm_accel_state {
	KVM_ACCEL_STATE_LIVE	= 0,	/* attached to a VM that exists */
	KVM_ACCEL_STATE_DEFUNCT	= 1,	/* the VM is gone */
};

/*
 * The runtime budget of an attachment and, if its programs ever went over
 * it, the latest time they did (the exit record).
 */
struct kvm_accel_budget_state {
	__u32 disabled;		/* KVM_ACCEL_DISABLED_*: every access exits now */
	__u32 trips;		/* times disabled since attached; 0: no record below */
	__u32 reason;		/* KVM_ACCEL_DISABLED_CALL or _WINDOW */
	__u32 is_write;		/* the write program, else the read program */
	__u32 vcpu_id;		/* the access that went over */
	__u64 addr;
	__u64 when_ns;		/* CLOCK_REALTIME */
	__u64 time_ns;		/* how long the programs ran: the call, or in the window */
	__u64 limit_ns;		/* the budget that was exceeded */
	/* The budget itself, ns (all 0 under a module without budgets). */
	__u64 budget_ns;
	__u64 window_ns;
	__u64 window_budget_ns;
};

/* What the module reports for one attachment. */
struct kvm_accel_info {
	__u32 link_id;
	char name[KVM_ACCEL_NAME_LEN];
	__u32 bus;		/* KVM_ACCEL_BUS_* */
	__u64 base;
	__u64 len;
	__s32 vm_pid;		/* pid of the process that created the VM */
	__u32 state;		/* enum kvm_accel_state */
	struct kvm_accel_counters counters;
	struct kvm_accel_budget_state budget;
};

/*
 * Read the counters, or everything, of attachment @link_id from sysfs.
 * -ENODEV if the module is not loaded, -ENOENT if there is no such
 * attachment (or it went away while being read), -EPROTO if a file does not
 * hold what it should.  A module without the state file (older than
 * defunct attachments) reports every attachment live.
 */
int kvm_accel_read_counters(__u32 link_id, struct kvm_accel_counters *c);
int kvm_accel_read_info(__u32 link_id, struct kvm_accel_info *info);
int kvm_accel_read_budget(__u32 link_id, struct kvm_accel_budget_state *b);

/*
 * Re-enable the attachments of @dev its runtime budget disabled: their
 * programs are called again, with a fresh window.  The record stays
 * readable.  Also harmless on one that is not disabled.  -EINVAL if not
 * attached, -ENODEV if its VM is gone.  kvm_accel_update() re-enables
 * too, with new programs.
 */
int kvm_accel_reenable(struct kvm_accel_dev *dev);

/*
 * Wait until attachment @link_id is defunct: its VM was destroyed.  The
 * module notifies its sysfs state file then, so this sleeps in poll(2)
 * rather than polling; it also looks every second whether the attachment
 * still exists, since one that ends without turning defunct (detached or
 * unpinned by someone) is removed without notice.  @timeout_ms < 0 waits
 * for ever, 0 only looks.
 *
 * Returns 0 once it is defunct (at once if it is already), -ETIMEDOUT,
 * -ENOENT if there is no such attachment or it ended while waited for,
 * -ENODEV if the module is not loaded, -EINTR if a signal handler ran,
 * -EPROTO if the state file holds something unknown.  Under a module
 * without the state file attachments never turn defunct: this waits until
 * they end or time runs out.
 *
 * kvm_accel_pwait_defunct() is the same but waits with the signal mask
 * @sigmask (if not NULL), as ppoll(2) does: a caller that blocks its stop
 * signals, checks the flag its handler sets, and waits with a mask that
 * lets them through cannot miss one that arrives in between.
 */
int kvm_accel_wait_defunct(__u32 link_id, int timeout_ms);
int kvm_accel_pwait_defunct(__u32 link_id, int timeout_ms, const sigset_t *sigmask);

/*
 * Link ids of all attachments, ascending.  Stores at most @max of them in
 * @ids (which may be NULL when @max is 0) and returns how many there are,
 * which may exceed @max.  -ENODEV if the module is not loaded.
 */
int kvm_accel_list(__u32 *ids, size_t max);

/*
 * Replace the programs of an attached device with those of @obj_path:
 * each attachment switches atomically, so every guest access runs either
 * its old or its new programs (with several maps, one attachment after
 * the other).  The new object must have a kvm_accel_ops map named like
 * each attached one; a device of one map also takes the new object's only
 * map.  VM, bus, base, length and eventfds stay those of the attachment:
 * the module refuses a change with -EINVAL (the same eventfd, index for
 * index; the descriptor numbers given at attach time are passed again, so
 * they must still be open and name the same eventfds), and so must the VM
 * fd.
 *
 * State carries over: every map of the new object named like a map of the
 * old one (global data by section name) reuses the old kernel map, so the
 * register file and the addresses kvm_accel_regfile() returned stay valid.
 * Such a map must keep its type, key and value size, entries and flags
 * (-EINVAL otherwise).  Read-only data (.rodata) is the new object's own.
 *
 * On success @dev holds the new object and the old one is closed; on
 * failure nothing changed.  A shared global data map keeps libbpf's
 * initial-value buffer in the new object, which bpf_map__initial_value()
 * returns: reach register files through kvm_accel_regfile() only.
 */
int kvm_accel_update(struct kvm_accel_dev *dev, const char *obj_path);

/*
 * Detach: end every attachment of @dev (BPF_LINK_DETACH, so each ends even
 * if someone else holds its link), remove the pins this library made,
 * unmap register files, close the object and free @dev.  Also frees a
 * device that was only opened.  Safe on NULL.  @dev is freed even when an
 * error is returned.
 */
int kvm_accel_detach(struct kvm_accel_dev *dev);

/*
 * Free @dev without detaching.  A pinned attachment lives on (it can be
 * ended later through its link id or pin); an unpinned one ends when the
 * last descriptor of its link is closed, normally right here.
 */
void kvm_accel_release(struct kvm_accel_dev *dev);

/* 1 if the kvm_accel module is loaded, else 0. */
int kvm_accel_module_loaded(void);

/*
 * 0 if @fd is an open KVM VM fd (or an eventfd) of the calling process,
 * else -EBADF.  Where /proc is not mounted only openness can be checked.
 */
int kvm_accel_check_vm_fd(int fd);
int kvm_accel_check_eventfd(int fd);

#ifdef __cplusplus
}
#endif

#endif /* _LIBKVMACCEL_H */
