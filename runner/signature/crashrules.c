/* SPDX-License-Identifier: MIT */
/* The crash engine's tables (see crashrules.h). Header patterns follow
 * what the kernel prints; titles follow syzbot's naming conventions. */
#include "crashrules.h"

#include "util.h"

#define STACK KR_RULE_NEEDS_STACK
#define STALL KR_RULE_STALL
#define JOINS KR_RULE_JOINS
#define IRQ KR_RULE_AFTER_IRQ
#define NEEDAUX KR_RULE_NEEDS_AUX
#define PANIC (KR_RULE_JOINS | KR_RULE_QUIET)

/* An offset suffix that may follow a function name in a header. */
#define FN "([A-Za-z_.$][\\w.$]*)"
/* A WARNING header up to the file: "WARNING: CPU: 1 PID: 2 at FILE",
 * "WARNING: FILE:LINE at ..." (6.15+) or "WARNING: at FILE" (old). */
#define WARN_AT "WARNING: (?:CPU: \\d+ PID: -?\\d+ at |at )?"
/* Frames lockdep reports name before the culprit: work items are
 * lockdep's pseudo-locks. */
#define SKIP_LOCKDEP "process_one_work|worker_thread|flush_workqueue|__flush_workqueue|flush_work|" \
	"__flush_work|drain_workqueue|destroy_workqueue|kthread\\w*|perf_trace_\\w+"
#define STACK_BACKTRACE "^stack backtrace:"
#define CALL_TRACE "^(?:Call Trace:|Call trace:|Backtrace:)"
/* A lockdep report cut short has no stack. */
#define LOCKDEP_STACK "^(?:stack backtrace:|Call Trace:|Call trace:|Backtrace:)"
/* What a hung task waits in. */
#define SKIP_HUNG "console_lock|console_unlock|down_interruptible|kthread_stop\\w*|"               \
	"synchronize_srcu\\w*|__synchronize_srcu|usb_start_wait_urb|usb_control_msg|"                \
	"usb_bulk_msg|\\w*fdatawait\\w*|\\w+_wait_on_\\w+|wait_on_\\w+|folio_wait\\w*|"               \
	"__folio_lock\\w*|folio_lock\\w*|__lock_page\\w*|lock_page\\w*|do_read_cache_\\w+|"           \
	"rcu_barrier|flush_\\w+|__flush_\\w+|__cancel_work\\w*|cancel_\\w*work_sync"

/* A bad access (rules with .alt "bad-access") is named where it happened,
 * past the skip lists' helpers, whatever the family of that function
 * (keep_families "*"): the bug is in the first code that is not a plain
 * copy or report helper. */

/* A hung task is named by what it waits in: of the kernel families only
 * the waiting primitives pass over. */
#define KEEP_HUNG "sanitizer|trap|rcu|irq|workqueue|alloc|debugobjects|kobject|driver-core|usb-core|" \
	"idr|lib|fsnotify|tty-ldisc|netdev-unregister"

/* Frames of the sanitizers' report paths and of copy helpers that a
 * memory-safety report names before the culprit. */
#define SKIP_MEMACCESS                                                                             \
	"check_memory_region\\w*|memory_is_poisoned\\w*|kasan\\w*|__kasan\\w*|"                        \
	"read_word_at_a_time|strscpy|strncpy_from_user|copy_from_iter\\w*|copy_to_iter\\w*|"          \
	"_copy_from_iter\\w*|_copy_to_iter\\w*|csum_partial_copy\\w*"

const struct kr_rule kr_rules[] = {
	/* --- sanitizers ------------------------------------------------- */
	/* KASAN's old header, with the address; without its access line
	 * the header itself is the title. */
	{ .lit = "KASAN:",
	  .re = "BUG: KASAN: ([a-z-]+) in " FN "(?:\\+0x[0-9a-f]+/0x[0-9a-f]+)?(?: \\S+)? at addr",
	  .title = "KASAN: {1}{ A} in {F}",
	  .type = "KASAN",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  .flags = STACK | NEEDAUX,
	  .skip = SKIP_MEMACCESS,
	  .aux = "^(Read|Write) of size",
	  .title_noaux = "KASAN: {1} in {2} at addr ADDR",
	  .keep_families = "*" },
	{ .lit = "KASAN:",
	  .re = "BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in " FN,
	  .title = "KASAN: invalid-free in {F}",
	  .type = "KASAN-INVALID-FREE",
	  .alt = "invalid-free",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 1,
	  .flags = STACK,
	  .skip = SKIP_MEMACCESS "|kfree|kvfree|kfree_\\w+|kmem_cache_free\\w*|__kmem_cache_free|"
				  "slab_free\\w*|__slab_free|do_slab_free|free_\\w+_slab|vfree|__vfree" },
	{ .lit = "KASAN:",
	  .re = "BUG: KASAN: ([a-z-]+) in " FN,
	  .title = "KASAN: {1}{ A} in {F}",
	  .type = "KASAN",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  .flags = STACK | NEEDAUX,
	  .skip = SKIP_MEMACCESS,
	  .aux = "^(Read|Write) (?:of size|at addr)",
	  .title_noaux = "KASAN: {1} in {F}",
	  .keep_families = "*" },
	{ .lit = "KASAN:",
	  .re = "BUG: KASAN: ([a-z-]+) on address",
	  .title = "KASAN: {1}{ A}",
	  .type = "KASAN",
	  .flags = STACK,
	  .aux = "^(Read|Write) of size" },
	{ .lit = "KASAN:",
	  /* mm/kasan/report.c, kasan_report_async(): a tag fault found
	   * later, "no details available": no access, no frame */
	  .re = "BUG: KASAN: ([a-z-]+)\\s*$",
	  .title = "KASAN: {1}",
	  .type = "KASAN" },
	{ .lit = "KMSAN:",
	  .re = "BUG: KMSAN: ([a-z-]+) in " FN,
	  .title = "KMSAN: {1} in {F}",
	  .type = "KMSAN",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  /* KMSAN names where an uninit value was used: in a library or
	   * copy helper (include/linux/instrumented.h, lib/iov_iter.c,
	   * lib/crypto) it came from the caller */
	  .flags = STACK | KR_RULE_HDR_FAMILIES,
	  .skip = SKIP_MEMACCESS "|kmsan\\w*|__msan\\w*|_copy_to_user|copy_to_user|"
				  "__copy_to_user\\w*|usb_submit_urb|hex_dump_to_buffer|"
				  "aes_encrypt|crc32\\w*|strstr|strnstr|memchr\\w*" },
	{ .lit = "KCSAN:",
	  /* kernel/kcsan/report.c: "data-race" or "assert: race" */
	  .re = "BUG: KCSAN: ([a-z-]+(?:: [a-z-]+)?) in " FN " / " FN,
	  .title = "KCSAN: {1} in {2} / {3}",
	  .type = "KCSAN-DATARACE" },
	{ .lit = "KCSAN:",
	  .re = "BUG: KCSAN: ([a-z-]+(?:: [a-z-]+)?) in " FN,
	  .title = "KCSAN: {1} in {F}",
	  .type = "KCSAN-DATARACE",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2 },
	{ .lit = "KFENCE:",
	  .re = "BUG: KFENCE: (invalid free) in " FN,
	  .title = "KFENCE: {1} in {F}",
	  .type = "KFENCE-INVALID-FREE",
	  .alt = "invalid-free",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  .skip = "kfree|kvfree|kmem_cache_free|__kmem_cache_free|slab_free\\w*" },
	{ .lit = "KFENCE:",
	  .re = "BUG: KFENCE: (memory corruption) in " FN,
	  .title = "KFENCE: {1} in {F}",
	  .type = "KFENCE-MEMORY-CORRUPTION",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  .skip = "kfree|kvfree|krealloc\\w*|kmem_cache_free|__kmem_cache_free|slab_free\\w*" },
	{ .lit = "KFENCE:",
	  .re = "BUG: KFENCE: ([a-z -]+?) in " FN,
	  .title = "KFENCE: {1} in {F}",
	  .type = "KFENCE",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 2,
	  .skip = SKIP_MEMACCESS,
	  .keep_families = "*" },
	{ .lit = "UBSAN:",
	  .re = "UBSAN: Undefined behaviour in ",
	  .title = "UBSAN: undefined-behaviour in {F}",
	  .type = "UBSAN",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "ubsan\\w*|__ubsan\\w*|handle_overflow|val_to_string" },
	{ .lit = "UBSAN:",
	  .re = "UBSAN: (array-index-out-of-bounds) in ",
	  .title = "UBSAN: {1} in {F}",
	  .type = "MEMORY_SAFETY_UBSAN",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "ubsan\\w*|__ubsan\\w*",
	  .keep_families = "*" },
	{ .lit = "UBSAN:",
	  .re = "UBSAN: ([a-z-]+) in ",
	  .title = "UBSAN: {1} in {F}",
	  .type = "UBSAN",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "ubsan\\w*|__ubsan\\w*" },

	/* --- faults ------------------------------------------------------- */
	{ .lit = "general protection fault",
	  .re = "general protection fault(?:, probably for non-canonical address 0x[0-9a-f]+| for "
		"non-canonical address 0x[0-9a-f]+)?: [0-9a-f]+ \\[#\\d+\\]",
	  .title = "general protection fault in {F}",
	  .type = "DoS",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "BUG: ",
	  .re = "BUG: unable to handle kernel NULL pointer dereference",
	  .title = "BUG: unable to handle kernel NULL pointer dereference in {F}",
	  .type = "NULL-POINTER-DEREFERENCE",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "NULL pointer dereference",
	  .re = "(?:BUG: kernel NULL pointer dereference, address|Unable to handle kernel NULL "
		"pointer dereference at virtual address)",
	  .title = "BUG: unable to handle kernel NULL pointer dereference in {F}",
	  .type = "NULL-POINTER-DEREFERENCE",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "nable to handle",
	  .re = "(?:BUG: unable to handle kernel paging request at|BUG: unable to handle page "
		"fault for address|BUG: Unable to handle kernel (?:data access|instruction fetch)|"
		"Unable to handle kernel paging request at virtual address|Unable to handle kernel "
		"(?:execute from non-executable memory|read from unreadable memory|write to "
		"read-only memory) at virtual address)",
	  .title = "BUG: unable to handle kernel paging request in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "nable to handle",
	  .re = "Unable to handle kernel access to user memory",
	  .title = "BUG: unable to handle kernel access to user memory in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "nable to handle",
	  .re = "BUG: unable to handle kernel",
	  .title = "BUG: unable to handle kernel",
	  .type = "MEMORY_SAFETY_BUG",
	  .flags = STACK },
	{ .lit = "kernel BUG at",
	  .re = "kernel BUG at mm/usercopy\\.c",
	  .title = "BUG: bad usercopy in {F}",
	  .type = "BUG",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "usercopy_\\w+|__check_object_size|check_object_size|__check_heap_object|"
		  "check_heap_object|_copy_to_user|copy_to_user|_copy_from_user|copy_from_user|"
		  "__copy_\\w*user\\w*|check_\\w+_object|__check_\\w+_object|put_cmsg" },
	{ .lit = "kernel BUG at",
	  .re = "kernel BUG at lib/list_debug\\.c",
	  .title = "BUG: corrupted list in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "__list_\\w+|list_\\w+|hlist_\\w+|__hlist_\\w+" },
	{ .lit = "rust_kernel: panicked",
	  .re = "rust_kernel: panicked at ",
	  .title = "{A} in {F}",
	  .type = "BUG",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK | NEEDAUX,
	  .skip = "rust_helper_\\w+|rust_panic\\w*|\\S*rust_begin_unwind|\\S*::panicking::\\S*|"
		  "\\S*core::panic\\S*|\\S*::panic_fmt|\\S*::panic_const\\S*",
	  .aux = "^(\\w[\\w ]*with overflow|\\S.*)$",
	  .title_noaux = "kernel BUG in {F}" },
	{ .lit = "kernel BUG at",
	  .re = "kernel BUG at (\\S+?):\\d+",
	  .title = "kernel BUG in {F}",
	  .type = "BUG",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "invalid opcode:",
	  .re = "invalid opcode: [0-9a-f]+ \\[#\\d+\\]",
	  .title = "invalid opcode in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "divide error:",
	  .re = "divide error: [0-9a-f]+ \\[#\\d+\\]",
	  .title = "divide error in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "int3: ",
	  /* arch/x86/kernel/traps.c: die("int3") */
	  .re = "int3: [0-9a-f]+ \\[#\\d+\\]",
	  .title = "int3 in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "do_int3\\w*|exc_int3|int3" },
	{ .lit = "stack segment:",
	  .re = "stack segment: [0-9a-f]+ \\[#\\d+\\]",
	  .title = "stack segment fault in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "PANIC: double fault",
	  .re = "PANIC: double fault",
	  .title = "PANIC: double fault in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "BUG: ",
	  .re = "BUG: (?:TASK |IRQ )?stack guard page was hit at",
	  .title = "BUG: stack guard page was hit in {F}",
	  .type = "DoS",
	  .alt = "stack-overflow",
	  .frame = KR_FRAME_STALL,
	  .flags = STACK },
	{ .lit = "Unhandled fault:",
	  .re = "Unhandled fault: ",
	  .title = "Unhandled fault in {F}",
	  .type = "DoS",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },
	{ .lit = "Alignment trap:",
	  .re = "Alignment trap: ",
	  .title = "Alignment trap in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "Internal error:",
	  .re = "Internal error: ",
	  .title = "Internal error in {F}",
	  .type = "DoS",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .keep_families = "*" },

	/* --- stalls and hangs -------------------------------------------- */
	{ .lit = "soft lockup",
	  .re = "BUG: soft lockup - CPU#\\d+ stuck for",
	  .title = "BUG: soft lockup in {F}",
	  .type = "HANG",
	  .alt = "stall",
	  .frame = KR_FRAME_STALL,
	  .flags = STACK | STALL },
	{ .lit = "hard LOCKUP",
	  .re = "Watchdog detected hard LOCKUP on cpu",
	  .title = "BUG: hard lockup in {F}",
	  .type = "HANG",
	  .alt = "stall",
	  .frame = KR_FRAME_STALL,
	  .flags = STACK | STALL },
	{ .lit = "INFO: ",
	  .re = "INFO: rcu_\\w+ (?:self-)?detected (?:expedited )?stalls?",
	  .title = "INFO: rcu detected stall in {F}",
	  .type = "HANG",
	  .alt = "stall",
	  .frame = KR_FRAME_STALL,
	  .flags = STACK | STALL | IRQ },
	{ .lit = "INFO: ",
	  .re = "INFO: rcu_\\w+ detected expedited stalls?",
	  .title = "INFO: rcu detected stall in {F}",
	  .type = "HANG",
	  .alt = "stall",
	  .frame = KR_FRAME_STALL,
	  .flags = STACK | STALL | IRQ },
	{ .lit = "INFO: ",
	  .re = "INFO: task \\S+:-?\\d+ blocked (?:in I/O wait )?for more than \\d+ seconds",
	  .title = "INFO: task hung in {F}",
	  .type = "HANG",
	  .alt = "hang",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK | STALL,
	  .skip = SKIP_HUNG,
	  .keep_families = KEEP_HUNG },
	{ .lit = "blocked for more than",
	  /* the task name broke the header line in two */
	  .re = ":-?\\d+ blocked (?:in I/O wait )?for more than \\d+ seconds",
	  .title = "INFO: task hung in {F}",
	  .type = "HANG",
	  .alt = "hang",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK | STALL,
	  .skip = SKIP_HUNG,
	  .keep_families = KEEP_HUNG },
	{ .lit = "INFO: ",
	  .re = "INFO: task \\S+:-?\\d+ can't die for more than",
	  .title = "INFO: task can't die in {F}",
	  .type = "HANG",
	  .alt = "hang",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK | STALL },
	{ .lit = "BUG: ",
	  .re = "BUG: workqueue lockup",
	  .title = "BUG: workqueue lockup",
	  .type = "HANG",
	  .flags = STALL },

	/* --- lockdep ------------------------------------------------------ */
	{ .lit = "WARNING:|INFO: ",
	  .re = "(?:WARNING|INFO): possible circular locking dependency detected",
	  .title = "possible deadlock in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .flags = NEEDAUX,
	  .aux = "(is trying to acquire lock)",
	  .title_noaux = "WARNING: possible circular locking dependency detected",
	  .skip = SKIP_LOCKDEP,
	  .complete = LOCKDEP_STACK },
	{ .lit = "WARNING:|INFO: ",
	  .re = "possible recursive locking detected",
	  .title = "possible deadlock in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP,
	  .complete = LOCKDEP_STACK },
	{ .lit = "WARNING:|INFO: ",
	  .re = "possible irq lock inversion dependency detected",
	  .title = "possible deadlock in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP,
	  .complete = LOCKDEP_STACK },
	{ .lit = "WARNING:|INFO: ",
	  .re = "(?:HARDIRQ|SOFTIRQ)-safe -> (?:HARDIRQ|SOFTIRQ)-unsafe lock order detected",
	  .title = "possible deadlock in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .skip = SKIP_LOCKDEP,
	  .complete = LOCKDEP_STACK },
	{ .lit = "WARNING:|INFO: ",
	  .re = "WARNING: inconsistent lock state|INFO: inconsistent lock state",
	  .title = "inconsistent lock state in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .skip = SKIP_LOCKDEP,
	  .stack_from = STACK_BACKTRACE,
	  .complete = LOCKDEP_STACK },
	{ .lit = "WARNING:|INFO: ",
	  .re = "WARNING: suspicious RCU usage",
	  .title = "WARNING: suspicious RCU usage in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "lockdep_rcu_suspicious|rcu_read_lock_\\w+|rcu_dereference\\w*",
	  .stack_from = STACK_BACKTRACE },
	{ .lit = "WARNING:|INFO: ",
	  .re = "INFO: suspicious RCU usage",
	  .title = "INFO: suspicious RCU usage in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "lockdep_rcu_suspicious|rcu_read_lock_\\w+|rcu_dereference\\w*",
	  .stack_from = STACK_BACKTRACE },
	{ .lit = "BUG: |WARNING:",
	  .re = "(BUG|WARNING): bad unlock balance detected",
	  .title = "{1}: bad unlock balance in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .flags = STACK,
	  .complete = LOCKDEP_STACK },
	{ .lit = "BUG: |WARNING:",
	  /* lockdep's word: "WARNING:" now, "[ BUG: ... ]" before 4.15 */
	  .re = "(BUG|WARNING): held lock freed",
	  .title = "{1}: held lock freed in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP,
	  .complete = LOCKDEP_STACK },
	{ .lit = "BUG: ",
	  .re = "BUG: (spinlock|rwlock) (recursion|lockup suspected|already unlocked|bad magic|wrong "
		"owner|wrong CPU|cpu recursion) on CPU",
	  .title = "BUG: {1} {2} in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "spin_\\w+|do_raw_\\w+|spin_bug|spin_dump|rwlock_bug|\\w*_lock_\\w*|"
		  "\\w*_lock|\\w*_unlock\\w*" },
	{ .lit = "INFO: ",
	  .re = "INFO: trying to register non-static key",
	  .title = "INFO: trying to register non-static key in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "register_lock_class|__lock_acquire\\w*|lock_acquire\\w*|lockdep_init_map\\w*|"
		  "assign_lock_key|look_up_lock_class" },
	{ .lit = "BUG: ",
	  .re = "BUG: Invalid wait context",
	  .title = "BUG: Invalid wait context in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = SKIP_LOCKDEP,
	  .stack_from = STACK_BACKTRACE },
	{ .lit = "BUG: ",
	  .re = "BUG: looking up invalid subclass",
	  .title = "BUG: looking up invalid subclass in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = SKIP_LOCKDEP },
	{ .lit = "BUG: |WARNING:",
	  .re = "(BUG|WARNING): lock held when returning to user space",
	  .title = "{1}: lock held when returning to user space in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP },
	{ .lit = "BUG: |WARNING:",
	  .re = "(BUG|WARNING): \\S+ still has locks held",
	  .title = "{1}: still has locks held in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP },
	{ .lit = "WARNING:",
	  .re = "WARNING: [Nn]ested lock was not taken",
	  .title = "WARNING: nested lock was not taken in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_LOCK,
	  .skip = SKIP_LOCKDEP },
	{ .lit = "BUG: ",
	  .re = "BUG: (MAX_\\w+ too low!)",
	  .title = "BUG: {1}",
	  .type = "LOCKDEP" },
	{ .lit = "BUG: ",
	  .re = "BUG: workqueue leaked lock or atomic",
	  .title = "BUG: workqueue leaked lock or atomic in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = KR_RULE_AUX_FRAME,
	  .aux = "last function: " FN },
	{ .lit = "BUG: ",
	  .re = "BUG: using (__this_cpu_\\w+|smp_processor_id)\\(\\) in preemptible",
	  .title = "BUG: using {1}() in preemptible code in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .skip = "check_preemption_disabled|debug_smp_processor_id|__this_cpu_preempt_check|"
		  "lockdep_\\w+|trace_hardirqs_\\w+",
	  .flags = STACK | KR_RULE_AUX_FRAME,
	  .aux = "caller is " FN },
	{ .lit = "BUG: ",
	  .re = "BUG: sleeping function called from invalid context",
	  .title = "BUG: sleeping function called from invalid context in {F}",
	  .type = "ATOMIC_SLEEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  /* not the "Preemption disabled at:" frame */
	  .stack_from = CALL_TRACE },
	{ .lit = "BUG: ",
	  .re = "BUG: scheduling while atomic",
	  .title = "BUG: scheduling while atomic in {F}",
	  .type = "ATOMIC_SLEEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "__schedule_bug|schedule_debug\\w*",
	  /* not the "Preemption disabled at:" frame */
	  .stack_from = CALL_TRACE },

	/* --- WARNING and its kinds, told apart by the file that warned --- */
	{ .lit = "WARNING:",
	  .re = WARN_AT "lib/refcount\\.c:",
	  .title = "WARNING: refcount bug in {F}",
	  .type = "REFCOUNT_WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "refcount_\\w+|__refcount_\\w+|get_device|put_device|get_device_parent" },
	{ .lit = "refcount_t:",
	  .re = "refcount_t: (?:underflow|overflow|addition on 0|increment on 0|saturated|decrement "
		"hit 0)",
	  .title = "WARNING: refcount bug in {F}",
	  .type = "REFCOUNT_WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "refcount_\\w+|__refcount_\\w+|get_device|put_device|get_device_parent" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "lib/debugobjects\\.c:",
	  .title = "WARNING: ODEBUG bug in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "debug_\\w+|__debug_\\w+|free_obj_work|kfree|kvfree|kmem_cache_free|"
		  "slab_free\\w*|__slab_free|free_\\w*pages\\w*|__free_\\w+|"
		  "timer_\\w+|del_timer\\w*|hrtimer_\\w+|__init_work|init_timer_key|"
		  "destroy_\\w+_on_stack|__\\w+_debug_\\w+" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "kernel/locking/lockdep\\.c:",
	  .title = "WARNING: locking bug in {F}",
	  .type = "LOCKDEP",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "lock_sock\\w*|__lock_sock\\w*|release_sock|reacquire_held_locks|lock_\\w+" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "(?:mm/util\\.c|mm/slab_common\\.c):\\d+ k\\w*alloc",
	  .title = "WARNING: kmalloc bug in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "k\\w*alloc\\w*|__k\\w*alloc\\w*|memdup\\w*|kmemdup\\w*" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "fs/proc/generic\\.c:",
	  .title = "WARNING: proc registration bug in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "proc_\\w+|__proc_\\w+" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "lib/kobject\\.c:",
	  .title = "WARNING: kobject bug in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "kobject_\\w+|kset_\\w+" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "mm/vmalloc\\.c:\\d+ __vmalloc_node_range",
	  .title = "WARNING: zero-size vmalloc in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "__vmalloc\\w*|vmalloc\\w*|vzalloc\\w*|kvmalloc\\w*|__kvmalloc\\w*|kvzalloc\\w*|"
		  "kvcalloc\\w*" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "mm/usercopy\\.c:",
	  .title = "WARNING: bad usercopy in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "usercopy_\\w+|__check_object_size|check_object_size|__check_heap_object|"
		  "check_heap_object|_copy_to_user|copy_to_user|_copy_from_user|copy_from_user" },
	{ .lit = "WARNING:",
	  .re = WARN_AT "drivers/usb/core/urb\\.c:\\d+ usb_submit_urb",
	  .title = "WARNING in {F}/usb_submit_urb",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "usb_submit_urb|usb_start_wait_urb|usb_\\w+_msg\\w*" },
	{ .lit = "WARNING:",
	  /* arch/x86/kernel/unwind_frame.c prints both with %p: the 'bp'
	   * title only when both are addresses (not "(null)", "(ptrval)") */
	  .re = "WARNING: kernel stack regs at [0-9a-f]+ in \\S+ has bad 'bp' value +[0-9a-f]+\\s*$",
	  .title = "WARNING: kernel stack regs has bad 'bp' value",
	  .type = "WARNING" },
	{ .lit = "WARNING:",
	  .re = "WARNING: kernel stack regs at .* has bad",
	  .title = "WARNING: kernel stack regs has bad value",
	  .type = "WARNING" },
	{ .lit = "WARNING:",
	  .re = "WARNING: kernel stack frame pointer at .* has bad",
	  .title = "WARNING: kernel stack frame pointer has bad value",
	  .type = "WARNING" },
	{ .lit = "WARNING:",
	  .re = "WARNING: (?:CPU: \\d+ PID: -?\\d+ at \\S+|at \\S+:\\d+|\\S+:\\d+ at \\S+, CPU#\\d+)",
	  .title = "WARNING in {F}",
	  .type = "WARNING",
	  .frame = KR_FRAME_STACK,
	  /* a WARN_ON in the kernel's infrastructure (sysfs_remove_group,
	   * devres, __flush_work, __alloc_pages) flags its caller */
	  .flags = STACK | KR_RULE_PC_FAMILIES },

	/* --- panics --------------------------------------------------------- */
	{ .lit = "Kernel panic - not syncing",
	  .re = "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: " FN,
	  .title = "kernel panic: stack is corrupted in {F}",
	  .type = "DoS",
	  .frame = KR_FRAME_STACK,
	  .hdr_frame = 1,
	  .flags = PANIC,
	  .skip = "__stack_chk_fail\\w*" },
	{ .lit = "Kernel panic - not syncing",
	  .re = "Kernel panic - not syncing: corrupted stack end detected inside scheduler",
	  .title = "kernel panic: corrupted stack end in {F}",
	  .type = "DoS",
	  .alt = "stack-overflow",
	  .frame = KR_FRAME_STALL,
	  .flags = PANIC | STACK,
	  .skip = "schedule_debug|__schedule\\w*" },
	{ .lit = "Kernel panic - not syncing",
	  /* arm64's handle_bad_stack() */
	  .re = "Kernel panic - not syncing: kernel stack overflow",
	  .title = "kernel stack overflow in {F}",
	  .type = "DoS",
	  .alt = "stack-overflow",
	  .frame = KR_FRAME_STACK,
	  .flags = PANIC | STACK,
	  .skip = "handle_bad_stack|__bad_stack|el1_\\w+|el1h_\\w+" },
	{ .lit = "Kernel panic - not syncing",
	  /* the panic that follows a report: alone, the report is missing */
	  /* kernel/panic.c prefixes the origin ("%s: panic_on_warn set"),
	   * arm64's die() the oops ("%s: Fatal exception"): the follow-up is
	   * named without it */
	  .re = "Kernel panic - not syncing: (?:[\\w -]+: )?(panic_on_warn set|panic_on_kmsan set|"
		"hung_task: blocked tasks|Fatal exception|Machine halted|"
		"softlockup: hung tasks|hardlockup: \\S+)",
	  .title = "kernel panic: {1}",
	  .type = "DoS",
	  .flags = PANIC | KR_RULE_CORRUPTED },
	{ .lit = "Kernel panic - not syncing",
	  .re = "Kernel panic - not syncing: (?:kernel: )?(Attempted to kill init!)",
	  .title = "kernel panic: {1}",
	  .type = "DoS",
	  .flags = PANIC },
	{ .lit = "Kernel panic - not syncing",
	  /* the message without the object it names (panic("... for %s",
	   * ...)) and the details after " --- " (drivers/tty/tty_ldisc.c) */
	  .re = "Kernel panic - not syncing: (?:kernel: )?(.*?)(?:(?: for | --- )[^:]*)?[ .]*$",
	  .title = "kernel panic: {1}",
	  .type = "DoS",
	  .flags = PANIC },

	/* --- others ---------------------------------------------------------- */
	{ .lit = "BUG: ",
	  .re = "BUG: memory leak",
	  .title = "memory leak in {F}",
	  .type = "LEAK",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK,
	  .skip = "kmemleak_\\w+|k\\w*alloc\\w*|__k\\w*alloc\\w*|kmem_cache_\\w+|slab_\\w+|"
		  "__slab_\\w+|___slab_\\w+|kmemdup\\w*|memdup\\w*|kstrdup\\w*|kstrndup|"
		  "__alloc_\\w+|alloc_pages\\w*|__get_free_pages|kobject_set_name_vargs|"
		  "kvasprintf\\w*|kasprintf|dev_set_name|sock_kmalloc|sk_prot_alloc|"
		  "sk_alloc|__alloc_skb|alloc_skb\\w*|__netdev_alloc_skb|kmalloc_trace\\w*|"
		  "__kmem_cache\\w*|new_inode|alloc_inode|idr_\\w+|ida_\\w+|xas_\\w+|"
		  "radix_tree_\\w+|__radix_tree_\\w+|mempool_\\w+|kvmalloc\\w*|__kvmalloc\\w*|"
		  "kobject_\\w+|kset_\\w+|create_object\\w*" },
	{ .lit = "unregister_netdevice: waiting",
	  .re = "unregister_netdevice: waiting for \\S+ to become free",
	  .title = "unregister_netdevice: waiting for DEV to become free",
	  .type = "DoS",
	  /* repeated every few seconds by another task: it does not cut a
	   * report it lands in */
	  .flags = KR_RULE_JOINS | KR_RULE_QUIET },
	{ .lit = "SYZFAIL:",
	  .re = "SYZFAIL: (.*?)\\s*$",
	  .title = "SYZFAIL: {1}",
	  .type = "SYZ_FAILURE",
	  /* the fuzzer's own line: it does not cut a kernel report short */
	  .flags = KR_RULE_JOINS | KR_RULE_QUIET },
	{ .lit = "SYZFATAL:",
	  .re = "SYZFATAL: (.*?)\\s*$",
	  .title = "SYZFATAL: {1}",
	  .type = "SYZ_FAILURE",
	  /* the fuzzer's own line: it does not cut a kernel report short */
	  .flags = KR_RULE_JOINS | KR_RULE_QUIET },
	{ .lit = "Busy inodes after unmount",
	  .re = "VFS: Busy inodes after unmount",
	  .title = "VFS: Busy inodes after unmount (use-after-free)",
	  .type = "DoS" },
	{ .lit = "BUG: ",
	  .re = "BUG: (Bad rss-counter state|non-zero pgtables_bytes on freeing mm)",
	  .title = "BUG: {1}",
	  .type = "DoS" },
	{ .lit = "VFS: Close: file count is 0",
	  .re = "VFS: Close: file count is 0",
	  .title = "VFS: Close: file count is zero (use-after-free)",
	  .type = "DoS" },
	{ .lit = "BUG: ",
	  /* named by where page_owner says the page was allocated */
	  .re = "BUG: Bad page state in process",
	  .title = "BUG: Bad page state in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .frame = KR_FRAME_STACK,
	  .flags = NEEDAUX,
	  .aux = "^(page last allocated via)",
	  .title_noaux = "BUG: Bad page state in corrupted",
	  .stack_from = "^page last allocated via",
	  .skip = "bad_page|free_\\w*pages\\w*|__free_\\w+|free_unref_\\w+|free_pcp\\w*|"
		  "free_page_\\w+|__put_\\w*page\\w*|put_page\\w*|folio_put\\w*|__folio_put\\w*|"
		  "release_pages|__pagevec_\\w+|pagevec_\\w+|check_free_page\\w*|"
		  "free_tail_page\\w*|__put_compound_page|destroy_compound_page|"
		  "prep_new_page|get_page_from_freelist|__alloc_\\w+|alloc_pages\\w*|post_alloc_hook|"
		  "folio_alloc\\w*|filemap_alloc_folio\\w*|__filemap_get_folio\\w*|"
		  "pagecache_get_page|__page_cache_alloc\\w*" },
	{ .lit = "BUG: ",
	  .re = "BUG: Bad page map in process",
	  .title = "BUG: Bad page map in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK },
	{ .lit = "BUG: ",
	  .re = "BUG: Dentry \\S+ +still in use \\(-?\\d+\\) \\[(unmount of [^\\]]+)\\]",
	  /* only unmounting checks for dentries in use */
	  .title = "BUG: Dentry still in use in unmount",
	  .type = "WARNING",
	  .alt = "BUG: Dentry still in use [{1}]" },
	{ .lit = "BUG ",
	  .re = "BUG \\S+ \\([^)]*\\): (Object already free|Poison overwritten|(?:Left |Right )?Redzone "
		"overwritten|Freepointer corrupt|Padding overwritten|Invalid object pointer|Wrong object "
		"count|Objects remaining\\b|Freechain corrupt)",
	  .title = "BUG: {1}",
	  .type = "DoS",
	  .flags = STACK },
	{ .lit = "INFO: ",
	  .re = "INFO: (Allocated|Freed) in (\\S+ age=\\d+ cpu=\\d+ pid=\\d+)",
	  .title = "INFO: {1} in {2}",
	  .type = "DoS" },
	{ .lit = " corruption",
	  /* before "kernel BUG at lib/list_debug.c"; a line of its own inside
	   * another report */
	  .re = "list_(?:add|del) corruption",
	  .title = "BUG: corrupted list in {F}",
	  .type = "MEMORY_SAFETY_BUG",
	  .alt = "bad-access",
	  .frame = KR_FRAME_STACK,
	  .flags = STACK | JOINS,
	  .skip = "__list_\\w+|list_\\w+|hlist_\\w+|__hlist_\\w+" },
	{ .lit = "trusty: panic",
	  .re = "trusty: panic \\(caller [^)]*\\): ASSERT FAILED at \\([^)]*\\): ?(.*?)\\s*$",
	  .title = "trusty: ASSERT FAILED: {1}",
	  .type = "DoS" },
	{ .lit = "trusty: panic",
	  .re = "trusty: panic \\(caller [^)]*\\): (.*?)\\s*$",
	  .title = "trusty: panic: {1}",
	  .type = "DoS" },
	{ .lit = "fatal error: ",
	  .re = "^fatal error: ",
	  .title = "go runtime error",
	  .type = "DoS",
	  .confirm = "^(?:runtime stack:|goroutine \\d+ \\[)" },
	{ .lit = "SeaBIOS (version",
	  .re = "SeaBIOS \\(version",
	  .title = "unexpected kernel reboot",
	  .type = "REBOOT",
	  .flags = KR_RULE_REBOOT },
	{ .lit = "Decompressing Linux",
	  .re = "^Decompressing Linux",
	  .title = "unexpected kernel reboot",
	  .type = "REBOOT",
	  .flags = KR_RULE_REBOOT },
	{ .lit = "Booting the kernel",
	  .re = "^Booting the kernel",
	  .title = "unexpected kernel reboot",
	  .type = "REBOOT",
	  .flags = KR_RULE_REBOOT },
};

const size_t kr_n_rules = KR_ARRAY_SIZE(kr_rules);

const char *const kr_skip_frames[] = {
	/* printing a report */
	"dump_stack\\w*|__dump_stack|show_stack|show_regs\\w*|show_trace\\w*|__show_regs|"
	"dump_backtrace\\w*|walk_stackframe|unwind_backtrace|arch_stack_walk|stack_trace_\\w+|"
	"save_stack\\w*|__save_stack\\w*|kernel_text_address|__kernel_text_address|"
	"is_bpf_text_address|unwind_\\w+|print_\\w+|printk\\w*|_printk\\w*|"
	"vprintk\\w*|console_unlock|dump_header|panic|__panic|nmi_panic|__warn\\w*|warn_\\w+|"
	"dev_vprintk_emit|dev_printk\\w*|__dev_printk|_dev_(?:info|notice|warn|err|crit|alert|emerg)|"
	"report_bug|handle_bug|fixup_bug|bug_handler|__report_bug|do_trap\\w*|do_error_trap|"
	"do_invalid_op|invalid_op|exc_invalid_op|do_trap_break|die|__die\\w*|oops_\\w+|"
	"check_panic_on_warn|nmi_cpu_backtrace\\w*|nmi_trigger_cpumask_backtrace|"
	"arch_trigger_cpumask_backtrace|trigger_\\w+_backtrace|sched_show_task|_sched_show_task|"
	"dump_cpu_task|rcu_dump_cpu_stacks|print_cpu_stall\\w*|check_cpu_stall\\w*|"
	"print_other_cpu_stall\\w*|rcu_check_callbacks|rcu_sched_clock_irq|rcu_pending|"
	"rcu_print_\\w+|watchdog_timer_fn|watchdog|check_hung_\\w+|"
	"debug_print_object|el1_dbg|el1h_64_sync\\w*|el1_sync\\w*|do_debug_exception|"
	"early_brk64|brk_handler|call_break_hook|bug_brk_handler|do_undefinstr|__do_kernel_fault|"
	"do_bad_area|do_page_fault|__do_page_fault|do_translation_fault|do_mem_abort|el1_abort|"
	"do_tag_check_fault|do_sea|do_kernel_fault|exc_page_fault|page_fault|async_page_fault|"
	"do_user_addr_fault|handle_page_fault|"
	"no_context|page_fault_oops|kernelmode_fixup_or_oops|spurious_kernel_fault|"
	"do_kern_addr_fault|do_DataAbort|do_PrefetchAbort|"
	"do_alignment|__do_user_fault|__do_kernel_fault\\w*|asm_exc_\\w+|do_general_protection|"
	"exc_general_protection|general_protection|do_divide_error|exc_divide_error|"
	"divide_error|do_stack_segment|stack_segment|do_double_fault|exc_double_fault|"
	"handle_stack_overflow",
	/* sanitizers and instrumentation */
	"kasan_\\w+|__kasan_\\w+|____kasan_\\w+|check_memory_region\\w*|__asan_\\w+|"
	"asan_report\\w*|kmsan_\\w+|__msan_\\w+|__kmsan_\\w+|kcsan_\\w+|__kcsan_\\w+|__tsan_\\w+|"
	"ubsan_\\w+|__ubsan_\\w+|kfence_\\w+|__kfence_\\w+|__sanitizer_\\w+|"
	"__x86_indirect_thunk_\\w+|__x86_return_thunk|srso_\\w+|"
	"should_fail\\w*|__should_fail\\w*|should_failslab|__should_failslab|fail_dump|"
	"trace_hardirqs_\\w+|lockdep_\\w+|__lockdep_\\w+|mark_lock\\w*|mark_held_locks|"
	"mark_usage|__lock_acquire\\w*|lock_acquire\\w*|lock_release|__lock_release|"
	"lock_acquired|lock_contended|lock_downgrade|lock_is_held\\w*|__lock_is_held|"
	"find_held_lock|debug_check_no_\\w+|debug_lockdep_rcu_enabled|validate_chain|"
	"check_prev_add|check_prevs_add|check_noncircular|check_deadlock|print_usage_bug|"
	"register_lock_class|look_up_lock_class|hlock_class|rcu_lockdep_current_cpu_online|"
	"rcu_read_lock\\w*|rcu_read_unlock\\w*|__rcu_read_lock|__rcu_read_unlock|"
	"rcu_is_watching|rcu_dynticks_\\w+|perf_trace_\\w+|trace_event_raw_\\w+|"
	"__traceiter_\\w+|__bpf_trace_\\w+",
	/* locking */
	"_raw_\\w+|__raw_\\w+|raw_spin_\\w+|do_raw_\\w+|queued_\\w+|native_queued_\\w+|"
	"__pv_queued_\\w+|pv_queued_\\w+|__queued_\\w+|spin_\\w+|_spin_\\w+|__mutex_\\w+|"
	"mutex_\\w+|ww_mutex_\\w+|"
	"__ww_mutex_\\w+|rt_mutex_\\w+|__rt_mutex_\\w+|rt_spin_\\w+|down|down_\\w+|__down\\w*|"
	"up|up_read|up_write|__up_\\w+|rwsem_\\w+|__rwsem_\\w+|call_rwsem_\\w+|percpu_down_\\w+|"
	"percpu_up_\\w+|__percpu_down_\\w+|percpu_rwsem_\\w+|_read_lock\\w*|_write_lock\\w*|"
	"read_lock\\w*|write_lock\\w*|__might_sleep|___might_sleep|__might_fault|might_fault|"
	"__might_resched|might_sleep|preempt_\\w+|__preempt_\\w+|local_bh_\\w+|__local_bh_\\w+|"
	"arch_local_irq_\\w+|_atomic_dec_and_lock\\w*|atomic_dec_and_\\w+",
	/* scheduling and waiting */
	"__schedule|schedule|schedule_timeout\\w*|schedule_preempt_disabled|schedule_hrtimeout\\w*|"
	"schedule_idle|io_schedule\\w*|context_switch|__switch_to\\w*|"
	"finish_task_switch\\w*|preempt_schedule\\w*|wait_for_completion\\w*|"
	"__wait_for_common|wait_for_common\\w*|do_wait_for_common|__wait_rcu_gp|finish_wait|"
	"prepare_to_wait\\w*|__wait_event\\w*|wait_event\\w*|bit_wait\\w*|__wait_on_bit\\w*|"
	"__wait_var_event\\w*|wait_var_event\\w*|"
	"out_of_line_wait_on_bit\\w*|wait_on_bit\\w*|usleep_range\\w*|msleep\\w*|"
	"schedule_hrtimeout\\w*|do_nanosleep|hrtimer_nanosleep",
	/* kernel threads, work, entry and exit */
	"kthread|ret_from_fork\\w*|worker_thread|process_scheduled_works|"
	"smpboot_thread_fn|rescuer_thread|"
	"do_syscall_\\w+|__do_syscall_\\w+|entry_\\w+|x64_sys_call|x32_sys_call|ia32_sys_call|"
	"do_fast_syscall_32|__do_fast_syscall_32|do_int80_syscall_32|int_ret_from_sys_call|"
	"ret_fast_syscall|tracesys\\w*|system_call\\w*|sysenter_\\w+|ret_from_sys_call|"
	"syscall_exit_to_user_mode\\w*|exit_to_user_mode\\w*|exit_to_usermode_loop|"
	"prepare_exit_to_usermode|syscall_return_slowpath|syscall_trace_enter|"
	"resume_user_mode_work|do_notify_resume|ret_from_except_lite|invoke_syscall|"
	"el0_svc|el0_svc_common\\w*|el0_svc_handler|do_el0_svc\\w*|el0t_\\w+|el0_sync\\w*|el0_da|"
	"el0_ia|vector_swi|"
	"__sys_trace\\w*|clear_bhb_loop",
	/* interrupts */
	"irq_exit\\w*|__irq_exit\\w*|do_IRQ|common_interrupt|\\w*apic_timer_interrupt\\w*|"
	"sysvec_\\w+|__sysvec_\\w+|asm_\\w+|hrtimer_interrupt|__hrtimer_run_queues|"
	"hrtimer_run_softirq|__run_hrtimer|tick_sched_\\w+|tick_handle_\\w+|"
	"update_process_times|handle_irq|handle_\\w+_irq|generic_handle_\\w+|"
	"gic_handle_irq|handle_domain_irq|__handle_domain_irq|el1_irq|el1h_64_irq\\w*|"
	"el1_interrupt|call_on_irq_stack|do_interrupt_handler|__irq_svc|irq_svc|"
	"retint_kernel|restore_regs_and_return_to_kernel|irqentry_exit\\w*|"
	"reboot_interrupt|smp_reboot_interrupt|do_softirq_own_stack|run_ksoftirqd|"
	"arch_timer_handler_\\w+|handle_percpu_devid_irq",
	/* library helpers */
	"memcpy\\w*|__memcpy\\w*|memset\\w*|__memset\\w*|memmove\\w*|__memmove\\w*|"
	"memcmp|__memcmp|bcmp|memchr\\w*|strlen|strnlen|strcpy|strncpy|strlcpy|strscpy\\w*|"
	"strcmp|strncmp|strcat|strncat|strchr|strrchr|strstr|__fortify_\\w+|fortify_panic|"
	"copy_user_\\w+|_copy_to_user|_copy_from_user|__copy_to_user\\w*|__copy_from_user\\w*|"
	"\\w*copy_to_user\\w*|\\w*copy_from_user\\w*|raw_copy_\\w+|__arch_copy_\\w+|"
	"__check_object_size|check_object_size|__get_user_\\w+|__put_user_\\w+|"
	"vsnprintf|vscnprintf|snprintf|scnprintf|sprintf|vsprintf|format_decode|number|"
	"put_dec\\w*|string|string_nocheck|widen_string|hex_string|pointer|va_format\\w*|"
	"__list_\\w+_valid\\w*|__list_del_entry\\w*|__list_add\\w*|refcount_\\w+|__refcount_\\w+|"
	"kref_put\\w*|kref_get\\w*|atomic_\\w+|_atomic_\\w+|arch_atomic_\\w+|"
	"test_and_set_bit\\w*|test_and_clear_bit\\w*|__test_and_\\w+|find_next_bit\\w*|"
	"_find_next_bit\\w*|__bitmap_\\w+|rb_erase\\w*|rb_insert_color\\w*|__rb_\\w+|"
	"kmalloc\\w*|__kmalloc\\w*|kmem_cache_alloc\\w*|kmem_cache_free\\w*|kfree|kfree_sensitive|"
	"kvfree|kzfree|kzalloc\\w*|kcalloc\\w*|krealloc\\w*|__kmem_cache_\\w+|slab_\\w+|"
	"__slab_\\w+|___slab_\\w+|do_slab_free|cache_alloc_refill|____cache_alloc\\w*|"
	"__do_kmalloc\\w*|kvmalloc\\w*|__kvmalloc\\w*|kvzalloc\\w*|kmalloc_order\\w*|"
	"__kmalloc_large\\w*|___kmalloc_large\\w*|kmalloc_large\\w*|kmalloc_array\\w*|"
	"__alloc_pages\\w*|alloc_pages\\w*|__alloc_frozen_pages\\w*|alloc_page_interleave|"
	"__get_free_pages|get_page_from_freelist|__vmalloc\\w*|vmalloc\\w*|vzalloc\\w*|"
	"kmemdup\\w*|memdup_user\\w*|vmemdup_user|strndup_user|kstrdup\\w*|"
	"kfree_skb\\w*|__kfree_skb|kfree_skbmem|skb_release_\\w+|"
	"debug_object\\w*|__debug_object\\w*|debug_check_no_obj_freed|"
	"__flush_work|flush_work|__cancel_work\\w*|cancel_work_sync|cancel_delayed_work_sync|"
	"flush_workqueue|__flush_workqueue|kthread_stop|kthread_stop_put|"
	"sysfs_\\w+|kobject_\\w+|kernfs_remove\\w*|device_del|device_unregister|device_add|"
	"device_register|dpm_sysfs_remove|bus_remove_device|device_release_driver\\w*|"
	"add_uevent_var|i2c_del_adapter|"
	"__might_fault|__cond_resched\\w*|_cond_resched|cond_resched\\w*|"
	"warn_alloc\\w*|warn_alloc_failed|"
	"unregister_netdevice_many\\w*|rollback_registered\\w*|__local_bh_enable_ip|"
	"__seqprop_assert|drop_nlink|inc_nlink|clear_nlink|set_nlink|dput|fast_dput|"
	"mark_buffer_dirty\\w*|ref_tracker_\\w+|cleanup_srcu_struct|sk_stop_timer\\w*|"
	"__timer_delete\\w*|timer_delete\\w*|del_timer\\w*|__try_to_del_timer_sync|"
	"try_to_del_timer_sync|lock_timer_base|xas_\\w+|find_lock_entries|"
	"truncate_inode_pages\\w*|rhashtable_\\w+|__rhashtable_\\w+|crc_itu_t|"
	"work_is_static_object|__queue_work|queue_work\\w*|__wake_up\\w*|"
	"iput|__iget|hex_dump_to_buffer|print_hex_dump\\w*|"
	/* BUG() sites of helpers */
	"skb_panic|skb_over_panic|skb_under_panic|skb_put|__skb_put|skb_push|__skb_push|"
	"skb_pull|__skb_pull|__reiserfs_panic|reiserfs_panic|assertfail|__phys_addr|"
	"phys_addr|folio_unlock|unlock_page|"
	"strnstr|strcasecmp|strncasecmp|strspn|strcspn|strpbrk|strsep|klist_\\w+|rb_\\w+|"
	"\\w+_is_static_object|mutex_optimistic_spin|osq_lock|osq_unlock|drain_workqueue|"
	"list_\\w+|__list_\\w+|hlist_\\w+|__hlist_\\w+|__read_once_\\w+|__hwasan_\\w+|"
	"__kobject_\\w+|try_to_grab_pending|destroy_workqueue|program_check_\\w+|"
	"hwasan_\\w+|__mod_timer|mod_timer|add_timer\\w*|insert_work|__queue_delayed_work|"
	"csum_partial\\w*|crc32\\w*|crc16\\w*|crc_ccitt\\w*|memscan|strnchr|kstrto\\w+|"
	"v?sscanf|simple_strto\\w+|"
	/* I/O accessors */
	"logic_(?:in|out)[bwl]|ioread\\d+\\w*|iowrite\\d+\\w*|read[bwlq]|write[bwlq]|"
	"queue_delayed_work\\w*|device_destroy|tty_unregister_device|hwrng_unregister|"
	"__might_sleep|synchronize_net|__synchronize_\\w+|_synchronize_\\w+|"
	"____fput|fput\\w*|task_work_run|do_group_exit|"
	"arch_do_signal_or_restart|mmput|__mmput|exit_mmap|exit_mm|"
	"ksys_\\w+|do_vfs_ioctl|do_iter_\\w+|do_loop_readv_writev\\w*|"
	"do_readv_writev|vfs_iter_\\w+|new_sync_\\w+|do_sync_\\w+|rw_verify_area|"
	"__fdget\\w*|fdget\\w*|__fget\\w*|fget\\w*",
	NULL,
};

const char kr_skip_families[] = "sanitizer|trap|locking|rcu|irq|entry|workqueue|alloc|debugobjects|"
				"kobject|driver-core|usb-core|idr|lib|fsnotify|tty-ldisc|"
				"netdev-unregister|sched-wait";

const char kr_irq_entry_frames[] =
	"\\w*apic_timer_interrupt\\w*|sysvec_apic_timer_interrupt|asm_sysvec_apic_timer_interrupt|"
	"__sysvec_apic_timer_interrupt|el1_irq|el1h_64_irq\\w*|el1_interrupt|gic_handle_irq|"
	"__irq_svc|irq_svc";

const char kr_stall_anchor_frames[] =
	"(?:__x64_|__ia32_|__arm64_|__riscv_|__s390x_|__x32_|__se_|__do_)?(?:compat_)?"
	"(?:sys|SyS|SYSC)_\\w+|"
	"\\w+_ioctl|smp_call_function\\w*|synchronize_rcu\\w*|synchronize_sched\\w*";

const char kr_stall_not_anchor_frames[] =
	"vfs_\\w+|__vfs_\\w+|ksys_\\w+|do_\\w+|__do_\\w+|generic_\\w+|__generic_\\w+|sock_\\w+|"
	"__sock_\\w+|__sys_\\w+|___sys_\\w+|____sys_\\w+|kernel_\\w+|__kernel_\\w+|"
	"filemap_fault|sock_common_\\w+|security_\\w+|seq_read\\w*|new_sync_\\w+|"
	"iter_file_\\w+|default_file_splice_\\w+";

const char kr_stall_dispatchers[] =
	"call_timer_fn|process_one_work|__run_hrtimer|__hrtimer_run_queues|"
	"tasklet_action_common|tasklet_action|tasklet_hi_action|rtnetlink_rcv_msg|"
	"nfnetlink_rcv_msg|nfnetlink_rcv_batch|__netif_receive_skb_core|"
	"__netif_receive_skb_one_core|__netif_receive_skb_list_core|__do_fault|"
	"__vfs_write|__vfs_read|vfs_write|vfs_read|__kernel_write|__kernel_read|mmap_region|"
	"do_dentry_open|__fput|do_vfs_ioctl|vfs_ioctl|(?:__x64_|__ia32_|__arm64_|__se_|__do_)"
	"sys_ioctl|sock_sendmsg|__sock_sendmsg|sock_sendmsg_nosec|sock_recvmsg|"
	"sock_recvmsg_nosec|sock_common_setsockopt|sock_common_getsockopt|"
	"genl_family_rcv_msg_doit";

const char kr_stack_stop_lines[] =
	"^(?:Allocated by task|Freed by task|The buggy address|Memory state around|"
	"Uninit was (?:stored|created)|Local variable|"
	"Kernel Offset|---\\[ end |Rebooting in|"
	"Last potentially related|Second to last potentially|Shadow bytes around|page last free|"
	"Showing busy workqueues)";

const struct kr_rename kr_renames[] = {
	/* include/linux/syscalls.h and compat.h: SYSCALL_DEFINE and
	 * COMPAT_SYSCALL_DEFINE make __se_ and __do_ functions, the arch
	 * wrappers __<arch>_ ones */
	{ "__se_(?:compat_)?sys_(\\w+)", "sys_$1|$1" },
	{ "__do_(?:compat_)?sys_(\\w+)", "sys_$1|$1" },
	{ "(?:__x64_|__ia32_|__arm64_|__riscv_|__s390x_|__x32_)(?:compat_)?sys_(\\w+)",
	  "sys_$1" },
	{ "(?:compat_)?SyS_(\\w+)", "$1" },
	{ "SYSC_(\\w+)", "sys_$1" },
	{ "synchronize_sched|synchronize_rcu_expedited|synchronize_sched_expedited|synchronize_rcu_bh",
	  "synchronize_rcu" },
	{ "smp_call_function_\\w+", "smp_call_function" },
};

const size_t kr_n_renames = KR_ARRAY_SIZE(kr_renames);

const struct kr_starve_rule kr_starve_rules[] = {
	{ "hrtimer: interrupt took", "hrtimer: interrupt took (\\d+) ns", "hrtimer-interrupt", "ns", 0,
	  KR_STARVE_LINE },
	{ "kthread starved for", "\\S+ kthread starved for (\\d+) jiffies", "rcu-kthread-starved",
	  "jiffies", 0, KR_STARVE_LINE },
	{ "wakeup didn't happen", "kthread timer wakeup didn't happen for (\\d+) jiffies",
	  "rcu-timer-wakeup-missed", "jiffies", 0, KR_STARVE_LINE },
	{ "as unstable", "Marking clocksource '[^']*' as unstable", "clocksource-unstable", "", 0,
	  KR_STARVE_LINE },
	{ "Marking TSC unstable", "Marking TSC unstable due to clocksource watchdog", "clocksource-unstable",
	  "", 0, KR_STARVE_LINE },
	{ "RT throttling activated", "sched: RT throttling activated", "rt-throttling", "", 0,
	  KR_STARVE_LINE },
	{ "DL replenish lagged", "sched: DL replenish lagged too much", "dl-replenish-lagged", "", 0,
	  KR_STARVE_LINE },
	/* The kernel's limit is 1 ms; under TCG an NMI backtrace handler takes
	 * 3-17 ms whether or not the vCPU was starved (measured on Debian 6.1,
	 * tests/data/crash-logs/run-rcu-stall-irqoff.log): only a handler that took
	 * a second had its vCPU stopped under it. */
	{ "took too long to run", "INFO: NMI handler \\(\\S+\\) took too long to run: ([0-9.]+) msecs",
	  "nmi-handler-slow", "ms", 1000, KR_STARVE_LINE },
	/* An RCU stall report whose grace-period kthread made fewer than one
	 * force-quiescent-state pass per 100 jiffies of the grace period: the
	 * CPU line's fqs= (passes in this grace period) held for the t= line
	 * after it. A running kthread makes one every 1-4 jiffies (measured
	 * under TCG: fqs=567 at t=1250, fqs=513 at t=1252); after the whole
	 * VM was stopped it made 0-2 in 3000-5000 jiffies, sometimes just
	 * before the report, too late for "kthread starved" (over 2 s idle)
	 * (tests/data/crash-logs/run-stopped-vm*.log). */
	{ "fqs=",
	  "^(?:rcu: )?\\s*\\d+-\\S+: \\([^)]*\\) idle=\\S+ softirq=\\d+/\\d+ fqs=(\\d+)",
	  "rcu-fqs-starved", "", 0, KR_STARVE_HOLD },
	{ " jiffies", "^\\s*\\((?:detected by \\d+, )?t=(\\d+) jiffies", "rcu-fqs-starved",
	  "jiffies per pass", 100, KR_STARVE_PER },
	/* A CPU that reports its own stall ("self-detected", whose t= line has
	 * no "detected by") with fewer than one timer tick per 100 jiffies of
	 * the grace period: it is taking one now, so it was not running (or
	 * had interrupts off, but then another CPU would have reported it
	 * first). Measured: 1168-1246 ticks at t=1250 and 298 at t=752 when
	 * genuine, 1-2 at t=3000-5004 after the whole VM was stopped. "(N GPs
	 * behind)" instead of ticks tells nothing. */
	{ "ticks this GP", "^(?:rcu: )?\\s*\\d+-\\S+: \\((\\d+) ticks this GP\\)",
	  "rcu-ticks-starved", "", 0, KR_STARVE_HOLD },
	{ " jiffies", "^\\s*\\(t=(\\d+) jiffies", "rcu-ticks-starved", "jiffies per tick", 100,
	  KR_STARVE_PER },
	{ "interrupt took too long", "perf: interrupt took too long \\((\\d+) > \\d+\\)",
	  "perf-interrupt-slow", "ns", 0, KR_STARVE_LINE },
};

const size_t kr_n_starve_rules = KR_ARRAY_SIZE(kr_starve_rules);

const char kr_report_end_lines[] =
	"^(?:---\\[ end trace|---\\[ end Kernel panic|Rebooting in \\d+ seconds|Kernel Offset: |"
	"={20,}\\s*$)";

const char kr_boot_marker[] = "Linux version ";

const char kr_foreign_dump_lines[] =
	"FAULT_INJECTION: forcing a failure|page allocation failure: order|"
	"vmalloc: allocation failure";

const char kr_foreign_dump_frames[] = "should_fail\\w*|__should_fail\\w*";

const struct kr_suppression kr_suppressions[] = {
	/* init itself crashed (sysvinit's message) and the kernel panicked
	 * because init died */
	{ "INIT: PANIC: ", "^INIT: PANIC: " },
};

const size_t kr_n_suppressions = KR_ARRAY_SIZE(kr_suppressions);
