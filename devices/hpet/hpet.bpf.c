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
 * follow are in hpet.h.
 */
#include "kvm_accel.h"
#include "hpet.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss, at offset 0 of the mapping. */
struct hpet_regs regs;

#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

/* The main counter, read under the sequence counter. */
static __always_inline int hpet_read_counter(__u64 *cnt)
{
	__u64 seq, conf, delta, sub, frozen, now;
	int i;

	for (i = 0; i < HPET_SEQ_TRIES; i++) {
		seq = HPET_LOAD(regs.seq);
		if (seq & 1)
			continue;
		conf = HPET_LOAD(regs.gen_conf);
		delta = HPET_LOAD(regs.cnt_delta);
		sub = HPET_LOAD(regs.cnt_sub);
		frozen = HPET_LOAD(regs.cnt_frozen);
		now = bpf_ktime_get_ns();
		if (HPET_LOAD(regs.seq) == seq) {
			*cnt = HPET_LOAD(regs.flags) & HPET_F_QEMU_CLOCK ?
			       hpet_qemu_counter_value(conf, delta, sub, frozen, now) :
			       hpet_counter_value(conf, delta, sub, frozen, now);
			return 0;
		}
	}
	return -1;
}

/* Take the counter block for writing: seq from even to odd. */
static __always_inline int hpet_seq_begin(void)
{
	__u64 seq;
	int i;

	for (i = 0; i < HPET_SEQ_TRIES; i++) {
		seq = HPET_LOAD(regs.seq);
		if (!(seq & 1) &&
		    __sync_val_compare_and_swap(&regs.seq, seq, seq + 1) == seq)
			return 0;
	}
	return -1;
}

static __always_inline void hpet_seq_end(void)
{
	__sync_fetch_and_add(&regs.seq, 1);
}

/* Give the block back unchanged: seq returns to its even value. */
static __always_inline void hpet_seq_abandon(void)
{
	__sync_fetch_and_add(&regs.seq, -1);
}

SEC("struct_ops/hpet_read")
int BPF_PROG(hpet_read, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset, val;
	__u32 len = acc->len;

	if (off >= HPET_MMIO_LEN || !hpet_access_aligned(off, len) ||
	    (off >= HPET_TN_END && (HPET_LOAD(regs.flags) & HPET_F_ABSENT_EXIT)))
		return KVM_ACCEL_EXIT;
	if (hpet_reg_load(&regs, off & ~7ULL, &val) && hpet_read_counter(&val))
		return KVM_ACCEL_EXIT;
	acc->result = hpet_reg_extract(val, off & 4, len);
	return KVM_ACCEL_HANDLED;
}

static __always_inline int hpet_write_gen_conf(struct kvm_accel_ctx *acc, __u64 val)
{
	__u64 old, new, now;

	if (hpet_seq_begin())
		return KVM_ACCEL_EXIT;
	old = regs.gen_conf;
	new = val & HPET_GEN_CONF_WRITABLE;
	if ((old ^ new) & HPET_LEG_RT_CNF)
		goto decline;
	if ((old ^ new) & HPET_ENABLE_CNF) {
		if (kvm_accel_signal_eventfd(acc, HPET_EVENTFD_KICK))
			goto decline;
		now = bpf_ktime_get_ns();
		if (new & HPET_ENABLE_CNF) {
			WRITE_ONCE(regs.cnt_delta,
				   hpet_enable_delta(regs.cnt_frozen, now));
			WRITE_ONCE(regs.cnt_sub, 0);
		} else {
			WRITE_ONCE(regs.cnt_frozen,
				   hpet_disable_frozen(regs.cnt_delta,
						       regs.cnt_sub, now));
		}
	}
	WRITE_ONCE(regs.gen_conf, new);
	hpet_seq_end();
	return KVM_ACCEL_HANDLED;

decline:
	hpet_seq_abandon();
	return KVM_ACCEL_EXIT;
}

static __always_inline int hpet_write_counter(__u64 off, __u32 len, __u64 val)
{
	if (hpet_seq_begin())
		return KVM_ACCEL_EXIT;
	if (!(regs.gen_conf & HPET_ENABLE_CNF)) {
		val = hpet_reg_deposit(regs.cnt_frozen, val, off & 4, len);
		WRITE_ONCE(regs.cnt_frozen, val);
		WRITE_ONCE(regs.cnt_set, val);
		WRITE_ONCE(regs.cnt_gen, regs.cnt_gen + 1);
	}
	hpet_seq_end();
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
