// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the kvm-accel tool's JSON writer (loader/json_writer.c):
 * what it escapes and what it leaves alone, commas at every depth, and
 * nesting far deeper than the tool needs (the hand-rolled writer it
 * replaced stopped counting at 8 levels).  Runs on the build host, TAP on
 * stdout (scripts/host-checks.sh counts it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

static int n, failed;

/* Compare what @w wrote into @buf with @want, as one TAP result. */
static void check(const char *desc, FILE *f, char **buf, const char *want)
{
	fflush(f);
	n++;
	if (!strcmp(*buf, want)) {
		printf("ok %d - %s\n", n, desc);
	} else {
		failed++;
		printf("not ok %d - %s\n#   got:      '%s'\n#   expected: '%s'\n", n, desc,
		       *buf, want);
	}
}

struct out {
	FILE *f;
	char *buf;
	size_t size;
	struct json_writer *w;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->size);
	o->w = o->f ? jsonw_new(o->f) : NULL;
	if (!o->w) {
		printf("Bail out! no memory\n");
		exit(1);
	}
}

static void out_close(struct out *o)
{
	jsonw_destroy(o->w);
	fclose(o->f);
	free(o->buf);
}

/* The string @s as a top-level value. */
static void string_case(const char *desc, const char *s, const char *want)
{
	struct out o;

	out_open(&o);
	jsonw_string(o.w, s);
	check(desc, o.f, &o.buf, want);
	out_close(&o);
}

static void test_escapes(void)
{
	char ctl[32], want[32 * 6 + 4], *p = want;
	int c;

	string_case("plain ASCII passes through", "ide_cmd 0x1f0", "\"ide_cmd 0x1f0\"\n");
	string_case("double quote escaped", "ide\"0", "\"ide\\\"0\"\n");
	string_case("backslash escaped", "a\\b", "\"a\\\\b\"\n");
	string_case("quote and backslash together", "\\\"", "\"\\\\\\\"\"\n");
	string_case("short escapes: \\b \\f \\n \\r \\t", "\b\f\n\r\t",
		    "\"\\b\\f\\n\\r\\t\"\n");
	string_case("DEL escaped", "\x7f", "\"\\u007f\"\n");
	string_case("empty string", "", "\"\"\n");
	string_case("slash is left alone", "a/b", "\"a/b\"\n");

	/* Every control character 0x01..0x1f, in order. */
	for (c = 1; c < 32; c++)
		ctl[c - 1] = c;
	ctl[31] = '\0';
	*p++ = '"';
	for (c = 1; c < 32; c++) {
		switch (c) {
		case '\b': p += sprintf(p, "\\b"); break;
		case '\f': p += sprintf(p, "\\f"); break;
		case '\n': p += sprintf(p, "\\n"); break;
		case '\r': p += sprintf(p, "\\r"); break;
		case '\t': p += sprintf(p, "\\t"); break;
		default: p += sprintf(p, "\\u%04x", c);
		}
	}
	strcpy(p, "\"\n");
	string_case("every control character escaped", ctl, want);

	string_case("two-byte UTF-8 passes through", "caf\xc3\xa9", "\"caf\xc3\xa9\"\n");
	string_case("three-byte UTF-8 passes through", "\xe6\x97\xa5\xe6\x9c\xac",
		    "\"\xe6\x97\xa5\xe6\x9c\xac\"\n");
	string_case("four-byte UTF-8 passes through", "\xf0\x9f\x96\xb4",
		    "\"\xf0\x9f\x96\xb4\"\n");
	string_case("bytes >= 0x80 are not validated", "\xff\x80", "\"\xff\x80\"\n");
}

static void test_values(void)
{
	struct out o;

	out_open(&o);
	jsonw_start_object(o.w);
	jsonw_string_field(o.w, "name", "hpet");
	jsonw_u64_field(o.w, "max", UINT64_MAX);
	jsonw_u64_field(o.w, "zero", 0);
	jsonw_bool_field(o.w, "t", true);
	jsonw_bool_field(o.w, "f", false);
	jsonw_string_field(o.w, "pinned", NULL);
	jsonw_name(o.w, "n");
	jsonw_null(o.w);
	jsonw_end_object(o.w);
	check("object of every value kind", o.f, &o.buf,
	      "{\"name\":\"hpet\",\"max\":18446744073709551615,\"zero\":0,\"t\":true,"
	      "\"f\":false,\"pinned\":null,\"n\":null}\n");
	out_close(&o);

	out_open(&o);
	jsonw_start_object(o.w);
	jsonw_string_field(o.w, "a\"\\\n", "v");
	jsonw_end_object(o.w);
	check("member names are escaped too", o.f, &o.buf, "{\"a\\\"\\\\\\n\":\"v\"}\n");
	out_close(&o);

	out_open(&o);
	jsonw_start_array(o.w);
	jsonw_end_array(o.w);
	jsonw_start_object(o.w);
	jsonw_end_object(o.w);
	check("empty array and empty object, a line each", o.f, &o.buf, "[]\n{}\n");
	out_close(&o);

	out_open(&o);
	jsonw_start_array(o.w);
	jsonw_start_object(o.w);
	jsonw_u64_field(o.w, "id", 1);
	jsonw_name(o.w, "last_trip");
	jsonw_start_object(o.w);
	jsonw_string_field(o.w, "reason", "call");
	jsonw_end_object(o.w);
	jsonw_u64_field(o.w, "after", 2);
	jsonw_end_object(o.w);
	jsonw_start_object(o.w);
	jsonw_u64_field(o.w, "id", 3);
	jsonw_end_object(o.w);
	jsonw_u64(o.w, 4);
	jsonw_end_array(o.w);
	jsonw_start_object(o.w);
	jsonw_u64_field(o.w, "id", 5);
	jsonw_end_object(o.w);
	check("commas after nested values; the next top-level value starts afresh", o.f,
	      &o.buf,
	      "[{\"id\":1,\"last_trip\":{\"reason\":\"call\"},\"after\":2},{\"id\":3},4]\n"
	      "{\"id\":5}\n");
	out_close(&o);
}

#define DEEP 1000

static void test_depth(void)
{
	char *want = malloc(DEEP * 8 + 64), *p;
	struct out o;
	int i;

	if (!want) {
		printf("Bail out! no memory\n");
		exit(1);
	}
	/* Alternate arrays and objects, a value before and after each. */
	out_open(&o);
	p = want;
	for (i = 0; i < DEEP; i++) {
		if (i % 2) {
			jsonw_name(o.w, "k");
			jsonw_start_array(o.w);
			p += sprintf(p, "\"k\":[");
		} else {
			if (i)
				p += sprintf(p, "1,");
			if (i)
				jsonw_u64(o.w, 1);
			jsonw_start_object(o.w);
			p += sprintf(p, "{");
		}
	}
	for (i = DEEP - 1; i >= 0; i--) {
		if (i % 2) {
			jsonw_end_array(o.w);
			p += sprintf(p, "]");
		} else {
			jsonw_end_object(o.w);
			p += sprintf(p, "}");
			if (i) {
				jsonw_u64(o.w, 2);
				p += sprintf(p, ",2");
			}
		}
	}
	strcpy(p, "\n");
	check("1000 levels of nesting, commas right at every level", o.f, &o.buf, want);
	out_close(&o);

	/* Two writers at once do not share state. */
	{
		struct out a, b;

		out_open(&a);
		out_open(&b);
		jsonw_start_array(a.w);
		jsonw_u64(a.w, 1);
		jsonw_start_object(b.w);
		jsonw_u64_field(b.w, "x", 2);
		jsonw_u64(a.w, 3);
		jsonw_end_object(b.w);
		jsonw_end_array(a.w);
		check("two writers at once: the first", a.f, &a.buf, "[1,3]\n");
		check("two writers at once: the second", b.f, &b.buf, "{\"x\":2}\n");
		out_close(&a);
		out_close(&b);
	}
	free(want);
}

int main(void)
{
	test_escapes();
	test_values();
	test_depth();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
