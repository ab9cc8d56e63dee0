/* SPDX-License-Identifier: MIT */
/* A compilation unit's line table and the scopes around an address, read
 * from the DWARF sections (see dwarf-lines.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <string.h>

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

/* Only a little-endian file on a little-endian host is read here. */
struct kr_dwarf_lines *kr_dwarf_lines_new(Elf *elf)
{
	size_t shstrndx;
	const char *ident = elf ? elf_getident(elf, NULL) : NULL;
	if (!ident || ident[EI_DATA] != ELFDATA2LSB || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	struct kr_dwarf_lines *dl = kr_calloc(1, sizeof(*dl));
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr shdr;
		const char *name;
		if (!gelf_getshdr(scn, &shdr) || !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
			continue;
		Elf_Data **to = !strcmp(name, ".debug_line")	 ? &dl->line_sec
				: !strcmp(name, ".debug_line_str") ? &dl->line_str_sec
				: !strcmp(name, ".debug_str")	    ? &dl->str_sec
				: !strcmp(name, ".debug_abbrev")   ? &dl->abbrev_sec
								    : NULL;
		if (to)
			*to = elf_getdata(scn, NULL);
	}
	if (!dl->line_sec) {
		free(dl);
		return NULL;
	}
	return dl;
}

void kr_dwarf_lines_free(struct kr_dwarf_lines *dl)
{
	if (!dl)
		return;
	for (size_t i = 0; i < dl->n_units; i++) {
		struct kr_dwarf_unit *u = dl->units[i].unit;
		for (size_t j = 0; j < u->n_files; j++)
			free(u->files[j].path);
		free(u->files);
		free(u->abbrevs);
		free(u->specs);
		free(u->rows);
		free(u->tops);
		free(u);
	}
	free(dl->units);
	free(dl);
}

/* A cursor over bytes that reads as far as its end and then fails. */
struct bytes {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t read_fixed(struct bytes *b, size_t n)
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

static uint64_t read_uleb(struct bytes *b)
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

static int64_t read_sleb(struct bytes *b)
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

static const char *read_cstr(struct bytes *b)
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

static const char *section_str(const Elf_Data *sec, uint64_t off)
{
	if (!sec || !sec->d_buf || off >= sec->d_size ||
	    !memchr((const char *)sec->d_buf + off, 0, sec->d_size - off))
		return NULL;
	return (const char *)sec->d_buf + off;
}

/* One DWARF 5 directory or file entry field: its string (for the forms
 * of a path) or number, else NULL and *bad. */
static const char *read_form(const struct kr_dwarf_lines *dl, struct bytes *b, uint64_t form,
			     unsigned offset_size, uint64_t *num)
{
	*num = 0;
	switch (form) {
	case DW_FORM_string:
		return read_cstr(b);
	case DW_FORM_line_strp:
		return section_str(dl->line_str_sec, read_fixed(b, offset_size));
	case DW_FORM_strp:
		return section_str(dl->str_sec, read_fixed(b, offset_size));
	case DW_FORM_udata:
		*num = read_uleb(b);
		return NULL;
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
		*num = read_fixed(b, form == DW_FORM_data1 ? 1 : form == DW_FORM_data2 ? 2
				  : form == DW_FORM_data4 ? 4 : 8);
		return NULL;
	case DW_FORM_data16:
		read_fixed(b, 8);
		read_fixed(b, 8);
		return NULL;
	case DW_FORM_block: {
		uint64_t len = read_uleb(b);
		if (len > (uint64_t)(b->end - b->p))
			b->bad = true;
		else
			b->p += len;
		return NULL;
	}
	default:
		b->bad = true;
		return NULL;
	}
}

static void push_file(struct kr_dwarf_unit *u, const char *dir, const char *name)
{
	if (u->n_files == u->files_alloc) {
		u->files_alloc = u->files_alloc ? u->files_alloc * 2 : 64;
		u->files = kr_realloc(u->files, u->files_alloc * sizeof(*u->files));
	}
	u->files[u->n_files++] = (struct unit_file){ dir, name, NULL };
}

/* A file's path as libdw gives it: an absolute name as it is, else its
 * directory, '/', the name (no directory: the name); NULL past the end. */
static const char *unit_file_path(const struct kr_dwarf_unit *u, uint64_t index)
{
	if (index >= u->n_files)
		return NULL;
	struct unit_file *uf = &u->files[index];
	if (uf->name[0] == '/' || !uf->dir)
		return uf->name;
	if (!uf->path)
		uf->path = kr_asprintf("%s/%s", uf->dir, uf->name);
	return uf->path;
}

/* The DWARF 5 directory or file table: n entries of the formats read
 * first; *dirs gets the directories, else files are pushed on u. */
static bool read_entries(const struct kr_dwarf_lines *dl, struct bytes *b, unsigned offset_size,
			 const char ***dirs, size_t *n_dirs, struct kr_dwarf_unit *u)
{
	uint64_t n_formats = read_fixed(b, 1);
	uint64_t content[256], form[256];
	for (uint64_t i = 0; i < n_formats; i++) {
		content[i] = read_uleb(b);
		form[i] = read_uleb(b);
	}
	uint64_t n = read_uleb(b);
	if (b->bad || n > (uint64_t)(b->end - b->p))
		return false;
	for (uint64_t e = 0; e < n; e++) {
		const char *path = NULL;
		uint64_t dir = UINT64_MAX;
		for (uint64_t i = 0; i < n_formats; i++) {
			uint64_t num;
			const char *str = read_form(dl, b, form[i], offset_size, &num);
			if (content[i] == DW_LNCT_path)
				path = str;
			else if (content[i] == DW_LNCT_directory_index)
				dir = num;
		}
		if (b->bad || !path)
			return false;
		if (!u) {
			*dirs = kr_realloc(*dirs, (*n_dirs + 1) * sizeof(**dirs));
			(*dirs)[(*n_dirs)++] = path;
			continue;
		}
		if (dir >= *n_dirs)
			return false;
		push_file(u, (*dirs)[dir], path);
	}
	return true;
}

/* Reads the header of the unit's table into u (usable when it could be
 * read here). */
static void read_line_header(struct kr_dwarf_unit *u)
{
	const struct kr_dwarf_lines *dl = u->dl;
	Dwarf_Die *cudie = &u->cudie;
	Dwarf_Attribute attr;
	Dwarf_Word off;
	Dwarf_Die cu_die;
	uint8_t address_size, cu_offset_size;
	if (!dl->line_sec->d_buf ||
	    dwarf_formudata(dwarf_attr(cudie, DW_AT_stmt_list, &attr), &off) != 0 ||
	    off >= dl->line_sec->d_size ||
	    !dwarf_diecu(cudie, &cu_die, &address_size, &cu_offset_size))
		return;
	const unsigned char *sec = dl->line_sec->d_buf;
	struct bytes b = { sec + off, sec + dl->line_sec->d_size, false };
	unsigned offset_size = 4;
	uint64_t unit_length = read_fixed(&b, 4);
	if (unit_length == 0xffffffff) {
		offset_size = 8;
		unit_length = read_fixed(&b, 8);
	}
	if (b.bad || unit_length > (uint64_t)(b.end - b.p))
		return;
	b.end = b.p + unit_length;
	unsigned version = (unsigned)read_fixed(&b, 2);
	if (version < 2 || version > 5)
		return;
	if (version >= 5 && (read_fixed(&b, 1) != address_size || read_fixed(&b, 1) != 0))
		return;
	uint64_t header_length = read_fixed(&b, offset_size);
	if (b.bad || header_length > (uint64_t)(b.end - b.p))
		return;
	const unsigned char *prog = b.p + header_length;
	u->min_inst_len = (uint8_t)read_fixed(&b, 1);
	if (version >= 4 && read_fixed(&b, 1) != 1)
		return; /* VLIW op_index */
	u->default_is_stmt = (uint8_t)read_fixed(&b, 1);
	u->line_base = (int8_t)read_fixed(&b, 1);
	u->line_range = (uint8_t)read_fixed(&b, 1);
	u->opcode_base = (uint8_t)read_fixed(&b, 1);
	if (b.bad || !u->line_range || !u->opcode_base ||
	    (size_t)(prog - b.p) < (size_t)u->opcode_base - 1)
		return;
	u->opcode_lengths = b.p;
	b.p += u->opcode_base - 1;
	for (unsigned op = u->opcode_base; op < 256; op++) {
		unsigned adj = op - u->opcode_base;
		u->special_line[op] = (int16_t)(u->line_base + (int)(adj % u->line_range));
		u->special_addr[op] = (uint16_t)(u->min_inst_len * (adj / u->line_range));
	}
	/* libdw refuses a table whose lengths of known opcodes are not the
	 * standard ones: such a table stays its */
	static const unsigned char standard_lengths[] = { 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(standard_lengths) && i + 1 < u->opcode_base; i++)
		if (u->opcode_lengths[i] != standard_lengths[i])
			return;
	struct bytes hdr = { b.p, prog, false };
	/* the strings are the ELF's, kept for dl's life */
	_cleanup_free_ const char **dirs = NULL;
	size_t n_dirs = 0;
	if (version >= 5) {
		if (!read_entries(dl, &hdr, offset_size, &dirs, &n_dirs, NULL) ||
		    !read_entries(dl, &hdr, offset_size, &dirs, &n_dirs, u))
			return;
		/* the list of no file still has libdw's placeholder */
		if (!u->n_files)
			push_file(u, NULL, "???");
	} else {
		/* directory 0 is the unit's, which may have none */
		dirs = kr_malloc(sizeof(*dirs));
		dirs[n_dirs++] = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
		for (const char *d; (d = read_cstr(&hdr)) && *d;) {
			dirs = kr_realloc(dirs, (n_dirs + 1) * sizeof(*dirs));
			dirs[n_dirs++] = d;
		}
		push_file(u, NULL, "???");
		for (const char *name; (name = read_cstr(&hdr)) && *name;) {
			uint64_t dir = read_uleb(&hdr);
			read_uleb(&hdr);
			read_uleb(&hdr);
			if (hdr.bad || dir >= n_dirs)
				return;
			push_file(u, dirs[dir], name);
		}
	}
	if (hdr.bad || hdr.p != prog)
		return;
	u->prog = prog;
	u->end = b.end;
	u->address_size = address_size;
	u->usable = true;
}

struct kr_dwarf_unit *kr_dwarf_lines_unit(struct kr_dwarf_lines *dl, Dwarf_Die *cudie)
{
	Dwarf_Off cu_off = dwarf_dieoffset(cudie);
	for (size_t i = 0; i < dl->n_units; i++)
		if (dl->units[i].cu_off == cu_off)
			return dl->units[i].unit;
	struct kr_dwarf_unit *u = kr_malloc(sizeof(*u));
	*u = (struct kr_dwarf_unit){ .dl = dl, .cudie = *cudie };
	dl->units = kr_realloc(dl->units, (dl->n_units + 1) * sizeof(*dl->units));
	dl->units[dl->n_units++] = (struct unit_ref){ cu_off, u };
	read_line_header(u);
	return u;
}

/* Where the rows of a run of a line program go: the best row for pc, or
 * (rows) every row. */
struct row_sink {
	uint64_t pc;
	bool found, found_end;
	uint64_t best_addr, best_file;
	int64_t best_line;
	struct line_row *rows; /* NULL: keep the best only */
	size_t n_rows, rows_alloc;
};

/* The row dwfl_module_getsrc gives for pc: of the rows at or below pc,
 * the one at the highest address, a row before an end of sequence at the
 * same address, the later of two rows; none when that is an end of
 * sequence. */
static void add_row(struct row_sink *k, uint64_t addr, uint64_t file, int64_t line, bool end)
{
	if (k->rows) {
		if (k->n_rows == k->rows_alloc) {
			k->rows_alloc *= 2;
			k->rows = kr_realloc(k->rows, k->rows_alloc * sizeof(*k->rows));
		}
		k->rows[k->n_rows] = (struct line_row){ addr, line, (uint32_t)file,
							(uint32_t)k->n_rows, end };
		k->n_rows++;
		return;
	}
	if (addr <= k->pc && (!k->found || addr > k->best_addr ||
			      (addr == k->best_addr && (!end || k->found_end)))) {
		k->found = true;
		k->found_end = end;
		k->best_addr = addr;
		k->best_file = file;
		k->best_line = line;
	}
}

/* Runs the unit's line program into k; false when the program is not
 * one this reader follows (libdw is asked). */
static bool run_line_program(const struct kr_dwarf_unit *u, struct row_sink *k)
{
	struct bytes b = { u->prog, u->end, false };
	uint64_t addr = 0, file_reg = 1;
	int64_t line_reg = 1;
	while (b.p < b.end && !b.bad) {
		unsigned op = *b.p++;
		if (op >= u->opcode_base) {
			line_reg += u->special_line[op];
			addr += u->special_addr[op];
			add_row(k, addr, file_reg, line_reg, false);
			continue;
		}
		switch (op) {
		case 0: {
			/* libdw reads the length as one byte and the operands
			 * of the operations it knows whatever the length says:
			 * where the two could differ, it is asked */
			if ((size_t)(b.end - b.p) < 2 || (b.p[0] & 0x80))
				return false;
			unsigned len = *b.p++;
			if (!len || len > (size_t)(b.end - b.p))
				return false;
			const unsigned char *next = b.p + len;
			unsigned sub = *b.p++;
			if (sub == DW_LNE_end_sequence) {
				add_row(k, addr, file_reg, line_reg, true);
				addr = 0;
				file_reg = 1;
				line_reg = 1;
			} else if (sub == DW_LNE_set_address) {
				addr = read_fixed(&b, u->address_size);
			} else if (sub == DW_LNE_set_discriminator) {
				read_uleb(&b);
			} else if (sub == DW_LNE_define_file || sub >= DW_LNE_lo_user) {
				return false;
			} else {
				b.p = next;
			}
			if (b.p != next)
				return false;
			break;
		}
		case DW_LNS_copy:
			add_row(k, addr, file_reg, line_reg, false);
			break;
		case DW_LNS_advance_pc:
			addr += u->min_inst_len * read_uleb(&b);
			break;
		case DW_LNS_advance_line:
			line_reg += read_sleb(&b);
			break;
		case DW_LNS_set_file:
			file_reg = read_uleb(&b);
			if (file_reg > UINT32_MAX)
				return false;
			break;
		case DW_LNS_const_add_pc:
			addr += (uint64_t)u->min_inst_len * ((255u - u->opcode_base) / u->line_range);
			break;
		case DW_LNS_fixed_advance_pc:
			addr += read_fixed(&b, 2);
			break;
		case DW_LNS_negate_stmt:
		case DW_LNS_set_basic_block:
		case DW_LNS_set_prologue_end:
		case DW_LNS_set_epilogue_begin:
			break;
		default: /* set_column, set_isa, and opcodes not known here */
			for (unsigned i = 0; i < u->opcode_lengths[op - 1]; i++)
				read_uleb(&b);
			break;
		}
	}
	return !b.bad;
}

static int row_cmp(const void *a, const void *b)
{
	const struct line_row *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->end != y->end)
		return x->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The row for pc (see add_row): 1: found (*file, *line); 0: no row;
 * -EOPNOTSUPP: the program is not one this reader follows. The first
 * INDEX_AFTER addresses of a unit each run its program; the next sorts
 * its rows for the rest. */
static int line_lookup(struct kr_dwarf_unit *u, Dwarf_Addr pc, unsigned *file, int *line)
{
	struct row_sink k = { .pc = pc };
	if (u->line_lookups++ == INDEX_AFTER) {
		k.rows_alloc = 1024;
		k.rows = kr_malloc(k.rows_alloc * sizeof(*k.rows));
		if (!run_line_program(u, &k)) {
			free(k.rows);
			return -EOPNOTSUPP;
		}
		qsort(k.rows, k.n_rows, sizeof(*k.rows), row_cmp);
		u->rows = k.rows;
		u->n_rows = k.n_rows;
		k.rows = NULL;
	}
	if (u->rows) {
		/* the last row at or below pc */
		size_t lo = 0, hi = u->n_rows;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (u->rows[mid].addr <= pc)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo) {
			const struct line_row *r = &u->rows[lo - 1];
			k = (struct row_sink){ .found = true, .found_end = r->end,
					       .best_file = r->file, .best_line = r->line };
		}
	} else if (!run_line_program(u, &k)) {
		return -EOPNOTSUPP;
	}
	if (!k.found || k.found_end || k.best_line < INT_MIN || k.best_line > INT_MAX)
		return 0;
	*file = (unsigned)k.best_file;
	*line = (int)k.best_line;
	return 1;
}

int kr_dwarf_unit_line(struct kr_dwarf_unit *u, Dwarf_Addr pc, const char **file, int *line)
{
	if (!u->usable)
		return -EOPNOTSUPP;
	unsigned index;
	int row_line;
	int found = line_lookup(u, pc, &index, &row_line);
	if (found <= 0)
		return found;
	const char *path = unit_file_path(u, index);
	if (!path)
		return 0;
	*file = path;
	*line = row_line;
	return 1;
}

const char *kr_dwarf_unit_file(struct kr_dwarf_unit *u, uint64_t index)
{
	return u->usable ? unit_file_path(u, index) : NULL;
}

/* The walk of a unit's DIEs that a dwarf_child/dwarf_siblingof/dwarf_haspc
 * walk does with libdw, here: libdw takes some 80 ns a DIE to step over
 * the types and declarations before a function (a kernel unit has
 * thousands), most of the time of a frame. Only the scopes' ranges are
 * asked of libdw (dwarf_haspc). A unit with a form or abbreviation not
 * known here is left to libdw. */

/* The size of a form's values in this unit: -1 when the value must be
 * read to know it, -2 for a form not known here. */
static int form_size(const struct kr_dwarf_unit *u, uint64_t form)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1:
	case DW_FORM_ref1:
	case DW_FORM_flag:
	case DW_FORM_strx1:
	case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2:
	case DW_FORM_ref2:
	case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3:
	case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4:
	case DW_FORM_ref4:
	case DW_FORM_ref_sup4:
	case DW_FORM_strx4:
	case DW_FORM_addrx4:
		return 4;
	case DW_FORM_data8:
	case DW_FORM_ref8:
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->cu_address_size;
	case DW_FORM_ref_addr:
		return u->version == 2 ? u->cu_address_size : u->offset_size;
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return u->offset_size;
	case DW_FORM_sdata:
	case DW_FORM_udata:
	case DW_FORM_ref_udata:
	case DW_FORM_strx:
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
	case DW_FORM_string:
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
	case DW_FORM_exprloc:
		return -1;
	default:
		return -2;
	}
}

/* The unit header and abbreviations of the unit, once. */
static bool read_abbrevs(struct kr_dwarf_unit *u)
{
	const struct kr_dwarf_lines *dl = u->dl;
	Dwarf_Die *cudie = &u->cudie;
	if (u->abbrevs_read)
		return u->walkable;
	u->abbrevs_read = true;
	if (!dl->abbrev_sec || !dl->abbrev_sec->d_buf)
		return false;
	u->cu_start = (const unsigned char *)cudie->addr - dwarf_cuoffset(cudie);
	struct bytes b = { u->cu_start, cudie->addr, false };
	u->offset_size = 4;
	uint64_t len = read_fixed(&b, 4);
	if (len == 0xffffffff) {
		u->offset_size = 8;
		len = read_fixed(&b, 8);
	}
	u->cu_end = b.p + len;
	u->version = (uint8_t)read_fixed(&b, 2);
	uint64_t abbrev_off;
	if (u->version >= 5) {
		uint64_t unit_type = read_fixed(&b, 1);
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			return false;
		u->cu_address_size = (uint8_t)read_fixed(&b, 1);
		abbrev_off = read_fixed(&b, u->offset_size);
	} else {
		abbrev_off = read_fixed(&b, u->offset_size);
		u->cu_address_size = (uint8_t)read_fixed(&b, 1);
	}
	if (b.bad || u->version < 2 || u->version > 5 ||
	    u->cu_end < (const unsigned char *)cudie->addr || abbrev_off >= dl->abbrev_sec->d_size)
		return false;
	const unsigned char *sec = dl->abbrev_sec->d_buf;
	struct bytes a = { sec + abbrev_off, sec + dl->abbrev_sec->d_size, false };
	size_t abbrevs_alloc = 0, specs_alloc = 0;
	for (;;) {
		uint64_t code = read_uleb(&a);
		if (a.bad || !code)
			break;
		/* GCC numbers a unit's abbreviations from 1 on */
		if (code != u->n_abbrevs + 1)
			return false;
		struct abbrev ab = { .tag = (unsigned)read_uleb(&a), .first = (uint32_t)u->n_specs };
		ab.children = read_fixed(&a, 1) != 0;
		for (;;) {
			uint64_t attr = read_uleb(&a), form = read_uleb(&a);
			if (a.bad || (!attr && !form))
				break;
			if (form == DW_FORM_implicit_const)
				read_sleb(&a);
			int size = form_size(u, form);
			if (size == -2 || attr > UINT32_MAX)
				return false;
			if (u->n_specs == specs_alloc) {
				specs_alloc = specs_alloc ? 2 * specs_alloc : 256;
				u->specs = kr_realloc(u->specs, specs_alloc * sizeof(*u->specs));
			}
			u->specs[u->n_specs++] = (struct attr_spec){ (uint32_t)attr, (uint16_t)form,
								     (int16_t)size };
			ab.n++;
		}
		if (a.bad)
			return false;
		ab.fixed = 0;
		for (uint32_t i = ab.first; i < ab.first + ab.n && ab.fixed >= 0; i++)
			ab.fixed = u->specs[i].size < 0 || u->specs[i].attr == DW_AT_sibling
					   ? -1
					   : ab.fixed + u->specs[i].size;
		if (u->n_abbrevs == abbrevs_alloc) {
			abbrevs_alloc = abbrevs_alloc ? 2 * abbrevs_alloc : 128;
			u->abbrevs = kr_realloc(u->abbrevs, abbrevs_alloc * sizeof(*u->abbrevs));
		}
		u->abbrevs[u->n_abbrevs++] = ab;
	}
	u->walkable = !a.bad;
	return u->walkable;
}

/* Steps over one attribute value of a form read to know its size. */
static bool skip_value(struct bytes *b, uint64_t form)
{
	uint64_t size;
	switch (form) {
	case DW_FORM_string:
		return read_cstr(b) != NULL;
	case DW_FORM_block1:
		size = read_fixed(b, 1);
		break;
	case DW_FORM_block2:
		size = read_fixed(b, 2);
		break;
	case DW_FORM_block4:
		size = read_fixed(b, 4);
		break;
	case DW_FORM_block:
	case DW_FORM_exprloc:
		size = read_uleb(b);
		break;
	default: /* the LEB128 forms */
		read_uleb(b);
		return !b->bad;
	}
	if (b->bad || size > (uint64_t)(b->end - b->p))
		return false;
	b->p += size;
	return true;
}

static bool skip_spec(struct bytes *b, const struct attr_spec *sp)
{
	if (sp->size < 0)
		return skip_value(b, sp->form);
	if ((size_t)(b->end - b->p) < (size_t)sp->size)
		return false;
	b->p += sp->size;
	return true;
}

static const struct abbrev *abbrev_of(const struct kr_dwarf_unit *u, struct bytes *b)
{
	static const struct abbrev end = { .end = true };
	uint64_t code;
	if (b->p < b->end && *b->p < 0x80)
		code = *b->p++;
	else
		code = read_uleb(b);
	if (b->bad || code > u->n_abbrevs)
		return NULL;
	return code ? &u->abbrevs[code - 1] : &end;
}

/* A DW_AT_sibling value: where the sibling starts, or NULL. */
static const unsigned char *sibling_at(const struct kr_dwarf_unit *u, uint64_t form,
				       const unsigned char *value, const unsigned char *end)
{
	struct bytes v = { value, end, false };
	uint64_t to;
	switch (form) {
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
		to = read_fixed(&v, (size_t)(end - value));
		break;
	case DW_FORM_ref_udata:
		to = read_uleb(&v);
		break;
	default:
		return NULL;
	}
	if (v.bad || to >= (uint64_t)(u->cu_end - u->cu_start) || u->cu_start + to <= value)
		return NULL;
	return u->cu_start + to;
}

/* Steps over a DIE's attributes or to its sibling when it names it (as
 * libdw does: *jumped). */
static bool skip_attrs(const struct kr_dwarf_unit *u, const struct abbrev *ab, struct bytes *b,
		       bool *jumped)
{
	*jumped = false;
	if (ab->fixed >= 0) {
		if ((size_t)(b->end - b->p) < (size_t)ab->fixed)
			return false;
		b->p += ab->fixed;
		return true;
	}
	for (uint32_t i = ab->first; i < ab->first + ab->n; i++) {
		const struct attr_spec *sp = &u->specs[i];
		const unsigned char *value = b->p;
		if (!skip_spec(b, sp))
			return false;
		if (sp->attr == DW_AT_sibling) {
			if (!(b->p = sibling_at(u, sp->form, value, b->p)))
				return false;
			*jumped = true;
			return true;
		}
	}
	return true;
}

/* The attributes of a scope that tell whether it holds an address. */
struct scope_attrs {
	bool low, high, high_is_offset, other; /* other: ask libdw */
	uint64_t low_pc, high_pc;
	const unsigned char *sibling; /* NULL: none */
};

/* Reads a scope's attributes (all of them: its children follow). */
static bool read_scope_attrs(const struct kr_dwarf_unit *u, const struct abbrev *ab,
			     struct bytes *b, struct scope_attrs *sa)
{
	*sa = (struct scope_attrs){ 0 };
	for (uint32_t i = ab->first; i < ab->first + ab->n; i++) {
		const struct attr_spec *sp = &u->specs[i];
		const unsigned char *value = b->p;
		if (!skip_spec(b, sp))
			return false;
		struct bytes v = { value, b->p, false };
		uint16_t form = sp->form;
		if (form == DW_FORM_implicit_const) {
			if (sp->attr == DW_AT_sibling)
				return false;
			if (sp->attr == DW_AT_low_pc || sp->attr == DW_AT_high_pc)
				sa->other = true;
		} else if (sp->attr == DW_AT_low_pc && form == DW_FORM_addr) {
			sa->low = true;
			sa->low_pc = read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_high_pc && form == DW_FORM_addr) {
			sa->high = true;
			sa->high_pc = read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_high_pc &&
			   (form == DW_FORM_data1 || form == DW_FORM_data2 || form == DW_FORM_data4 ||
			    form == DW_FORM_data8 || form == DW_FORM_udata)) {
			sa->high = sa->high_is_offset = true;
			sa->high_pc = form == DW_FORM_udata ? read_uleb(&v)
							    : read_fixed(&v, (size_t)(b->p - value));
		} else if (sp->attr == DW_AT_sibling) {
			/* a form libdw's dwarf_siblingof may read otherwise: its walk */
			if (!(sa->sibling = sibling_at(u, form, value, b->p)))
				return false;
		} else if (sp->attr == DW_AT_low_pc || sp->attr == DW_AT_high_pc ||
			   sp->attr == DW_AT_ranges) {
			sa->other = true;
		}
		if (v.bad)
			return false;
	}
	return true;
}

/* Whether the scope d holds pc as dwarf_haspc says: [low_pc, high_pc)
 * read here, no range attribute at all (no), else libdw's answer. */
static int scope_has_pc(const struct scope_attrs *sa, Dwarf_Die *d, Dwarf_Addr pc)
{
	if (sa->other || sa->low != sa->high)
		return dwarf_haspc(d, pc);
	if (!sa->low)
		return 0;
	uint64_t high = sa->high_is_offset ? sa->low_pc + sa->high_pc : sa->high_pc;
	return pc >= sa->low_pc && pc < high;
}

/* Steps over the children of a DIE whose attributes were read (depth 1),
 * or over a DIE after its code (ab) and its children (depth 0). */
static bool skip_die_from(const struct kr_dwarf_unit *u, const struct abbrev *ab, struct bytes *b,
			  size_t depth)
{
	for (;;) {
		if (ab) {
			bool jumped;
			if (!skip_attrs(u, ab, b, &jumped))
				return false;
			if (ab->children && !jumped)
				depth++;
		}
		if (!depth)
			return true;
		if (!(ab = abbrev_of(u, b)))
			return false;
		if (ab->end) {
			depth--;
			ab = NULL;
		}
	}
}

/* A top-level scope of a unit: where it starts, where its children do,
 * and its ranges' attributes. */
struct top_scope {
	const unsigned char *at, *children;
	bool has_children;
	struct scope_attrs sa;
};

/* The walk for the scopes around pc from b (a list of DIEs) down, onto
 * *chain; false when the unit is not one followed here (*chain is then
 * freed). */
static bool walk_scopes(const struct kr_dwarf_unit *u, Dwarf_Addr pc, struct bytes b,
			Dwarf_Die **chain, size_t *n)
{
	for (;;) {
		const unsigned char *at = b.p;
		const struct abbrev *ab = abbrev_of(u, &b);
		if (!ab)
			break;
		if (ab->end)
			return true;
		bool scope = ab->tag == DW_TAG_subprogram || ab->tag == DW_TAG_inlined_subroutine ||
			     ab->tag == DW_TAG_lexical_block;
		if (!scope) {
			if (!skip_die_from(u, ab, &b, 0))
				break;
			continue;
		}
		Dwarf_Die d = { .addr = (void *)at, .cu = u->cudie.cu };
		struct scope_attrs sa;
		if (!read_scope_attrs(u, ab, &b, &sa))
			break;
		if (scope_has_pc(&sa, &d, pc) == 1) {
			*chain = kr_realloc(*chain, (*n + 1) * sizeof(**chain));
			(*chain)[(*n)++] = d;
			if (!ab->children)
				return true;
			continue; /* its children follow its attributes */
		}
		if (sa.sibling)
			b.p = sa.sibling;
		else if (ab->children && !skip_die_from(u, NULL, &b, 1))
			break;
	}
	free(*chain);
	*chain = NULL;
	*n = 0;
	return false;
}

/* Lists the unit's top-level scopes, in order (false: not followed here). */
static bool read_tops(struct kr_dwarf_unit *u, const unsigned char *first)
{
	struct bytes b = { first, u->cu_end, false };
	size_t alloc = 0;
	for (;;) {
		const unsigned char *at = b.p;
		const struct abbrev *ab = abbrev_of(u, &b);
		if (!ab)
			return false;
		if (ab->end)
			return true;
		bool scope = ab->tag == DW_TAG_subprogram || ab->tag == DW_TAG_inlined_subroutine ||
			     ab->tag == DW_TAG_lexical_block;
		if (!scope) {
			if (!skip_die_from(u, ab, &b, 0))
				return false;
			continue;
		}
		struct top_scope t = { .at = at, .has_children = ab->children };
		if (!read_scope_attrs(u, ab, &b, &t.sa))
			return false;
		t.children = b.p;
		if (u->n_tops == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			u->tops = kr_realloc(u->tops, alloc * sizeof(*u->tops));
		}
		u->tops[u->n_tops++] = t;
		if (t.sa.sibling)
			b.p = t.sa.sibling;
		else if (ab->children && !skip_die_from(u, NULL, &b, 1))
			return false;
	}
}

/* From the unit's walk after its INDEX_AFTER-th on, its top-level scopes
 * are listed once and only they are looked at (a unit's top level is
 * mostly types and declarations). */
int kr_dwarf_unit_scopes(struct kr_dwarf_unit *u, Dwarf_Addr pc, Dwarf_Die **chain, size_t *n)
{
	Dwarf_Die die;
	*chain = NULL;
	*n = 0;
	if (!read_abbrevs(u))
		return -EOPNOTSUPP;
	if (dwarf_child(&u->cudie, &die) != 0)
		return 0;
	if (u->walks++ >= INDEX_AFTER && !u->tops_read) {
		u->tops_read = true;
		u->tops_ok = read_tops(u, die.addr);
	}
	if (!u->tops_ok)
		return walk_scopes(u, pc, (struct bytes){ die.addr, u->cu_end, false }, chain, n)
			       ? 0
			       : -EOPNOTSUPP;
	for (size_t i = 0; i < u->n_tops; i++) {
		const struct top_scope *t = &u->tops[i];
		Dwarf_Die d = { .addr = (void *)t->at, .cu = u->cudie.cu };
		if (scope_has_pc(&t->sa, &d, pc) != 1)
			continue;
		*chain = kr_malloc(sizeof(**chain));
		(*chain)[(*n)++] = d;
		if (!t->has_children)
			return 0;
		return walk_scopes(u, pc, (struct bytes){ t->children, u->cu_end, false }, chain, n)
			       ? 0
			       : -EOPNOTSUPP;
	}
	return 0;
}
