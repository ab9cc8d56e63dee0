/* SPDX-License-Identifier: MIT */
/* What the two halves of the DWARF reader share: the reader's and a unit's
 * state, and a cursor over section bytes. dwarf-lines.c reads line tables,
 * dwarf-scopes.c walks a unit's DIEs for the scopes around an address. */
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "dwarf-lines.h"

/* A unit's rows are sorted, and its top-level scopes listed, when it is
 * asked about this many times: a report has a few frames in most units
 * it touches, and the index costs a few runs of the program or walks. */
#define INDEX_AFTER 4

/* A file of a line table: its path is made on first use. */
struct unit_file {
	const char *dir; /* NULL: the name is the path */
	const char *name;
	char *path;
};

/* An attribute of an abbreviation: its size when the form gives it. */
struct attr_spec {
	uint32_t attr;
	uint16_t form;
	int16_t size; /* bytes; -1: read the value to know */
};

/* An abbreviation of a unit's DIEs. */
struct abbrev {
	unsigned tag;
	bool children;
	bool end;          /* the code 0 that ends a list of children */
	uint32_t first, n; /* its attributes in the unit's specs */
	int32_t fixed;     /* their size when all are fixed and none is the sibling, else -1 */
};

/* A row of a line table, for units asked about more than once. */
struct line_row {
	uint64_t addr;
	int64_t line;
	uint32_t file;
	uint32_t seq; /* its place in the program */
	bool end;     /* an end of sequence */
};

struct top_scope;

/* The sections the units need, from the ELF libdw reads (its
 * decompressed, relocated data), and the units asked about so far. */
struct kr_dwarf_lines {
	Elf_Data *line_sec, *line_str_sec, *str_sec, *abbrev_sec;
	struct unit_ref {
		Dwarf_Off cu_off;
		struct kr_dwarf_unit *unit;
	} *units;
	size_t n_units;
};

/* One compilation unit's line table (DWARF 2-5 .debug_line), read here
 * instead of with dwarf_getsrclines: that decodes a unit's whole table
 * into sorted rows and builds every file's full path, about half a
 * millisecond per unit of a kernel, and a report's frames are mostly each
 * in a unit of its own. Here the header is read once (its file paths made
 * as libdw makes them) and each address runs the program without keeping
 * rows. Anything unusual (DW_LNE_define_file, a form not listed, VLIW
 * op_index) leaves the unit to libdw. */
struct kr_dwarf_unit {
	const struct kr_dwarf_lines *dl;
	Dwarf_Die cudie;
	bool usable;
	const unsigned char *prog, *end;
	uint8_t address_size, min_inst_len, default_is_stmt, line_range, opcode_base;
	int8_t line_base;
	const unsigned char *opcode_lengths; /* [opcode - 1] */
	/* what each special opcode adds to the line and the address (no
	 * division per row) */
	int16_t special_line[256];
	uint16_t special_addr[256];
	/* Once the unit was asked about INDEX_AFTER addresses, the rows
	 * sorted as libdw sorts them (address, an end of sequence first,
	 * program order): a binary search instead of a run of the program
	 * per address. */
	unsigned line_lookups;
	struct line_row *rows;
	size_t n_rows;
	/* Once it was walked INDEX_AFTER times, the top-level scopes in
	 * order (kr_dwarf_unit_scopes); tops_read: tried */
	unsigned walks;
	bool tops_read, tops_ok;
	struct top_scope *tops;
	size_t n_tops;
	struct unit_file *files; /* index as in the program */
	size_t n_files, files_alloc;
	/* Its DIEs, walked here to find the scopes around an address
	 * (kr_dwarf_unit_scopes); abbrevs by code; walkable: read so far */
	bool abbrevs_read, walkable;
	const unsigned char *cu_start, *cu_end;
	uint8_t version, offset_size, cu_address_size;
	struct abbrev *abbrevs;
	size_t n_abbrevs;
	struct attr_spec *specs;
	size_t n_specs;
};

/* A cursor over bytes that reads as far as its end and then fails. */
struct bytes {
	const unsigned char *p, *end;
	bool bad;
};

static inline uint64_t read_fixed(struct bytes *b, size_t n)
{
	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = true;
		return 0;
	}
	/* little-endian data on a little-endian host (find_line_sections) */
	uint64_t v = 0;
	if (n == 1 || n == 2 || n == 4 || n == 8)
		memcpy(&v, b->p, n);
	else
		for (size_t i = 0; i < n; i++)
			v |= (uint64_t)b->p[i] << (8 * i);
	b->p += n;
	return v;
}

static inline uint64_t read_uleb(struct bytes *b)
{
	uint64_t v = 0;
	for (unsigned shift = 0; !b->bad; shift += 7) {
		if (b->p >= b->end || shift > 63) {
			b->bad = true;
			break;
		}
		unsigned char c = *b->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
	}
	return v;
}

static inline int64_t read_sleb(struct bytes *b)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned char c = 0;
	do {
		if (b->bad || b->p >= b->end || shift > 63) {
			b->bad = true;
			return 0;
		}
		c = *b->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (shift < 64 && (c & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static inline const char *read_cstr(struct bytes *b)
{
	const unsigned char *nul = b->bad ? NULL : memchr(b->p, 0, (size_t)(b->end - b->p));
	if (!nul) {
		b->bad = true;
		return NULL;
	}
	const char *str = (const char *)b->p;
	b->p = nul + 1;
	return str;
}
