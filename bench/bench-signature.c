/* SPDX-License-Identifier: MIT */
/* Benchmark of the crash signature engine (run on demand, not a test):
 *
 *   bench-signature [--size MB] [--dir DIR] [--kradar PATH] [--repeat N] [--keep]
 *
 * Writes two console logs of SIZE MB (default 256) into DIR (default
 * $TMPDIR): clean.log, made of the kinds of lines a fuzzed guest prints
 * (audit, loop devices, file systems, networking, USB, executor progress),
 * and crash.log, the same with a KASAN report and a panic at its end. Then
 * scans each one in this process (1 MiB reads fed to the scanner) and
 * with `kradar classify --json` (when --kradar is given), printing MB/s and
 * peak resident memory; then, as the yardstick, `grep -c -E` for three
 * words (KASAN|WARNING|panic) on the same files, with the ratio. Commands
 * run N times each (default 5; the fastest counts: the others are the
 * machine's noise). The logs are written in pieces, so generating them
 * does not raise the peak. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "process.h"
#include "signature.h"
#include "util.h"

#define CHUNK (1024 * 1024)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* One console line of ordinary guest chatter. */
static void chatter(struct kr_buf *b, double t)
{
	unsigned r = next_rand();
	unsigned task = 1000 + r % 9000, proc = r % 6, n = (r >> 8) % 100000;
	kr_buf_printf(b, "[%6u.%06u][ T%u] ", (unsigned)t, (unsigned)((t - (unsigned)t) * 1e6), task);
	switch ((r >> 4) % 12) {
	case 0:
		kr_buf_printf(b, "audit: type=1400 audit(%u.%03u:%u): avc:  denied  { read write } for  "
				 "pid=%u comm=\"syz-executor.%u\" name=\"/\" dev=\"tmpfs\" ino=%u "
				 "scontext=root:sysadm_r:sysadm_t tcontext=system_u:object_r:tmpfs_t "
				 "tclass=dir permissive=1\n",
			      1700000000 + n, n % 1000, n, task, proc, n);
		break;
	case 1:
		kr_buf_printf(b, "loop%u: detected capacity change from 0 to %u\n", proc, n * 8);
		break;
	case 2:
		kr_buf_printf(b, "EXT4-fs (loop%u): mounted filesystem without journal. Quota mode: none.\n",
			      proc);
		break;
	case 3:
		kr_buf_printf(b, "netlink: %u bytes leftover after parsing attributes in process "
				 "`syz-executor.%u'.\n",
			      n % 64, proc);
		break;
	case 4:
		kr_buf_printf(b, "device veth%u entered promiscuous mode\n", n % 64);
		break;
	case 5:
		kr_buf_printf(b, "usb 1-1: new high-speed USB device number %u using dummy_hcd\n", n % 128);
		break;
	case 6:
		kr_buf_printf(b, "Bluetooth: hci%u: command 0x%04x tx timeout\n", proc, n & 0xffff);
		break;
	case 7:
		kr_buf_printf(b, "IPVS: ftp: loaded support on port[0] = 21\n");
		break;
	case 8:
		kr_buf_printf(b, "FAT-fs (loop%u): Directory bread(block %u) failed\n", proc, n);
		break;
	case 9:
		kr_buf_printf(b, "bridge0: port %u(bridge_slave_%u) entered forwarding state\n", proc,
			      proc);
		break;
	case 10:
		kr_buf_printf(b, "ACPI: PCI Interrupt Link [LNK%c] enabled at IRQ %u\n", 'A' + proc,
			      10 + proc);
		break;
	default:
		kr_buf_printf(b, "syz-executor.%u: vmalloc error: size %u, failed to allocate pages, "
				 "mode:0x%x(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0\n",
			      proc, n * 4096, 0xcc0);
		break;
	}
	if (r % 7 == 0)
		kr_buf_printf(b, "%u/01/01 00:00:%02u executing program %u\n", 2025, n % 60, proc);
}

static const char crash_report[] =
	"==================================================================\n"
	"BUG: KASAN: slab-use-after-free in bench_victim+0x1d1/0x250\n"
	"Read of size 8 at addr ffff88801c4a1e08 by task syz-executor.0/5123\n"
	"\n"
	"CPU: 1 PID: 5123 Comm: syz-executor.0 Not tainted 6.1.0 #1\n"
	"Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"Call Trace:\n"
	" <TASK>\n"
	" __dump_stack lib/dump_stack.c:88 [inline]\n"
	" dump_stack_lvl+0xd9/0x150 lib/dump_stack.c:106\n"
	" print_address_description mm/kasan/report.c:284 [inline]\n"
	" print_report+0xc1/0x5e0 mm/kasan/report.c:395\n"
	" kasan_report+0xb9/0xf0 mm/kasan/report.c:495\n"
	" bench_victim+0x1d1/0x250 net/bench/victim.c:42\n"
	" bench_caller+0x55/0x90 net/bench/victim.c:77\n"
	" __sys_sendmsg+0x117/0x1e0 net/socket.c:2559\n"
	" do_syscall_64+0x38/0xb0 arch/x86/entry/common.c:80\n"
	" entry_SYSCALL_64_after_hwframe+0x63/0xcd\n"
	" </TASK>\n"
	"\n"
	"Allocated by task 5120:\n"
	" kasan_save_stack+0x22/0x40 mm/kasan/common.c:45\n"
	" __kasan_kmalloc+0xa3/0xb0 mm/kasan/common.c:374\n"
	" bench_alloc+0x3c/0x80 net/bench/victim.c:20\n"
	" do_syscall_64+0x38/0xb0 arch/x86/entry/common.c:80\n"
	"\n"
	"Freed by task 5121:\n"
	" kasan_save_stack+0x22/0x40 mm/kasan/common.c:45\n"
	" __kasan_slab_free+0x12a/0x1b0 mm/kasan/common.c:236\n"
	" kfree+0xf6/0x560 mm/slub.c:3674\n"
	" bench_free+0x2b/0x60 net/bench/victim.c:30\n"
	" do_syscall_64+0x38/0xb0 arch/x86/entry/common.c:80\n"
	"\n"
	"The buggy address belongs to the object at ffff88801c4a1e00\n"
	" which belongs to the cache kmalloc-64 of size 64\n"
	"==================================================================\n"
	"Kernel panic - not syncing: KASAN: panic_on_warn set ...\n"
	"Kernel Offset: disabled\n"
	"Rebooting in 86400 seconds..\n";

static const char crash_title[] = "KASAN: slab-use-after-free Read in bench_victim";

static int write_log(const char *path, size_t size, bool crash)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	struct kr_buf b = KR_BUF_INIT(4 * CHUNK);
	size_t written = 0;
	double t = 10.0;
	while (written < size) {
		while (b.len < CHUNK) {
			chatter(&b, t);
			t += 0.000137;
		}
		size_t n = b.len < size - written ? b.len : size - written;
		if (write(fd, b.data, n) != (ssize_t)n) {
			kr_buf_free(&b);
			return -EIO;
		}
		written += n;
		kr_buf_reset(&b);
	}
	if (crash) {
		/* finish the cut line, then the report with console prefixes */
		kr_buf_adds(&b, "\n");
		for (const char *l = crash_report; *l;) {
			const char *nl = strchr(l, '\n');
			kr_buf_printf(&b, "[%6u.%06u] %.*s\n", (unsigned)t,
				      (unsigned)((t - (unsigned)t) * 1e6), (int)(nl - l), l);
			l = nl + 1;
		}
		if (write(fd, b.data, b.len) != (ssize_t)b.len) {
			kr_buf_free(&b);
			return -EIO;
		}
	}
	kr_buf_free(&b);
	return 0;
}

static long peak_rss_kib(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return ru.ru_maxrss;
}

static void scan_in_process(const char *path, const char *name, bool want_crash)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	_cleanup_free_ char *buf = kr_malloc(CHUNK);
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = kr_scanner_new();
	size_t total = 0;
	uint64_t t0 = kr_now_ns();
	ssize_t n;
	while ((n = read(fd, buf, CHUNK)) > 0) {
		kr_scanner_feed(s, buf, (size_t)n);
		total += (size_t)n;
	}
	kr_scanner_finish(s);
	double secs = (double)(kr_now_ns() - t0) / 1e9;
	const struct kr_crash *c = kr_scanner_crash(s, 0);
	printf("in-process  %-9s %8.1f MB in %6.3f s: %7.1f MB/s, peak RSS %ld KiB, %s\n", name,
	       total / 1e6, secs, total / 1e6 / secs, peak_rss_kib(RUSAGE_SELF),
	       c ? c->title : "no crash");
	if (want_crash != (c != NULL) || (c && strcmp(c->title, crash_title) != 0)) {
		fprintf(stderr, "bench: unexpected result for %s\n", name);
		exit(1);
	}
}

/* Runs argv repeat times (output to /dev/null); the fastest wall time.
 * An exit status above max_status is a failure. */
static double run_fastest(char *const argv[], int repeat, int max_status)
{
	double best = 0;
	for (int i = 0; i < repeat; i++) {
		uint64_t t0 = kr_now_ns();
		int status = -1;
		int r = kr_process_run(argv, NULL, -1, 3600, &status);
		double secs = (double)(kr_now_ns() - t0) / 1e9;
		if (r < 0 || status < 0 || status > max_status) {
			fprintf(stderr, "bench: %s %s: %s, status %d\n", argv[0], argv[1],
				r < 0 ? strerror(-r) : "failed", status);
			exit(1);
		}
		if (i == 0 || secs < best)
			best = secs;
	}
	return best;
}

static void scan_with_kradar(const char *kradar, const char *path, const char *name, size_t size,
			     int repeat)
{
	char *argv[] = { (char *)kradar, (char *)"classify", (char *)"--json", (char *)path, NULL };
	double secs = run_fastest(argv, repeat, 0);
	/* RUSAGE_CHILDREN: the largest of the children reaped so far */
	printf("kradar      %-9s %8.1f MB in %6.3f s: %7.1f MB/s, peak RSS (children so far) %ld KiB\n",
	       name, size / 1e6, secs, size / 1e6 / secs, peak_rss_kib(RUSAGE_CHILDREN));
	/* -c: grep reads the file to its end, as kradar does; it exits 1
	 * when no line matches (the clean log) */
	char *grep[] = { (char *)"grep", (char *)"-c", (char *)"-E", (char *)"KASAN|WARNING|panic",
			 (char *)path, NULL };
	double grep_secs = run_fastest(grep, repeat, 1);
	printf("grep -E     %-9s %8.1f MB in %6.3f s: %7.1f MB/s; kradar takes %.2fx grep's time\n",
	       name, size / 1e6, grep_secs, size / 1e6 / grep_secs, secs / grep_secs);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "kradar", required_argument, NULL, 'k' },
		{ "keep", no_argument, NULL, 'K' },
		{ "repeat", required_argument, NULL, 'r' },
		{ 0 },
	};
	long size_mb = 256;
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const char *kradar = NULL;
	bool keep = false;
	long repeat = 5;
	int c;
	while ((c = getopt_long(argc, argv, "s:d:k:Kr:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (kr_parse_long(optarg, &size_mb) < 0 || size_mb < 1) {
				fprintf(stderr, "bench: --size: a number of MB\n");
				return 2;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			kradar = optarg;
			break;
		case 'K':
			keep = true;
			break;
		case 'r':
			if (kr_parse_long(optarg, &repeat) < 0 || repeat < 1 || repeat > 1000) {
				fprintf(stderr, "bench: --repeat: a number from 1 to 1000\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: bench-signature [--size MB] [--dir DIR] [--kradar PATH] "
					"[--repeat N] [--keep]\n");
			return 2;
		}
	}
	size_t size = (size_t)size_mb << 20;
	_cleanup_free_ char *clean = kr_path_join(dir, "kradar-bench-clean.log");
	_cleanup_free_ char *crash = kr_path_join(dir, "kradar-bench-crash.log");
	int r = write_log(clean, size, false);
	if (r == 0)
		r = write_log(crash, size, true);
	if (r < 0) {
		fprintf(stderr, "bench: writing the logs in %s: %s\n", dir, strerror(-r));
		return 1;
	}
	printf("logs: %s, %s (%ld MB of chatter each; peak RSS after writing %ld KiB)\n", clean, crash,
	       size_mb, peak_rss_kib(RUSAGE_SELF));
	scan_in_process(clean, "clean", false);
	scan_in_process(crash, "crash-end", true);
	if (kradar) {
		scan_with_kradar(kradar, clean, "clean", size, (int)repeat);
		scan_with_kradar(kradar, crash, "crash-end", size, (int)repeat);
	}
	if (!keep) {
		unlink(clean);
		unlink(crash);
	}
	return 0;
}
