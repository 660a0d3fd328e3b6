/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer: compact output, commas placed by nesting
 * level. A NULL key is for array elements (and the top-level value).
 */
#ifndef IMSCTL_JSON_H
#define IMSCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE	*f;
	int	depth;
	bool	first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_int(struct json *j, const char *key, long long v);
void json_opt_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_double(struct json *j, const char *key, double v);
void json_null(struct json *j, const char *key);
void json_finish(struct json *j);

#endif
