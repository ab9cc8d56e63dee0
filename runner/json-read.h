/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the modules that read JSON with jansson (the
 * scenario loader, the repro.syz options line, the syzbot dashboard's
 * answers), so that their messages read alike. */
#pragma once

#include <jansson.h>

/* "a string", "an integer", "a boolean", ... for "expected X, got Y". */
const char *kr_json_type_name(const json_t *v);
