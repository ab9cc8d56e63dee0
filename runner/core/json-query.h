/* SPDX-License-Identifier: MIT */
/* Reading fields of small JSON messages from programs (QEMU's QMP) without
 * handing jansson's types to anyone: a message is parsed once, then asked
 * for the values at dotted paths of object keys ("event", "data.status",
 * "error.desc"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kr_json_msg;

/* Parses one JSON document (text of len bytes). 0, or -EINVAL with *err
 * saying why (jansson's message, with its column). */
int kr_json_msg_parse(const char *text, size_t len, struct kr_json_msg **out, char **err);

/* Whether the document has a value (of any type, null too) at path. */
bool kr_json_msg_has(const struct kr_json_msg *m, const char *path);
/* The string at path; NULL when there is none or it is not a string.
 * Owned by m. */
const char *kr_json_msg_string(const struct kr_json_msg *m, const char *path);

void kr_json_msg_free(struct kr_json_msg *m);
KR_DEFINE_CLEANUP(struct kr_json_msg, kr_json_msg_free)
#define _cleanup_json_msg_free_ _cleanup_(kr_json_msg_freep)
