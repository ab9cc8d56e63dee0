/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the modules that read JSON with jansson (the
 * scenario loader, the repro.syz options line, the syzbot dashboard's
 * answers), so that their messages read alike. */
#pragma once

#include <jansson.h>

/* "a string", "an integer", "a boolean", ... for "expected X, got Y". */
const char *kr_json_type_name(const json_t *v);

/* Calls unknown(userdata, key, closest) for every key of obj that is not
 * in allowed (NULL-terminated) and does not start with "x-" (keys for the
 * user's own notes); closest is the allowed key within edit distance 2
 * ("did you mean"), or NULL. */
void kr_json_check_keys(json_t *obj, const char *const *allowed,
			void (*unknown)(void *userdata, const char *key, const char *closest),
			void *userdata);
