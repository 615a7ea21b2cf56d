// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel: verified eBPF fast paths for emulated device registers.
 *
 * A VMM attaches a struct_ops map of type kvm_accel_ops to a PIO or MMIO
 * range of one of its VMs.  The module puts a kvm_io_device on KVM's bus for
 * that range; a guest access that lands entirely inside it calls the map's
 * read or write program from the vCPU thread, inside KVM's SRCU read side.
 * A program that returns KVM_ACCEL_HANDLED completes the access without
 * leaving the kernel; anything else (no program, KVM_ACCEL_EXIT, a bad return
 * value, or the trampoline skipping the program) makes the device decline,
 * and the access exits to the VMM exactly as if the module were absent.
 *
 * Lifetime: an attachment does not keep its VM alive.  reg() resolves the
 * VM fd and works under the file's own reference; afterwards the device on
 * the VM's bus is the only tie.  When the VMM closes the VM (or dies), KVM
 * destroys the bus devices, and the destructor marks the attachment
 * defunct: its link and counters stay until the link is closed, nothing
 * else.  unreg() takes the device off a live VM's bus under a temporary
 * reference (kvm_get_kvm_safe(), which fails once destruction has begun),
 * or waits for the death notice.  Attachment is only possible through a
 * BPF link, so closing or detaching the link always ends it.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <asm/timex.h>
#include <asm/tsc.h>
#include "kvm_accel.h"
#include "kvm_accel_bench.h"

/*
 * All attachments; protects ops->att, the per-VM count, and the
 * replacement of an attachment's binding (readers: SRCU).
 */
static DEFINE_MUTEX(kvm_accel_lock);
static LIST_HEAD(kvm_accel_list);

static struct btf *kvm_accel_btf;

/*
 * The BTF ids of struct kvm_accel_ops and struct kvm_accel_ctx as the
 * running kernel numbers them, learnt from the first program verified (see
 * kvm_accel_check_member()); 0 until then.  Not BTF_ID_LIST: its ids are
 * the build's, and a module whose BTF was built against a distilled base
 * (pahole 1.28 and later, resolve_btfids --distill_base) is renumbered when
 * the kernel loads it.  Only the kfunc sets are relocated for the module.
 */
static u32 kvm_accel_ops_btf_id;
static u32 kvm_accel_ctx_btf_id;

static void kvm_accel_count(struct kvm_accel_att *att, int ret)
{
	if (ret == KVM_ACCEL_HANDLED)
		this_cpu_inc(att->stats->handled);
	else if (ret == KVM_ACCEL_EXIT)
		this_cpu_inc(att->stats->exits);
	else
		this_cpu_inc(att->stats->errors);
}

/*
 * The guest's value of a @len-byte access (1, 2, 4 or 8), zero-extended.
 * One load of the right width: memcpy() with a variable length compiles to
 * a loop, and this runs on every access.
 */
static u64 kvm_accel_load(const void *val, int len)
{
	switch (len) {
	case 1:
		return *(const u8 *)val;
	case 2:
		return get_unaligned((const u16 *)val);
	case 4:
		return get_unaligned((const u32 *)val);
	default:
		return get_unaligned((const u64 *)val);
	}
}

static void kvm_accel_store(void *val, int len, u64 data)
{
	switch (len) {
	case 1:
		*(u8 *)val = data;
		break;
	case 2:
		put_unaligned((u16)data, (u16 *)val);
		break;
	case 4:
		put_unaligned((u32)data, (u32 *)val);
		break;
	default:
		put_unaligned(data, (u64 *)val);
		break;
	}
}

/*
 * The context a program is called with, and what only the module sees of
 * the call: where a string read's elements go (kvm_accel_string_*()).
 */
struct kvm_accel_call {
	struct kvm_accel_ctx acc;
	/* Only set for a string read, acc.count > 1: */
	u8 *str;		/* its elements */
	u32 str_fill;		/* bytes of them the program gave */
	u32 str_size;		/* count * len */
};

/* TSC cycles and nanoseconds: budgets are kept in cycles, reported in ns. */
static u64 kvm_accel_ns_to_cyc(u64 ns)
{
	return mul_u64_u32_div(ns, tsc_khz, NSEC_PER_MSEC);
}

static u64 kvm_accel_cyc_to_ns(u64 cyc)
{
	return tsc_khz ? mul_u64_u32_div(cyc, NSEC_PER_MSEC, tsc_khz) : 0;
}

/* The time the vCPU thread has waited for a CPU so far, in ns. */
static __always_inline u64 kvm_accel_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return READ_ONCE(current->sched_info.run_delay);
#else
	return 0;
#endif
}

/*
 * Disable the attachment: every access exits from now on.  The first trip
 * of a run is the one recorded; the VMM re-enables (kvm_accel_update()).
 */
static noinline void kvm_accel_trip(struct kvm_accel_att *att, u32 reason,
				    u64 cyc, u64 limit_ns,
				    const struct kvm_accel_ctx *acc)
{
	u64 ns = kvm_accel_cyc_to_ns(cyc);
	bool first;

	spin_lock(&att->state_lock);
	first = !att->disabled;
	if (first) {
		att->trip = (struct kvm_accel_trip){
			.reason = reason,
			.trips = att->trip.trips + 1,
			.write = acc->is_write,
			.vcpu_id = acc->vcpu_id,
			.addr = acc->addr,
			.when_ns = ktime_get_real_ns(),
			.time_ns = ns,
			.limit_ns = limit_ns,
		};
		WRITE_ONCE(att->disabled, reason);
	}
	spin_unlock(&att->state_lock);
	if (!first)
		return;
	kvm_accel_sysfs_notify_disabled(att);
	pr_warn_ratelimited("kvm_accel: attachment %u (%s): its %s program ran %llu ns %s, over its budget of %llu ns: disabled, every access exits to the VMM until it is re-enabled\n",
			    att->sysfs_id, att->name, acc->is_write ? "write" : "read", ns,
			    reason == KVM_ACCEL_DISABLED_CALL ? "in one call" : "in one window",
			    limit_ns);
}

/*
 * This CPU's window is over its budget: if the window is older than
 * window_ns the budget was spent at a lower rate, and a new window starts;
 * else the programs ran longer than window_budget_ns within window_ns.
 */
static noinline void kvm_accel_window(struct kvm_accel_att *att, u64 dt,
				      const struct kvm_accel_ctx *acc)
{
	struct kvm_accel_stats *s;
	u64 now = get_cycles(), used;

	preempt_disable();
	s = this_cpu_ptr(att->stats);
	if (now - s->window_start >= att->budget.window_cyc) {
		s->window_start = now;
		s->window_used = dt;
		preempt_enable();
		return;
	}
	used = s->window_used;
	preempt_enable();
	kvm_accel_trip(att, KVM_ACCEL_DISABLED_WINDOW, used,
		       att->budget.window_budget_ns, acc);
}

/* A call that waited for a CPU (or changed CPUs): take the wait out. */
static noinline u64 kvm_accel_ran(u64 dt, u64 delay)
{
	u64 waited = kvm_accel_ns_to_cyc(kvm_accel_run_delay() - delay);

	if ((s64)dt < 0)
		return 0;
	return dt > waited ? dt - waited : 0;
}

/*
 * Charge a program call that started at TSC @t0, with the thread's wait
 * time at @delay, against the attachment's budget.  Cheap unless over it:
 * two TSC reads, one load, one per-CPU add.
 */
static __always_inline void kvm_accel_charge(struct kvm_accel_att *att,
					     const struct kvm_accel_ctx *acc,
					     u64 t0, u64 delay)
{
	u64 dt = get_cycles() - t0;

	if (unlikely(kvm_accel_run_delay() != delay || (s64)dt < 0))
		dt = kvm_accel_ran(dt, delay);
	if (unlikely(dt > att->budget.call_cyc)) {
		kvm_accel_trip(att, KVM_ACCEL_DISABLED_CALL, dt, att->budget.call_ns, acc);
		return;
	}
	if (unlikely(this_cpu_add_return(att->stats->window_used, dt) >
		     att->budget.window_budget_cyc))
		kvm_accel_window(att, dt, acc);
}

/*
 * A read of @n > 1 elements (kvm_accel_pio_elements()): one call of the
 * read program for all of them, which gives the values with the
 * kvm_accel_string_*() kfuncs.  A decline exits the whole access, since no
 * element was answered yet.  Elements a handling program did not give read
 * as all ones, and count as an error: a defined value, never KVM's zeros.
 * A string answered whole counts its elements as handled, as if each had
 * been a single access; one that exits is one exit, as it is for KVM.
 */
static void kvm_accel_string_start(struct kvm_accel_call *call, void *val, u32 n)
{
	call->str = val;
	call->str_fill = 0;
	call->str_size = n * call->acc.len;
	call->acc.count = n;
}

/*
 * Where the next element of a string read that element 0 answered whole
 * lies, on this CPU, or NULL.  KVM still calls the device for each of the
 * up to 1023 later elements, and each of those calls only has to be told
 * from any other access, as cheaply as can be (kvm_accel_pio_read()).
 *
 * A later element's buffer lies inside its vCPU's emulator context
 * (kvm_accel_pio_elements()), and KVM only calls for it once the same
 * device answered element 0, so a pointer equal to one that element 0 left
 * here is such an element, even if the vCPU thread moved between CPUs
 * since: a thread that moves finds no match on its new CPU and takes the
 * whole dispatch, which tells a later element apart too, and starts the
 * cursor again there.
 */
static DEFINE_PER_CPU(const u8 *, kvm_accel_str_next);

static int kvm_accel_string_done(struct kvm_accel_att *att,
				 struct kvm_accel_call *call, int ret)
{
	if (ret != KVM_ACCEL_HANDLED) {
		kvm_accel_count(att, ret);
		return -EOPNOTSUPP;
	}
	if (call->str_fill < call->str_size) {
		memset(call->str + call->str_fill, 0xff,
		       call->str_size - call->str_fill);
		this_cpu_inc(att->stats->errors);
	} else {
		this_cpu_add(att->stats->handled, call->acc.count);
	}
	this_cpu_write(kvm_accel_str_next, call->str + call->acc.len);
	return 0;
}

/*
 * KVM's bus only dispatches accesses that lie entirely inside the range and
 * only with widths it supports, but the device checks again rather than
 * trusting that: a program must never see an offset outside its range.
 */
static __always_inline int
kvm_accel_dispatch(struct kvm_accel_att *att, struct kvm_vcpu *vcpu,
		   gpa_t addr, int len, void *val, bool write)
{
	int (*prog)(struct kvm_accel_ctx *ctx);
	struct kvm_accel_binding *b;
	/* Not cleared on entry (INIT_STACK_ALL_ZERO): filled in below. */
	struct kvm_accel_call call __uninitialized;
	struct kvm_accel_ctx *acc = &call.acc;
	int n = 1, ret;
	u64 t0, delay;

	if (kvm_accel_bench(KVM_ACCEL_BENCH_IODEV)) {
		if (!write)
			memset(val, 0, len);
		return 0;
	}

	if ((len != 1 && len != 2 && len != 4 && len != 8) || len > att->len ||
	    addr < att->base || addr - att->base > att->len - len) {
		this_cpu_inc(att->stats->errors);
		return -EOPNOTSUPP;
	}

	/*
	 * KVM's IN and OUT intercepts pass a value on the vCPU thread's
	 * stack: those are single accesses, the common case, told apart
	 * inline.  Anything else may be a string (kvm_accel_string.c).
	 */
	if (att->bus == KVM_ACCEL_BUS_PIO && !object_is_on_stack(val)) {
		this_cpu_write(kvm_accel_str_next, NULL);
		n = kvm_accel_pio_elements(vcpu, addr, len, val, write);
		if (!n) {	/* answered with element 0 */
			this_cpu_write(kvm_accel_str_next, (u8 *)val + len);
			return 0;
		}
		if (n < 0) {
			this_cpu_inc(att->stats->exits);
			return -EOPNOTSUPP;
		}
	}

	b = srcu_dereference(att->binding, &att->kvm->srcu);
	prog = write ? b->ops->write : b->ops->read;
	if (!prog || unlikely(READ_ONCE(att->disabled)) ||
	    (n > 1 && !(b->ops->flags & KVM_ACCEL_F_STRINGS))) {
		this_cpu_inc(att->stats->exits);
		return -EOPNOTSUPP;
	}

	/*
	 * Every field is assigned, and the struct has no padding, so the
	 * program sees nothing of the stack; clearing it first would cost a
	 * string store on every access.
	 */
	BUILD_BUG_ON(sizeof(*acc) != 4 * sizeof(u64) + 4 * sizeof(u32) +
		     sizeof(void *) + 2 * sizeof(u32));
	acc->addr = addr;
	acc->offset = addr - att->base;
	acc->data = write ? kvm_accel_load(val, len) : 0;
	acc->result = 0;
	acc->len = len;
	acc->vcpu_id = vcpu->vcpu_id;
	acc->is_write = write;
	acc->bus = att->bus;
	acc->priv = b;
	acc->count = 1;
	acc->reserved = 0;
	if (n > 1)
		kvm_accel_string_start(&call, val, n);

	delay = kvm_accel_run_delay();
	t0 = get_cycles();
	if (kvm_accel_bench(KVM_ACCEL_BENCH_DISPATCH))
		ret = KVM_ACCEL_HANDLED;
	else
		ret = prog(acc);
	kvm_accel_charge(att, acc, t0, delay);
	if (n > 1)
		return kvm_accel_string_done(att, &call, ret);
	kvm_accel_count(att, ret);
	if (ret != KVM_ACCEL_HANDLED)
		return -EOPNOTSUPP;

	if (!write)
		kvm_accel_store(val, len, acc->result);
	return 0;
}

static noinline int kvm_accel_dev_read(struct kvm_vcpu *vcpu,
				       struct kvm_io_device *dev,
				       gpa_t addr, int len, void *val)
{
	struct kvm_accel_att *att = container_of(dev, struct kvm_accel_att, iodev);

	return kvm_accel_dispatch(att, vcpu, addr, len, val, false);
}

/*
 * A PIO device's reads: a later element of a string read answered whole
 * costs a compare and a store here, not the dispatch's frame and checks.
 * MMIO devices never see a string read, so they go to the dispatch.
 */
static int kvm_accel_pio_read(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			      gpa_t addr, int len, void *val)
{
	if (val == this_cpu_read(kvm_accel_str_next)) {
		this_cpu_write(kvm_accel_str_next, (u8 *)val + len);
		return 0;
	}
	return kvm_accel_dev_read(vcpu, dev, addr, len, val);
}

static int kvm_accel_dev_write(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			       gpa_t addr, int len, const void *val)
{
	struct kvm_accel_att *att = container_of(dev, struct kvm_accel_att, iodev);

	return kvm_accel_dispatch(att, vcpu, addr, len, (void *)val, true);
}

/*
 * The death notice.  KVM calls it when it destroys the VM (kvm_destroy_vm()
 * destroys every device of every bus, the VM's users count already zero),
 * or if it tears a whole bus down after a failed shrink in another
 * device's unregister, with kvm->slots_lock held.  Either way no vCPU can
 * reach the device any more.  The attachment still owns its memory and
 * frees it in unreg(), which waits for this if it could not take the device
 * off the bus itself.  No kvm_accel_lock here: reg() takes slots_lock under
 * it.
 */
static void kvm_accel_dev_destructor(struct kvm_io_device *dev)
{
	struct kvm_accel_att *att = container_of(dev, struct kvm_accel_att, iodev);

	spin_lock(&att->state_lock);
	att->defunct = true;
	spin_unlock(&att->state_lock);
	kvm_accel_sysfs_notify_state(att);
	complete(&att->off_bus);
}

static const struct kvm_io_device_ops kvm_accel_mmio_ops = {
	.read = kvm_accel_dev_read,
	.write = kvm_accel_dev_write,
	.destructor = kvm_accel_dev_destructor,
};

static const struct kvm_io_device_ops kvm_accel_pio_ops = {
	.read = kvm_accel_pio_read,
	.write = kvm_accel_dev_write,
	.destructor = kvm_accel_dev_destructor,
};

__bpf_kfunc_start_defs();

/**
 * kvm_accel_signal_eventfd - signal one of the attachment's eventfds
 * @ctx: the context the program was called with
 * @idx: index into the eventfd table given at attach time
 *
 * The VMM normally registers these eventfds with KVM as irqfds, so the
 * signal injects an interrupt without any exit to userspace.
 *
 * Return: 0, or -EINVAL if @idx is outside the table.
 */
__bpf_kfunc int kvm_accel_signal_eventfd(struct kvm_accel_ctx *ctx, u32 idx)
{
	const struct kvm_accel_binding *b = ctx->priv;

	if (idx >= b->nr_eventfds)
		return -EINVAL;
	eventfd_signal(b->eventfds[idx]);
	return 0;
}

/**
 * kvm_accel_string_copy - give the next elements of a string read
 * @ctx: the context the program was called with
 * @src: memory of the program's (a map value, usually the register file)
 * @src__sz: its size
 * @off: where in @src the bytes start
 * @bytes: how many; they follow those given before, from element 0 on
 *
 * Return: 0; -EINVAL if this is not a string read or @off + @bytes lies
 * beyond @src; -ENOSPC if the bytes would go past the last element (nothing
 * is copied then).
 */
__bpf_kfunc int kvm_accel_string_copy(struct kvm_accel_ctx *ctx, const void *src,
				      u32 src__sz, u32 off, u32 bytes)
{
	struct kvm_accel_call *call = container_of(ctx, struct kvm_accel_call, acc);

	if (call->acc.count < 2 || off > src__sz || bytes > src__sz - off)
		return -EINVAL;
	if (bytes > call->str_size - call->str_fill)
		return -ENOSPC;
	memcpy(call->str + call->str_fill, src + off, bytes);
	call->str_fill += bytes;
	return 0;
}

/**
 * kvm_accel_string_fill - give the next elements of a string read, all alike
 * @ctx: the context the program was called with
 * @byte: the value of each byte (only its low 8 bits)
 * @bytes: how many; they follow those given before
 *
 * Return: 0; -EINVAL if this is not a string read; -ENOSPC if the bytes
 * would go past the last element (nothing is filled then).
 */
__bpf_kfunc int kvm_accel_string_fill(struct kvm_accel_ctx *ctx, u32 byte, u32 bytes)
{
	struct kvm_accel_call *call = container_of(ctx, struct kvm_accel_call, acc);

	if (call->acc.count < 2)
		return -EINVAL;
	if (bytes > call->str_size - call->str_fill)
		return -ENOSPC;
	memset(call->str + call->str_fill, byte & 0xff, bytes);
	call->str_fill += bytes;
	return 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(kvm_accel_kfunc_ids)
BTF_ID_FLAGS(func, kvm_accel_signal_eventfd, KVM_ACCEL_KF_TRUSTED)
BTF_ID_FLAGS(func, kvm_accel_string_copy, KVM_ACCEL_KF_TRUSTED)
BTF_ID_FLAGS(func, kvm_accel_string_fill, KVM_ACCEL_KF_TRUSTED)
BTF_KFUNCS_END(kvm_accel_kfunc_ids)

/*
 * The kfuncs trust ctx->priv, which only the module sets, and only in the
 * context of a kvm_accel_ops program (the verifier guarantees the pointer is
 * that context, never a copy): refuse every other struct_ops type.  A
 * filter sees the kfuncs of its own BTF only, so every @kfunc_id here is
 * one of ours.  A kvm_accel_ops program has been through check_member()
 * before any kfunc call of it is checked, so the id is known by then.
 */
static int kvm_accel_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	u32 ops_id = READ_ONCE(kvm_accel_ops_btf_id);

	if (ops_id && prog->aux->attach_btf == kvm_accel_btf &&
	    prog->aux->attach_btf_id == ops_id)
		return 0;
	return -EACCES;
}

static const struct btf_kfunc_id_set kvm_accel_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &kvm_accel_kfunc_ids,
	.filter = kvm_accel_kfunc_filter,
};

/*
 * Helpers: map access, time, random numbers, spin locks and bpf_loop.
 * Nothing that reads kernel memory, prints, or needs a task context (for
 * kfuncs see kvm_accel_check_kfuncs()).
 */
static const struct bpf_func_proto *
kvm_accel_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	switch (func_id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_spin_lock:
	case BPF_FUNC_spin_unlock:
	case BPF_FUNC_loop:
		return bpf_base_func_proto(func_id, prog);
	default:
		return NULL;
	}
}

static bool kvm_accel_is_valid_access(int off, int size,
				      enum bpf_access_type type,
				      const struct bpf_prog *prog,
				      struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

static const char *kvm_accel_ctx_field(int off)
{
	static const struct {
		int start, end;
		const char *name;
	} fields[] = {
#define F(_f) { offsetof(struct kvm_accel_ctx, _f), \
		offsetofend(struct kvm_accel_ctx, _f), #_f }
		F(addr), F(offset), F(data), F(result),
		F(len), F(vcpu_id), F(is_write), F(bus), F(priv), F(count),
		F(reserved),
#undef F
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (off >= fields[i].start && off < fields[i].end)
			return fields[i].name;
	return "?";
}

/*
 * Called for program stores through a BTF pointer.  The only such pointer a
 * kvm_accel program has is its context, and the only field it may store to
 * is ctx->result.  The messages are ABI for verifier-tests/.
 */
static int kvm_accel_btf_struct_access(struct bpf_verifier_log *log,
				       const struct bpf_reg_state *reg,
				       int off, int size)
{
	const int start = offsetof(struct kvm_accel_ctx, result);
	const int end = offsetofend(struct kvm_accel_ctx, result);

	u32 ctx_id = READ_ONCE(kvm_accel_ctx_btf_id);

	if (!ctx_id || reg->btf != kvm_accel_btf || reg->btf_id != ctx_id) {
		bpf_log(log, "kvm_accel: only struct kvm_accel_ctx may be written\n");
		return -EACCES;
	}
	if (off >= start && off + size <= end)
		return NOT_INIT;
	if (off + size > sizeof(struct kvm_accel_ctx)) {
		bpf_log(log,
			"kvm_accel: store beyond struct kvm_accel_ctx, only ctx->result may be written (off %d size %d)\n",
			off, size);
		return -EACCES;
	}
	/* Name the first read-only byte stored to: a store may start in result. */
	bpf_log(log,
		"kvm_accel: ctx->%s is read-only, only ctx->result may be written (off %d size %d)\n",
		kvm_accel_ctx_field(off >= start && off < end ? end : off), off, size);
	return -EACCES;
}

static const struct bpf_verifier_ops kvm_accel_verifier_ops = {
	.get_func_proto = kvm_accel_get_func_proto,
	.is_valid_access = kvm_accel_is_valid_access,
	.btf_struct_access = kvm_accel_btf_struct_access,
};

static int kvm_accel_st_init(struct btf *btf)
{
	kvm_accel_btf = btf;
	return 0;
}

/*
 * The struct the single argument of operation @member points to: struct
 * kvm_accel_ctx, for both operations.  0 if the BTF says otherwise.
 */
static u32 kvm_accel_ctx_id(const struct btf *btf, const struct btf_member *member)
{
	const struct btf_type *t = btf_type_by_id(btf, member->type);

	if (!t || !btf_type_is_ptr(t))
		return 0;
	t = btf_type_by_id(btf, t->type);
	if (!t || !btf_type_is_func_proto(t) || btf_type_vlen(t) != 1)
		return 0;
	t = btf_type_by_id(btf, btf_params(t)[0].type);
	if (!t || !btf_type_is_ptr(t))
		return 0;
	if (!btf_type_is_struct(btf_type_by_id(btf, t->type)))
		return 0;
	return t->type;
}

/*
 * Called by the verifier for every kvm_accel_ops program before it checks
 * the program's body, with the kernel's own view of the module's BTF: the
 * place to learn the ids the body is checked against.
 *
 * Programs run inside KVM's SRCU read side on the vCPU thread: no sleeping.
 */
/*
 * kfuncs: kvm_accel's own only (kvm_accel_kfunc_filter() keeps those to
 * kvm_accel_ops programs).  vmlinux registers its generic and common kfunc
 * sets for every struct_ops program: bpf_rdonly_cast() and the other
 * PTR_UNTRUSTED casts read any kernel address, bpf_task_from_pid() hands
 * out tasks, bpf_obj_new() allocates, the iterators walk kernel objects.
 * A module's kfunc filter sees its own BTF's kfuncs only, so those cannot
 * be filtered there; they are refused here instead, from the instructions,
 * before the verifier looks at a single call.  A call to a vmlinux kfunc
 * has insn->off 0; one to a module's names that module's BTF by its
 * (non-zero) fd_array index.  The verifier reports the refusal with its
 * generic "attach to unsupported member" text, so say here which call it
 * was (the BTF id is vmlinux's: bpftool btf dump file /sys/kernel/btf/vmlinux).
 */
static int kvm_accel_check_kfuncs(const struct bpf_prog *prog)
{
	u32 i;

	for (i = 0; i < prog->len; i++) {
		const struct bpf_insn *insn = &prog->insnsi[i];

		if (insn->code != (BPF_JMP | BPF_CALL) ||
		    insn->src_reg != BPF_PSEUDO_KFUNC_CALL || insn->off)
			continue;
		pr_info_ratelimited("kvm_accel: program %s: instruction %u calls the vmlinux kfunc with BTF id %d: kvm_accel_ops programs may call kvm_accel's kfuncs only\n",
				    prog->aux->name, i, insn->imm);
		return -EACCES;
	}
	return 0;
}

static int kvm_accel_check_member(const struct btf_type *t,
				  const struct btf_member *member,
				  const struct bpf_prog *prog)
{
	const struct btf *btf = prog->aux->attach_btf;
	u32 ctx_id;
	int ret;

	if (prog->sleepable)
		return -EINVAL;
	ret = kvm_accel_check_kfuncs(prog);
	if (ret)
		return ret;
	if (btf != kvm_accel_btf)
		return -EINVAL;
	ctx_id = kvm_accel_ctx_id(btf, member);
	if (!ctx_id)
		return -EINVAL;
	WRITE_ONCE(kvm_accel_ctx_btf_id, ctx_id);
	WRITE_ONCE(kvm_accel_ops_btf_id, prog->aux->attach_btf_id);
	return 0;
}

static int kvm_accel_init_member(const struct btf_type *t,
				 const struct btf_member *member,
				 void *kdata, const void *udata)
{
	const struct kvm_accel_ops *uops = udata;
	struct kvm_accel_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
	case offsetof(struct kvm_accel_ops, vm_fd):
		ops->vm_fd = uops->vm_fd;
		return 1;
	case offsetof(struct kvm_accel_ops, bus):
		ops->bus = uops->bus;
		return 1;
	case offsetof(struct kvm_accel_ops, base):
		ops->base = uops->base;
		return 1;
	case offsetof(struct kvm_accel_ops, len):
		ops->len = uops->len;
		return 1;
	case offsetof(struct kvm_accel_ops, flags):
		ops->flags = uops->flags;
		return 1;
	case offsetof(struct kvm_accel_ops, nr_eventfds):
		ops->nr_eventfds = uops->nr_eventfds;
		return 1;
	case offsetof(struct kvm_accel_ops, eventfds):
		memcpy(ops->eventfds, uops->eventfds, sizeof(ops->eventfds));
		return 1;
	case offsetof(struct kvm_accel_ops, name):
		memcpy(ops->name, uops->name, sizeof(ops->name));
		return 1;
	case offsetof(struct kvm_accel_ops, budget_ns):
		ops->budget_ns = uops->budget_ns;
		return 1;
	case offsetof(struct kvm_accel_ops, window_ns):
		ops->window_ns = uops->window_ns;
		return 1;
	case offsetof(struct kvm_accel_ops, window_budget_ns):
		ops->window_budget_ns = uops->window_budget_ns;
		return 1;
	}
	return 0;
}

/* The budget @ops asks for, defaults filled in (kvm_accel_abi.h). */
static void kvm_accel_budget_of(const struct kvm_accel_ops *ops,
				struct kvm_accel_budget *bu)
{
	bu->call_ns = ops->budget_ns ?: KVM_ACCEL_BUDGET_NS_DEFAULT;
	bu->window_ns = ops->window_ns ?: KVM_ACCEL_WINDOW_NS_DEFAULT;
	bu->window_budget_ns = ops->window_budget_ns ?:
		min(KVM_ACCEL_WINDOW_BUDGET_NS_DEFAULT, bu->window_ns / 2);
	bu->call_cyc = kvm_accel_ns_to_cyc(bu->call_ns);
	bu->window_cyc = kvm_accel_ns_to_cyc(bu->window_ns);
	bu->window_budget_cyc = kvm_accel_ns_to_cyc(bu->window_budget_ns);
}

/* Checked when a link-capable map is updated, before any link exists. */
static int kvm_accel_validate(void *kdata)
{
	struct kvm_accel_ops *ops = kdata;
	struct kvm_accel_budget bu;

	if (!ops->read && !ops->write)
		return -EINVAL;
	if (ops->bus != KVM_ACCEL_BUS_PIO && ops->bus != KVM_ACCEL_BUS_MMIO)
		return -EINVAL;
	if (!ops->len || ops->len > INT_MAX || ops->base + ops->len < ops->base)
		return -EINVAL;
	if (ops->bus == KVM_ACCEL_BUS_PIO &&
	    (ops->base >= KVM_ACCEL_PIO_LIMIT ||
	     ops->len > KVM_ACCEL_PIO_LIMIT - ops->base))
		return -EINVAL;
	if ((ops->flags & ~KVM_ACCEL_F_ALL) || ops->nr_eventfds > KVM_ACCEL_MAX_EVENTFDS)
		return -EINVAL;
	if (!memchr(ops->name, '\0', sizeof(ops->name)))
		return -EINVAL;
	kvm_accel_budget_of(ops, &bu);
	if (bu.call_ns > KVM_ACCEL_BUDGET_NS_MAX || bu.window_ns > KVM_ACCEL_WINDOW_NS_MAX ||
	    bu.window_budget_ns > bu.window_ns)
		return -EINVAL;
	return 0;
}

static void kvm_accel_binding_free(struct kvm_accel_binding *b)
{
	u32 i;

	for (i = 0; i < b->nr_eventfds; i++)
		eventfd_ctx_put(b->eventfds[i]);
	kfree(b);
}

static struct kvm_accel_binding *kvm_accel_binding_new(struct kvm_accel_ops *ops)
{
	struct kvm_accel_binding *b;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->ops = ops;
	for (; b->nr_eventfds < ops->nr_eventfds; b->nr_eventfds++) {
		struct eventfd_ctx *ev = eventfd_ctx_fdget(ops->eventfds[b->nr_eventfds]);

		if (IS_ERR(ev)) {
			ret = PTR_ERR(ev);
			kvm_accel_binding_free(b);
			return ERR_PTR(ret);
		}
		b->eventfds[b->nr_eventfds] = ev;
	}
	return b;
}

/* Every CPU's budget window starts now, empty. */
static void kvm_accel_windows_start(struct kvm_accel_att *att)
{
	u64 now = get_cycles();
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kvm_accel_stats *s = per_cpu_ptr(att->stats, cpu);

		WRITE_ONCE(s->window_used, 0);
		WRITE_ONCE(s->window_start, now);
	}
}

static unsigned int kvm_accel_vm_count(struct kvm *kvm)
{
	struct kvm_accel_att *att;
	unsigned int n = 0;

	lockdep_assert_held(&kvm_accel_lock);
	list_for_each_entry(att, &kvm_accel_list, node) {
		spin_lock(&att->state_lock);
		n += !att->defunct && att->kvm == kvm;
		spin_unlock(&att->state_lock);
	}
	return n;
}

static int kvm_accel_reg(void *kdata, struct bpf_link *link)
{
	struct kvm_accel_ops *ops = kdata;
	struct kvm_accel_binding *b;
	struct kvm_accel_att *att;
	struct file *vm_file;
	struct kvm *kvm;
	int ret;

	/*
	 * Without a link nothing could ever detach the map, and the
	 * attachment would outlive everything that could end it.
	 */
	if (!link)
		return -EOPNOTSUPP;

	kvm = kvm_accel_vm_get(ops->vm_fd, &vm_file);
	if (IS_ERR(kvm))
		return PTR_ERR(kvm);

	b = kvm_accel_binding_new(ops);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		goto out_file;
	}

	att = kzalloc(sizeof(*att), GFP_KERNEL_ACCOUNT);
	if (!att) {
		ret = -ENOMEM;
		goto err_binding;
	}
	kvm_accel_att_kobj_init(att);
	att->stats = alloc_percpu_gfp(struct kvm_accel_stats, GFP_KERNEL_ACCOUNT);
	if (!att->stats) {
		ret = -ENOMEM;
		goto err_att;
	}
	att->kvm = kvm;
	spin_lock_init(&att->state_lock);
	init_completion(&att->off_bus);
	att->bus = ops->bus;
	att->bus_idx = ops->bus == KVM_ACCEL_BUS_PIO ? KVM_PIO_BUS : KVM_MMIO_BUS;
	att->base = ops->base;
	att->len = ops->len;
	att->link = link;
	att->vm_pid = kvm->userspace_pid;
	strscpy(att->name, ops->name, sizeof(att->name));
	kvm_accel_budget_of(ops, &att->budget);
	kvm_accel_windows_start(att);
	RCU_INIT_POINTER(att->binding, b);
	kvm_iodevice_init(&att->iodev, att->bus == KVM_ACCEL_BUS_PIO ?
			  &kvm_accel_pio_ops : &kvm_accel_mmio_ops);

	mutex_lock(&kvm_accel_lock);
	if (ops->att) {
		/* One map, one range: a second link would share the binding. */
		ret = -EBUSY;
		goto err_unlock;
	}
	if (kvm_accel_vm_count(kvm) >= KVM_ACCEL_MAX_PER_VM) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = kvm_accel_sysfs_add(att);
	if (ret)
		goto err_unlock;

	mutex_lock(&kvm->slots_lock);
	ret = kvm_accel_iobus_add(kvm, att->bus_idx, att->base, att->len,
				  &att->iodev);
	mutex_unlock(&kvm->slots_lock);
	if (ret)
		goto err_sysfs;

	ops->att = att;
	list_add_tail(&att->node, &kvm_accel_list);
	mutex_unlock(&kvm_accel_lock);
	fput(vm_file);
	return 0;

err_sysfs:
	kvm_accel_sysfs_del(att);
err_unlock:
	mutex_unlock(&kvm_accel_lock);
err_att:
	kvm_accel_att_free(att);
err_binding:
	kvm_accel_binding_free(b);
out_file:
	fput(vm_file);
	return ret;
}

static void kvm_accel_unreg(void *kdata, struct bpf_link *link)
{
	struct kvm_accel_ops *ops = kdata;
	struct kvm_accel_binding *b;
	struct kvm_accel_att *att;
	struct kvm *kvm;
	bool live;

	mutex_lock(&kvm_accel_lock);
	att = ops->att;
	if (!att) {
		mutex_unlock(&kvm_accel_lock);
		return;
	}
	list_del(&att->node);
	ops->att = NULL;
	/*
	 * kvm_accel_update() replaces the binding under the lock, finding
	 * the attachment through ops->att: from here on no one can, and the
	 * binding read now is the last.  vCPUs may still use it until the
	 * device is off the bus.
	 */
	b = rcu_dereference_protected(att->binding,
				      lockdep_is_held(&kvm_accel_lock));
	mutex_unlock(&kvm_accel_lock);

	/*
	 * Until the death notice @kvm is valid: KVM frees the VM only after
	 * destroying its buses.  A zero users count means that destruction
	 * has begun, and then the bus must be left to it.
	 */
	kvm = att->kvm;
	spin_lock(&att->state_lock);
	live = !att->defunct && kvm_get_kvm_safe(kvm);
	spin_unlock(&att->state_lock);

	if (live) {
		mutex_lock(&kvm->slots_lock);
		kvm_accel_iobus_remove(kvm, att->bus_idx, &att->iodev);
		mutex_unlock(&kvm->slots_lock);
		/* Off the bus: this may destroy the VM, without notice to us. */
		kvm_put_kvm(kvm);
	} else {
		wait_for_completion(&att->off_bus);
	}

	/* No vCPU can be inside the device any more: the bus was synced. */
	kvm_accel_sysfs_del(att);
	kvm_accel_binding_free(b);
	kvm_accel_att_free(att);
}

/*
 * Whether two bindings signal the same eventfds, index for index: the
 * table is part of what an attachment is (libkvmaccel.h, kvm_accel_update()),
 * like its range.  The descriptors may differ; the eventfds must not.
 */
static bool kvm_accel_same_eventfds(const struct kvm_accel_binding *a,
				    const struct kvm_accel_binding *b)
{
	u32 i;

	if (a->nr_eventfds != b->nr_eventfds)
		return false;
	for (i = 0; i < a->nr_eventfds; i++)
		if (a->eventfds[i] != b->eventfds[i])
			return false;
	return true;
}

/*
 * Replace the programs of a live attachment (BPF_LINK_UPDATE).  The range,
 * the VM and the eventfds stay; the new map must name the same ones.  Every access is
 * handled by exactly one of the two programs: vCPUs pick the binding up
 * under SRCU and the old one is freed only after a grace period.
 */
/*
 * Clear a disabled attachment (kvm_accel_trip()) and start every CPU's
 * window afresh; the trip record stays, for whoever looks later.
 */
static void kvm_accel_enable(struct kvm_accel_att *att)
{
	kvm_accel_windows_start(att);
	spin_lock(&att->state_lock);
	WRITE_ONCE(att->disabled, KVM_ACCEL_DISABLED_NONE);
	spin_unlock(&att->state_lock);
	kvm_accel_sysfs_notify_disabled(att);
}

/* Updating a link to the map it has: re-enable its attachment. */
static int kvm_accel_reenable(struct kvm_accel_ops *ops)
{
	struct kvm_accel_att *att;
	int ret = 0;

	mutex_lock(&kvm_accel_lock);
	att = ops->att;
	if (!att) {
		ret = -ENOLINK;
	} else {
		spin_lock(&att->state_lock);
		if (att->defunct)
			ret = -ENODEV;
		spin_unlock(&att->state_lock);
		if (!ret)
			kvm_accel_enable(att);
	}
	mutex_unlock(&kvm_accel_lock);
	return ret;
}

static bool kvm_accel_same_budget(const struct kvm_accel_budget *a,
				  const struct kvm_accel_budget *b)
{
	return a->call_ns == b->call_ns && a->window_ns == b->window_ns &&
	       a->window_budget_ns == b->window_budget_ns;
}

static int kvm_accel_update(void *kdata, void *old_kdata, struct bpf_link *link)
{
	struct kvm_accel_ops *ops = kdata, *old = old_kdata;
	struct kvm_accel_binding *b, *old_b;
	struct kvm_accel_budget bu;
	struct kvm_accel_att *att;
	struct file *vm_file;
	struct kvm *kvm;
	bool defunct;
	int ret = 0;

	if (ops == old)
		return kvm_accel_reenable(ops);

	/* The open VM file keeps @kvm alive for the grace period below. */
	kvm = kvm_accel_vm_get(ops->vm_fd, &vm_file);
	if (IS_ERR(kvm))
		return PTR_ERR(kvm);
	b = kvm_accel_binding_new(ops);
	if (IS_ERR(b)) {
		fput(vm_file);
		return PTR_ERR(b);
	}

	mutex_lock(&kvm_accel_lock);
	att = old->att;
	if (!att || ops->att) {
		ret = -EBUSY;
		goto out;
	}
	spin_lock(&att->state_lock);
	defunct = att->defunct;
	spin_unlock(&att->state_lock);
	if (defunct) {
		/* Its VM is gone: nothing could run the new programs. */
		ret = -ENODEV;
		goto out;
	}
	old_b = rcu_dereference_protected(att->binding,
					  lockdep_is_held(&kvm_accel_lock));
	kvm_accel_budget_of(ops, &bu);
	if (att->kvm != kvm || att->bus != ops->bus || att->base != ops->base ||
	    att->len != ops->len || !kvm_accel_same_eventfds(b, old_b) ||
	    !kvm_accel_same_budget(&bu, &att->budget)) {
		ret = -EINVAL;
		goto out;
	}
	rcu_assign_pointer(att->binding, b);
	ops->att = att;
	old->att = NULL;
	/* New programs, a fresh budget. */
	if (READ_ONCE(att->disabled))
		kvm_accel_enable(att);
	mutex_unlock(&kvm_accel_lock);

	synchronize_srcu(&kvm->srcu);
	kvm_accel_binding_free(old_b);
	fput(vm_file);
	return 0;
out:
	mutex_unlock(&kvm_accel_lock);
	kvm_accel_binding_free(b);
	fput(vm_file);
	return ret;
}

static int kvm_accel_stub_read(struct kvm_accel_ctx *ctx)
{
	return KVM_ACCEL_EXIT;
}

static int kvm_accel_stub_write(struct kvm_accel_ctx *ctx)
{
	return KVM_ACCEL_EXIT;
}

static struct kvm_accel_ops __bpf_kvm_accel_ops = {
	.read = kvm_accel_stub_read,
	.write = kvm_accel_stub_write,
};

static struct bpf_struct_ops bpf_kvm_accel_ops = {
	.verifier_ops = &kvm_accel_verifier_ops,
	.init = kvm_accel_st_init,
	.check_member = kvm_accel_check_member,
	.init_member = kvm_accel_init_member,
	.validate = kvm_accel_validate,
	.reg = kvm_accel_reg,
	.unreg = kvm_accel_unreg,
	.update = kvm_accel_update,
	.cfi_stubs = &__bpf_kvm_accel_ops,
	.name = KVM_ACCEL_OPS_TYPE,
	.owner = THIS_MODULE,
};

static int __init kvm_accel_init(void)
{
	int ret;

	/*
	 * The module mirrors KVM structures of the kernel it was built for
	 * (kvm_accel_compat.h); loaded into another one by force (insmod -f
	 * skips the version checks) it would corrupt that kernel's buses.
	 */
	if (strcmp(init_utsname()->release, UTS_RELEASE)) {
		pr_err("kvm_accel: built for Linux %s, not for this kernel (%s): rebuild it for this kernel (dkms does)\n",
		       UTS_RELEASE, init_utsname()->release);
		return -ENOEXEC;
	}

	if (!kvm_accel_emul_layout())
		pr_info("kvm_accel: KVM's emulator is not known for Linux %s: PIO string reads exit to the VMM\n",
			UTS_RELEASE);

	ret = kvm_accel_sysfs_init();
	if (ret)
		return ret;
	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&kvm_accel_kfunc_set);
	ret = ret ?: register_bpf_struct_ops(&bpf_kvm_accel_ops, kvm_accel_ops);
	if (ret) {
		pr_err("kvm_accel: registration failed: %d (module BTF missing?)\n", ret);
		kvm_accel_sysfs_exit();
	}
	return ret;
}

/*
 * Every kvm_accel_ops map holds a module reference from its creation to its
 * free (bpf_struct_ops_map_alloc()), and a link holds its map until after
 * unreg() returned: exit only runs with no attachment left.  struct_ops
 * types of a module go away with its BTF.
 */
static void __exit kvm_accel_exit(void)
{
	kvm_accel_sysfs_exit();
}

module_init(kvm_accel_init);
module_exit(kvm_accel_exit);
MODULE_DESCRIPTION("eBPF fast paths for KVM device emulation");
MODULE_LICENSE("GPL");
