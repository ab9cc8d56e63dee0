/* SPDX-License-Identifier: MIT */
/* Where each value of a JSON document starts (line and column), keyed by its
 * field path ("kernel.image", "repro.files[\"a b\"]", "vm.args[2]").
 *
 * jansson reports positions for syntax errors only, not for the values of a
 * document it accepted. This index is built from the same text after jansson
 * parsed it, so that a wrong type or an unknown key can be reported at its
 * FILE:LINE:COL. Lines and columns are 1-based; columns count characters,
 * as jansson's do. */
#pragma once

#include <stddef.h>

struct kr_json_pos {
	int line;
	int column;
};

struct kr_json_pos_index;

/* Indexes text (which must be valid JSON). Never fails on valid input; on
 * anything else it indexes what it could. */
struct kr_json_pos_index *kr_json_pos_index_new(const char *text, size_t len);
void kr_json_pos_index_free(struct kr_json_pos_index *idx);

/* Position of the value at path ("" for the document); 1:1 when the path
 * is not in the document. */
struct kr_json_pos kr_json_pos_value(const struct kr_json_pos_index *idx, const char *path);
/* Position of the key that names the value at path (the value's position
 * for array elements and the document). */
struct kr_json_pos kr_json_pos_key(const struct kr_json_pos_index *idx, const char *path);

/* Field paths: appends .key (or ["key"] when key is not a plain
 * identifier) or [index]. Returns a new string. */
char *kr_json_path_key(const char *parent, const char *key);
char *kr_json_path_index(const char *parent, size_t index);
