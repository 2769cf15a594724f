/*
 * yaml: a scenario file (YAML, or JSON, its subset) as a jansson tree that
 * remembers where each node came from, so every later error can say
 * FILE:LINE:COL. Pure: bytes in, tree or one-line error out.
 *
 * The rules (docs/guide/scenarios.md): one document; duplicate keys refused;
 * mapping keys are scalars; aliases bounded (SCEN_YAML_MAX_ALIASES uses, and
 * SCEN_YAML_MAX_NODES nodes once expanded, so a billion-laughs file is
 * refused at once); plain scalars resolved by the YAML 1.2 core schema only
 * (true/false/null/~ and numbers; yes, no, on, off, y, n stay strings);
 * quoted scalars are always strings; no explicit tags; size and depth capped.
 */
#ifndef SCEN_YAML_H
#define SCEN_YAML_H

#include <jansson.h>
#include <stddef.h>

#define SCEN_YAML_MAX_BYTES (1024 * 1024)
#define SCEN_YAML_MAX_DEPTH 64
#define SCEN_YAML_MAX_ALIASES 64
#define SCEN_YAML_MAX_NODES 100000

typedef struct scen_pos {
	int line, col; /* 1-based; 0 when unknown */
	int quoted;    /* a quoted scalar: its text starts one column later */
} scen_pos;

typedef struct scen_doc scen_doc;

/*
 * Load `len` bytes named `name` (used in errors only). Returns 0 and *out
 * (free with scen_doc_free), or -1 with "NAME:LINE:COL: message" in err.
 */
int scen_yaml_load(const char *name, const char *bytes, size_t len, scen_doc **out, char *err,
                   size_t errsz);
void scen_doc_free(scen_doc *d);

/* The tree (borrowed, owned by d) and the name given at load. */
json_t *scen_doc_root(const scen_doc *d);
const char *scen_doc_name(const scen_doc *d);

/*
 * Where a node starts. true, false and null are shared by jansson, so they
 * have no position of their own: ask for the member (below) instead.
 */
scen_pos scen_doc_pos(const scen_doc *d, const json_t *node);
/* Where the key `key` of object `obj` is written. */
scen_pos scen_doc_key_pos(const scen_doc *d, const json_t *obj, const char *key);
/* Where the value of obj[key] is written (its key's place when it has none). */
scen_pos scen_doc_value_pos(const scen_doc *d, const json_t *obj, const char *key);

/*
 * Make a message one line, safe for a terminal: every control character
 * (newline, tab, escape...) becomes a space. Messages quote the file's
 * values, which may hold any of them.
 */
void scen_one_line(char *msg);

#endif
