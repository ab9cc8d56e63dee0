/* SPDX-License-Identifier: MIT */
/* The scopes around an address in a compilation unit, from its DIEs (see
 * dwarf-lines.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <string.h>

#include "dwarf-lines-internal.h"

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

/* Whether the DIE is a scope an address can be inside. */
static bool is_scope(const struct abbrev *ab)
{
	return ab->tag == DW_TAG_subprogram || ab->tag == DW_TAG_inlined_subroutine ||
	       ab->tag == DW_TAG_lexical_block;
}

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
		if (!is_scope(ab)) {
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
		if (!is_scope(ab)) {
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
