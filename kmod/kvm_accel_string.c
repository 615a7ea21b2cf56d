// SPDX-License-Identifier: GPL-2.0
/*
 * Which PIO accesses a device call stands for.
 *
 * KVM calls a PIO bus device once per element, but it does not treat the
 * elements of one call of emulator_pio_in_out() alike (arch/x86/kvm/x86.c):
 * if the device declines element 0, the whole access exits to the VMM; if it
 * declines a later one, KVM does not exit, but reads the rest as 0 and drops
 * the rest of the writes.  So a device that may decline must know, before it
 * answers element 0, how many elements KVM will ask for, and then answer all
 * of them or none.
 *
 * Who calls with more than one element, in Linux 6.12 to 7.3:
 *  - kvm_fast_pio_in/out() (IN and OUT intercepts): one element, the value
 *    on the vCPU thread's stack;
 *  - the emulator's em_out() (OUT and OUTS): one element, &ctxt->src.val;
 *  - the emulator's pio_in_emulated() (IN and INS): n elements into
 *    ctxt->io_read.data, n computed from the decoded instruction (below);
 *    the later elements' values lie at data + i * size;
 *  - SEV-ES string I/O: up to a page of elements in a buffer of its own.
 *
 * The emulator's context is private to KVM (arch/x86/kvm/kvm_emulate.h), so
 * its layout is mirrored here, for the kernels it was checked against
 * (kvm_accel_probe.sh picks the mirror by the kernel's series).  The
 * mirror is only believed when the context agrees with it (its vCPU, the
 * read-ahead cache empty, the operands naming this port and width); where
 * there is no mirror, or the context disagrees, every PIO access that is not
 * on the stack exits to the VMM as a whole: slower, never wrong.
 */
#include "kvm_accel.h"

/* struct read_cache: the same in every kernel mirrored. */
struct kvm_accel_emul_read_cache {
	u8 data[1024];
	unsigned long pos;
	unsigned long end;
};

#define KVM_ACCEL_EMUL_GPRS	16	/* NR_EMULATOR_GPRS on x86-64 */
#define KVM_ACCEL_EMUL_RCX	1	/* VCPU_REGS_RCX */
#define KVM_ACCEL_EMUL_RDI	7	/* VCPU_REGS_RDI */

#if defined(KVM_ACCEL_EMUL_6_12)
/*
 * Linux 6.12, checked against Debian's 6.12.95 source: struct operand has
 * a 16-byte vector member, struct x86_exception a u16 error code.
 */
#define KVM_ACCEL_EMUL_LAYOUT	"6.12"
struct kvm_accel_emul_operand {
	int type;
	unsigned int bytes;
	unsigned int count;
	unsigned long orig_val;
	union {
		unsigned long *reg;
		struct {
			unsigned long ea;
			unsigned int seg;
		} mem;
	} addr;
	union {
		unsigned long val;
		u8 vec_val[16] __aligned(16);
		void *data;
	};
};

struct kvm_accel_emul_exception {
	u8 vector;
	bool error_code_valid;
	u16 error_code;
	bool nested_page_fault;
	u64 address;
	u8 async_page_fault;
	unsigned long exit_qualification;
};

struct kvm_accel_emul_ctxt {
	void *vcpu;
	const void *ops;
	unsigned long eflags;
	unsigned long eip;
	int mode;
	int interruptibility;
	bool perm_ok;
	bool tf;
	bool have_exception;
	struct kvm_accel_emul_exception exception;
	bool gpa_available;
	gpa_t gpa_val;
	u8 opcode_len;
	u8 b;
	u8 intercept;
	u8 op_bytes;
	u8 ad_bytes;
	void *execute;
	void *check_perm;
	bool rip_relative;
	u8 rex_prefix;
	u8 lock_prefix;
	u8 rep_prefix;
	u16 regs_valid;
	u16 regs_dirty;
	u8 modrm;
	u8 modrm_mod;
	u8 modrm_reg;
	u8 modrm_rm;
	u8 modrm_seg;
	u8 seg_override;
	u64 d;
	unsigned long _eip;
	struct kvm_accel_emul_operand src;
	struct kvm_accel_emul_operand src2;
	struct kvm_accel_emul_operand dst;
	struct kvm_accel_emul_operand memop;
	unsigned long _regs[KVM_ACCEL_EMUL_GPRS];
	void *memopp;
	struct {
		u8 data[15];
		u8 *ptr;
		u8 *end;
	} fetch;
	struct kvm_accel_emul_read_cache io_read;
	struct kvm_accel_emul_read_cache mem_read;
};

#elif defined(KVM_ACCEL_EMUL_7_2)
/*
 * Linux 7.2 and 7.3, checked against Debian's 7.2.13 and 7.3.4 sources
 * (identical there): struct operand has a 32-byte vector member and is
 * 32-byte aligned, the context gained op_prefix, an enum rex_prefix and
 * rex_bits, struct x86_exception a u64 error code.
 */
#define KVM_ACCEL_EMUL_LAYOUT	"7.2"
struct kvm_accel_emul_operand {
	int type;
	unsigned int bytes;
	unsigned int count;
	unsigned long orig_val;
	union {
		unsigned long *reg;
		struct {
			unsigned long ea;
			unsigned int seg;
		} mem;
	} addr;
	union {
		unsigned long val;
		u8 vec_val2[32] __aligned(32);
		void *data;
	} __aligned(32);
};

struct kvm_accel_emul_exception {
	u8 vector;
	bool error_code_valid;
	u64 error_code;
	bool nested_page_fault;
	u64 address;
	u8 async_page_fault;
	unsigned long exit_qualification;
};

struct kvm_accel_emul_ctxt {
	void *vcpu;
	const void *ops;
	unsigned long eflags;
	unsigned long eip;
	int mode;
	int interruptibility;
	bool perm_ok;
	bool tf;
	bool have_exception;
	struct kvm_accel_emul_exception exception;
	bool gpa_available;
	gpa_t gpa_val;
	u8 opcode_len;
	u8 b;
	u8 intercept;
	bool op_prefix;
	u8 op_bytes;
	u8 ad_bytes;
	void *execute;
	void *check_perm;
	bool rip_relative;
	int rex_prefix;
	u8 rex_bits;
	u8 lock_prefix;
	u8 rep_prefix;
	u16 regs_valid;
	u16 regs_dirty;
	u8 modrm;
	u8 modrm_mod;
	u8 modrm_reg;
	u8 modrm_rm;
	u8 modrm_seg;
	u8 seg_override;
	u64 d;
	unsigned long _eip;
	struct kvm_accel_emul_operand src;
	struct kvm_accel_emul_operand src2;
	struct kvm_accel_emul_operand dst;
	struct kvm_accel_emul_operand memop;
	unsigned long _regs[KVM_ACCEL_EMUL_GPRS];
	void *memopp;
	struct {
		u8 data[15];
		u8 *ptr;
		u8 *end;
	} fetch;
	struct kvm_accel_emul_read_cache io_read;
	struct kvm_accel_emul_read_cache mem_read;
	bool is_branch;
};
#endif

#ifdef KVM_ACCEL_EMUL_LAYOUT
static bool kvm_accel_within(const void *p, const void *start, size_t size)
{
	return p >= start && p < start + size;
}

/*
 * Element 0 of an IN or INS: the number of elements, exactly as
 * pio_in_emulated() (arch/x86/kvm/emulate.c, the same in 6.12 to 7.3)
 * computes the count it passes down, or 0 if the context does not look
 * like that call.  Its registers were read just before the call, so their
 * bits in regs_valid are set.
 */
static unsigned int kvm_accel_ins_count(const struct kvm_accel_emul_ctxt *c,
					u16 port, int size)
{
	unsigned long rcx, rdi, mask;
	unsigned int count, in_page, n;

	if (c->dst.bytes != size || (u16)c->src.val != port ||
	    !(c->regs_valid & BIT(KVM_ACCEL_EMUL_RDI)))
		return 0;
	if (c->ad_bytes != 2 && c->ad_bytes != 4 && c->ad_bytes != 8)
		return 0;
	switch (c->rep_prefix) {
	case 0:
		count = 1;
		break;
	case 0xf2:	/* REPNE_PREFIX */
	case 0xf3:	/* REPE_PREFIX */
		if (!(c->regs_valid & BIT(KVM_ACCEL_EMUL_RCX)))
			return 0;
		rcx = c->_regs[KVM_ACCEL_EMUL_RCX];
		mask = c->ad_bytes == 8 ? ~0UL : (1UL << (c->ad_bytes * 8)) - 1;
		count = rcx & mask;
		break;
	default:
		return 0;
	}
	rdi = c->_regs[KVM_ACCEL_EMUL_RDI];
	in_page = (c->eflags & X86_EFLAGS_DF) ? offset_in_page(rdi) :
		  PAGE_SIZE - offset_in_page(rdi);
	n = min3(in_page, (unsigned int)sizeof(c->io_read.data) / size, count);
	return n ?: 1;
}
#endif

/*
 * What one PIO bus call of @len bytes at @port with value buffer @val, not
 * on the stack, is:
 *   1   a single access;
 *   n   element 0 of a read of n > 1 elements, the rest at @val + i * @len;
 *   0   a later element of such a read, answered with element 0;
 *  -1   not known: the caller must decline, so that the whole access exits.
 */
int kvm_accel_pio_elements(struct kvm_vcpu *vcpu, u16 port, int len,
			   const void *val, bool write)
{
#ifdef KVM_ACCEL_EMUL_LAYOUT
	const struct kvm_accel_emul_ctxt *c;
	const struct kvm_accel_emul_read_cache *rc;
	unsigned long at;
#endif

#ifdef KVM_ACCEL_EMUL_LAYOUT
	c = (const void *)vcpu->arch.emulate_ctxt;
	if (!c || c->vcpu != vcpu)
		return -1;
	if (write)
		return kvm_accel_within(val, &c->src.val, sizeof(c->src.val)) ? 1 : -1;
	rc = &c->io_read;
	/* pio_in_emulated() empties the cache before the call, fills it after. */
	if (!kvm_accel_within(val, rc->data, sizeof(rc->data)) || rc->pos || rc->end)
		return -1;
	at = (const u8 *)val - rc->data;
	if (at & (len - 1))	/* len is 1, 2 or 4 */
		return -1;
	if (at)
		return 0;
	return kvm_accel_ins_count(c, port, len) ?: -1;
#else
	return -1;
#endif
}

/* For the module's load message: which layout string reads rely on. */
const char *kvm_accel_emul_layout(void)
{
#ifdef KVM_ACCEL_EMUL_LAYOUT
	return KVM_ACCEL_EMUL_LAYOUT;
#else
	return NULL;
#endif
}
