// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * HPET slow path and userspace model: see hpet_slowpath.h for the API and
 * hpet.h for the register file and the rules shared with the fast path.
 *
 * Locking: dev->lock serialises everything done here (guest accesses from
 * any number of vCPU threads, the timer thread, the API).  The fast path
 * does not take it; it shares the counter block through the sequence
 * counter and only reads what this file owns.  Under dev->lock the order
 * is lock, then sequence counter.
 *
 * Timers: each armed timer has a deadline, the 64-bit counter value of its
 * next match (for a 32-bit timer, the next value whose low half matches).
 * The counter only moves forward and is continuous across halting and
 * restarting, so deadlines survive both; they are recomputed when the
 * guest writes a comparator or configuration, or writes the counter
 * (cnt_gen).  One timerfd is armed for the earliest deadline while the
 * counter runs; the thread that services it fires what is due.
 */
#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <linux/kvm.h>

#include "hpet_slowpath.h"
#include "vmm/irq.h"
#include "vmm/vmm.h"

/* A periodic timer is re-armed no sooner than this after it fired. */
#define HPET_MIN_REARM_NS	10000ULL
/* Deadlines further away than this are re-examined when it passes. */
#define HPET_MAX_ARM_TICKS	(1ULL << 40)

struct hpet_dev {
	struct hpet_regs *regs;
	const struct hpet_irq_ops *ops;
	void *opaque;
	pthread_mutex_t lock;
	int timer_fd;
	int kick_fd;		/* the caller's, or -1 */
	int event_fd;		/* epoll: timer_fd and kick_fd */
	int stop_fd;
	pthread_t thread;
	bool thread_started;
	struct hpet_stats stats;
};

/* A consistent copy of the counter block, the time it was taken, the counter then. */
struct hpet_snap {
	struct hpet_block b;
	__u64 now;
	__u64 counter;
};

static __u64 hpet_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Waiting for the other side, which may be a preempted thread. */
static void hpet_relax(unsigned int *spins)
{
	if (++*spins % 64 == 0)
		sched_yield();
}

/* ---- the counter block (hpet.h, rule 2; hpet_access.h) ------------------- */

static void hpet_snapshot(const struct hpet_regs *r, struct hpet_snap *s)
{
	unsigned int spins = 0;
	__u64 seq;

	for (;;) {
		seq = hpet_read_begin(r);
		hpet_block_load(r, &s->b);
		s->now = hpet_now_ns();
		if (hpet_read_valid(r, seq))
			break;
		hpet_relax(&spins);
	}
	s->counter = hpet_block_counter(r, &s->b, s->now);
}

/* The VMM waits for the block: its writers never sleep inside. */
static void hpet_seq_begin(struct hpet_regs *r)
{
	unsigned int spins = 0;

	while (!hpet_seq_try_begin(r))
		hpet_relax(&spins);
}

/* ---- interrupts ----------------------------------------------------------- */

static __u32 hpet_route(const struct hpet_regs *r, unsigned int n)
{
	if ((READ_ONCE(r->gen_conf) & HPET_LEG_RT_CNF) && n < 2)
		return n ? HPET_LEGACY_GSI_T1 : HPET_LEGACY_GSI_T0;
	return (r->timer[n].config & HPET_TN_INT_ROUTE_CNF_MASK) >>
	       HPET_TN_INT_ROUTE_CNF_SHIFT;
}

/* FSB delivery; legacy replacement routing takes precedence over it. */
static bool hpet_fsb(const struct hpet_regs *r, unsigned int n)
{
	if ((READ_ONCE(r->gen_conf) & HPET_LEG_RT_CNF) && n < 2)
		return false;
	return r->timer[n].config & HPET_TN_FSB_EN_CNF;
}

static void hpet_set_irq(struct hpet_dev *dev, __u32 gsi, int level)
{
	if (dev->ops->set_irq(dev->opaque, gsi, level))
		dev->stats.irq_errors++;
}

/*
 * Drive every line to what the level-triggered timers want: asserted while
 * a timer routed to it has its interrupt enabled and its status bit set.
 */
static void hpet_update_lines(struct hpet_dev *dev)
{
	struct hpet_regs *r = dev->regs;
	__u64 sta = READ_ONCE(r->gintr_sta), want = 0, changed;
	unsigned int n;
	__u32 gsi;

	for (n = 0; n < HPET_NUM_TIMERS; n++) {
		__u64 conf = r->timer[n].config;

		if ((conf & HPET_TN_INT_TYPE_CNF) && (conf & HPET_TN_INT_ENB_CNF) &&
		    (sta & (1ULL << n)) && !hpet_fsb(r, n))
			want |= 1ULL << hpet_route(r, n);
	}
	changed = want ^ r->lines;
	for (gsi = 0; gsi < 64; gsi++)
		if (changed & (1ULL << gsi))
			hpet_set_irq(dev, gsi, !!(want & (1ULL << gsi)));
	r->lines = want;
}

/* Timer @n's interrupt, at its expiry. */
static void hpet_deliver(struct hpet_dev *dev, unsigned int n)
{
	struct hpet_regs *r = dev->regs;
	struct hpet_timer *t = &r->timer[n];
	__u32 gsi;

	if (t->config & HPET_TN_INT_TYPE_CNF)
		fetch_or(&r->gintr_sta, 1ULL << n);

	if (hpet_fsb(r, n)) {
		if (dev->ops->send_msi(dev->opaque, t->fsb >> 32, (__u32)t->fsb))
			dev->stats.irq_errors++;
	} else if (t->config & HPET_TN_INT_TYPE_CNF) {
		hpet_update_lines(dev);
	} else {
		/* An edge on a line a level source holds high is lost. */
		gsi = hpet_route(r, n);
		if (!(r->lines & (1ULL << gsi))) {
			hpet_set_irq(dev, gsi, 1);
			hpet_set_irq(dev, gsi, 0);
		}
	}
}

/* ---- timers -------------------------------------------------------------- */

static __u64 hpet_timer_mask(const struct hpet_timer *t)
{
	return t->config & HPET_TN_32MODE_CNF ? 0xffffffffULL : ~0ULL;
}

/*
 * Move timer @t's deadline by @ticks; a deadline past the end of the
 * 64-bit counter's range never comes, and disarms the timer.
 */
static void hpet_timer_advance(struct hpet_timer *t, __u64 from, __u64 ticks)
{
	t->deadline = from + ticks;
	if (t->deadline < from)
		t->armed = 0;
}

/* Recompute timer @t's deadline: the next counter value, from @cnt on, that matches. */
static void hpet_timer_arm(struct hpet_timer *t, __u64 cnt)
{
	t->armed = !!(t->config & HPET_TN_INT_ENB_CNF);
	if (t->armed)
		hpet_timer_advance(t, cnt, (t->cmp - cnt) & hpet_timer_mask(t));
}

static void hpet_timer_fire(struct hpet_dev *dev, unsigned int n, __u64 cnt)
{
	struct hpet_timer *t = &dev->regs->timer[n];
	__u64 mask = hpet_timer_mask(t), period = t->period & mask, k;

	t->fires++;
	dev->stats.fires++;

	/* Advance first: the guest's handler reads the next comparator value. */
	if ((t->config & HPET_TN_TYPE_CNF) && period) {
		/* Periods that passed unseen are coalesced into this one. */
		k = (cnt - t->deadline) / period + 1;
		WRITE_ONCE(t->cmp, (t->cmp + k * period) & mask);
		hpet_timer_advance(t, t->deadline, k * period);
	} else if (mask != ~0ULL) {
		/* The next match comes after the comparator's width wraps. */
		hpet_timer_advance(t, t->deadline, mask + 1);
	} else {
		t->armed = 0;
	}
	hpet_deliver(dev, n);
}

/* Arm the timerfd for the earliest deadline, or disarm it. */
static void hpet_program_timerfd(struct hpet_dev *dev, const struct hpet_snap *s,
				 bool fired)
{
	struct itimerspec its = {};
	__u64 ticks = ~0ULL, abs_ns;
	unsigned int n;

	if (s->b.gen_conf & HPET_ENABLE_CNF) {
		for (n = 0; n < HPET_NUM_TIMERS; n++) {
			const struct hpet_timer *t = &dev->regs->timer[n];

			if (t->armed && t->deadline - s->counter < ticks)
				ticks = t->deadline - s->counter;
		}
	}
	if (ticks != ~0ULL) {
		if (ticks > HPET_MAX_ARM_TICKS)
			ticks = HPET_MAX_ARM_TICKS;
		/* When hpet_counter_value() reaches counter + ticks. */
		abs_ns = (hpet_ticks(s->now + s->b.sub) + ticks) * HPET_TICK_NS - s->b.sub;
		if (fired && abs_ns < s->now + HPET_MIN_REARM_NS)
			abs_ns = s->now + HPET_MIN_REARM_NS;
		its.it_value.tv_sec = abs_ns / 1000000000ULL;
		its.it_value.tv_nsec = abs_ns % 1000000000ULL;
	}
	timerfd_settime(dev->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/*
 * Bring the timers up to now: deadlines recomputed if the counter was
 * written, and what is due fired.  Returns whether anything fired.
 */
static bool hpet_catch_up(struct hpet_dev *dev, struct hpet_snap *s)
{
	struct hpet_regs *r = dev->regs;
	bool fired = false;
	unsigned int n;

	hpet_snapshot(r, s);
	if (s->b.cnt_gen != r->seen_cnt_gen) {
		for (n = 0; n < HPET_NUM_TIMERS; n++)
			hpet_timer_arm(&r->timer[n], s->b.cnt_set);
		r->seen_cnt_gen = s->b.cnt_gen;
	}
	if (!(s->b.gen_conf & HPET_ENABLE_CNF))
		return false;
	for (n = 0; n < HPET_NUM_TIMERS; n++) {
		struct hpet_timer *t = &r->timer[n];

		if (t->armed && s->counter >= t->deadline) {
			hpet_timer_fire(dev, n, s->counter);
			fired = true;
		}
	}
	return fired;
}

/* Fire what is due and arm the timerfd for what is next. */
static void hpet_service_locked(struct hpet_dev *dev)
{
	struct hpet_snap s;
	bool fired = hpet_catch_up(dev, &s);

	hpet_program_timerfd(dev, &s, fired);
}

/* ---- register writes ------------------------------------------------------ */

static void hpet_write_gen_conf(struct hpet_dev *dev, __u64 val)
{
	struct hpet_regs *r = dev->regs;
	__u64 old, new = val & HPET_GEN_CONF_WRITABLE;

	hpet_seq_begin(r);
	old = READ_ONCE(r->gen_conf);
	hpet_block_set_conf(r, new, hpet_now_ns());
	hpet_seq_end(r);

	if ((old ^ new) & HPET_LEG_RT_CNF)
		hpet_update_lines(dev);
}

static void hpet_write_counter(struct hpet_regs *r, __u32 off, __u32 len, __u64 val)
{
	hpet_seq_begin(r);
	hpet_block_set_counter(r, off, len, val);
	hpet_seq_end(r);
}

static void hpet_write_tn_conf(struct hpet_dev *dev, struct hpet_timer *t, __u64 val)
{
	__u64 old = t->config, new, route;
	struct hpet_snap s;

	new = (old & ~HPET_TN_WRITABLE) | (val & HPET_TN_WRITABLE);
	if (!(old & HPET_TN_FSB_INT_DEL_CAP))
		new &= ~HPET_TN_FSB_EN_CNF;
	/* A route the timer cannot take leaves the old one (spec 2.3.8). */
	route = (new & HPET_TN_INT_ROUTE_CNF_MASK) >> HPET_TN_INT_ROUTE_CNF_SHIFT;
	if (!(HPET_ROUTE_CAP & (1U << route)))
		new = (new & ~HPET_TN_INT_ROUTE_CNF_MASK) |
		      (old & HPET_TN_INT_ROUTE_CNF_MASK);
	if ((new & ~old) & HPET_TN_32MODE_CNF) {
		WRITE_ONCE(t->cmp, t->cmp & 0xffffffffULL);
		t->period &= 0xffffffffULL;
	}
	WRITE_ONCE(t->config, new);

	if ((old ^ new) & (HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_32MODE_CNF)) {
		hpet_snapshot(dev->regs, &s);
		hpet_timer_arm(t, s.counter);
	}
	hpet_update_lines(dev);
}

/*
 * In periodic mode a comparator write sets the period, and with
 * Tn_VAL_SET_CNF the comparator too; otherwise it sets the comparator.
 * Tn_VAL_SET_CNF clears itself once the write has reached bit 31 of a
 * 32-bit comparator or bit 63 of a 64-bit one.
 */
static void hpet_write_tn_cmp(struct hpet_dev *dev, struct hpet_timer *t,
			      __u32 off, __u32 len, __u64 val)
{
	bool mode32 = t->config & HPET_TN_32MODE_CNF;
	bool periodic = t->config & HPET_TN_TYPE_CNF;
	struct hpet_snap s;

	if (mode32) {
		if (off) {
			dev->stats.ignored++;
			return;
		}
		len = 4;
	}
	if (!periodic || (t->config & HPET_TN_VAL_SET_CNF))
		WRITE_ONCE(t->cmp, hpet_reg_deposit(t->cmp, val, off, len) &
				    hpet_timer_mask(t));
	if (periodic)
		t->period = hpet_reg_deposit(t->period, val, off, len) &
			    hpet_timer_mask(t);
	if (mode32 || len == 8 || off)
		WRITE_ONCE(t->config, t->config & ~HPET_TN_VAL_SET_CNF);

	hpet_snapshot(dev->regs, &s);
	hpet_timer_arm(t, s.counter);
}

/* An aligned 32- or 64-bit write; @off is 0 or 4 inside register @reg. */
static void hpet_write_reg(struct hpet_dev *dev, __u64 reg, __u32 off, __u32 len,
			   __u64 val)
{
	struct hpet_regs *r = dev->regs;
	struct hpet_timer *t;
	__u64 n;

	switch (reg) {
	case HPET_GEN_CONF:
		if (off)
			break;
		hpet_write_gen_conf(dev, val);
		return;
	case HPET_GINTR_STA:
		if (off)
			break;
		/* Write 1 to clear (spec 2.3.6). */
		fetch_and(&r->gintr_sta, ~(val & ((1ULL << HPET_NUM_TIMERS) - 1)));
		hpet_update_lines(dev);
		return;
	case HPET_MAIN_CNT:
		hpet_write_counter(r, off, len, val);
		return;
	}

	if (reg < HPET_TN_BASE)
		goto ignored;
	n = (reg - HPET_TN_BASE) / HPET_TN_STRIDE;
	if (n >= HPET_NUM_TIMERS)
		goto ignored;
	t = &r->timer[n];
	switch (reg % HPET_TN_STRIDE) {
	case HPET_TN_CONF:
		if (off)
			break;		/* the capabilities half */
		hpet_write_tn_conf(dev, t, val);
		return;
	case HPET_TN_CMP:
		hpet_write_tn_cmp(dev, t, off, len, val);
		return;
	case HPET_TN_FSB:
		WRITE_ONCE(t->fsb, hpet_reg_deposit(t->fsb, val, off, len));
		return;
	}
ignored:
	dev->stats.ignored++;
}

/* ---- guest accesses ------------------------------------------------------- */

static __u64 hpet_read_reg(struct hpet_dev *dev, __u64 reg)
{
	struct hpet_snap s;
	__u64 val;

	if (hpet_reg_load(dev->regs, reg, &val)) {
		hpet_snapshot(dev->regs, &s);
		val = s.counter;
	}
	return val;
}

int hpet_dev_mmio(struct hpet_dev *dev, __u64 offset, __u32 len, bool is_write,
		  void *data)
{
	__u64 val = 0, reg = ~0ULL, regval = 0;
	struct hpet_snap s;
	__u8 *bytes = data;
	__u32 i;

	/* KVM splits an access that crosses a page into fragments of any length. */
	if (!dev || !data || !len || len > sizeof(val) ||
	    offset >= HPET_MMIO_LEN || len > HPET_MMIO_LEN - offset)
		return -EINVAL;

	pthread_mutex_lock(&dev->lock);
	if (!is_write) {
		/* Byte by byte: unaligned reads may cover two registers. */
		for (i = 0; i < len; i++) {
			if (((offset + i) & ~7ULL) != reg) {
				reg = (offset + i) & ~7ULL;
				regval = hpet_read_reg(dev, reg);
			}
			bytes[i] = regval >> (8 * ((offset + i) & 7));
		}
		dev->stats.reads++;
	} else {
		for (i = 0; i < len; i++)
			val |= (__u64)bytes[i] << (8 * i);
		dev->stats.writes++;
		if (hpet_access_aligned(offset, len)) {
			/* What happened before this write comes first. */
			hpet_catch_up(dev, &s);
			hpet_write_reg(dev, offset & ~7ULL, offset & 4, len, val);
			hpet_service_locked(dev);
		} else {
			dev->stats.ignored++;
		}
	}
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

__u64 hpet_dev_counter(struct hpet_dev *dev)
{
	struct hpet_snap s;

	hpet_snapshot(dev->regs, &s);
	return s.counter;
}

void hpet_dev_stats(struct hpet_dev *dev, struct hpet_stats *stats)
{
	pthread_mutex_lock(&dev->lock);
	*stats = dev->stats;
	pthread_mutex_unlock(&dev->lock);
}

/* ---- service and thread --------------------------------------------------- */

int hpet_dev_service(struct hpet_dev *dev)
{
	struct pollfd kick = { .fd = dev->kick_fd, .events = POLLIN };
	__u64 n;

	/* Drain first: a kick arriving from now on makes the fd readable again. */
	if (read(dev->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&dev->lock);
	/* The caller's eventfd may be blocking: read it only when it is ready. */
	if (dev->kick_fd >= 0 && poll(&kick, 1, 0) == 1 &&
	    read(dev->kick_fd, &n, sizeof(n)) == sizeof(n))
		dev->stats.kicks += n;
	hpet_service_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static void *hpet_thread(void *arg)
{
	struct hpet_dev *dev = arg;
	struct pollfd pfd[2] = {
		{ .fd = dev->event_fd, .events = POLLIN },
		{ .fd = dev->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents && hpet_dev_service(dev))
			break;
	}
	return NULL;
}

int hpet_dev_start(struct hpet_dev *dev)
{
	int ret;

	if (!dev)
		return -EINVAL;
	if (dev->thread_started)
		return -EALREADY;
	ret = pthread_create(&dev->thread, NULL, hpet_thread, dev);
	if (ret)
		return -ret;
	dev->thread_started = true;
	return 0;
}

int hpet_dev_event_fd(const struct hpet_dev *dev)
{
	return dev->event_fd;
}

/* ---- creation -------------------------------------------------------------- */

/* Timers offer FSB delivery only if the VMM can send MSIs. */
static void hpet_reset(struct hpet_dev *dev)
{
	struct hpet_regs *r = dev->regs;
	unsigned int n;

	memset(r, 0, sizeof(*r));
	r->gcap_id = HPET_GCAP_ID_VALUE;
	for (n = 0; n < HPET_NUM_TIMERS; n++) {
		r->timer[n].config = HPET_TN_CAPS;
		if (!dev->ops->send_msi)
			r->timer[n].config &= ~HPET_TN_FSB_INT_DEL_CAP;
		r->timer[n].cmp = ~0ULL;
	}
}

static void hpet_close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The caller's kick_fd stays open. */
static void hpet_close_fds(struct hpet_dev *dev)
{
	hpet_close_fd(dev->timer_fd);
	hpet_close_fd(dev->event_fd);
	hpet_close_fd(dev->stop_fd);
}

int hpet_dev_create(struct hpet_regs *regs, int kick_fd,
		    const struct hpet_irq_ops *ops, void *opaque,
		    struct hpet_dev **devp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct hpet_dev *dev;
	int ret;

	if (!regs || !ops || !ops->set_irq || !devp || kick_fd < -1)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->regs = regs;
	dev->ops = ops;
	dev->opaque = opaque;
	pthread_mutex_init(&dev->lock, NULL);

	dev->kick_fd = kick_fd;

	dev->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	dev->event_fd = epoll_create1(EPOLL_CLOEXEC);
	dev->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dev->timer_fd < 0 || dev->event_fd < 0 || dev->stop_fd < 0)
		goto err_errno;
	ev.data.fd = dev->timer_fd;
	if (epoll_ctl(dev->event_fd, EPOLL_CTL_ADD, dev->timer_fd, &ev))
		goto err_errno;
	ev.data.fd = kick_fd;
	if (kick_fd >= 0 && epoll_ctl(dev->event_fd, EPOLL_CTL_ADD, kick_fd, &ev))
		goto err_errno;

	hpet_reset(dev);
	*devp = dev;
	return 0;

err_errno:
	ret = -errno;
	hpet_close_fds(dev);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	return ret;
}

void hpet_dev_destroy(struct hpet_dev *dev)
{
	__u64 one = 1;
	__u32 gsi;

	if (!dev)
		return;
	if (dev->thread_started) {
		if (write(dev->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(dev->thread, NULL);
		else
			pthread_cancel(dev->thread);
	}
	for (gsi = 0; gsi < 64; gsi++)
		if (dev->regs->lines & (1ULL << gsi))
			dev->ops->set_irq(dev->opaque, gsi, 0);
	dev->regs->lines = 0;
	hpet_close_fds(dev);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

/* ---- on the reference VMM ------------------------------------------------- */

static int hpet_kvm_set_irq(void *opaque, __u32 gsi, int level)
{
	return vmm_irq_line((int)(intptr_t)opaque, gsi, level);
}

static int hpet_kvm_send_msi(void *opaque, __u64 addr, __u32 data)
{
	return vmm_signal_msi((int)(intptr_t)opaque, addr, data);
}

const struct hpet_irq_ops hpet_kvm_irq_ops = {
	.set_irq = hpet_kvm_set_irq,
	.send_msi = hpet_kvm_send_msi,
};

int hpet_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		    bool is_write, void *ptr)
{
	return hpet_dev_mmio(ptr, addr - HPET_MMIO_BASE, len, is_write, data);
}

struct vmm_device *hpet_vmm_register(struct vmm *vmm, struct hpet_dev *dev)
{
	return vmm_register(vmm, "HPET", KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE,
			    HPET_MMIO_LEN, hpet_access, dev);
}
