/* SPDX-License-Identifier: MIT */
/* Fuzz target for the dashboard's bug answers (syzbot.h): the input is the
 * JSON of a bug. A bad answer gives one message, a good one a bug whose
 * best crash index is in range. */
#include <stdint.h>
#include <stdlib.h>

#include "syzbot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_syzbot_bug *b = NULL;
	char *err = NULL;
	int r = kr_syzbot_parse("https://syzkaller.appspot.com/bug?json=1", (const char *)data,
				size, &b, &err);
	if ((r == 0) != (b != NULL) || (r < 0 && !err))
		abort();
	if (b) {
		int best = kr_syzbot_best_crash(b);
		if (best < -1)
			abort();
		free(kr_syzbot_status_line(b));
	}
	kr_syzbot_bug_free(b);
	free(err);
	return 0;
}
