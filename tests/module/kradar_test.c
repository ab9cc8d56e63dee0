// SPDX-License-Identifier: GPL-2.0
/*
 * kradar_test: a kernel module that causes real kernel problems on request,
 * so that kradar's console classifier and QEMU runner can be tested against
 * the genuine output of a distribution kernel.
 *
 * Writing an action name to /proc/kradar_test triggers it; reading the file
 * lists the actions. Each action runs in its own noinline function with a
 * distinctive name, so the stack traces and titles name it. See README.md in
 * this directory for the detector settings each action needs.
 *
 * Before an action the module prints "kradar_test: action NAME start"; when
 * the action returns (warn, deadlock-fixed, rcu-stall and softlockup after
 * their spin, sleep-atomic) it prints "kradar_test: action NAME done".
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nmi.h>
#include <linux/preempt.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static unsigned int spin_seconds = 30;
module_param(spin_seconds, uint, 0644);
MODULE_PARM_DESC(spin_seconds,
		 "how long rcu-stall, rcu-stall-irqoff and softlockup spin (seconds, default 30)");

/* Read through READ_ONCE so the compiler cannot see the NULL. */
static struct kradar_test_obj {
	long pad;
	long value;
} *kradar_test_null_obj;

static int kradar_test_warn_cond = 1;
static DEFINE_SPINLOCK(kradar_test_atomic_lock);
static DECLARE_COMPLETION(kradar_test_never);

static noinline int kradar_test_warn(void)
{
	WARN_ON(READ_ONCE(kradar_test_warn_cond));
	return 0;
}

static noinline int kradar_test_bug(void)
{
	if (READ_ONCE(kradar_test_warn_cond))
		BUG();
	return 0;
}

static noinline int kradar_test_null_deref(void)
{
	struct kradar_test_obj *obj = READ_ONCE(kradar_test_null_obj);

	WRITE_ONCE(obj->value, 1);
	return 0;
}

/*
 * The deadlock: two kthreads share two mutexes. Worker A takes lock_a, then
 * lock_b. Worker B, in the buggy order, takes lock_b, then lock_a, and the
 * completions force the fatal interleaving (each holds its first lock before
 * either asks for its second), so both block forever in mutex_lock and the
 * hung task detector reports them. In the fixed order B takes lock_a then
 * lock_b like A; A waits at most a second for B to hold a lock, so both
 * finish. The writer waits for both killably (TASK_KILLABLE is not reported
 * as hung), so only the two workers show up in hung-task reports.
 */
struct kradar_test_dl {
	struct mutex lock_a, lock_b;
	struct completion a_holds_first, b_holds_first;
	struct completion a_done, b_done;
	bool fixed;
	refcount_t users; /* the writer and each worker that has not ended */
};

static void kradar_test_dl_put(struct kradar_test_dl *dl)
{
	if (refcount_dec_and_test(&dl->users))
		kfree(dl);
}

static noinline int kradar_test_deadlock_worker_a(void *arg)
{
	struct kradar_test_dl *dl = arg;

	mutex_lock(&dl->lock_a);
	complete(&dl->a_holds_first);
	wait_for_completion_timeout(&dl->b_holds_first, HZ);
	mutex_lock(&dl->lock_b);
	pr_info("kradar_test: deadlock worker a holds both locks\n");
	mutex_unlock(&dl->lock_b);
	mutex_unlock(&dl->lock_a);
	complete(&dl->a_done);
	kradar_test_dl_put(dl);
	module_put_and_kthread_exit(0);
}

static noinline int kradar_test_deadlock_worker_b(void *arg)
{
	struct kradar_test_dl *dl = arg;
	struct mutex *first = dl->fixed ? &dl->lock_a : &dl->lock_b;
	struct mutex *second = dl->fixed ? &dl->lock_b : &dl->lock_a;

	wait_for_completion(&dl->a_holds_first);
	mutex_lock(first);
	complete(&dl->b_holds_first);
	mutex_lock(second);
	pr_info("kradar_test: deadlock worker b holds both locks\n");
	mutex_unlock(second);
	mutex_unlock(first);
	complete(&dl->b_done);
	kradar_test_dl_put(dl);
	module_put_and_kthread_exit(0);
}

static noinline int kradar_test_deadlock_run(bool fixed)
{
	struct kradar_test_dl *dl;
	struct task_struct *a, *b;
	int ret;

	dl = kzalloc(sizeof(*dl), GFP_KERNEL);
	if (!dl)
		return -ENOMEM;
	mutex_init(&dl->lock_a);
	mutex_init(&dl->lock_b);
	init_completion(&dl->a_holds_first);
	init_completion(&dl->b_holds_first);
	init_completion(&dl->a_done);
	init_completion(&dl->b_done);
	dl->fixed = fixed;
	refcount_set(&dl->users, 3);

	a = kthread_create(kradar_test_deadlock_worker_a, dl, "kradar_dl_a");
	if (IS_ERR(a)) {
		kfree(dl);
		return PTR_ERR(a);
	}
	b = kthread_create(kradar_test_deadlock_worker_b, dl, "kradar_dl_b");
	if (IS_ERR(b)) {
		/* a never ran: stopping it drops its reference for it */
		kthread_stop(a);
		kfree(dl);
		return PTR_ERR(b);
	}
	__module_get(THIS_MODULE);
	__module_get(THIS_MODULE);
	wake_up_process(a);
	wake_up_process(b);

	ret = wait_for_completion_killable(&dl->a_done);
	if (!ret)
		ret = wait_for_completion_killable(&dl->b_done);
	kradar_test_dl_put(dl);
	return ret;
}

/*
 * Built with KRADAR_TEST_FIXED_DEADLOCK defined (KCFLAGS=-DKRADAR_TEST_FIXED_DEADLOCK;
 * ci/prepare-debian-kernel.sh builds this kradar_test_fixed variant), the
 * module carries the fix: `deadlock` takes the locks in order, as
 * `deadlock-fixed` always does. The same reproducer then runs on a bad and
 * a fixed build of the code, which is what `kradar verify-fix` tells apart.
 */
#ifdef KRADAR_TEST_FIXED_DEADLOCK
#define KRADAR_TEST_DEADLOCK_FIXED true
#else
#define KRADAR_TEST_DEADLOCK_FIXED false
#endif

static noinline int kradar_test_deadlock(void)
{
	return kradar_test_deadlock_run(KRADAR_TEST_DEADLOCK_FIXED);
}

static noinline int kradar_test_deadlock_fixed(void)
{
	return kradar_test_deadlock_run(true);
}

/*
 * The stalls spin in a kthread of their own, as a stuck kernel thread
 * would: the stack under the spinning function is then kthread and
 * ret_from_fork, and syzkaller's stall rules (which name the frame above
 * the first dispatch frame such as kthread or vfs_write) name the spinning
 * function rather than proc_reg_write. The writer waits for the spinner
 * killably, so it is not itself reported as hung.
 */
struct kradar_test_spin {
	struct completion spinning, done;
	refcount_t users; /* the writer and the spinner while it runs */
};

static void kradar_test_spin_put(struct kradar_test_spin *spin)
{
	if (refcount_dec_and_test(&spin->users))
		kfree(spin);
}

/* Spins in an RCU read-side critical section with preemption disabled. */
static noinline int kradar_test_stall_spin(void *arg)
{
	struct kradar_test_spin *spin = arg;
	unsigned long end = jiffies + spin_seconds * HZ;
	unsigned long last = 0;

	rcu_read_lock();
	preempt_disable();
	complete(&spin->spinning);
	while (time_before(jiffies, end)) {
		/* keep the soft lockup detector quiet: the RCU report is wanted */
		if (READ_ONCE(jiffies) != last) {
			last = READ_ONCE(jiffies);
			touch_softlockup_watchdog();
		}
		cpu_relax();
	}
	preempt_enable();
	rcu_read_unlock();
	complete(&spin->done);
	kradar_test_spin_put(spin);
	module_put_and_kthread_exit(0);
}

/* Spins with preemption disabled, so the CPU's watchdog thread cannot run. */
static noinline int kradar_test_softlockup_spin(void *arg)
{
	struct kradar_test_spin *spin = arg;
	unsigned long end = jiffies + spin_seconds * HZ;

	preempt_disable();
	complete(&spin->spinning);
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
	complete(&spin->done);
	kradar_test_spin_put(spin);
	module_put_and_kthread_exit(0);
}

/*
 * Spins with interrupts disabled, timed by ktime (this CPU's jiffies may
 * not advance meanwhile). The CPU takes no timer tick, so it neither
 * reports quiescent states nor detects its own stall: another CPU reports
 * it and asks it for a backtrace by NMI, which it answers at once (NMIs
 * are not masked). The control for a vCPU that does not run at all. It
 * spins on the writer's CPU: with RCU's grace-period kthread pinned there
 * too, its timer cannot fire and the kernel reports the kthread starved,
 * genuinely.
 */
static noinline int kradar_test_irqoff_spin(void *arg)
{
	struct kradar_test_spin *spin = arg;
	u64 end = ktime_get_ns() + (u64)spin_seconds * NSEC_PER_SEC;
	unsigned long flags;

	local_irq_save(flags);
	complete(&spin->spinning);
	while (ktime_get_ns() < end)
		cpu_relax();
	local_irq_restore(flags);
	complete(&spin->done);
	kradar_test_spin_put(spin);
	module_put_and_kthread_exit(0);
}

static struct rcu_head kradar_test_rcu_head;
static atomic_t kradar_test_rcu_pending = ATOMIC_INIT(0);

static void kradar_test_rcu_cb(struct rcu_head *head)
{
	atomic_set(&kradar_test_rcu_pending, 0);
}

/*
 * rcu_get_gp_seq() is exported for RCU's own tests and declared in
 * kernel/rcu/rcu.h only; the low two bits of its value (RCU_SEQ_STATE_MASK
 * there) are nonzero while a grace period is in progress.
 */
unsigned long rcu_get_gp_seq(void);

/*
 * Asks for a grace period and waits (at most 2 s) until RCU has started
 * one. For a spin on the writer's own CPU: once it spins, the writer cannot
 * ask, and when RCU's kthread is pinned to that CPU too nothing can start a
 * grace period, so no stall would ever be seen unless one was already in
 * progress (after insmod one often is; on an idle guest often not).
 */
static void kradar_test_start_gp(void)
{
	unsigned long deadline = jiffies + 2 * HZ;

	if (!atomic_xchg(&kradar_test_rcu_pending, 1))
		call_rcu(&kradar_test_rcu_head, kradar_test_rcu_cb);
	while (!(rcu_get_gp_seq() & 0x3) && time_before(jiffies, deadline))
		schedule_timeout_uninterruptible(1);
}

/* Runs fn in a kthread named name and waits for it; need_gp: with a grace
 * period waiting; here: on the writer's CPU (taskset the writer to choose). */
static noinline int kradar_test_spin_run(int (*fn)(void *), const char *name,
					 bool need_gp, bool here)
{
	struct kradar_test_spin *spin;
	struct task_struct *t;
	int ret;

	spin = kzalloc(sizeof(*spin), GFP_KERNEL);
	if (!spin)
		return -ENOMEM;
	init_completion(&spin->spinning);
	init_completion(&spin->done);
	refcount_set(&spin->users, 2);
	t = kthread_create(fn, spin, "%s", name);
	if (IS_ERR(t)) {
		kfree(spin);
		return PTR_ERR(t);
	}
	if (here)
		kthread_bind(t, raw_smp_processor_id());
	if (need_gp && here)
		kradar_test_start_gp();
	__module_get(THIS_MODULE);
	wake_up_process(t);

	ret = wait_for_completion_killable(&spin->spinning);
	/*
	 * An idle system may have no grace period in progress, and a stall is
	 * only reported while one is: ask for one.
	 */
	if (!ret && need_gp && !atomic_xchg(&kradar_test_rcu_pending, 1))
		call_rcu(&kradar_test_rcu_head, kradar_test_rcu_cb);
	if (!ret)
		ret = wait_for_completion_killable(&spin->done);
	kradar_test_spin_put(spin);
	return ret;
}

static noinline int kradar_test_rcu_stall(void)
{
	return kradar_test_spin_run(kradar_test_stall_spin, "kradar_rcu_stall", true, false);
}

static noinline int kradar_test_softlockup(void)
{
	return kradar_test_spin_run(kradar_test_softlockup_spin, "kradar_softlockup", false, false);
}

static noinline int kradar_test_rcu_stall_irqoff(void)
{
	return kradar_test_spin_run(kradar_test_irqoff_spin, "kradar_irqoff", true, true);
}

/*
 * Sleeps under a spinlock. CONFIG_DEBUG_ATOMIC_SLEEP is off in Debian's
 * kernel, so the scheduler reports "BUG: scheduling while atomic". The sleep
 * is schedule_timeout_uninterruptible() (what msleep() does inside) called
 * from here: syzkaller's title rule skips the scheduler frames, so with
 * msleep() the title would name msleep instead of this function.
 */
static noinline int kradar_test_sleep_atomic(void)
{
	spin_lock(&kradar_test_atomic_lock);
	schedule_timeout_uninterruptible(msecs_to_jiffies(20));
	spin_unlock(&kradar_test_atomic_lock);
	return 0;
}

static noinline int kradar_test_hang(void)
{
	wait_for_completion(&kradar_test_never);
	return 0;
}

static noinline int kradar_test_panic(void)
{
	panic("kradar_test: panic requested");
}


static const struct kradar_test_action {
	const char *name;
	int (*run)(void);
} kradar_test_actions[] = {
	{ "warn", kradar_test_warn },
	{ "bug", kradar_test_bug },
	{ "null", kradar_test_null_deref },
	{ "deadlock", kradar_test_deadlock },
	{ "deadlock-fixed", kradar_test_deadlock_fixed },
	{ "rcu-stall", kradar_test_rcu_stall },
	{ "softlockup", kradar_test_softlockup },
	{ "rcu-stall-irqoff", kradar_test_rcu_stall_irqoff },
	{ "sleep-atomic", kradar_test_sleep_atomic },
	{ "hang", kradar_test_hang },
	{ "panic", kradar_test_panic },
};

static ssize_t kradar_test_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[32];
	size_t len = min(count, sizeof(buf) - 1);
	const char *name;
	size_t i;
	int ret;

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	name = strim(buf);

	for (i = 0; i < ARRAY_SIZE(kradar_test_actions); i++) {
		const struct kradar_test_action *act = &kradar_test_actions[i];

		if (strcmp(name, act->name))
			continue;
		pr_info("kradar_test: action %s start\n", act->name);
		ret = act->run();
		if (ret)
			return ret;
		pr_info("kradar_test: action %s done\n", act->name);
		return count;
	}
	return -EINVAL;
}

static int kradar_test_show(struct seq_file *m, void *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kradar_test_actions); i++)
		seq_printf(m, "%s\n", kradar_test_actions[i].name);
	return 0;
}

static int kradar_test_open(struct inode *inode, struct file *file)
{
	return single_open(file, kradar_test_show, NULL);
}

static const struct proc_ops kradar_test_proc_ops = {
	.proc_open = kradar_test_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = kradar_test_write,
};

static int __init kradar_test_init(void)
{
	if (!proc_create("kradar_test", 0600, NULL, &kradar_test_proc_ops))
		return -ENOMEM;
	pr_info("kradar_test: loaded, write an action to /proc/kradar_test%s\n",
		KRADAR_TEST_DEADLOCK_FIXED ? " (deadlock fixed)" : "");
	return 0;
}

static void __exit kradar_test_exit(void)
{
	remove_proc_entry("kradar_test", NULL);
	rcu_barrier(); /* kradar_test_rcu_cb may still be queued */
}

module_init(kradar_test_init);
module_exit(kradar_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Triggers real kernel problems for kradar's tests");
