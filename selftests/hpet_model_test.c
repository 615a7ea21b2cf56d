// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the HPET slow path as a library, driven directly the way a VMM
 * calls it, with no VM: bad arguments get a clear error and change
 * nothing; interrupt lines follow the spec's routing (Tn_INT_ROUTE_CNF
 * within Tn_INT_ROUTE_CAP, LegacyReplacement Route for timers 0 and 1),
 * level lines stay asserted until GINTR_STA is written with 1 and follow
 * Tn_INT_ENB_CNF, edge timers pulse; FSB delivery is offered only when
 * the VMM can send MSIs; a late periodic timer fires once and skips the
 * periods it missed; the counter arithmetic is exact for a VMM offset that
 * is not a whole number of ticks.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "test_util.h"
#include "hpet/hpet_slowpath.h"

#define GSI_A		20
#define GSI_B		21

/* An interrupt controller that records what the device does to it. */
struct irq_rec {
	int level[64];
	unsigned int raises[64];
	unsigned int msis;
	__u64 msi_addr;
	__u32 msi_data;
};

static int rec_set_irq(void *opaque, __u32 gsi, int level)
{
	struct irq_rec *rec = opaque;

	if (gsi >= 64)
		return -EINVAL;
	rec->raises[gsi] += level && !rec->level[gsi];
	rec->level[gsi] = level;
	return 0;
}

static int rec_send_msi(void *opaque, __u64 addr, __u32 data)
{
	struct irq_rec *rec = opaque;

	rec->msis++;
	rec->msi_addr = addr;
	rec->msi_data = data;
	return 0;
}

static const struct hpet_irq_ops rec_ops = {
	.set_irq = rec_set_irq,
	.send_msi = rec_send_msi,
};

static const struct hpet_irq_ops rec_ops_no_msi = {
	.set_irq = rec_set_irq,
};

static __u64 rd(struct hpet_dev *dev, __u64 off)
{
	__u64 v = 0;

	TEST_ASSERT_EQ(hpet_dev_mmio(dev, off, 8, false, &v), 0);
	return v;
}

static void wr(struct hpet_dev *dev, __u64 off, __u64 v)
{
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, off, 8, true, &v), 0);
}

/*
 * Arm timer @n one-shot 1000 ticks ahead with @conf (counter halted
 * meanwhile, so that no time is lost), let the counter pass the
 * comparator, and service the device: the timer fires.
 */
static void fire(struct hpet_dev *dev, unsigned int n, __u64 conf)
{
	__u64 gen_conf = rd(dev, HPET_GEN_CONF) & ~HPET_ENABLE_CNF, target;

	wr(dev, HPET_GEN_CONF, gen_conf);
	target = hpet_dev_counter(dev) + 1000;
	wr(dev, HPET_TN_CMP_REG(n), target);
	wr(dev, HPET_TN_CONF_REG(n), conf | HPET_TN_INT_ENB_CNF);
	wr(dev, HPET_GEN_CONF, gen_conf | HPET_ENABLE_CNF);
	while (hpet_dev_counter(dev) < target)
		;
	TEST_ASSERT_EQ(hpet_dev_service(dev), 0);
}

struct model {
	struct hpet_regs regs;
	struct irq_rec rec;
	struct hpet_dev *dev;
};

static void model_create(struct model *m, const struct hpet_irq_ops *ops)
{
	int ret;

	memset(m, 0, sizeof(*m));
	ret = hpet_dev_create(&m->regs, -1, ops, &m->rec, &m->dev);
	TEST_ASSERT(!ret, "hpet_dev_create: %s", strerror(-ret));
}

TEST(bad_arguments)
{
	struct hpet_stats before, after;
	struct hpet_regs regs;
	struct hpet_dev *dev = NULL;
	struct irq_rec rec = {};
	__u8 data[16];
	int fd, ret;

	memset(&regs, 0x5a, sizeof(regs));
	TEST_ASSERT_EQ(hpet_dev_create(NULL, -1, &rec_ops, &rec, &dev), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_create(&regs, -1, &rec_ops_no_msi, &rec, NULL), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_create(&regs, -1, &(struct hpet_irq_ops){}, &rec, &dev),
		       -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_create(&regs, -2, &rec_ops, &rec, &dev), -EINVAL);
	fd = open("/dev/null", O_RDONLY);
	TEST_ASSERT(fd >= 0, "/dev/null: %s", strerror(errno));
	ret = hpet_dev_create(&regs, fd, &rec_ops, &rec, &dev);
	TEST_ASSERT(ret == -EPERM, "kick fd /dev/null: %d", ret);
	close(fd);
	TEST_ASSERT(dev == NULL, "a failed create returned a device");
	TEST_ASSERT_EQ(regs.gcap_id, 0x5a5a5a5a5a5a5a5aULL);

	TEST_ASSERT_EQ(hpet_dev_create(&regs, -1, &rec_ops, &rec, &dev), 0);
	TEST_ASSERT_EQ(regs.gcap_id, HPET_GCAP_ID_VALUE);
	hpet_dev_stats(dev, &before);
	memset(data, 0xa5, sizeof(data));
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, 0, 9, false, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, 0, 0, true, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, 0, 16, false, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, HPET_MMIO_LEN, 4, false, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, HPET_MMIO_LEN - 4, 8, false, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, ~0ULL - 2, 4, false, data), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, HPET_GEN_CONF, 8, true, NULL), -EINVAL);
	TEST_ASSERT_EQ(hpet_dev_mmio(NULL, HPET_GEN_CONF, 8, true, data), -EINVAL);
	for (ret = 0; ret < (int)sizeof(data); ret++)
		TEST_ASSERT_EQ(data[ret], 0xa5);
	hpet_dev_stats(dev, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(before)), "statistics changed");
	TEST_ASSERT_EQ(hpet_dev_start(NULL), -EINVAL);

	/*
	 * Fragments KVM makes of an access crossing into the device's page
	 * have any length: read, the bytes they cover; written, ignored.
	 */
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, 1, 3, false, data), 0);
	TEST_ASSERT(!memcmp(data, (__u8 *)&regs.gcap_id + 1, 3) && data[3] == 0xa5,
		    "3-byte read of GCAP_ID");
	memset(data, 0xff, sizeof(data));
	TEST_ASSERT_EQ(hpet_dev_mmio(dev, HPET_GEN_CONF, 5, true, data), 0);
	TEST_ASSERT_EQ(regs.gen_conf, 0);
	hpet_dev_destroy(dev);
}

TEST(level_routing)
{
	__u64 conf = HPET_TN_INT_TYPE_CNF | (GSI_A << HPET_TN_INT_ROUTE_CNF_SHIFT);
	struct model m;

	model_create(&m, &rec_ops);

	/* A route outside Tn_INT_ROUTE_CAP leaves the old one. */
	wr(m.dev, HPET_TN_CONF_REG(0), conf);
	wr(m.dev, HPET_TN_CONF_REG(0), 5 << HPET_TN_INT_ROUTE_CNF_SHIFT);
	TEST_ASSERT_EQ(rd(m.dev, HPET_TN_CONF_REG(0)) & HPET_TN_INT_ROUTE_CNF_MASK,
		       (__u64)GSI_A << HPET_TN_INT_ROUTE_CNF_SHIFT);

	fire(m.dev, 0, conf);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 1);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 1);

	/* LegacyReplacement Route moves timer 0 to input 2 and back. */
	wr(m.dev, HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 0);
	TEST_ASSERT_EQ(m.rec.level[HPET_LEGACY_GSI_T0], 1);
	wr(m.dev, HPET_GEN_CONF, HPET_ENABLE_CNF);
	TEST_ASSERT_EQ(m.rec.level[HPET_LEGACY_GSI_T0], 0);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 1);

	/* The line follows Tn_INT_ENB_CNF; the status bit does not. */
	wr(m.dev, HPET_TN_CONF_REG(0), conf);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 0);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 1);
	wr(m.dev, HPET_TN_CONF_REG(0), conf | HPET_TN_INT_ENB_CNF);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 1);

	/* Halting the counter leaves it; writing 0 leaves it; writing 1 clears. */
	wr(m.dev, HPET_GEN_CONF, 0);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 1);
	wr(m.dev, HPET_GINTR_STA, 0);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 1);
	wr(m.dev, HPET_GINTR_STA, ~0ULL);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 0);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 0);
	TEST_ASSERT_EQ(m.rec.raises[GSI_A], 3);
	TEST_ASSERT_EQ(m.rec.raises[HPET_LEGACY_GSI_T0], 1);

	/* Timer 1 goes to input 8 under legacy routing. */
	wr(m.dev, HPET_GEN_CONF, HPET_LEG_RT_CNF);
	fire(m.dev, 1, conf);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 2);
	TEST_ASSERT_EQ(m.rec.level[HPET_LEGACY_GSI_T1], 1);
	TEST_ASSERT_EQ(m.rec.level[GSI_A], 0);
	hpet_dev_destroy(m.dev);
	TEST_ASSERT_EQ(m.rec.level[HPET_LEGACY_GSI_T1], 0);
}

TEST(edge_and_fsb)
{
	struct hpet_stats st;
	struct model m;

	model_create(&m, &rec_ops);
	fire(m.dev, 1, GSI_B << HPET_TN_INT_ROUTE_CNF_SHIFT);
	TEST_ASSERT_EQ(m.rec.raises[GSI_B], 1);
	TEST_ASSERT_EQ(m.rec.level[GSI_B], 0);
	TEST_ASSERT_EQ(rd(m.dev, HPET_GINTR_STA), 0);

	wr(m.dev, HPET_TN_FSB_REG(2), 0xfee0000000000051ULL);
	fire(m.dev, 2, HPET_TN_FSB_EN_CNF | (GSI_B << HPET_TN_INT_ROUTE_CNF_SHIFT));
	TEST_ASSERT_EQ(m.rec.msis, 1);
	TEST_ASSERT_EQ(m.rec.msi_addr, 0xfee00000ULL);
	TEST_ASSERT_EQ(m.rec.msi_data, 0x51);
	TEST_ASSERT_EQ(m.rec.raises[GSI_B], 1);
	hpet_dev_stats(m.dev, &st);
	TEST_ASSERT_EQ(st.fires, 2);
	TEST_ASSERT_EQ(st.irq_errors, 0);
	hpet_dev_destroy(m.dev);
}

TEST(no_msi_no_fsb)
{
	struct model m;

	model_create(&m, &rec_ops_no_msi);
	TEST_ASSERT_EQ(rd(m.dev, HPET_TN_CONF_REG(0)) & HPET_TN_FSB_INT_DEL_CAP, 0);
	wr(m.dev, HPET_TN_CONF_REG(0), HPET_TN_FSB_EN_CNF);
	TEST_ASSERT_EQ(rd(m.dev, HPET_TN_CONF_REG(0)) & HPET_TN_FSB_EN_CNF, 0);
	hpet_dev_destroy(m.dev);
}

/* Serviced after several periods have passed: one interrupt, comparator past them. */
TEST(periodic_catch_up)
{
	const __u64 period = 1000;
	__u64 cmp0, cmp, fires, raises, target;
	struct model m;

	model_create(&m, &rec_ops);
	wr(m.dev, HPET_TN_CONF_REG(0), HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
	   HPET_TN_INT_ENB_CNF | (GSI_B << HPET_TN_INT_ROUTE_CNF_SHIFT));
	wr(m.dev, HPET_TN_CMP_REG(0), period);
	wr(m.dev, HPET_GEN_CONF, HPET_ENABLE_CNF);

	/* Whatever fired so far, the next service comes ten periods late. */
	cmp0 = rd(m.dev, HPET_TN_CMP_REG(0));
	fires = m.regs.timer[0].fires;
	raises = m.rec.raises[GSI_B];
	target = cmp0 + 10 * period;
	while (hpet_dev_counter(m.dev) < target)
		;
	TEST_ASSERT_EQ(hpet_dev_service(m.dev), 0);
	cmp = rd(m.dev, HPET_TN_CMP_REG(0));
	ksft_print_msg("comparator %llu -> %llu\n", cmp0, cmp);
	TEST_ASSERT(cmp % period == 0 && cmp > target, "comparator %llu", cmp);
	TEST_ASSERT_EQ(m.regs.timer[0].fires, fires + 1);
	TEST_ASSERT_EQ(m.rec.raises[GSI_B], raises + 1);
	hpet_dev_destroy(m.dev);
}

/*
 * A VMM whose counter is (host_ns + offset_ns) / 10 for any offset, as
 * QEMU's is, publishes the offset as whole ticks (cnt_delta) and the
 * nanoseconds past them (cnt_sub).  Both halves must then compute its
 * counter exactly, running and at the moment they halt it: one tick less
 * is a counter that goes back between a read the VMM answers and the next
 * one the fast path answers.
 */
TEST(counter_sub_tick)
{
	static const __s64 offsets[] = {
		0, 1, 5, 9, 10, 11, 19, -1, -5, -9, -10, -11, -19,
		123456789, -123456789, 1000000000003LL, -999999999997LL,
	};
	static const __u64 nows[] = {
		1000000000000ULL, 1000000000001ULL, 1000000000004ULL,
		1000000000009ULL, 1000000000010ULL, 1234567890123ULL,
	};
	unsigned int i, j, k;

	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		__s64 off = offsets[i];
		__s64 delta = off / (__s64)HPET_TICK_NS -
			      (off % (__s64)HPET_TICK_NS < 0);
		__u64 sub = off - delta * (__s64)HPET_TICK_NS;

		TEST_ASSERT(sub < HPET_TICK_NS, "offset %lld: sub %llu",
			    (long long)off, (unsigned long long)sub);
		for (j = 0; j < ARRAY_SIZE(nows); j++) {
			for (k = 0; k < HPET_TICK_NS; k++) {
				__u64 now = nows[j] + k;
				__u64 want = (now + off) / HPET_TICK_NS;

				TEST_ASSERT_EQ(hpet_counter_value(HPET_ENABLE_CNF, delta,
								  sub, 0, now), want);
				TEST_ASSERT_EQ(hpet_disable_frozen(delta, sub, now), want);
			}
		}
	}
}

TEST_HARNESS_MAIN
