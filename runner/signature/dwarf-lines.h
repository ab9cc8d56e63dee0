/* SPDX-License-Identifier: MIT */
/* The symbolizer's own DWARF reader: a compilation unit's line table
 * (DWARF 2-5 .debug_line) and the scopes around an address (a walk over
 * its DIEs in .debug_info with its .debug_abbrev), read straight from the
 * sections of the ELF libdw has open. libdw does both too, but slowly on a
 * kernel's thousands of units: dwarf_getsrclines decodes and sorts a
 * unit's whole table and builds every file's path (some half a millisecond
 * a unit), and stepping over the types and declarations before a function
 * costs some 80 ns a DIE.
 *
 * The answers are libdw's (dwfl_module_getsrc's row, dwarf_filesrc's path,
 * the scopes a dwarf_child/dwarf_siblingof/dwarf_haspc walk finds). What
 * this reader does not follow (DW_LNE_define_file, VLIW op_index, a form
 * or abbreviation not known here, a big-endian file) is -EOPNOTSUPP: the
 * caller asks libdw. elfutils is used here and by symbolize.c, this
 * reader's only user.
 *
 * A unit is read on first use and kept; a unit asked about often gets its
 * rows sorted and its top-level scopes listed once. The strings handed
 * out live as long as the reader, which must not outlive the Elf (nor the
 * Dwarf its units' DIEs come from). */
#pragma once

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* One ELF's sections and the units asked about so far. */
struct kr_dwarf_lines;
/* One compilation unit of it, kept for the reader's life. */
struct kr_dwarf_unit;

/* A reader of elf's units (the Elf of dwarf_getelf: libdw's decompressed,
 * relocated sections); NULL when elf has no .debug_line or is not
 * little-endian on a little-endian host (libdw is asked for all of it). */
struct kr_dwarf_lines *kr_dwarf_lines_new(Elf *elf);
void kr_dwarf_lines_free(struct kr_dwarf_lines *dl);
KR_DEFINE_CLEANUP(struct kr_dwarf_lines, kr_dwarf_lines_free)
#define _cleanup_dwarf_lines_free_ _cleanup_(kr_dwarf_lines_freep)

/* The unit of cudie (a compilation unit's DIE of elf's Dwarf); its line
 * table header is read on the first call for it. */
struct kr_dwarf_unit *kr_dwarf_lines_unit(struct kr_dwarf_lines *dl, Dwarf_Die *cudie);

/* The file and line of pc (an address of the Dwarf, without a Dwfl's
 * bias), as dwfl_module_getsrc gives them: 1 and *file, *line; 0 when no
 * row holds pc (or its file is not in the table); -EOPNOTSUPP when the
 * table is not one read here. */
int kr_dwarf_unit_line(struct kr_dwarf_unit *u, Dwarf_Addr pc, const char **file, int *line);

/* The path of the table's file index (a DW_AT_call_file) as dwarf_filesrc
 * gives it, or NULL: past the end, or a table not read here. */
const char *kr_dwarf_unit_file(struct kr_dwarf_unit *u, uint64_t index);

/* The scopes (subprograms, inlined calls, lexical blocks) whose ranges
 * hold pc, outermost first: 0 and *chain (free it; NULL when *n is 0),
 * or -EOPNOTSUPP when the unit is not one walked here (*chain NULL). */
int kr_dwarf_unit_scopes(struct kr_dwarf_unit *u, Dwarf_Addr pc, Dwarf_Die **chain, size_t *n);
