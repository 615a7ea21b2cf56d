// SPDX-License-Identifier: GPL-2.0
/*
 * Guards attaching to a VMM that knows nothing of kvm-accel: a child VMM
 * runs a guest polling a port and serves every access in userspace.
 * `kvm-accel attach OBJ --pid PID --fd N --pin -j` takes its VM fd,
 * attaches and pins the link; from then on the child sees no exit for the
 * port while the module counts the accesses as handled.  `kvm-accel detach
 * ID` ends the attachment, removes the pin, and the child's exits come back.
 *
 * Without --pin the command holds the link in the foreground: it prints
 * the attachment, and when the child VMM exits (its VM is destroyed, the
 * attachment turns defunct) it ends the attachment and exits with status 0
 * by itself.  SIGTERM ends it as well, and the child's exits come back.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

#define NR_READS	1000	/* per guest round */
#define NR_ROUNDS	5	/* per measurement */

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i, round;

	for (round = 1;; round++) {
		for (i = 0; i < NR_READS; i++)
			GUEST_ASSERT_EQ(accel_guest_read(bus, base + i % len, 1), 0);
		GUEST_SYNC(round);
	}
}

/*
 * The VMM.  Reports its VM fd, then runs the guest and serves the port
 * from zeroed registers, like the device's program does.  Between rounds
 * it takes commands: 'm' reports the exits of the next NR_ROUNDS rounds,
 * 'q' quits.
 */
static void __attribute__((noreturn)) child_vmm(int cmd_fd, int report_fd)
{
	__u8 regs[REGFILE_SIZE] = {};
	uint64_t round, start = 0, left = 0;
	struct kvm_vcpu *vcpu;
	struct accel_vmm vmm;
	struct kvm_vm *vm;
	ssize_t n;
	char cmd;

	vm = accel_vm_create(&vcpu, &accel_pio, guest_code);
	accel_vmm_init(&vmm, vcpu, &accel_pio, regs);
	TEST_ASSERT_EQ(write(report_fd, &vm->fd, sizeof(vm->fd)), sizeof(vm->fd));
	TEST_ASSERT_EQ(fcntl(cmd_fd, F_SETFL, O_NONBLOCK), 0);

	for (round = 1;; round++) {
		accel_vmm_sync(&vmm, round);
		if (left) {
			if (!--left) {
				__u64 exits = vmm.exits - start;

				TEST_ASSERT_EQ(write(report_fd, &exits, sizeof(exits)),
					       sizeof(exits));
			}
			continue;
		}
		n = read(cmd_fd, &cmd, 1);
		if (n < 0 && errno == EAGAIN)
			continue;
		TEST_ASSERT(n == 1, "the test is gone");
		if (cmd == 'q')
			break;
		TEST_ASSERT_EQ(cmd, 'm');
		start = vmm.exits;
		left = NR_ROUNDS;
	}
	kvm_vm_free(vm);
	exit(0);
}

struct child {
	pid_t pid;
	int cmd_fd;
	int report_fd;
};

/* How many accesses of NR_ROUNDS guest rounds reached the child VMM. */
static __u64 child_exits(struct child *c)
{
	__u64 exits;

	TEST_ASSERT_EQ(write(c->cmd_fd, "m", 1), 1);
	TEST_ASSERT(read(c->report_fd, &exits, sizeof(exits)) == sizeof(exits),
		    "the child VMM died");
	return exits;
}

/*
 * Start the child VMM; *@vm_fd is the number of its VM fd.  The pipes are
 * close-on-exec so that a CLI started meanwhile holds none of them: the
 * child must see the test go away.
 */
static void start_vmm(struct child *c, int *vm_fd)
{
	int cmd_pipe[2], report_pipe[2];

	TEST_ASSERT_EQ(pipe2(cmd_pipe, O_CLOEXEC), 0);
	TEST_ASSERT_EQ(pipe2(report_pipe, O_CLOEXEC), 0);
	c->pid = fork();
	TEST_ASSERT(c->pid >= 0, "fork: %s", strerror(errno));
	if (!c->pid) {
		close(cmd_pipe[1]);
		close(report_pipe[0]);
		child_vmm(cmd_pipe[0], report_pipe[1]);
	}
	close(cmd_pipe[0]);
	close(report_pipe[1]);
	c->cmd_fd = cmd_pipe[1];
	c->report_fd = report_pipe[0];
	TEST_ASSERT(read(c->report_fd, vm_fd, sizeof(*vm_fd)) == sizeof(*vm_fd),
		    "the child VMM died");
}

/* Make the child VMM quit, which destroys its VM, and reap it. */
static void stop_vmm(struct child *c)
{
	int status;

	TEST_ASSERT_EQ(write(c->cmd_fd, "q", 1), 1);
	TEST_ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child VMM: status 0x%x", status);
	close(c->cmd_fd);
	close(c->report_fd);
}

/* Run the CLI with @fmt as arguments; its stdout goes to @out. */
static int run_cli(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2 * PATH_MAX + 256], *p = cmd;
	size_t n;
	va_list ap;
	FILE *f;
	int status;

	p += snprintf(cmd, sizeof(cmd), "%s ", accel_build_path("kvm-accel"));
	va_start(ap, fmt);
	vsnprintf(p, sizeof(cmd) - (p - cmd), fmt, ap);
	va_end(ap);

	f = popen(cmd, "r");
	TEST_ASSERT(f, "popen(%s): %s", cmd, strerror(errno));
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	status = pclose(f);
	TEST_ASSERT(WIFEXITED(status), "%s: status 0x%x", cmd, status);
	/* One line of TAP diagnostics. */
	for (p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	ksft_print_msg("%s -> %d: %s\n", cmd, WEXITSTATUS(status), out);
	return WEXITSTATUS(status);
}

/* The value of "@key": in the JSON object @json, as a string. */
static bool json_value(const char *json, const char *key, char *val, size_t size)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return false;
	p += strlen(pat);
	p += strspn(p, " \t\n\"");
	n = strcspn(p, "\",}\n");
	if (!n || n >= size)
		return false;
	memcpy(val, p, n);
	val[n] = '\0';
	return true;
}

/*
 * `kvm-accel attach OBJ --pid PID --fd N -j`, without --pin, in the
 * background with its stdout on a pipe.  Should the test die, the CLI gets
 * SIGTERM rather than hold the attachment.
 */
struct cli {
	pid_t pid;
	int out_fd;
};

static void start_cli(struct cli *cli, const struct child *c, int vm_fd)
{
	char obj[PATH_MAX], exe[PATH_MAX], pid[16], fd[16];
	char *argv[] = { "kvm-accel", "attach", obj, "--pid", pid, "--fd", fd, "-j", NULL };
	int out[2];

	snprintf(obj, sizeof(obj), "%s", accel_obj_path(accel_pio.obj));
	snprintf(exe, sizeof(exe), "%s", accel_build_path("kvm-accel"));
	snprintf(pid, sizeof(pid), "%d", c->pid);
	snprintf(fd, sizeof(fd), "%d", vm_fd);
	ksft_print_msg("kvm-accel attach %s --pid %s --fd %s -j &\n", obj, pid, fd);

	TEST_ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
	cli->pid = fork();
	TEST_ASSERT(cli->pid >= 0, "fork: %s", strerror(errno));
	if (!cli->pid) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (dup2(out[1], STDOUT_FILENO) == STDOUT_FILENO)
			execv(exe, argv);
		_exit(127);
	}
	close(out[1]);
	cli->out_fd = out[0];
}

/* The next line the CLI prints, without the newline; false at its end. */
static bool cli_line(struct cli *cli, char *line, size_t size)
{
	size_t n = 0;
	char ch;

	while (read(cli->out_fd, &ch, 1) == 1 && ch != '\n')
		if (n < size - 1)
			line[n++] = ch;
	line[n] = '\0';
	if (n)
		ksft_print_msg("  kvm-accel: %s\n", line);
	return n;
}

/*
 * Read what the CLI prints at its end: a JSON object for @reason, then
 * end of file; and its exit status, which must be 0.
 */
static void cli_wait_end(struct cli *cli, const char *reason, const char *detached)
{
	char line[4096], val[64];
	int status;

	TEST_ASSERT(cli_line(cli, line, sizeof(line)), "the CLI said nothing at its end");
	TEST_ASSERT(json_value(line, "reason", val, sizeof(val)) && !strcmp(val, reason),
		    "expected reason \"%s\": %s", reason, line);
	TEST_ASSERT(json_value(line, "detached", val, sizeof(val)) && !strcmp(val, detached),
		    "expected detached %s: %s", detached, line);
	TEST_ASSERT(!cli_line(cli, line, sizeof(line)), "more output: %s", line);
	TEST_ASSERT_EQ(waitpid(cli->pid, &status, 0), cli->pid);
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "kvm-accel: status 0x%x", status);
	close(cli->out_fd);
}

/* Start the CLI in the foreground mode on @c's VM; the link id it reports. */
static __u32 cli_attach_foreground(struct cli *cli, const struct child *c, int vm_fd)
{
	struct kvm_accel_info info;
	char line[4096], val[64];
	__u32 link_id;

	start_cli(cli, c, vm_fd);
	TEST_ASSERT(cli_line(cli, line, sizeof(line)), "kvm-accel attach printed nothing");
	TEST_ASSERT(json_value(line, "id", val, sizeof(val)), "no id: %s", line);
	link_id = strtoul(val, NULL, 10);
	TEST_ASSERT(link_id > 0, "bad id: %s", line);
	TEST_ASSERT(json_value(line, "pinned", val, sizeof(val)) && !strcmp(val, "null"),
		    "pinned without --pin: %s", line);
	TEST_ASSERT(json_value(line, "state", val, sizeof(val)) && !strcmp(val, "live"),
		    "not live: %s", line);

	TEST_ASSERT_EQ(kvm_accel_read_info(link_id, &info), 0);
	TEST_ASSERT_EQ(info.state, KVM_ACCEL_STATE_LIVE);
	TEST_ASSERT_EQ(info.vm_pid, c->pid);
	return link_id;
}

TEST(attach_to_running_vmm)
{
	char obj[PATH_MAX], out[4096], val[PATH_MAX], pin[PATH_MAX];
	struct kvm_accel_counters c0, c1;
	struct kvm_accel_info info;
	struct accel_refs before;
	struct child c;
	struct stat st;
	__u32 link_id;
	__u64 exits;
	int vm_fd;

	TEST_REQUIRE(kvm_accel_module_loaded());
	snprintf(obj, sizeof(obj), "%s", accel_obj_path(accel_pio.obj));
	before = accel_refs();
	start_vmm(&c, &vm_fd);

	/* Without the accelerator, every access exits. */
	exits = child_exits(&c);
	ASSERT_EQ(exits, NR_ROUNDS * NR_READS);

	ASSERT_EQ(run_cli(out, sizeof(out), "attach %s --pid %d --fd %d --pin -j",
			  obj, c.pid, vm_fd), 0);
	ASSERT_TRUE(json_value(out, "id", val, sizeof(val)));
	link_id = strtoul(val, NULL, 10);
	ASSERT_GT(link_id, 0);
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/kvm-accel/link-%u", link_id);
	ASSERT_TRUE(json_value(out, "pinned", val, sizeof(val)));
	ASSERT_STREQ(val, pin);
	ASSERT_EQ(stat(pin, &st), 0);

	ASSERT_EQ(kvm_accel_read_info(link_id, &info), 0);
	ASSERT_EQ(info.vm_pid, c.pid);
	ASSERT_EQ(info.bus, accel_pio.bus);
	ASSERT_EQ(info.base, accel_pio.base);
	ASSERT_EQ(info.len, accel_pio.len);

	/* Attached: the same guest loop no longer leaves the kernel. */
	c0 = accel_counters(link_id);
	exits = child_exits(&c);
	c1 = accel_counters(link_id);
	ASSERT_EQ(exits, 0);
	ASSERT_GE(c1.handled - c0.handled, NR_ROUNDS * NR_READS);
	ASSERT_EQ(c1.exits, 0);
	ASSERT_EQ(c1.errors, 0);
	ksft_print_msg("%d rounds of %d reads: %d exits without kvm-accel, %llu with, %llu handled\n",
		       NR_ROUNDS, NR_READS, NR_ROUNDS * NR_READS, exits,
		       c1.handled - c0.handled);

	ASSERT_EQ(run_cli(out, sizeof(out), "detach %u", link_id), 0);
	ASSERT_NE(stat(pin, &st), 0);
	ASSERT_EQ(errno, ENOENT);
	ASSERT_FALSE(accel_attached(link_id));

	/* Detached: every access exits again. */
	exits = child_exits(&c);
	ASSERT_EQ(exits, NR_ROUNDS * NR_READS);

	stop_vmm(&c);
	ASSERT_TRUE(accel_wait_released(link_id, &before));
}

/*
 * The CLI attached without --pin, holding the link in the foreground, to a
 * child VMM whose port it serves: no exits.
 */
FIXTURE(foreground) {
	struct accel_refs before;
	struct child vmm;
	struct cli cli;
	__u32 link_id;
};

FIXTURE_SETUP(foreground)
{
	int vm_fd;

	TEST_REQUIRE(kvm_accel_module_loaded());
	self->before = accel_refs();
	start_vmm(&self->vmm, &vm_fd);
	self->link_id = cli_attach_foreground(&self->cli, &self->vmm, vm_fd);
	/* Held by the CLI, which has no copy of the VM fd left. */
	ASSERT_EQ(child_exits(&self->vmm), 0);
}

FIXTURE_TEARDOWN(foreground)
{
	ASSERT_FALSE(accel_attached(self->link_id));
	ASSERT_TRUE(accel_wait_released(0, &self->before));
}

TEST_F(foreground, until_vm_exits)
{
	/* The VM goes with its VMM: the CLI ends the attachment and exits. */
	stop_vmm(&self->vmm);
	cli_wait_end(&self->cli, "defunct", "true");
}

TEST_F(foreground, until_sigterm)
{
	ASSERT_EQ(kill(self->cli.pid, SIGTERM), 0);
	cli_wait_end(&self->cli, "SIGTERM", "true");
	ASSERT_FALSE(accel_attached(self->link_id));

	/* Detached: every access exits again. */
	ASSERT_EQ(child_exits(&self->vmm), NR_ROUNDS * NR_READS);
	stop_vmm(&self->vmm);
}

TEST_HARNESS_MAIN
