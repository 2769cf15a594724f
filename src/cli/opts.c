/*
 * Declarative option parsing: a command's cli_opt list plus the global
 * options, accepted anywhere on the line. Supports --name=value,
 * --name value, -x value, -xvalue, bundled short flags (-iv), and "--" to
 * end options. A lone "-" and negative numbers are positional arguments.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "banned.h"

const cli_opt cli_global_opts[] = {
    {.name = "profile",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "use the saved connection NAME (env ONTRAPORT_PROFILE)"},
    {.name = "base-url",
     .kind = CLI_VALUE,
     .arg = "URL",
     .help = "the API base URL, not empty (env ONTRAPORT_BASE_URL; empty = unset)"},
    {.name = "output",
     .short_name = 'o',
     .kind = CLI_VALUE,
     .arg = "FORMAT",
     .help = "json, ndjson, table or csv (default: table on a terminal, else json)"},
    {.name = "verbose",
     .short_name = 'v',
     .kind = CLI_FLAG,
     .help = "log each request on stderr (-vv: headers too); keys masked"},
    {.name = "quiet", .kind = CLI_FLAG, .help = "no notes or progress on stderr"},
    {.name = "timeout",
     .kind = CLI_VALUE,
     .arg = "SECONDS",
     .help = "give up on a request after SECONDS (default 60)"},
    {.name = "connect-timeout",
     .kind = CLI_VALUE,
     .arg = "SECONDS",
     .help = "give up connecting after SECONDS (default 10)"},
    {.name = "retries",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "retry a failed safe request up to N times (default 5; 0 = never)"},
    {.name = "max-wait",
     .kind = CLI_VALUE,
     .arg = "SECONDS",
     .help = "fail (exit 6) rather than wait longer than SECONDS for the rate limit (default: up "
             "to 66)"},
    {.name = "dates",
     .kind = CLI_VALUE,
     .arg = "HOW",
     .help = "date fields as local or utc date-times, or epoch seconds as stored (default: local "
             "in a table, else epoch)"},
    {.name = "refresh",
     .kind = CLI_FLAG,
     .help = "fetch the account's fields afresh, not from the cache (env ONTRAPORT_CACHE_TTL: "
             "seconds it is used, default 3600; 0 = no cache)"},
    {.name = "raw-csv",
     .kind = CLI_FLAG,
     .help = "csv cells as stored: no quote before =+-@ formulas, control characters kept"},
    {.name = "help", .short_name = 'h', .kind = CLI_FLAG, .help = "show help for the command"},
    {.name = NULL}};

struct slot {
	const cli_opt *opt;
	int count;
	const char *value;
	const char **list;
	size_t nlist;
};

struct cli_args {
	struct slot *slots;
	size_t nslots;
	char **pos;
	int npos;
};

static size_t count_opts(const cli_opt *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

void cli_args_free(cli_args *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nslots; i++)
		free(a->slots[i].list);
	free(a->slots);
	free(a->pos);
	free(a);
}

static struct slot *find_long(cli_args *a, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < a->nslots; i++)
		if (strlen(a->slots[i].opt->name) == len &&
		    strncmp(a->slots[i].opt->name, name, len) == 0)
			return &a->slots[i];
	return NULL;
}

static struct slot *find_short(cli_args *a, char c)
{
	size_t i;

	for (i = 0; i < a->nslots; i++)
		if (a->slots[i].opt->short_name == c)
			return &a->slots[i];
	return NULL;
}

static int looks_negative_number(const char *s)
{
	if (s[0] != '-' || !isdigit((unsigned char)s[1]))
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return 0;
	return 1;
}

static int store(struct slot *sl, const char *value, char *err, size_t errsz)
{
	if (sl->opt->kind == CLI_FLAG) {
		sl->count++;
		return 0;
	}
	sl->count++;
	if (sl->opt->kind == CLI_VALUE) {
		sl->value = value;
		return 0;
	}
	const char **nl = realloc(sl->list, (sl->nlist + 1) * sizeof *nl);
	if (!nl) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	sl->list = nl;
	sl->list[sl->nlist++] = value;
	return 0;
}

/* The nearest long option name, for "did you mean". */
static const char *suggest(const cli_args *a, const char *name, size_t len)
{
	const char *cands[256];
	char word[128];
	size_t i, n = 0;

	snprintf(word, sizeof word, "%.*s", (int)(len < 120 ? len : 120), name);
	for (i = 0; i < a->nslots && n < 256; i++)
		cands[n++] = a->slots[i].opt->name;
	return util_nearest(word, cands, n);
}

int cli_args_parse(cli_args **out, const cli_command *cmd, int argc, char **argv, char *err,
                   size_t errsz)
{
	size_t nlocal = count_opts(cmd->opts), nglobal = count_opts(cli_global_opts), i;
	cli_args *a;
	int k, only_pos = 0;

	*out = NULL;
	a = calloc(1, sizeof *a);
	if (!a || !(a->slots = calloc(nlocal + nglobal + 1, sizeof *a->slots)) ||
	    !(a->pos = calloc((size_t)argc + 1, sizeof *a->pos))) {
		cli_args_free(a);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (i = 0; i < nlocal; i++)
		a->slots[a->nslots++].opt = &cmd->opts[i];
	for (i = 0; i < nglobal; i++)
		a->slots[a->nslots++].opt = &cli_global_opts[i];

	for (k = 0; k < argc; k++) {
		char *arg = argv[k];
		struct slot *sl;

		if (only_pos || arg[0] != '-' || arg[1] == '\0' || looks_negative_number(arg)) {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const char *value = NULL;

			sl = find_long(a, name, len);
			if (!sl) {
				const char *s = suggest(a, name, len);
				snprintf(err, errsz, "unknown option '--%.*s'%s%s%s", (int)len,
				         name, s ? " (did you mean '--" : "", s ? s : "",
				         s ? "'?)" : "");
				goto fail;
			}
			if (sl->opt->kind == CLI_FLAG) {
				if (eq) {
					snprintf(err, errsz, "option '--%s' takes no value",
					         sl->opt->name);
					goto fail;
				}
			} else if (eq) {
				value = eq + 1;
			} else if (k + 1 < argc) {
				value = argv[++k];
			} else {
				snprintf(err, errsz, "option '--%s' needs a value (%s)",
				         sl->opt->name, sl->opt->arg ? sl->opt->arg : "VALUE");
				goto fail;
			}
			if (store(sl, value, err, errsz) < 0)
				goto fail;
			continue;
		}
		/* Short options, possibly bundled. */
		for (const char *p = arg + 1; *p; p++) {
			sl = find_short(a, *p);
			if (!sl) {
				snprintf(err, errsz, "unknown option '-%c'", *p);
				goto fail;
			}
			if (sl->opt->kind == CLI_FLAG) {
				if (store(sl, NULL, err, errsz) < 0)
					goto fail;
				continue;
			}
			if (p[1]) {
				if (store(sl, p + 1, err, errsz) < 0)
					goto fail;
			} else if (k + 1 < argc) {
				if (store(sl, argv[++k], err, errsz) < 0)
					goto fail;
			} else {
				snprintf(err, errsz, "option '-%c' needs a value (%s)", *p,
				         sl->opt->arg ? sl->opt->arg : "VALUE");
				goto fail;
			}
			break;
		}
	}
	*out = a;
	return 0;
fail:
	cli_args_free(a);
	return -1;
}

static const struct slot *slot_of(const cli_args *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nslots; i++)
		if (strcmp(a->slots[i].opt->name, name) == 0)
			return &a->slots[i];
	/* Asking for an option the command does not declare is a programming error. */
	fprintf(stderr, "ontraport: internal error: option '--%s' is not declared\n", name);
	abort();
}

int cli_flag(const cli_args *a, const char *name)
{
	return slot_of(a, name)->count;
}

const char *cli_value(const cli_args *a, const char *name)
{
	return slot_of(a, name)->value;
}

const char *const *cli_list(const cli_args *a, const char *name, size_t *n)
{
	const struct slot *s = slot_of(a, name);
	*n = s->nlist;
	return s->list;
}

int cli_argc(const cli_args *a)
{
	return a->npos;
}

const char *cli_arg(const cli_args *a, int i)
{
	return i >= 0 && i < a->npos ? a->pos[i] : NULL;
}

char **cli_argv(cli_args *a)
{
	return a->pos;
}

int cli_value_ll(const cli_args *a, const char *name, long long min, long long max, long long dflt,
                 long long *out)
{
	const char *v = cli_value(a, name);

	if (!v) {
		*out = dflt;
		return 0;
	}
	if (util_parse_ll(v, min, max, out) < 0) {
		cli_error(EXIT_USAGE,
		          "invalid value '%s' for --%s: expected a whole number from %lld to %lld",
		          v, name, min, max);
		return -1;
	}
	return 0;
}
