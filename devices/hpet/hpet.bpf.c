// SPDX-License-Identifier: GPL-2.0
/*
 * HPET fast path.
 *
 * Guests read the HPET main counter constantly: Linux uses it as a
 * clocksource when the TSC is unusable, and firmware and boot loaders
 * calibrate against it.  Each read is an MMIO access that would otherwise
 * cost a round trip to the VMM.  The counter is a pure function of the
 * host's monotonic clock and an offset (see hpet.h), so it is computed
 * here, along with everything else a guest reads, and the few writes that
 * only move that offset:
 *
 *  - aligned 32- and 64-bit reads of every register: GCAP_ID, GEN_CONF,
 *    GINTR_STA, MAIN_CNT (live while enabled, frozen while halted), each
 *    timer's Tn_CONF_CAP, Tn_COMPARATOR and Tn_FSB_INT_ROUTE, and the
 *    reserved ones (0), but those past the last timer if the VMM's model
 *    answers them (HPET_F_ABSENT_EXIT);
 *  - GEN_CONF writes that start or stop the counter (ENABLE_CNF), keeping
 *    it continuous, with a kick to the VMM's timer thread so it re-arms;
 *  - MAIN_CNT writes (ignored while the counter runs).
 *
 * Everything that arms timers or touches interrupts exits to the VMM:
 * comparator, timer configuration and FSB route writes, GINTR_STA
 * write-1-to-clear, GEN_CONF writes that change LEG_RT_CNF.  So do accesses
 * of 1 or 2 bytes and misaligned ones, which the spec leaves undefined and
 * hpet_slowpath.c defines; and a counter access that finds the counter
 * block busy HPET_SEQ_TRIES times in a row.  The ownership rules these
 * follow are in hpet.h; what the slow path does the same way (the counter
 * arithmetic, the register decode, the sequence counter's readers and
 * writers) is in hpet_access.h.
 */
#include "kvm_accel.h"
#include "hpet_access.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss, at offset 0 of the mapping. */
struct hpet_regs regs;

/* The main counter, read under the sequence counter (hpet_access.h). */
static __always_inline int hpet_read_counter(__u64 *cnt)
{
	struct hpet_block b;
	__u64 seq, now;
	int i;

	for (i = 0; i < HPET_SEQ_TRIES; i++) {
		seq = hpet_read_begin(&regs);
		hpet_block_load(&regs, &b);
		now = bpf_ktime_get_ns();
		if (hpet_read_valid(&regs, seq)) {
			*cnt = hpet_block_counter(&regs, &b, now);
			return 0;
		}
	}
	return -1;
}

/* Take the counter block for writing, or give up and decline. */
static __always_inline int hpet_seq_begin(void)
{
	int i;

	for (i = 0; i < HPET_SEQ_TRIES; i++)
		if (hpet_seq_try_begin(&regs))
			return 0;
	return -1;
}

SEC("struct_ops/hpet_read")
int BPF_PROG(hpet_read, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset, val;
	__u32 len = acc->len;

	if (off >= HPET_MMIO_LEN || !hpet_access_aligned(off, len) ||
	    (off >= HPET_TN_END && (READ_ONCE(regs.flags) & HPET_F_ABSENT_EXIT)))
		return KVM_ACCEL_EXIT;
	if (hpet_reg_load(&regs, off & ~7ULL, &val) && hpet_read_counter(&val))
		return KVM_ACCEL_EXIT;
	acc->result = hpet_reg_extract(val, off & 4, len);
	return KVM_ACCEL_HANDLED;
}

static __always_inline int hpet_write_gen_conf(struct kvm_accel_ctx *acc, __u64 val)
{
	__u64 old, new;

	if (hpet_seq_begin())
		return KVM_ACCEL_EXIT;
	old = READ_ONCE(regs.gen_conf);
	new = val & HPET_GEN_CONF_WRITABLE;
	if (((old ^ new) & HPET_LEG_RT_CNF) ||
	    (((old ^ new) & HPET_ENABLE_CNF) &&
	     kvm_accel_signal_eventfd(acc, HPET_EVENTFD_KICK))) {
		hpet_seq_abandon(&regs);
		return KVM_ACCEL_EXIT;
	}
	hpet_block_set_conf(&regs, new, bpf_ktime_get_ns());
	hpet_seq_end(&regs);
	return KVM_ACCEL_HANDLED;
}

static __always_inline int hpet_write_counter(__u64 off, __u32 len, __u64 val)
{
	if (hpet_seq_begin())
		return KVM_ACCEL_EXIT;
	hpet_block_set_counter(&regs, off & 4, len, val);
	hpet_seq_end(&regs);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/hpet_write")
int BPF_PROG(hpet_write, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset;
	__u32 len = acc->len;

	if (off >= HPET_MMIO_LEN || !hpet_access_aligned(off, len))
		return KVM_ACCEL_EXIT;
	if (off == HPET_GEN_CONF)
		return hpet_write_gen_conf(acc, acc->data);
	if ((off & ~7ULL) == HPET_MAIN_CNT)
		return hpet_write_counter(off, len, acc->data);
	return KVM_ACCEL_EXIT;
}

KVM_ACCEL(hpet, KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE, HPET_MMIO_LEN,
	  .read = (void *)hpet_read,
	  .write = (void *)hpet_write);
