/* SPDX-License-Identifier: MIT */
/* A compilation unit's line table and the scopes around an address, read
 * from the DWARF sections (see dwarf-lines.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <string.h>

#include "dwarf-lines-internal.h"

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
