// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the kvm-accel selftests; see accel_test_util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accel_test_util.h"

const struct accel_bus accel_pio = {
	.obj = "regfile_pio.bpf.o",
	.bus = KVM_ACCEL_BUS_PIO,
	.base = REGFILE_PIO_BASE,
	.len = REGFILE_PIO_LEN,
	.max_width = 4,
};

const struct accel_bus accel_mmio = {
	.obj = "regfile_mmio.bpf.o",
	.bus = KVM_ACCEL_BUS_MMIO,
	.base = REGFILE_MMIO_BASE,
	.len = REGFILE_MMIO_LEN,
	.max_width = 8,
};

/* ---- VMM side ------------------------------------------------------------ */

void accel_vmm_init(struct accel_vmm *vmm, struct kvm_vcpu *vcpu,
		    const struct accel_bus *bus, const __u8 *regs)
{
	*vmm = (struct accel_vmm) {
		.vcpu = vcpu,
		.bus = bus,
		.regs = regs,
	};
}

/*
 * The device's slow path.  The access must be a single one (no string I/O)
 * that starts inside the range; it may reach past the end.
 */
void accel_vmm_serve(struct accel_vmm *vmm)
{
	const struct accel_bus *bus = vmm->bus;
	struct kvm_run *run = vmm->vcpu->run;
	struct accel_exit *e = &vmm->last;
	__u8 *data;
	__u32 i;

	if (run->exit_reason == KVM_EXIT_IO && bus->bus == KVM_ACCEL_BUS_PIO) {
		TEST_ASSERT(run->io.count == 1,
			    "string I/O at port 0x%x, count %u", run->io.port,
			    run->io.count);
		*e = (struct accel_exit) {
			.addr = run->io.port,
			.len = run->io.size,
			.is_write = run->io.direction == KVM_EXIT_IO_OUT,
		};
		data = (__u8 *)run + run->io.data_offset;
	} else if (run->exit_reason == KVM_EXIT_MMIO &&
		   bus->bus == KVM_ACCEL_BUS_MMIO) {
		*e = (struct accel_exit) {
			.addr = run->mmio.phys_addr,
			.len = run->mmio.len,
			.is_write = run->mmio.is_write,
		};
		data = run->mmio.data;
	} else {
		TEST_FAIL("unexpected exit %u (%s)", run->exit_reason,
			  exit_reason_str(run->exit_reason));
	}
	e->reason = run->exit_reason;

	TEST_ASSERT(e->addr >= bus->base && e->addr - bus->base < bus->len &&
		    e->len >= 1 && e->len <= bus->max_width,
		    "%u-byte %s at 0x%llx is not an access to the device",
		    e->len, e->is_write ? "write" : "read", e->addr);

	if (e->is_write) {
		memcpy(&e->data, data, e->len);
		for (i = 0; vmm->store && i < e->len; i++) {
			__u64 off = e->addr - bus->base + i;

			if (off < bus->len)
				vmm->store[off] = data[i];
		}
	} else {
		for (i = 0; i < e->len; i++) {
			__u64 off = e->addr - bus->base + i;

			data[i] = off < bus->len ? vmm->regs[off] : 0xff;
		}
		memcpy(&e->data, data, e->len);
	}
	vmm->exits++;
	if (e->addr - bus->base + e->len > bus->len)
		vmm->straddles++;
}

static void accel_vmm_serve_exit(struct kvm_vcpu *vcpu, void *arg)
{
	struct accel_vmm *vmm = arg;

	if (vmm->serve)
		vmm->serve(vmm);
	else
		accel_vmm_serve(vmm);
}

uint64_t accel_vmm_run(struct accel_vmm *vmm, struct ucall *uc)
{
	return vmm_run_to_ucall(vmm->vcpu, uc, accel_vmm_serve_exit, vmm);
}

void accel_vmm_sync(struct accel_vmm *vmm, uint64_t stage)
{
	struct ucall uc;

	TEST_ASSERT_EQ(accel_vmm_run(vmm, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[1], stage);
}

void accel_vmm_done(struct accel_vmm *vmm)
{
	struct ucall uc;

	TEST_ASSERT_EQ(accel_vmm_run(vmm, &uc), UCALL_DONE);
}

struct kvm_vm *accel_vm_create(struct kvm_vcpu **vcpu, const struct accel_bus *bus,
			       void *guest_code)
{
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(vcpu, guest_code);
	if (bus->bus == KVM_ACCEL_BUS_MMIO)
		virt_map(vm, bus->base, bus->base,
			 DIV_ROUND_UP(bus->len, vm->page_size));
	vcpu_args_set(*vcpu, 3, bus->bus, bus->base, bus->len);
	return vm;
}

void accel_fill(__u8 *regs, uint64_t seed)
{
	int i;

	for (i = 0; i < REGFILE_SIZE; i++)
		regs[i] = accel_pattern(seed, i);
}

/* ---- attaching ----------------------------------------------------------- */

const char *accel_obj_path(const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "bpf/selftests/progs/%s", name);
	return accel_build_path(rel);
}

int __accel_attach(int vm_fd, const char *obj, __u32 bus, __u64 base,
		   __u64 len, struct kvm_accel_dev **devp)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .bus = bus, .base = base, .len = len);

	return kvm_accel_attach(obj, vm_fd, &opts, devp);
}

struct kvm_accel_dev *accel_attach(struct kvm_vm *vm, const struct accel_bus *bus)
{
	struct kvm_accel_dev *dev;
	int ret;

	ret = __accel_attach(vm->fd, accel_obj_path(bus->obj), bus->bus,
			     bus->base, bus->len, &dev);
	TEST_ASSERT(!ret, "attaching %s at 0x%llx: %s", bus->obj, bus->base,
		    strerror(-ret));
	return dev;
}

__u8 *accel_regs(struct kvm_accel_dev *dev)
{
	size_t size;
	__u8 *regs;

	regs = kvm_accel_regfile(dev, ".bss", &size);
	TEST_ASSERT(regs, "mapping the register file: %s", strerror(errno));
	TEST_ASSERT(size >= REGFILE_SIZE, "register file of %zu bytes", size);
	return regs;
}

/* ---- fixture ------------------------------------------------------------- */

void accel_fixture_setup(struct accel_fixture *f, const struct accel_bus *bus)
{
	TEST_REQUIRE(kvm_accel_module_loaded());

	f->bus = bus;
	f->vm = accel_vm_create(&f->vcpu, bus, NULL);
	f->dev = accel_attach(f->vm, bus);
	f->link_id = accel_link_id(f->dev);
	f->regs = accel_regs(f->dev);
	accel_vmm_init(&f->vmm, f->vcpu, bus, f->regs);
}

void accel_fixture_teardown(struct accel_fixture *f)
{
	kvm_accel_detach(f->dev);
	kvm_vm_free(f->vm);
}

/* ---- several vCPUs under load -------------------------------------------- */

void accel_load_init(struct accel_load *load, struct kvm_vcpu **vcpus,
		     int nr_vcpus, const struct accel_bus *bus, const __u8 *regs)
{
	int i;

	TEST_ASSERT(nr_vcpus > 0 && nr_vcpus <= ACCEL_LOAD_MAX_VCPUS,
		    "%d vCPUs under load", nr_vcpus);
	memset(load, 0, sizeof(*load));
	load->nr_vcpus = nr_vcpus;
	pthread_mutex_init(&load->lock, NULL);
	pthread_cond_init(&load->cond, NULL);
	for (i = 0; i < nr_vcpus; i++) {
		accel_vmm_init(&load->vcpus[i].vmm, vcpus[i], bus, regs);
		load->vcpus[i].load = load;
	}
}

static void *accel_load_vcpu_thread(void *arg)
{
	struct accel_load_vcpu *v = arg;
	struct accel_load *load = v->load;
	struct ucall uc;
	uint64_t cmd;

	__atomic_store_n(&v->tid, gettid(), __ATOMIC_RELEASE);
	do {
		cmd = accel_vmm_run(&v->vmm, &uc);
		TEST_ASSERT(cmd == UCALL_SYNC || cmd == UCALL_DONE,
			    "vCPU %u: unexpected ucall %lu", v->vmm.vcpu->id, cmd);
		pthread_mutex_lock(&load->lock);
		if (cmd == UCALL_SYNC) {
			v->syncs++;
			v->arg = uc.args[1];
		} else {
			v->done = true;
		}
		pthread_cond_broadcast(&load->cond);
		pthread_mutex_unlock(&load->lock);
	} while (cmd != UCALL_DONE);
	return NULL;
}

void accel_load_start(struct accel_load *load)
{
	int i, ret;

	for (i = 0; i < load->nr_vcpus; i++) {
		ret = pthread_create(&load->vcpus[i].thread, NULL,
				     accel_load_vcpu_thread, &load->vcpus[i]);
		TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
	}
}

static bool accel_load_reached(struct accel_load *load, const uint64_t *from,
			       uint64_t syncs, uint64_t min_arg)
{
	int i;

	for (i = 0; i < load->nr_vcpus; i++) {
		struct accel_load_vcpu *v = &load->vcpus[i];

		TEST_ASSERT(!v->done, "vCPU %u finished while waited for",
			    v->vmm.vcpu->id);
		if (v->syncs < from[i] + syncs || v->arg < min_arg)
			return false;
	}
	return true;
}

/*
 * Why a vCPU made no progress: its VMM thread's state and CPU time (from
 * /proc/self/task/TID/stat: running in KVM_RUN, or blocked) and its kernel
 * stack, as TAP diagnostics.
 */
static void accel_load_diagnose(struct accel_load_vcpu *v)
{
	pid_t tid = __atomic_load_n(&v->tid, __ATOMIC_ACQUIRE);
	char path[64], line[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (f && fgets(line, sizeof(line), f) && (p = strrchr(line, ')'))) {
		char state;
		unsigned long utime, stime;

		if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			   &state, &utime, &stime) == 3)
			ksft_print_msg("vCPU %u: thread %d state %c, %lu user and %lu system ticks\n",
				       v->vmm.vcpu->id, tid, state, utime, stime);
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		ksft_print_msg("vCPU %u:   %s", v->vmm.vcpu->id, line);
	if (f)
		fclose(f);
}

void accel_load_wait(struct accel_load *load, uint64_t syncs, uint64_t min_arg)
{
	uint64_t from[ACCEL_LOAD_MAX_VCPUS];
	struct timespec deadline;
	int i, ret = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ACCEL_LOAD_TIMEOUT_MS / 1000;

	pthread_mutex_lock(&load->lock);
	for (i = 0; i < load->nr_vcpus; i++)
		from[i] = load->vcpus[i].syncs;
	while (!accel_load_reached(load, from, syncs, min_arg) && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&load->cond, &load->lock, &deadline);
	for (i = 0; ret == ETIMEDOUT && i < load->nr_vcpus; i++) {
		ksft_print_msg("vCPU %u: %lu syncs (from %lu), last argument %lu\n",
			       load->vcpus[i].vmm.vcpu->id, load->vcpus[i].syncs,
			       from[i], load->vcpus[i].arg);
		accel_load_diagnose(&load->vcpus[i]);
	}
	pthread_mutex_unlock(&load->lock);
	TEST_ASSERT(ret != ETIMEDOUT,
		    "guests made no %lu syncs with argument %lu in %d ms", syncs,
		    min_arg, ACCEL_LOAD_TIMEOUT_MS);
}

void accel_load_join(struct accel_load *load)
{
	int i, ret;

	for (i = 0; i < load->nr_vcpus; i++) {
		ret = pthread_join(load->vcpus[i].thread, NULL);
		TEST_ASSERT(!ret, "pthread_join: %s", strerror(ret));
	}
}

/* ---- command line and directories ---------------------------------------- */

/* Read what is left of @fd into @buf, NUL-terminated; the rest is drained. */
static void accel_read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char drain[256];
	ssize_t n;

	for (;;) {
		if (len < size - 1)
			n = read(fd, buf + len, size - 1 - len);
		else
			n = read(fd, drain, sizeof(drain));
		if (n <= 0)
			break;
		if (len < size - 1)
			len += n;
	}
	buf[len] = '\0';
}

/* @s on one line, for a TAP diagnostic. */
static const char *accel_one_line(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

int accel_cli(char *out, size_t out_size, char *err, size_t err_size,
	      const char *fmt, ...)
{
	char cmd[2 * PATH_MAX + 512], err_path[] = "/tmp/accel_cli.XXXXXX";
	char out_line[512], err_line[512];
	int err_fd, status, n;
	va_list ap;
	FILE *f;

	err_fd = mkstemp(err_path);
	TEST_ASSERT(err_fd >= 0, "mkstemp: %s", strerror(errno));
	n = snprintf(cmd, sizeof(cmd), "%s ", accel_build_path("kvm-accel"));
	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	TEST_ASSERT(n + strlen(err_path) + 3 < sizeof(cmd), "command too long");
	ksft_print_msg("kvm-accel %s\n", strchr(cmd, ' ') + 1);
	snprintf(cmd + n, sizeof(cmd) - n, " 2>%s", err_path);

	f = popen(cmd, "r");
	TEST_ASSERT(f, "popen(%s): %s", cmd, strerror(errno));
	accel_read_all(fileno(f), out, out_size);
	status = pclose(f);
	accel_read_all(err_fd, err, err_size);
	close(err_fd);
	unlink(err_path);
	TEST_ASSERT(WIFEXITED(status), "%s: status 0x%x", cmd, status);

	snprintf(out_line, sizeof(out_line), "%s", out);
	snprintf(err_line, sizeof(err_line), "%s", err);
	ksft_print_msg("  -> %d, stdout: %s, stderr: %s\n", WEXITSTATUS(status),
		       accel_one_line(out_line), accel_one_line(err_line));
	return WEXITSTATUS(status);
}

int accel_dir_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(path);
	if (!d) {
		TEST_ASSERT(errno == ENOENT, "%s: %s", path, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}
