/* SPDX-License-Identifier: MIT */
/* Fuzz target for the reader of programs' JSON messages (json-query.h),
 * as the QMP client (guest/qmp.c) reads QEMU's lines: a document is an
 * error with a message or a message whose fields can be asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_json_msg *m = NULL;
	char *err = NULL;
	int r = kr_json_msg_parse((const char *)data, size, &m, &err);
	if ((r == 0) != (m != NULL) || (r < 0 && !err))
		abort();
	static const char *const paths[] = { "", "event", "data.status", "error.desc",
					     "return", "QMP.version.qemu", "data..x", "." };
	for (size_t i = 0; m && i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *s = kr_json_msg_string(m, paths[i]);
		if (s && !kr_json_msg_has(m, paths[i]))
			abort();
		if (s)
			(void)strlen(s);
	}
	kr_json_msg_free(m);
	free(err);
	return 0;
}
