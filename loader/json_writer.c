// SPDX-License-Identifier: GPL-2.0
/*
 * The kvm-accel tool's JSON writer (json_writer.h).
 *
 * A comma goes before every value but the first of its object or array.
 * Only the innermost level's "first" needs remembering: when a nested
 * value ends, its parent has had a value (that one), so the next value
 * there takes a comma.  That is why one flag and a depth counter suffice,
 * for any depth.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "json_writer.h"

struct json_writer {
	FILE *out;
	unsigned long depth;	/* open objects and arrays */
	bool need_comma;	/* the current level has a value already */
	bool after_name;	/* a member name was written: its value is next */
};

struct json_writer *jsonw_new(FILE *out)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (w)
		w->out = out;
	return w;
}

void jsonw_destroy(struct json_writer *w)
{
	free(w);
}

/* Before a value, or a member name: the comma, unless it is the first. */
static void jsonw_sep(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->need_comma)
		putc(',', w->out);
	w->need_comma = true;
}

/* After a value: a top-level one ends its line. */
static void jsonw_done(struct json_writer *w)
{
	if (!w->depth) {
		putc('\n', w->out);
		w->need_comma = false;
	}
}

static void jsonw_quoted(struct json_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	putc('"', w->out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", w->out);
			break;
		case '\\':
			fputs("\\\\", w->out);
			break;
		case '\b':
			fputs("\\b", w->out);
			break;
		case '\f':
			fputs("\\f", w->out);
			break;
		case '\n':
			fputs("\\n", w->out);
			break;
		case '\r':
			fputs("\\r", w->out);
			break;
		case '\t':
			fputs("\\t", w->out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(w->out, "\\u00%c%c", hex[*p >> 4], hex[*p & 0xf]);
			else
				putc(*p, w->out);
		}
	}
	putc('"', w->out);
}

static void jsonw_open(struct json_writer *w, char c)
{
	jsonw_sep(w);
	putc(c, w->out);
	w->depth++;
	w->need_comma = false;
}

static void jsonw_close(struct json_writer *w, char c)
{
	putc(c, w->out);
	if (w->depth)
		w->depth--;
	/* The parent holds this value now. */
	w->need_comma = true;
	jsonw_done(w);
}

void jsonw_start_object(struct json_writer *w)
{
	jsonw_open(w, '{');
}

void jsonw_end_object(struct json_writer *w)
{
	jsonw_close(w, '}');
}

void jsonw_start_array(struct json_writer *w)
{
	jsonw_open(w, '[');
}

void jsonw_end_array(struct json_writer *w)
{
	jsonw_close(w, ']');
}

void jsonw_name(struct json_writer *w, const char *name)
{
	jsonw_sep(w);
	jsonw_quoted(w, name);
	putc(':', w->out);
	w->after_name = true;
}

void jsonw_string(struct json_writer *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_sep(w);
	jsonw_quoted(w, s);
	jsonw_done(w);
}

void jsonw_u64(struct json_writer *w, uint64_t v)
{
	jsonw_sep(w);
	fprintf(w->out, "%" PRIu64, v);
	jsonw_done(w);
}

void jsonw_bool(struct json_writer *w, bool v)
{
	jsonw_sep(w);
	fputs(v ? "true" : "false", w->out);
	jsonw_done(w);
}

void jsonw_null(struct json_writer *w)
{
	jsonw_sep(w);
	fputs("null", w->out);
	jsonw_done(w);
}

void jsonw_string_field(struct json_writer *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

void jsonw_u64_field(struct json_writer *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_u64(w, v);
}

void jsonw_bool_field(struct json_writer *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}
