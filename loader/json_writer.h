/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for the kvm-accel tool, in the manner of
 * bpftool's json_writer: a writer object holds all the state, so any
 * number of writers may exist at once and nesting has no depth limit.
 *
 * Output is compact, one top-level value per line: the newline follows
 * the value that brings the depth back to 0.  Strings are escaped as JSON
 * requires (quote, backslash, control characters, and DEL for safety on
 * terminals); bytes from 0x80 up pass through unchanged, so UTF-8 text
 * stays UTF-8 (and is not validated).
 *
 * Inside an object every value follows a jsonw_name(); the *_field()
 * helpers do both.  The writer does not check the grammar: the tool's own
 * calls are its only users, and the unit test covers their shapes.
 */
#ifndef _KVM_ACCEL_JSON_WRITER_H
#define _KVM_ACCEL_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

/* A writer on @out (not owned); NULL if out of memory. */
struct json_writer *jsonw_new(FILE *out);
/* Free the writer; output stays where it went.  Safe on NULL. */
void jsonw_destroy(struct json_writer *w);

void jsonw_start_object(struct json_writer *w);
void jsonw_end_object(struct json_writer *w);
void jsonw_start_array(struct json_writer *w);
void jsonw_end_array(struct json_writer *w);

/* The name of the next member of the current object. */
void jsonw_name(struct json_writer *w, const char *name);

void jsonw_string(struct json_writer *w, const char *s);	/* NULL: null */
void jsonw_u64(struct json_writer *w, uint64_t v);
void jsonw_bool(struct json_writer *w, bool v);
void jsonw_null(struct json_writer *w);

void jsonw_string_field(struct json_writer *w, const char *name, const char *s);
void jsonw_u64_field(struct json_writer *w, const char *name, uint64_t v);
void jsonw_bool_field(struct json_writer *w, const char *name, bool v);

#endif /* _KVM_ACCEL_JSON_WRITER_H */
