/* SPDX-License-Identifier: MIT */
/* The crash formats kradar recognises, as data (see signature-table.h).
 * Titles follow syzbot's conventions so that a title found here can be
 * compared with the one on a syzbot bug page. To support a new kind of
 * report, add a group (a new header) or a format to an existing group. */
#include "signature-table.h"

const char kr_sig_trace[] = "<stack trace>";

/* Building blocks of the patterns. */
#define FN "([A-Za-z0-9_]+)[.+]"                 /* a symbol: foo+0x1/0x2, foo.cold */
#define PC "\\[<?(?:0x)?[0-9a-f]+>?\\]"          /* [<ffffffff81000000>] */
#define SRC "([A-Za-z0-9_/.-]+\\.[a-z]+:[0-9]+)" /* net/core/dev.c:123 */
#define LINES "(?:.*\\n)+?"                      /* any lines in between */
#define FEWLINES "(?:.*\\n){0,15}?"
/* The faulting instruction: RIP/IP/NIP (x86, powerpc), pc (arm64), PC is
 * at (arm). Only the first form names a function. */
#define RIP                                                                      \
	"(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:" PC " +){0,2}" FN          \
	"|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?" PC " +\\[< *\\(null\\)>\\] +\\(null\\)" \
	"|[0-9]+: +\\(null\\))"
#define CALLTRACE "Call [Tt]race:|Backtrace:"
#define TRACE kr_sig_trace

#define STACK(...) (&(const struct kr_sig_stack){ __VA_ARGS__ })
/* Stack of oopses: the faulting function, else the first frame below it. */
#define OOPS_STACK(...) STACK(.parts = { RIP, CALLTRACE, TRACE }, __VA_ARGS__)
#define TRACE_STACK(...) STACK(.parts = { CALLTRACE, TRACE }, __VA_ARGS__)
/* WARNINGs trap: newer kernels print the RIP line first, older ones (and
 * powerpc) only a call trace. */
#define WARN_STACK(skipped)                                                      \
	STACK(.parts = { "(?:" RIP "|--- interrupt: [0-9]+ at " FN ")", TRACE }, \
	      .parts2 = { CALLTRACE, TRACE }, .skip = skipped)

/* A WARNING from a file: the old header names the function after the
 * file ("at lib/foo.c:12 foo_bar+0x1/0x2"), the new one after "at"
 * ("lib/foo.c:12 at foo_bar+0x1/0x2, CPU#0: ..." or "at 0x0"). */
#define WARN_FROM(file, fn) "WARNING: .*" file ".* (?:" fn "|at)"

/* Old lockdep reports are framed as "[ INFO: ... ]". */
#define LOCKDEP_AT(intro, what)                                                  \
	intro LINES ".*" what LINES ".*at: (?:" PC " +)?" FN

static const struct kr_sig_format bug_formats[] = {
	{ .title = "BUG: KASAN:",
	  .report = "BUG: KASAN: ([a-z\\-]+) in " FN LINES
		    ".*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)",
	  .fmt = "KASAN: {1} {3} in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = STACK(.parts = { "BUG: KASAN: (?:[a-z\\-]+) in " FN, CALLTRACE, TRACE },
			 /* hardware tag-based KASAN goes through the fault path */
			 .skip = "kernel_fault|tag_check|mem_abort|^el1_|^el1h_") },
	{ .title = "BUG: KASAN:",
	  .report = "BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in " FN,
	  .fmt = "KASAN: invalid-free in {F}",
	  .alt = { "invalid-free in {F}" },
	  .stack = STACK(.parts = { "BUG: KASAN: (?:double-free or invalid-free|double-free"
				    "|invalid-free) in " FN,
				    CALLTRACE, TRACE },
			 .skip = "slab_|kfree|vunmap|vfree") },
	{ .title = "BUG: KASAN: ([a-z\\-]+) on address" LINES ".*(Read|Write) of size ([0-9]+)",
	  .fmt = "KASAN: {1} {2}" },
	{ .title = "BUG: KASAN: (.*)", .fmt = "KASAN: {1}", .flags = KR_SIG_CORRUPTED },
	{ .title = "BUG: KMSAN: kernel-usb-infoleak",
	  .report = "BUG: KMSAN: kernel-usb-infoleak in " FN,
	  .fmt = "KMSAN: kernel-usb-infoleak in {F}",
	  .alt = { "KMSAN origin in {F2}" },
	  .stack = STACK(.parts = { TRACE, "(Local variable .* created at:|Uninit was created at:)",
				    TRACE },
			 .skip = "alloc_skb|usb_submit_urb|usb_start_wait_urb|usb_bulk_msg"
				 "|usb_interrupt_msg|usb_control_msg"),
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: KMSAN:",
	  .report = "BUG: KMSAN: ([a-z\\-]+) in " FN,
	  .fmt = "KMSAN: {1} in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = STACK(.parts = { TRACE, "(Local variable .* created at:|Uninit was created at:)",
				    TRACE },
			 /* where encryption reads the uninit bytes is not the bug */
			 .skip = "alloc_skb|netlink_ack|netlink_rcv_skb|_encrypt$"
				 "|^(?:crypto|cipher|drbg|rng)_"),
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: KCSAN:", .report = "BUG: KCSAN: (.*)", .fmt = "KCSAN: {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: KFENCE: (use-after-free|out-of-bounds) ([a-z\\-]+) in " FN,
	  .fmt = "KFENCE: {1} {2} in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = STACK(.parts = { "BUG: KFENCE: (?:[a-z\\- ]+) in " FN, TRACE }) },
	{ .title = "BUG: KFENCE: invalid free in " FN,
	  .fmt = "KFENCE: invalid free in {F}",
	  .alt = { "invalid-free in {F}" },
	  .stack = STACK(.parts = { "BUG: KFENCE: (?:[a-z\\- ]+) in " FN, TRACE }),
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: KFENCE: invalid (read|write) in " FN,
	  .fmt = "KFENCE: invalid {1} in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = STACK(.parts = { "BUG: KFENCE: (?:[a-z\\- ]+) in " FN, TRACE }) },
	{ .title = "BUG: KFENCE: memory corruption in " FN,
	  .fmt = "KFENCE: memory corruption in {F}",
	  .stack = STACK(.parts = { "BUG: KFENCE: (?:[a-z\\- ]+) in " FN, TRACE }),
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: (?:unable to handle kernel paging request|unable to handle page fault"
		   " for address|Unable to handle kernel data access)",
	  .fmt = "BUG: unable to handle kernel paging request in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	{ .title = "BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer"
		   " dereference|Kernel NULL pointer dereference)",
	  .fmt = "BUG: unable to handle kernel NULL pointer dereference in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	/* The kernel prints the rest of this header separately; it can be
	 * lost or garbled. */
	{ .title = "BUG: (?:unable to handle kernel|Unable to handle kernel)",
	  .fmt = "BUG: unable to handle kernel",
	  .flags = KR_SIG_CORRUPTED },
	{ .title = "BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion"
		   "|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)",
	  .fmt = "BUG: {1} {2} in {F}",
	  .stack = TRACE_STACK(.skip = "spin_|_lock|_unlock") },
	{ .title = "BUG: soft lockup",
	  .fmt = "BUG: soft lockup in {F}",
	  .alt = { "stall in {F}" },
	  .stack = OOPS_STACK(.pick = KR_SIG_PICK_STALL) },
	{ .title = "BUG: .*still has locks held!",
	  .report = "BUG: .*still has locks held!" LINES ".*" PC " +" FN,
	  .fmt = "BUG: still has locks held in {1}" },
	{ .title = "BUG: scheduling while atomic",
	  .fmt = "BUG: scheduling while atomic in {F}",
	  .stack = TRACE_STACK(.skip = "schedule") },
	{ .title = "BUG: lock held when returning to user space",
	  .report = LOCKDEP_AT("BUG: lock held when returning to user space",
			       "leaving the kernel with locks still held"),
	  .fmt = "BUG: lock held when returning to user space in {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: bad unlock balance detected!",
	  .fmt = "BUG: bad unlock balance in {F}",
	  .stack = STACK(.parts = { PC " +" FN, CALLTRACE, TRACE }) },
	{ .title = "BUG: held lock freed!",
	  .report = "BUG: held lock freed!" LINES ".*" PC " +" FN,
	  .fmt = "BUG: held lock freed in {1}" },
	{ .title = "BUG: Bad rss-counter state", .fmt = "BUG: Bad rss-counter state",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: non-zero nr_ptes on freeing mm", .fmt = "BUG: non-zero nr_ptes on freeing mm",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: non-zero nr_pmds on freeing mm", .fmt = "BUG: non-zero nr_pmds on freeing mm",
	  .flags = KR_SIG_NO_TRACE },
	/* The file system and block device names would split one bug into
	 * many (loop0, loop1, ...). */
	{ .title = "BUG: Dentry .* still in use",
	  .report = "BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]",
	  .fmt = "BUG: Dentry still in use in {1}",
	  .alt = { "BUG: Dentry still in use [{1} of {2}]" } },
	/* named by who allocated the page; arm64 prints no such stack and
	 * ends up corrupted */
	{ .title = "BUG: Bad page (state|cache)",
	  .fmt = "BUG: Bad page {1} in {F}",
	  .stack = STACK(.parts = { "page last allocated", TRACE },
			 .skip = "(?:free|put|get|update|release)_page|free_unref|^_*folio"
				 "|truncate_inode_pages|page_frag_free|alloc|vmap|page_owner") },
	{ .title = "BUG: Bad page map", .fmt = "BUG: Bad page map" },
	{ .title = "BUG: workqueue lockup", .fmt = "BUG: workqueue lockup", .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: sleeping function called from invalid context at (.*)",
	  .fmt = "BUG: sleeping function called from invalid context in {F}",
	  .stack = TRACE_STACK(.skip = 0) },
	{ .title = "BUG: using ([a-z_]+)\\(\\) in preemptible",
	  .fmt = "BUG: using {1}() in preemptible code in {F}",
	  .stack = TRACE_STACK(.skip = "dump_stack|preemption|preempt|debug_|processor_id|this_cpu") },
	{ .title = "BUG: workqueue leaked lock or atomic",
	  .report = "BUG: workqueue leaked lock or atomic" LINES ".*last function: ([a-zA-Z0-9_]+)\\n",
	  .fmt = "BUG: workqueue leaked lock or atomic in {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "BUG: memory leak",
	  .fmt = "memory leak in {F}",
	  .stack = STACK(.parts = { "backtrace(?: \\(crc [[:xdigit:]]*\\))?:", TRACE },
			 .skip = "kmemleak|mmap|kmem|slab|alloc|create_object|idr_get"
				 "|list_lru_init|kasprintf|kvasprintf|pcpu_create|strdup|strndup"
				 "|memdup") },
	{ .title = "BUG: .*stack guard page was hit at",
	  .fmt = "BUG: stack guard page was hit in {F}",
	  .alt = { "stack-overflow in {F}" },
	  .stack = OOPS_STACK(.pick = KR_SIG_PICK_STALL) },
	/* arm reports this differently from x86; keep x86's title. */
	{ .title = "BUG: Invalid wait context",
	  .fmt = "WARNING: locking bug in {F}",
	  .stack = TRACE_STACK(.skip = "lock_sock|release_sock") },
	{ .title = "BUG:[[:space:]]*(?:\\n|$)", .fmt = "BUG: corrupted", .flags = KR_SIG_CORRUPTED },
	{ 0 },
};

static const char *const bug_ignore[] = {
	"ODEBUG:",     /* CONFIG_DEBUG_OBJECTS chatter */
	"Boot_DEBUG:", /* Android */
	"xlog_status:",
	"DEBUG:",
	"BUG: no syscalls can create resource", /* syzkaller's own debug output */
	NULL,
};

static const struct kr_sig_format warning_formats[] = {
	{ .title = WARN_FROM("lib/debugobjects\\.c", "debug_print|debug_check"),
	  .fmt = "WARNING: ODEBUG bug in {F}",
	  /* the users of debug objects are not the culprit either */
	  .stack = WARN_STACK("debug_|rcu|hrtimer_|timer_|work_|percpu_|vunmap|vfree|__free_"
			      "|debug_check|kobject_") },
	{ .title = WARN_FROM("mm/usercopy\\.c", "usercopy_warn"),
	  .fmt = "WARNING: bad usercopy in {F}",
	  .stack = WARN_STACK("usercopy|__check") },
	{ .title = WARN_FROM("lib/kobject\\.c", "kobject_"),
	  .fmt = "WARNING: kobject bug in {F}",
	  .stack = WARN_STACK("kobject_") },
	{ .title = WARN_FROM("fs/proc/generic\\.c", "proc_register"),
	  .fmt = "WARNING: proc registration bug in {F}",
	  .stack = WARN_STACK("proc_") },
	{ .title = WARN_FROM("lib/refcount\\.c", "refcount_"),
	  .fmt = "WARNING: refcount bug in {F}",
	  .stack = WARN_STACK("refcount|kobject_") },
	{ .title = "WARNING: .*kernel/locking/lockdep\\.c.*lock_",
	  .fmt = "WARNING: locking bug in {F}",
	  .stack = WARN_STACK("lock_sock|release_sock") },
	{ .title = "WARNING: .*still has locks held!",
	  .report = "WARNING: .*still has locks held!" LINES ".*at: " FN,
	  .fmt = "WARNING: still has locks held in {1}" },
	{ .title = "WARNING: Nested lock was not taken",
	  .fmt = "WARNING: nested lock was not taken in {F}",
	  .stack = WARN_STACK(0) },
	{ .title = "WARNING: lock held when returning to user space",
	  .report = LOCKDEP_AT("WARNING: lock held when returning to user space",
			       "leaving the kernel with locks still held"),
	  .fmt = "WARNING: lock held when returning to user space in {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "WARNING: .*mm/.*\\.c.* k?.?malloc",
	  .fmt = "WARNING: kmalloc bug in {F}",
	  .stack = WARN_STACK("kmalloc|krealloc|slab|kmem") },
	{ .title = "WARNING: .*mm/vmalloc.c.*__vmalloc_node",
	  .fmt = "WARNING: zero-size vmalloc in {F}",
	  .stack = WARN_STACK(0) },
	/* usb_submit_urb() warns about its caller's mistakes. */
	{ .title = "WARNING: .* usb_submit_urb",
	  .fmt = "WARNING in {F}/usb_submit_urb",
	  .stack = WARN_STACK("usb_submit_urb|usb_start_wait_urb|usb_bulk_msg|usb_interrupt_msg"
			      "|usb_control_msg") },
	/* "WARNING: lib/foo.c:12 at 0x0, CPU#0: ...": the function comes from
	 * the stack */
	{ .title = "WARNING: " SRC " at 0x[0-9]+, CPU#[0-9]+", .fmt = "WARNING in {F}",
	  .stack = WARN_STACK(0) },
	{ .title = "WARNING: .* at " SRC " " FN, .fmt = "WARNING in {F}", .stack = WARN_STACK(0) },
	{ .title = "WARNING: " SRC " at " FN, .fmt = "WARNING in {F}", .stack = WARN_STACK(0) },
	{ .title = "WARNING: \\[.*\\] " SRC " at " FN ".*", .fmt = "WARNING in {F}",
	  .stack = WARN_STACK(0) },
	{ .title = "WARNING: possible circular locking dependency detected",
	  .report = "WARNING: possible circular locking dependency detected" LINES
		    ".*is trying to acquire lock",
	  .fmt = "possible deadlock in {F}",
	  /* work items take locks on behalf of the workqueue code */
	  .stack = STACK(.parts = { "at: (?:" PC " +)?" FN, "at: (?:" PC " +)?" FN, TRACE },
			 .skip = "process_one_work|flush_workqueue|drain_workqueue"
				 "|destroy_workqueue") },
	{ .title = "WARNING: possible irq lock inversion dependency detected",
	  .report = LOCKDEP_AT("WARNING: possible irq lock inversion dependency detected",
			       "just changed the state of lock"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "WARNING: .*-safe -> .*-unsafe lock order detected",
	  .fmt = "possible deadlock in {F}",
	  .stack = STACK(.parts = { "which became (?:.*) at:", TRACE }) },
	{ .title = "WARNING: possible recursive locking detected",
	  .report = LOCKDEP_AT("WARNING: possible recursive locking detected",
			       "is trying to acquire lock"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "WARNING: inconsistent lock state",
	  .report = LOCKDEP_AT("WARNING: inconsistent lock state", "takes"),
	  .fmt = "inconsistent lock state in {F}",
	  .stack = TRACE_STACK(.skip = 0) },
	{ .title = "WARNING: suspicious RCU usage",
	  .report = "WARNING: suspicious RCU usage" LINES ".*?" SRC,
	  .fmt = "WARNING: suspicious RCU usage in {F}",
	  .stack = TRACE_STACK(.skip = "rcu|kmem|slab") },
	{ .title = "WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value",
	  .fmt = "WARNING: kernel stack regs has bad '{1}' value",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value",
	  .fmt = "WARNING: kernel stack frame pointer has bad value",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "WARNING: bad unlock balance detected!",
	  .fmt = "WARNING: bad unlock balance in {F}",
	  .stack = STACK(.parts = { PC " +" FN, CALLTRACE, TRACE }) },
	{ .title = "WARNING: held lock freed!",
	  .report = "WARNING: held lock freed!" LINES ".*at:(?: " PC ")? +" FN,
	  .fmt = "WARNING: held lock freed in {1}" },
	{ .title = "WARNING: kernel stack regs .* has bad 'bp' value",
	  .fmt = "WARNING: kernel stack regs has bad value",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "WARNING: kernel stack frame pointer .* has bad value",
	  .fmt = "WARNING: kernel stack regs has bad value",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "WARNING:[[:space:]]*(?:\\n|$)", .fmt = "WARNING: corrupted",
	  .flags = KR_SIG_CORRUPTED },
	{ 0 },
};

static const char *const warning_ignore[] = {
	"WARNING: /etc/ssh/moduli does not exist, using fixed modulus", /* sshd */
	"WARNING: workqueue cpumask: online intersect > possible intersect",
	"WARNING: [Tt]he mand mount option",
	"WARNING: Unsupported flag value\\(s\\) of 0x%x in DT_FLAGS_1", /* glibc */
	"WARNING: Unprivileged eBPF is enabled with eIBRS",
	"WARNING: fbcon: Driver '.*' missed to adjust virtual screen size",
	"WARNING: See https.* for mitigation options.", /* CPU vulnerabilities */
	"WARNING: kernel not compiled with CPU_SRSO",
	"EXT4-[Ff][Ss](?: \\(.*\\))?:", /* file system messages */
	"XFS \\(\\w+\\): WARNING",
	"(?i)warning: .* uses (?:deprecated v2 capabilities|wireless extensions)",
	NULL,
};

static const struct kr_sig_format info_formats[] = {
	{ .title = "INFO: possible circular locking dependency detected",
	  .report = LOCKDEP_AT("INFO: possible circular locking dependency detected \\]",
			       "is trying to acquire lock"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "INFO: possible irq lock inversion dependency detected",
	  .report = LOCKDEP_AT("INFO: possible irq lock inversion dependency detected \\]",
			       "just changed the state of lock"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected",
	  .report = LOCKDEP_AT("INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\]",
			       "is trying to acquire"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "INFO: possible recursive locking detected",
	  .report = LOCKDEP_AT("INFO: possible recursive locking detected \\]",
			       "is trying to acquire lock"),
	  .fmt = "possible deadlock in {1}" },
	{ .title = "INFO: inconsistent lock state",
	  .report = LOCKDEP_AT("INFO: inconsistent lock state \\]", "takes"),
	  .fmt = "inconsistent lock state in {1}" },
	{ .title = "INFO: rcu_(?:preempt|sched|bh) (?:self-)?detected(?: expedited)? stall",
	  .fmt = "INFO: rcu detected stall in {F}",
	  .alt = { "stall in {F}" },
	  /* the stalled code runs below the timer interrupt */
	  .stack = STACK(.parts = { "apic_timer_interrupt", RIP, TRACE },
			 .parts2 = { "(?:apic_timer_interrupt|Exception stack|el1h_64_irq)", TRACE },
			 .skip = "apic_timer_interrupt|rcu", .pick = KR_SIG_PICK_STALL) },
	{ .title = "INFO: trying to register non-static key",
	  .fmt = "INFO: trying to register non-static key in {F}",
	  .stack = TRACE_STACK(.skip = "stack|lock|IRQ") },
	{ .title = "INFO: suspicious RCU usage",
	  .report = "INFO: suspicious RCU usage" LINES ".*?" SRC,
	  .fmt = "INFO: suspicious RCU usage in {F}",
	  .stack = TRACE_STACK(.skip = "rcu|kmem|slab") },
	/* the task name may hold any byte, a line break too */
	{ .title = "INFO: task .*(?:\\n.*)? blocked (?:in I/O wait )?for more than [0-9]+ seconds",
	  .fmt = "INFO: task hung in {F}",
	  .alt = { "hang in {F}" },
	  .stack = TRACE_STACK(.pick = KR_SIG_PICK_HUNG) },
	{ .title = "INFO: task .* can't die for more than .* seconds",
	  .fmt = "INFO: task can't die in {F}",
	  .alt = { "hang in {F}" },
	  .stack = TRACE_STACK(.skip = "schedule") },
	/* what is left of an old-style KASAN report */
	{ .title = "INFO: (Freed|Allocated) in (.*)", .fmt = "INFO: {1} in {2}",
	  .flags = KR_SIG_CORRUPTED },
	{ .title = "INFO:[[:space:]]*(?:\\n|$)", .fmt = "INFO: corrupted", .flags = KR_SIG_CORRUPTED },
	{ 0 },
};

static const char *const info_ignore[] = {
	"INFO: lockdep is turned off",
	"INFO: Stall ended before state dump start",
	"INFO: NMI handler",
	"INFO: recovery required on readonly filesystem",
	"(?:handler|interrupt).*took too long",
	"INFO: sys_.* is not present in /proc/kallsyms", /* syzkaller debug output */
	"INFO: no syscalls can create resource",
	"rmt_storage:INFO:",
	"_INFO:", /* Android's CAM_INFO:, "INVALID BTF_INFO:" */
	NULL,
};

static const struct kr_sig_format arm_unable_formats[] = {
	{ .title = "Unable to handle kernel (paging request|NULL pointer dereference"
		   "|access to user memory)",
	  .fmt = "BUG: unable to handle kernel {1} in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const struct kr_sig_format gpf_formats[] = {
	{ .title = "general protection fault.*:",
	  .fmt = "general protection fault in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const char *const gpf_ignore[] = {
	"general protection fault .* error:\\d+ in ", /* a user process's segfault */
	NULL,
};

static const struct kr_sig_format stack_segment_formats[] = {
	{ .title = "stack segment: ", .fmt = "stack segment fault in {F}",
	  .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const struct kr_sig_format panic_formats[] = {
	/* the stack protector may fail to name the function or unwind */
	{ .title = "Kernel panic - not syncing: stack-protector:",
	  .report = "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: " FN,
	  .fmt = "kernel panic: stack is corrupted in {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "Kernel panic - not syncing: stack-protector:",
	  .report = "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: "
		    "[a-f0-9]+",
	  .fmt = "kernel panic: stack is corrupted in {F}",
	  .stack = TRACE_STACK(.skip = "stack_chk") },
	{ .title = "Kernel panic - not syncing: corrupted stack end",
	  .report = "Kernel panic - not syncing: corrupted stack end detected inside scheduler",
	  .fmt = "kernel panic: corrupted stack end in {F}",
	  .alt = { "stack-overflow in {F}" },
	  .stack = TRACE_STACK(.skip = "schedule|retint_kernel", .pick = KR_SIG_PICK_STALL) },
	{ .title = "Kernel panic - not syncing: kernel stack overflow",
	  .fmt = "kernel stack overflow in {F}",
	  .alt = { "stack-overflow in {F}" },
	  .stack = TRACE_STACK(.skip = "bad_stack", .pick = KR_SIG_PICK_STALL) },
	{ .title = "Kernel panic - not syncing: Attempted to kill init!",
	  .fmt = "kernel panic: Attempted to kill init!" },
	{ .title = "Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+",
	  .fmt = "kernel panic: Couldn't open N_TTY ldisc" },
	/* These follow the report that caused them: seeing one as the
	 * title means that report was lost. */
	{ .title = "Kernel panic - not syncing: Fatal exception", .fmt = "kernel panic: Fatal exception",
	  .flags = KR_SIG_CORRUPTED },
	{ .title = "Kernel panic - not syncing: panic_on_warn set",
	  .fmt = "kernel panic: panic_on_warn set", .flags = KR_SIG_CORRUPTED },
	{ .title = "Kernel panic - not syncing: hung_task: blocked tasks",
	  .fmt = "kernel panic: hung_task: blocked tasks", .flags = KR_SIG_CORRUPTED },
	{ .title = "Kernel panic - not syncing: (.*)", .fmt = "kernel panic: {1}" },
	{ 0 },
};

static const struct kr_sig_format double_fault_formats[] = {
	{ .title = "PANIC: double fault", .fmt = "PANIC: double fault in {F}",
	  .stack = STACK(.parts = { RIP }) },
	{ 0 },
};

/* Rust panics: the message is on the line after the location. */
static const struct kr_sig_format rust_panic_formats[] = {
	{ .title = "rust_kernel: panicked",
	  .report = "rust_kernel: panicked at [^\\n]*?\\n(.+?)\\n",
	  .fmt = "{1} in {F}",
	  .stack = TRACE_STACK(.skip = "__rustc::rust_begin_unwind") },
	{ 0 },
};

static const struct kr_sig_format kernel_bug_formats[] = {
	{ .title = "kernel BUG at mm/usercopy.c",
	  .fmt = "BUG: bad usercopy in {F}",
	  .stack = TRACE_STACK(.skip = "usercopy|__check") },
	{ .title = "kernel BUG at lib/list_debug.c",
	  .fmt = "BUG: corrupted list in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = TRACE_STACK(.skip = 0) },
	/* skb helpers BUG_ON() their callers' mistakes */
	{ .title = "kernel BUG at (.*)", .fmt = "kernel BUG in {F}", .stack = OOPS_STACK(.skip = "^skb_") },
	{ 0 },
};

/* syzbot's kernels panic on a hard lockup ("kernel panic: Hard LOCKUP");
 * without nmi_watchdog=panic the watchdog only reports it, and kradar
 * names it like a soft lockup. */
static const struct kr_sig_format hard_lockup_formats[] = {
	{ .title = "Watchdog detected hard LOCKUP",
	  .fmt = "BUG: hard lockup in {F}",
	  .alt = { "stall in {F}" },
	  .stack = OOPS_STACK(.pick = KR_SIG_PICK_STALL) },
	{ 0 },
};

static const struct kr_sig_format kernel_bug_upper_formats[] = {
	{ .title = "Kernel BUG (.*)", .fmt = "kernel BUG {1}" },
	{ 0 },
};

static const struct kr_sig_format slub_free_formats[] = {
	{ .title = "BUG kmalloc-.*: Object already free", .fmt = "BUG: Object already free" },
	{ 0 },
};

static const struct kr_sig_format divide_formats[] = {
	{ .title = "divide(?: |_)error: ", .fmt = "divide error in {F}", .stack = STACK(.parts = { RIP }) },
	{ 0 },
};

static const struct kr_sig_format invalid_opcode_formats[] = {
	{ .title = "invalid opcode: ", .fmt = "invalid opcode in {F}", .stack = STACK(.parts = { RIP }) },
	{ 0 },
};

static const struct kr_sig_format ubsan_formats[] = {
	{ .title = "UBSAN:",
	  .report = "UBSAN: Undefined behaviour in",
	  .fmt = "UBSAN: undefined-behaviour in {F}",
	  .stack = TRACE_STACK(.skip = "ubsan|overflow") },
	{ .title = "UBSAN: array-index-out-of-bounds in",
	  .fmt = "UBSAN: array-index-out-of-bounds in {F}",
	  .alt = { "bad-access in {F}" },
	  .stack = TRACE_STACK(.skip = "ubsan|overflow") },
	{ .title = "UBSAN:",
	  .report = "UBSAN: (.*?) in",
	  .fmt = "UBSAN: {1} in {F}",
	  .stack = TRACE_STACK(.skip = "ubsan|overflow") },
	{ 0 },
};

static const struct kr_sig_format reboot_formats[] = {
	{ .title = "^Booting the kernel", .fmt = "unexpected kernel reboot", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const char *const reboot_ignore[] = {
	/* the fuzzer can echo old boot messages back as mount options */
	"Parsing ELF|Decompressing Linux|Unknown parameter '",
	NULL,
};

static const struct kr_sig_format netdev_formats[] = {
	{ .title = "unregister_netdevice: waiting for (?:.*) to become free",
	  .fmt = "unregister_netdevice: waiting for DEV to become free",
	  .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const struct kr_sig_format vfs_close_formats[] = {
	{ .title = "VFS: Close: file count is 0",
	  .fmt = "VFS: Close: file count is zero (use-after-free)", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const struct kr_sig_format vfs_busy_formats[] = {
	{ .title = "VFS: Busy inodes after unmount",
	  .fmt = "VFS: Busy inodes after unmount (use-after-free)", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

/* arm64 "synchronous external abort" is arm's "Unable to handle kernel
 * paging request", arm's "page domain fault" is x86's general protection
 * fault: the alternative title joins them. */
static const struct kr_sig_format internal_error_formats[] = {
	{ .title = "Internal error:", .fmt = "Internal error in {F}", .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const struct kr_sig_format unhandled_fault_formats[] = {
	{ .title = "Unhandled fault:", .fmt = "Unhandled fault in {F}", .alt = { "bad-access in {F}" },
	  .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const struct kr_sig_format alignment_formats[] = {
	{ .title = "Alignment trap:", .fmt = "Alignment trap in {F}", .stack = OOPS_STACK(.skip = 0) },
	{ 0 },
};

static const struct kr_sig_format trusty_formats[] = {
	{ .title = "trusty: panic.* ASSERT FAILED",
	  .report = "trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (.+)",
	  .fmt = "trusty: ASSERT FAILED: {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "trusty: panic.* ASSERT FAILED.*: *(.*)", .fmt = "trusty: ASSERT FAILED: {1}",
	  .flags = KR_SIG_CORRUPTED },
	{ .title = "trusty: panic",
	  .report = "trusty: panic \\(.*?\\): (.+)",
	  .fmt = "trusty: panic: {1}",
	  .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

/* Failures of syzkaller's executor and of Go programs. */
static const struct kr_sig_format syzfail_formats[] = {
	{ .title = "SYZFAIL:(.*)", .fmt = "SYZFAIL:{1}", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const struct kr_sig_format syzfatal_formats[] = {
	{ .title = "SYZFATAL:(.*)()", .fmt = "SYZFATAL:{1}", .alt = { "SYZFATAL{2}" },
	  .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const struct kr_sig_format go_panic_formats[] = {
	{ .title = "panic: Sentry detected .* stuck task", .fmt = "panic: Sentry detected stuck tasks",
	  .flags = KR_SIG_NO_TRACE },
	{ .title = "panic:(.*)", .fmt = "panic:{1}", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const char *const go_panic_ignore[] = {
	"_panic:", /* kernel functions: skb_panic, skb_over_panic */
	"xlog_status:",
	"ddb\\.onpanic:",
	"evtlog_status:",
	NULL,
};

static const struct kr_sig_format go_fatal_formats[] = {
	{ .title = "fatal error:", .fmt = "go runtime error", .flags = KR_SIG_NO_TRACE },
	{ 0 },
};

static const char *const go_fatal_ignore[] = {
	"ALSA",
	"fatal error: cannot create timer",
	NULL,
};

/* Order matters: a line is of the first group whose header it contains. */
const struct kr_sig_group kr_sig_groups[] = {
	{ "BUG:", bug_formats, bug_ignore },
	{ "WARNING:", warning_formats, warning_ignore },
	{ "INFO:", info_formats, info_ignore },
	{ "Unable to handle kernel", arm_unable_formats, NULL },
	{ "general protection fault", gpf_formats, gpf_ignore },
	{ "stack segment: ", stack_segment_formats, NULL },
	{ "Kernel panic", panic_formats, NULL },
	{ "PANIC: double fault", double_fault_formats, NULL },
	{ "rust_kernel: panicked", rust_panic_formats, NULL },
	{ "kernel BUG", kernel_bug_formats, NULL },
	{ "Kernel BUG", kernel_bug_upper_formats, NULL },
	{ "Watchdog detected hard LOCKUP", hard_lockup_formats, NULL },
	{ "BUG kmalloc-", slub_free_formats, NULL },
	{ "divide error:", divide_formats, NULL },
	/* a misspelling that some kernels print */
	{ "divide_error:", divide_formats, NULL },
	{ "invalid opcode:", invalid_opcode_formats, NULL },
	{ "UBSAN:", ubsan_formats, NULL },
	{ "Booting the kernel.", reboot_formats, reboot_ignore },
	{ "unregister_netdevice: waiting for", netdev_formats, NULL },
	{ "VFS: Close: file count is 0", vfs_close_formats, NULL },
	{ "VFS: Busy inodes after unmount", vfs_busy_formats, NULL },
	{ "Internal error:", internal_error_formats, NULL },
	{ "Unhandled fault:", unhandled_fault_formats, NULL },
	{ "Alignment trap:", alignment_formats, NULL },
	{ "trusty: panic", trusty_formats, NULL },
	{ "SYZFAIL:", syzfail_formats, NULL },
	{ "SYZFATAL:", syzfatal_formats, NULL },
	{ "panic:", go_panic_formats, go_panic_ignore },
	{ "fatal error:", go_fatal_formats, go_fatal_ignore },
};

const size_t kr_sig_n_groups = sizeof(kr_sig_groups) / sizeof(kr_sig_groups[0]);

/* Reporting machinery, locking, allocation, string and list helpers, device
 * teardown: frames that are where a bug is noticed, not where it is. */
const char kr_sig_skip_always[] =
	"__sanitizer|__asan|kasan|__msan|kmsan|kcsan_setup_watchpoint|check_memory_region"
	"|check_heap_object|check_object|read_word_at_a_time|(?:read|write)_once_.*nocheck"
	"|print_address_description|panic|invalid_op|report_bug|fixup_bug|print_report"
	"|print_usage_bug|do_error|_trap$|do_trap|show_stack|dump_stack|walk_stack"
	"|dump_backtrace|warn_slowpath|warn_alloc|warn_bogus|__warn|alloc_page"
	"|k?v?(?:m|z|c)alloc|krealloc|kmem_cache|allocate_slab|slab_|debug_object"
	"|timer_is_static_object|work_is_static_object|__might_fault|print_unlock"
	"|imbalance_bug|lockdep|bh_enable|bh_disable|perf_trace|lock_acquire|lock_release"
	"|lock_class|mark_lock|(?:reacquire|mark)_held_locks|raw_spin_rq|spin_lock"
	"|spin_trylock|spin_unlock|read_lock|read_trylock|write_lock|write_trylock"
	"|read_unlock|write_unlock|^down$|down_read|down_write|down_trylock|up_read"
	"|up_write|^mutex_|^__mutex_|^rt_mutex_|owner_on_cpu|osq_lock|osq_unlock"
	"|atomic(?:64)?_(?:dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)"
	"|(?:set|clear|change|test)_bit|__wake_up|^refcount_|^kref_|ref_tracker"
	"|seqprop_assert|memcpy|memcmp|memset|memchr|memmove|memdup|strcmp|strncmp"
	"|strcpy|strlcpy|strncpy|strscpy|strlen|strnstr|strnlen|strchr|strdup|strndup"
	"|copy_to_user|copy_from_user|copy_to_iter|copy_from_iter|^copyin$|^copyout$"
	"|put_user|get_user|might_fault|might_sleep|list_add|list_del|list_replace"
	"|list_move|list_splice|^rb_|^__rb_|_indirect_thunk_|string|pointer|snprintf"
	"|scnprintf|kasprintf|kvasprintf|printk|va_format|dev_info|dev_notice|dev_warn"
	"|dev_err|dev_alert|dev_crit|dev_emerg|program_check_exception"
	"|program_check_common|del_timer|flush_work|__cancel_work_timer|cancel_work_sync"
	"|try_to_grab_pending|flush_workqueue|drain_workqueue|destroy_workqueue"
	"|queue_work|finish_wait|kthread_stop|kobject_|add_uevent_var|get_device_parent"
	"|device_add|device_del|device_unregister|device_destroy|device_release"
	"|devres_release_all|hwrng_unregister|i2c_del_adapter|__unregister_client"
	"|device_for_each_child|rollback_registered|unregister_netdev|sysfs_remove"
	"|device_remove_file|tty_unregister_device|dummy_urb_enqueue|usb_kill_urb"
	"|usb_kill_anchored_urbs|usb_control_msg|usb_hcd_submit_urb|usb_submit_urb"
	"|^complete$|wait_for_completion|^kv?free$|kfree_skb|readb$|readw$|readl$"
	"|readq$|writeb$|writew$|writel$|writeq$|logic_in|logic_out|^crc\\d+|crc_itu_t"
	"|__might_resched|assertfail|^iput$|^iput_final$|^ihold$|hex_dump_to_buffer"
	"|print_hex_dump|^klist_|(?:trace|lockdep)_(?:hard|soft)irq|^(?:un)?lock_page"
	"|stack_trace_consume_entry|arch_stack_walk|stack_trace_save|insert_work"
	"|__queue_delayed_work|queue_delayed_work_on"
	/* arm64 fault handling */
	"|do_(?:kernel|translation)_fault|do_mem_abort|el1_abort|el1h_64_sync(?:_handler)?"
	"|print_tainted"
	/* page cache and allocation helpers */
	"|hwasan|__alloc_frozen_pages_noprof|folio_(?:alloc|unlock)|filemap_alloc_folio"
	"|__filemap_get_folio|find_or_create_page|do_read_cache_folio|read_cache_page"
	"|pagecache_get_page|grab_cache_page_write_begin|strstr|copy_page_to_iter"
	"|copy_page_from_iter|copy_folio_to_iter|ida_free|xas_(?:start|load|find)"
	"|find_lock_entries|truncate_inode_pages_range|__phys_addr|__fortify_report"
	"|cleanup_srcu_struct|rhashtable_lookup|extract_(?:user|iter)_to_sg|drop_nlink"
	"|^get_taint$|^put_device$|lock_timer_base|__timer_delete_sync|sk_stop_timer_sync"
	"|__mod_timer|fast_dput|dput|mark_buffer_dirty";

const char *const kr_sig_strip_prefixes[] = {
	"SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "____sys_", "___sys_",
	"__sys_", "__se_", "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_", NULL,
};

const char kr_sig_stall_anchors[] =
	/* generic dispatchers and their callers */
	"process_one_work|do_syscall_|do_fast_syscall_|sysenter_dispatch|tracesys_phase2"
	"|el0_svc_handler|invoke_syscall|ret_fast_syscall|netif_receive_skb|do_softirq"
	"|call_timer_fn|_run_timers|run_timer_softirq|hrtimer_run|run_ksoftirqd"
	"|smpboot_thread_fn|^kthread$|start_secondary|cpu_startup_entry|ret_from_fork"
	/* file and socket operations that tell syscalls apart */
	"|vfs_write|vfs_read|vfs_iter_read|vfs_iter_write|do_iter_read|do_iter_write"
	"|call_read_iter|call_write_iter|new_sync_read|new_sync_write|vfs_ioctl|ksys_ioctl"
	"|compat_ioctl|compat_sys_ioctl|blkdev_driver_ioctl|blkdev_ioctl"
	"|do_iter_readv_writev|^call_mmap|mmap_region|do_mmap|do_dentry_open|vfs_open"
	"|^sock_sendmsg|^sock_recvmsg|^sock_release|^__sock_release|^setsockopt$"
	"|kernel_setsockopt|sock_common_setsockopt|^listen$|kernel_listen"
	"|sk_common_release|^sock_mmap|^accept$|kernel_accept|^sock_do_ioctl|^sock_ioctl"
	"|^compat_sock_ioctl|^nfnetlink_rcv_msg|^rtnetlink_rcv_msg|^netlink_dump"
	"|^(?:sys_)?(?:socketpair|connect|ioctl)"
	/* page faults and work done on the way back to user space */
	"|__do_fault|do_page_fault|^page_fault$|__fput|task_work_run|exit_to_usermode"
	"|smp_call_function|tasklet_action|tasklet_hi_action";

const char *const kr_sig_continuations[] = {
	"invalid opcode: 0000",
	"Kernel panic - not syncing",
	"unregister_netdevice: waiting for",
	/* a double fault can come from corrupted memory while handling a page
	 * fault, synchronously */
	"PANIC: double fault",
	"Internal error:",
	NULL,
};

const char *const kr_sig_info_with_stack[] = {
	"vmalloc: allocation failure:",
	"FAULT_INJECTION: forcing a failure",
	"FAULT_FLAG_ALLOW_RETRY missing",
	NULL,
};

/* The fuzzer's or sshd's own out-of-memory deaths, executor start failures. */
const char *const kr_sig_suppressions[] = {
	"panic: failed to start executor binary",
	"panic: executor failed: pthread_create failed",
	"panic: failed to create temp dir",
	"fatal error: unexpected signal during runtime execution",
	"signal SIGBUS: bus error",
	"Out of memory: Kill process .* \\((?:syz-fuzzer|sshd)\\)",
	"Killed process .* \\((?:syz-fuzzer|sshd)\\)",
	"lowmemorykiller: Killing '(?:syz-fuzzer|sshd)'",
	"INIT: PANIC: segmentation violation!",
	"\\*\\*\\* stack smashing detected \\*\\*\\*: terminated",
	"fatal error: runtime: out of memory",
	"fatal error: runtime: cannot allocate memory",
	"fatal error: out of memory",
	"fatal error: newosproc",
	"panic: .*cannot allocate memory",
	NULL,
};

const struct kr_sig_type kr_sig_types[] = {
	{ "KFENCE: use-after-free write", "KFENCE-USE-AFTER-FREE-WRITE" },
	{ "KFENCE: use-after-free", "KFENCE-USE-AFTER-FREE-READ" },
	{ "KFENCE: invalid write", "KFENCE-WRITE" },
	{ "KFENCE: out-of-bounds write", "KFENCE-WRITE" },
	{ "KFENCE: invalid read", "KFENCE-READ" },
	{ "KFENCE: out-of-bounds", "KFENCE-READ" },
	{ "KFENCE: memory corruption", "KFENCE-MEMORY-CORRUPTION" },
	{ "KFENCE: invalid free", "KFENCE-INVALID-FREE" },
	{ "KMSAN: uninit-value", "KMSAN-UNINIT-VALUE" },
	{ "KMSAN: kernel-infoleak-after-free", "KMSAN-USE-AFTER-FREE-READ" },
	{ "KMSAN: kernel-usb-infoleak-after-free", "KMSAN-USE-AFTER-FREE-READ" },
	{ "KMSAN: use-after-free", "KMSAN-USE-AFTER-FREE-READ" },
	{ "KMSAN: kernel-infoleak", "KMSAN-INFO-LEAK" },
	{ "KMSAN: kernel-usb-infoleak", "KMSAN-INFO-LEAK" },
	{ "KASAN: null-ptr-deref Write", "KASAN-NULL-POINTER-DEREFERENCE-WRITE" },
	{ "KASAN: null-ptr-deref Read", "KASAN-NULL-POINTER-DEREFERENCE-READ" },
	{ "BUG: unable to handle kernel NULL pointer dereference in", "NULL-POINTER-DEREFERENCE" },
	{ "KASAN: global-out-of-bounds Write", "KASAN-WRITE" },
	{ "KASAN: out-of-bounds Write", "KASAN-WRITE" },
	{ "KASAN: slab-out-of-bounds Write", "KASAN-WRITE" },
	{ "KASAN: stack-out-of-bounds Write", "KASAN-WRITE" },
	{ "KASAN: user-memory-access Write", "KASAN-WRITE" },
	{ "KASAN: vmalloc-out-of-bounds Write", "KASAN-WRITE" },
	{ "KASAN: wild-memory-access Write", "KASAN-WRITE" },
	{ "KASAN: global-out-of-bounds Read", "KASAN-READ" },
	{ "KASAN: invalid-access Read", "KASAN-READ" },
	{ "KASAN: out-of-bounds Read", "KASAN-READ" },
	{ "KASAN: slab-out-of-bounds", "KASAN-READ" },
	{ "KASAN: stack-out-of-bounds", "KASAN-READ" },
	{ "KASAN: unknown-crash Read", "KASAN-READ" },
	{ "KASAN: user-memory-access Read", "KASAN-READ" },
	{ "KASAN: vmalloc-out-of-bounds Read", "KASAN-READ" },
	{ "KASAN: wild-memory-access", "KASAN-READ" },
	{ "KASAN: double-free or invalid-free", "KASAN-INVALID-FREE" },
	{ "KASAN: invalid-free", "KASAN-INVALID-FREE" },
	{ "KASAN: slab-use-after-free Write", "KASAN-USE-AFTER-FREE-WRITE" },
	{ "KASAN: use-after-free Write", "KASAN-USE-AFTER-FREE-WRITE" },
	{ "KASAN: slab-use-after-free Read", "KASAN-USE-AFTER-FREE-READ" },
	{ "KASAN: use-after-free", "KASAN-USE-AFTER-FREE-READ" },
	{ "BUG: corrupted list", "MEMORY_SAFETY_BUG" },
	{ "BUG: unable to handle kernel paging request", "MEMORY_SAFETY_BUG" },
	{ "WARNING: refcount bug", "REFCOUNT_WARNING" },
	{ "UBSAN: array-index-out-of-bounds", "MEMORY_SAFETY_UBSAN" },
	{ "KCSAN: data-race", "KCSAN-DATARACE" },
	{ "KCSAN: assert: race in", "KCSAN-ASSERT" },
	{ "BUG: bad unlock balance in", "LOCKDEP" },
	{ "BUG: held lock freed in", "LOCKDEP" },
	{ "BUG: rwlock", "LOCKDEP" },
	{ "BUG: spinlock", "LOCKDEP" },
	{ "BUG: still has locks held in", "LOCKDEP" },
	{ "BUG: using", "LOCKDEP" },
	{ "WARNING: bad unlock balance in", "LOCKDEP" },
	{ "WARNING: held lock freed in", "LOCKDEP" },
	{ "WARNING: lock held", "LOCKDEP" },
	{ "WARNING: locking bug in", "LOCKDEP" },
	{ "WARNING: nested lock was not taken in", "LOCKDEP" },
	{ "WARNING: still has locks held in", "LOCKDEP" },
	{ "WARNING: suspicious RCU usage in", "LOCKDEP" },
	{ "inconsistent lock state in", "LOCKDEP" },
	{ "possible deadlock in", "LOCKDEP" },
	{ "BUG: scheduling while atomic in", "ATOMIC_SLEEP" },
	{ "BUG: sleeping function called from invalid context in", "ATOMIC_SLEEP" },
	{ "memory leak in", "LEAK" },
	{ "BUG: bad usercopy in", "BUG" },
	{ "kernel BUG", "BUG" },
	{ "WARNING in", "WARNING" },
	{ "BUG: stack guard page was hit in", "UNKNOWN" },
	{ "WARNING: corrupted", "UNKNOWN" },
	{ "WARNING: kernel stack frame pointer has bad value", "UNKNOWN" },
	{ "WARNING: kernel stack regs has bad", "UNKNOWN" },
	{ "BUG: soft lockup in", "HANG" },
	{ "BUG: hard lockup in", "HANG" },
	{ "INFO: rcu detected stall in", "HANG" },
	{ "INFO: task can't die in", "HANG" },
	{ "INFO: task hung in", "HANG" },
	{ "Alignment trap in", "DoS" },
	{ "BUG: Object already free", "DoS" },
	{ "Internal error in", "DoS" },
	{ "PANIC: double fault", "DoS" },
	{ "Unhandled fault in", "DoS" },
	{ "VFS: Busy inodes after unmount (use-after-free)", "DoS" },
	{ "VFS: Close: file count is zero (use-after-free)", "DoS" },
	{ "divide error in", "DoS" },
	{ "general protection fault in", "DoS" },
	{ "go runtime error", "DoS" },
	{ "invalid opcode in", "DoS" },
	{ "kernel panic:", "DoS" },
	{ "kernel stack overflow", "DoS" },
	{ "panic:", "DoS" },
	{ "stack segment fault in", "DoS" },
	{ "trusty:", "DoS" },
	{ "unregister_netdevice: waiting for DEV to become free", "DoS" },
	{ "unexpected kernel reboot", "REBOOT" },
	{ "SYZFAIL", "SYZ_FAILURE" },
	{ "SYZFATAL:", "SYZ_FAILURE" },
	{ "WARNING:", "WARNING" },
	{ "BUG:", "UNKNOWN" },
	{ "INFO:", "UNKNOWN" },
	{ "KASAN:", "KASAN-UNKNOWN" },
	{ "KFENCE:", "KFENCE" },
	{ "KMSAN:", "KMSAN-UNKNOWN" },
	{ "UBSAN:", "UBSAN" },
	{ "KCSAN:", "KCSAN-UNKNOWN" },
	{ NULL, NULL },
};
