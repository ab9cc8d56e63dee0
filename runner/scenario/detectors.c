/* SPDX-License-Identifier: MIT */
#include "detectors.h"

#include <string.h>

static const struct {
	const char *name;
	const char *guest_path;
	long value;
} defaults[KR_DETECTORS] = {
	[KR_DETECTOR_HUNG_TIMEOUT] = { "kernel.hung_task_timeout_secs",
				       "/proc/sys/kernel/hung_task_timeout_secs",
				       KR_HUNG_TASK_TIMEOUT_S },
	[KR_DETECTOR_HUNG_INTERVAL] = { "kernel.hung_task_check_interval_secs",
					"/proc/sys/kernel/hung_task_check_interval_secs",
					KR_HUNG_TASK_INTERVAL_S },
	[KR_DETECTOR_RCU_STALL] = { "rcupdate.rcu_cpu_stall_timeout",
				    "/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout",
				    KR_RCU_STALL_TIMEOUT_S },
};

/* "kernel.x" and "kernel/x" name the same sysctl. */
static bool same_sysctl(const char *key, const char *name)
{
	for (; *key && *name; key++, name++)
		if (*key != *name && !(*key == '/' && *name == '.'))
			return false;
	return !*key && !*name;
}

static void set_value(struct kr_detector *d, const char *text)
{
	long v;
	d->from_scenario = true;
	if (kr_parse_long(text, &v) == 0 && v >= 0)
		d->value = v;
}

void kr_detectors_get(const struct kr_scenario *s, struct kr_detector d[KR_DETECTORS])
{
	for (size_t i = 0; i < KR_DETECTORS; i++)
		d[i] = (struct kr_detector){ defaults[i].name, defaults[i].guest_path,
					     defaults[i].value, false };
	for (size_t k = 0; k < s->n_sysctl; k++)
		for (size_t i = 0; i < KR_DETECTOR_RCU_STALL; i++)
			if (same_sysctl(s->sysctl[k].key, d[i].name))
				set_value(&d[i], s->sysctl[k].s);
	/* The kernel takes the last of repeated arguments. */
	const char *arg = "rcupdate.rcu_cpu_stall_timeout=";
	for (const char *p = s->vm.cmdline; p && (p = strstr(p, arg)); p += strlen(arg)) {
		if (p != s->vm.cmdline && p[-1] != ' ')
			continue;
		_cleanup_free_ char *v = kr_strndup(p + strlen(arg), strcspn(p + strlen(arg), " "));
		set_value(&d[KR_DETECTOR_RCU_STALL], v);
	}
}

double kr_detectors_settle(const struct kr_scenario *s)
{
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(s, d);
	long timeout = d[KR_DETECTOR_HUNG_TIMEOUT].value;
	long interval = d[KR_DETECTOR_HUNG_INTERVAL].value;
	if (interval == 0 || interval > timeout)
		interval = timeout;
	long hung = timeout + interval;
	long rcu = d[KR_DETECTOR_RCU_STALL].value;
	rcu = rcu < 3 ? 3 : rcu > 300 ? 300 : rcu;
	return (double)(hung > rcu ? hung : rcu) + KR_SETTLE_MARGIN_S;
}

char **kr_detectors_summary(const struct kr_scenario *s)
{
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(s, d);
	char **v = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; i < KR_DETECTORS; i++)
		kr_strv_pushf(&v, "%s=%ld (%s)", d[i].name, d[i].value,
			      d[i].from_scenario ? "scenario" : "kradar");
	return v;
}

char *kr_detectors_describe(const struct kr_scenario *s, double settle)
{
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(s, d);
	struct kr_buf b = KR_BUF_INIT(1 << 16);
	kr_buf_adds(&b, "# The guest's detectors that report after the reproducer ends\n");
	for (size_t i = 0; i < KR_DETECTORS; i++) {
		if (d[i].from_scenario)
			kr_buf_printf(&b, "%s = %ld (set by the scenario)\n", d[i].name, d[i].value);
		else
			kr_buf_printf(&b, "%s = %ld (set by kradar: %s)\n", d[i].name, d[i].value,
				      d[i].guest_path);
	}
	kr_buf_adds(&b, "kmemleak: when the kernel has it, scanned twice once the reproducer "
			"ends (after 5 s, its minimum object age), before the end marker; "
			"its report printed on the console as \"BUG: memory leak\"\n");
	kr_buf_printf(&b, "settle = %g s (%s; the detectors need %g s)\n", settle,
		      s->timeouts.settle < 0 ? "the default" : "timeouts.settle",
		      kr_detectors_settle(s));
	return kr_buf_steal(&b);
}
