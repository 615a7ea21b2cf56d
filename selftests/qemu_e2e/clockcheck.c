// SPDX-License-Identifier: GPL-2.0
/*
 * Runs inside the nested guest of qemu_e2e_test.sh (static, no libc
 * beyond glibc's static archive).  For each clocksource named on the
 * command line it:
 *  - makes it the current clocksource (and checks the kernel took it);
 *  - reads CLOCK_MONOTONIC @reads times, counting reads that went back;
 * One line per clocksource, stable fields only, so that two runs can be
 * compared:  "clock hpet ok reads=N backwards=0".  (The PM timer's rate is
 * not measured from here: /dev/port reads bytes, and QEMU answers a byte
 * read at offsets 1-3 of PM_TMR with the low byte.)
 *
 * Two more modes serve the lifecycle run:
 *  - "wait NAME STOPMS SOURCE": selects clocksource SOURCE, prints
 *    "KA-WAIT NAME" and reads the clock every millisecond until a line
 *    arrives on /dev/ttyS1 (the host stops and continues or migrates the
 *    VM meanwhile).  The clock must never go back, and (STOPMS > 0: the
 *    host stopped the VM that long and sends "go MS") no step between two
 *    reads may show the stop: a stopped VM's clocks stand still.
 *  - "pmmove BASE READS": moves the PIIX4 PM I/O base (PMBA, config 0x40
 *    of 00:01.3) to BASE, reads the PM timer READS times at its new port,
 *    and moves it back.  The kernel's clocksource must not be acpi_pm
 *    meanwhile, so hpet is selected first.
 *
 * Usage: clockcheck READS SOURCE...
 *        clockcheck wait NAME STOPMS SOURCE
 *        clockcheck pmmove BASE READS
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CS_DIR "/sys/devices/system/clocksource/clocksource0/"
#define PM_CONFIG "/sys/bus/pci/devices/0000:00:01.3/config"
#define PMBA 0x40		/* PIIX4 PM I/O base, bits 15:6 */
#define PM_TMR_OFF 8		/* PM_TMR in the PM I/O block */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int set_clocksource(const char *name)
{
	char cur[64] = "";
	FILE *f = fopen(CS_DIR "current_clocksource", "w");

	if (!f || fprintf(f, "%s\n", name) < 0 || fclose(f)) {
		printf("# cannot select clocksource %s: %s\n", name, strerror(errno));
		return -1;
	}
	f = fopen(CS_DIR "current_clocksource", "r");
	if (!f || !fgets(cur, sizeof(cur), f)) {
		printf("# cannot read the current clocksource\n");
		return -1;
	}
	fclose(f);
	cur[strcspn(cur, "\n")] = 0;
	if (strcmp(cur, name)) {
		printf("# clocksource is %s, not %s\n", cur, name);
		return -1;
	}
	return 0;
}

/* The 24-bit counter, three 1-byte reads (only "all ones or not" is used). */
static long pm_read(int fd, unsigned int port)
{
	unsigned char b[3];

	if (pread(fd, b, 3, port) != 3)
		return -1;
	return b[0] | b[1] << 8 | b[2] << 16;
}

/* One line from the control port, or 0 if none came within @ms. */
static int ctl_line(int fd, char *line, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = read(fd, line, size - 1);
	if (n <= 0)
		return -1;
	line[n] = 0;
	return 1;
}

static int wait_host(const char *name, long stopms, const char *source)
{
	long long t0, prev, t, gap, worst = 0, back = 0, reads = 0;
	long window = 0;
	char line[64];
	int ctl = open("/dev/ttyS1", O_RDONLY | O_NOCTTY);
	struct termios tio;
	int got, bad = 0;

	/*
	 * Canonical mode, so a read returns the whole line.  No echo: nobody
	 * reads ttyS1's output, and echoed lines left in the UART once the
	 * host has hung up would hold up the close.
	 */
	if (ctl >= 0 && !tcgetattr(ctl, &tio)) {
		tio.c_lflag |= ICANON;
		tio.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
		tcsetattr(ctl, TCSANOW, &tio);
	}
	if (ctl < 0 || set_clocksource(source)) {
		printf("wait %s bad: no /dev/ttyS1 or clocksource %s\n", name, source);
		return 1;
	}
	/*
	 * The first read comes before KA-WAIT and the last after the line:
	 * the host may stop the VM as soon as it sees KA-WAIT, while the
	 * guest is still writing it, and the line may arrive while it waits.
	 */
	t0 = prev = now_ns();
	printf("KA-WAIT %s\n", name);
	/*
	 * Read the clock every millisecond until the host's line comes.  The
	 * host stops the VM somewhere in this loop, for @stopms: a stopped
	 * VM's clocks stand still, so the stop must not show as a step
	 * between two reads.  Counted, it would be one step of the whole
	 * stop, at the first read after "cont".  Steps between reads, unlike
	 * the whole wait, do not grow with the time the host takes to notice
	 * KA-WAIT or to deliver the line, which on a slow host was seconds.
	 */
	do {
		got = ctl_line(ctl, line, sizeof(line), 1);
		t = now_ns();
		reads++;
		if (t < prev)
			back++;
		gap = t - prev;
		if (gap > worst)
			worst = gap;
		prev = t;
	} while (!got);
	close(ctl);
	if (got < 0) {
		printf("wait %s bad: nothing from the host\n", name);
		return 1;
	}
	/* After a stop the line is "go N": the host's window, stop included. */
	if (stopms > 0 && sscanf(line, "go %ld", &window) != 1) {
		printf("wait %s bad: no window from the host: %s", name, line);
		return 1;
	}
	printf("# wait %s: the %s clock advanced %lld ms in %lld reads, at most %lld ms between two; the host's window %ld ms\n",
	       name, source, (prev - t0) / 1000000, reads, worst / 1000000, window);
	if (back) {
		printf("# wait %s: the clock went back %lld times\n", name, back);
		bad = 1;
	}
	/* Half the stop: far above any step of a running guest. */
	if (stopms > 0 && worst / 1000000 >= stopms / 2) {
		printf("# wait %s: a step of %lld ms with the VM stopped %ld ms\n",
		       name, worst / 1000000, stopms);
		bad = 1;
	}
	printf("wait %s %s\n", name, bad ? "bad" : "ok");
	return bad;
}

static int pm_config(int write, unsigned int *val)
{
	int fd = open(PM_CONFIG, write ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write ? pwrite(fd, val, 4, PMBA) : pread(fd, val, 4, PMBA);
	close(fd);
	return n == 4 ? 0 : -1;
}

static int pm_move(int fd, unsigned int base, long reads)
{
	unsigned int old, want = base | 1, got;
	long p, i, ones = 0, fails = 0;

	if (set_clocksource("hpet") || pm_config(0, &old)) {
		printf("pmmove bad: no hpet clock or %s: %s\n", PM_CONFIG, strerror(errno));
		return 1;
	}
	if (pm_config(1, &want) || pm_config(0, &got) || got != want) {
		printf("pmmove bad: PMBA stays %#x\n", old);
		return 1;
	}
	for (i = 0; i < reads; i++) {
		p = pm_read(fd, base + PM_TMR_OFF);
		fails += p < 0;
		ones += p == 0xffffff;
	}
	if (pm_config(1, &old)) {
		printf("pmmove bad: cannot restore PMBA %#x\n", old);
		return 1;
	}
	/*
	 * Nothing at a port reads all ones.  Byte reads of QEMU's PM_TMR give
	 * the low byte thrice, so only the trace (the module's counters) can
	 * tell that the fast path answered them.
	 */
	printf("# pmmove: %ld reads at %#x, %ld all ones\n", reads, base + PM_TMR_OFF, ones);
	fails += ones == reads;
	printf("pmmove %#x -> %#x %s reads=%ld\n", (old & 0xffc0) + PM_TMR_OFF,
	       base + PM_TMR_OFF, fails ? "bad" : "ok", reads);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	long reads, i, back;
	int a, fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "wait"))
		return wait_host(argv[2], atol(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "pmmove"))
		return pm_move(open("/dev/port", O_RDONLY), strtoul(argv[2], NULL, 0),
			       atol(argv[3]));
	if (argc < 3) {
		fprintf(stderr, "usage: clockcheck READS SOURCE... | wait NAME STOPMS SOURCE | pmmove BASE READS\n");
		return 2;
	}
	reads = atol(argv[1]);
	for (a = 2; a < argc; a++) {
		long long prev, t, worst = 0;

		if (set_clocksource(argv[a])) {
			printf("clock %s unavailable\n", argv[a]);
			fails++;
			continue;
		}
		back = 0;
		prev = now_ns();
		for (i = 0; i < reads; i++) {
			t = now_ns();
			back += t < prev;
			if (prev - t > worst)
				worst = prev - t;
			prev = t;
		}
		if (back)
			printf("# clock %s went back %ld times, at most %lld ns\n",
			       argv[a], back, worst);
		printf("clock %s ok reads=%ld backwards=%ld\n", argv[a], reads, back);
		fails += back != 0;
	}
	return fails ? 1 : 0;
}
