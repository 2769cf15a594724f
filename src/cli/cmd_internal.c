/*
 * Hidden commands that serve the tool's own documentation and shell
 * integration, generated from the one command table (main.c):
 *
 *   ontraport __man [PAGE]        roff for ontraport(1), ontraport-PAGE(1), or
 *                                 ontraport-GROUP-COMMAND(1) (as git: one page a command)
 *   ontraport __man --list        the page names
 *   ontraport __man --dir DIR     every page into DIR
 *   ontraport __complete -- N W...  completion candidates for word N of W...
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "profile.h"
#include "util.h"
#include "banned.h"

/* ---- man pages ---- */

/* roff-escape text: backslashes, leading dots and quotes, hyphens in options. */
static void roff(FILE *f, const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
		bol = *s == '\n';
	}
}

static void man_paragraphs(FILE *f, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[2048];
		snprintf(line, sizeof line, "%.*s",
		         (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		if (n == 0)
			fputs(".PP\n", f);
		else if (line[0] == ' ') {
			fputs(".RS\n.nf\n", f);
			roff(f, util_trim(line));
			fputs("\n.fi\n.RE\n", f);
		} else {
			roff(f, line);
			fputc('\n', f);
		}
		p = eol ? eol + 1 : p + n;
	}
}

static void man_opts(FILE *f, const cli_opt *o)
{
	for (; o && o->name; o++) {
		fputs(".TP\n\\fB", f);
		if (o->short_name)
			fprintf(f, "\\-%c\\fR, \\fB", o->short_name);
		fputs("\\-\\-", f);
		roff(f, o->name);
		fputs("\\fR", f);
		if (o->arg) {
			fputs(" \\fI", f);
			roff(f, o->arg);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff(f, o->help);
		fputc('\n', f);
	}
}

static void man_examples(FILE *f, const char *ex)
{
	const char *p = ex;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[2048];
		snprintf(line, sizeof line, "%.*s",
		         (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		if (line[0] == ' ') {
			fputs(".RS\n", f);
			roff(f, util_trim(line));
			fputs("\n.RE\n", f);
		} else if (n) {
			fputs(".PP\n.nf\n\\fB$ ", f);
			roff(f, line);
			fputs("\\fR\n.fi\n", f);
		}
		p = eol ? eol + 1 : p + n;
	}
}

static const char exit_status[] =
    ".TP\n0\nsuccess\n.TP\n1\nother failure (I/O, config file, internal; a write error on the "
    "output)\n"
    ".TP\n2\nusage: unknown command or option, malformed option value, wrong arguments\n"
    ".TP\n3\nauthentication: the App ID and API key pair was refused (HTTP 401)\n"
    ".TP\n4\nnot found: the object, path or connection does not exist (HTTP 404)\n"
    ".TP\n5\ninvalid input: refused before sending, or by the server (HTTP 400/422)\n"
    ".TP\n6\nrate limited (HTTP 429), or a rate-limit wait longer than --max-wait\n"
    ".TP\n7\nserver error (HTTP 5xx)\n"
    ".TP\n8\nnetwork: could not connect, timed out, connection dropped\n"
    ".TP\n9\nbad response: the answer is not the API's JSON envelope\n"
    ".TP\n10\nunsafe to repeat: a create may have reached the server and was not retried\n"
    ".TP\n11\nforbidden: the key pair works but may not do this (HTTP 403: the user's permissions, "
    "or an object type that does not take the operation)\n"
    ".TP\n130\ninterrupted\n"
    ".TP\n141\nthe reader of standard output went away (SIGPIPE); nothing is printed\n";

/* One command (leaf) as a subsection or as the page's synopsis + options. */
static void man_leaf(FILE *f, const cli_command *c, const char *path, int sub)
{
	if (sub) {
		fputs(".SS \"", f);
		roff(f, path);
		fputs("\"\n", f);
	}
	fputs(".PP\n.B ontraport ", f);
	roff(f, path);
	fputc('\n', f);
	if (c->synopsis && *c->synopsis) {
		roff(f, c->synopsis);
		fputc('\n', f);
	}
	fputs(".PP\n", f);
	if (c->description)
		man_paragraphs(f, c->description);
	else if (c->summary) {
		roff(f, c->summary);
		fputs(".\n", f);
	}
	if (c->opts && c->opts->name) {
		fputs(".PP\nOptions:\n.RS\n", f);
		man_opts(f, c->opts);
		fputs(".RE\n", f);
	}
	if (c->examples) {
		fputs(".PP\nExamples:\n", f);
		man_examples(f, c->examples);
	}
}

static int hidden(const cli_command *c)
{
	return c->name[0] == '_';
}

/*
 * A page: ontraport(1) for the root, ontraport-NAME(1) for a command,
 * ontraport-GROUP-NAME(1) for a command of a group (as git names its pages).
 * path is the words after "ontraport" ("" for the root, "objects search").
 */
typedef struct man_ref {
	const cli_command *cmd;
	const cli_command *parent; /* the group it belongs to; NULL for the root */
	char path[256];
	char name[256];  /* "ontraport-objects-search" */
	char group[256]; /* the group's page, "ontraport-objects"; "" if none */
} man_ref;

/* "ontraport" and the words of path joined with '-'. */
static void page_name(char *out, size_t n, const char *path)
{
	if (snprintf(out, n, "ontraport%s%s", *path ? "-" : "", path) >= (int)n)
		out[0] = '\0'; /* cannot happen: names are short literals in the command table */
	for (; *out; out++)
		if (*out == ' ')
			*out = '-';
}

static void man_ref_set(man_ref *r, const cli_command *c, const cli_command *parent,
                        const char *parent_path)
{
	r->cmd = c;
	r->parent = parent;
	if (!parent)
		r->path[0] = '\0';
	else
		snprintf(r->path, sizeof r->path, "%s%s%s", parent_path, *parent_path ? " " : "",
		         c->name);
	page_name(r->name, sizeof r->name, r->path);
	if (parent && *parent_path)
		page_name(r->group, sizeof r->group, parent_path);
	else
		r->group[0] = '\0';
}

static void man_header(FILE *f, const man_ref *r)
{
	fprintf(f, ".\\\" Generated by 'ontraport __man'; edit the command table in src/cli, not "
	           "this file.\n");
	fputs(".TH \"", f);
	for (const char *p = r->name; *p; p++)
		fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, f);
	fprintf(f, "\" 1 \"\" \"ontraport %s\" \"ontraport manual\"\n", ONTRA_VERSION);
	fputs(".SH NAME\n", f);
	roff(f, r->name);
	fputs(" \\- ", f);
	roff(f, r->cmd->summary ? r->cmd->summary : "");
	fputc('\n', f);
}

static void man_synopsis(FILE *f, const man_ref *r)
{
	const cli_command *c = r->cmd, *const * s;

	fputs(".SH SYNOPSIS\n", f);
	if (!r->parent) {
		fputs(".B ontraport\n[\\fIglobal options\\fR] \\fICOMMAND\\fR [\\fIoptions\\fR]\n",
		      f);
		return;
	}
	for (s = c->subs; s && *s; s++) {
		if (hidden(*s))
			continue;
		fputs(".br\n.B ontraport ", f);
		roff(f, r->path);
		fputc(' ', f);
		roff(f, (*s)->name);
		fputc('\n', f);
		if ((*s)->synopsis && *(*s)->synopsis) {
			roff(f, (*s)->synopsis);
			fputc('\n', f);
		}
	}
	if (c->subs && !c->run)
		return;
	fputs(c->subs ? ".br\n.B ontraport " : ".B ontraport ", f);
	roff(f, r->path);
	fputc('\n', f);
	if (c->synopsis && *c->synopsis) {
		roff(f, c->synopsis);
		fputc('\n', f);
	}
}

/* The commands of the root or of a group: a list (root) or each in full (a group). */
static void man_commands(FILE *f, const man_ref *r)
{
	const cli_command *const *s;
	man_ref sub;

	fputs(".SH COMMANDS\n", f);
	for (s = r->cmd->subs; *s; s++) {
		if (hidden(*s))
			continue;
		man_ref_set(&sub, *s, r->cmd, r->path);
		if (r->parent) {
			man_leaf(f, *s, sub.path, 1);
			fputs(".PP\nSee \\fB", f);
		} else {
			fputs(".TP\n\\fB", f);
			roff(f, (*s)->name);
			fputs("\\fR\n", f);
			roff(f, (*s)->summary);
			fputs("\n(see \\fB", f);
		}
		roff(f, sub.name);
		fputs(r->parent ? "\\fR(1).\n" : "\\fR(1))\n", f);
	}
}

static void man_see_also(FILE *f, const man_ref *r)
{
	const cli_command *const *s;
	man_ref sub;

	fputs(".SH SEE ALSO\n", f);
	if (r->parent) {
		fputs("\\fBontraport\\fR(1), ", f);
		if (*r->group) { /* a command of a group: the group's page */
			fputs("\\fB", f);
			roff(f, r->group);
			fputs("\\fR(1), ", f);
		}
		for (s = r->cmd->subs; s && *s; s++) {
			if (hidden(*s))
				continue;
			man_ref_set(&sub, *s, r->cmd, r->path);
			fputs("\\fB", f);
			roff(f, sub.name);
			fputs("\\fR(1), ", f);
		}
	}
	fputs("\\fBlibontraport\\fR(3)\n", f);
}

static void man_page(FILE *f, const man_ref *r)
{
	const cli_command *c = r->cmd;

	man_header(f, r);
	man_synopsis(f, r);
	fputs(".SH DESCRIPTION\n", f);
	if (c->description)
		man_paragraphs(f, c->description);
	else if (c->summary) {
		roff(f, c->summary);
		fputs(".\n", f);
	}
	if (c->subs)
		man_commands(f, r);
	/* A command that runs and has subcommands (sandbox) has options of its own. */
	if ((!c->subs || c->run) && c->opts && c->opts->name) {
		fputs(".SH OPTIONS\n", f);
		man_opts(f, c->opts);
	}
	if (!c->subs && c->examples) {
		fputs(".SH EXAMPLES\n", f);
		man_examples(f, c->examples);
	}
	fputs(".SH GLOBAL OPTIONS\nAccepted by every command, anywhere on the line.\n", f);
	man_opts(f, cli_global_opts);
	if (c->subs && c->examples) {
		fputs(".SH EXAMPLES\n", f);
		man_examples(f, c->examples);
	}
	fputs(".SH ENVIRONMENT\n"
	      ".TP\n.B ONTRAPORT_PROFILE\nthe saved connection to use (like \\-\\-profile)\n"
	      ".TP\n.B ONTRAPORT_APP_ID\\fR, \\fBONTRAPORT_API_KEY\\fR, \\fBONTRAPORT_BASE_URL\n"
	      "override the selected connection's values\n"
	      ".TP\n.B ONTRAPORT_CONFIG\nthe connections file (default "
	      "$XDG_CONFIG_HOME/ontraport/config.json)\n"
	      ".TP\n.B ONTRAPORT_SANDBOX_CONTROL_TOKEN\nthe sandbox's control token (like "
	      "\\-\\-control\\-token)\n"
	      ".TP\n.B NO_COLOR\nno colour, even on a terminal\n",
	      f);
	fputs(".SH EXIT STATUS\n", f);
	fputs(exit_status, f);
	man_see_also(f, r);
}

/* What run_man does with each page: list it, write it into a directory, or print it if named. */
typedef struct man_job {
	const char *dir;  /* --dir */
	const char *want; /* the page asked for, or NULL */
	int list, found, rc;
} man_job;

static void man_visit(man_job *j, const man_ref *r)
{
	char path[4096];
	FILE *f;

	if (j->list) {
		puts(r->name);
	} else if (j->dir) {
		snprintf(path, sizeof path, "%s/%s.1", j->dir, r->name);
		if (!(f = fopen(path, "w"))) {
			j->rc = cli_error(EXIT_ERROR, "cannot write %s", path);
			return;
		}
		man_page(f, r);
		if (fclose(f) != 0)
			j->rc = cli_error(EXIT_ERROR, "cannot write %s", path);
	} else if (!j->found && strcmp(j->want, r->name) == 0) {
		man_page(stdout, r);
		j->found = 1;
	}
}

/* Every page under r, r's own first, in the order of the command table. */
static void man_walk(man_job *j, const man_ref *r)
{
	const cli_command *const *s;
	man_ref sub;

	man_visit(j, r);
	for (s = r->cmd->subs; s && *s && j->rc == EXIT_OK; s++) {
		if (hidden(*s))
			continue;
		man_ref_set(&sub, *s, r->cmd, r->path);
		man_walk(j, &sub);
	}
}

static int run_man(cli_ctx *ctx, cli_args *args)
{
	const char *page = cli_arg(args, 0);
	man_job j = {.dir = cli_value(args, "dir"), .list = cli_flag(args, "list")};
	char want[256];
	man_ref root;

	/* "objects-search", "ontraport-objects-search" and "objects search" name one page. */
	if (page && !util_starts_with(page, "ontraport"))
		snprintf(want, sizeof want, "ontraport-%s", page);
	else
		snprintf(want, sizeof want, "%s", page ? page : "ontraport");
	for (char *p = want; *p; p++)
		if (*p == ' ')
			*p = '-';
	j.want = want;
	man_ref_set(&root, ctx->root, NULL, "");
	man_walk(&j, &root);
	if (j.rc != EXIT_OK || j.dir || j.list || j.found)
		return j.rc;
	return cli_usage_error(ctx, "no manual page '%s'", page);
}

/* ---- completion ---- */

static const cli_opt *find_opt(const cli_command *c, const char *word)
{
	const cli_opt *lists[2] = {c ? c->opts : NULL, cli_global_opts};
	int k;

	for (k = 0; k < 2; k++)
		for (const cli_opt *o = lists[k]; o && o->name; o++) {
			if (word[0] == '-' && word[1] == '-' && strcmp(word + 2, o->name) == 0)
				return o;
			if (word[0] == '-' && word[1] == o->short_name && word[1] && !word[2])
				return o;
		}
	return NULL;
}

static void say(const char *cand, const char *prefix)
{
	if (util_starts_with(cand, prefix))
		puts(cand);
}

static void complete_value(const cli_opt *o, const char *cur)
{
	static const char *const types[] = {
	    "contacts", "tags",  "sequences", "campaigns", "forms", "messages",  "rules",
	    "tasks",    "notes", "products",  "webhooks",  "deals", "companies", NULL};
	static const char *const formats[] = {"json", "ndjson", "table", "csv", NULL};
	static const char *const events[] = {"created", "tagged", "untagged", "form-submitted",
	                                     NULL};
	static const char *const dformats[] = {"full", "notify", "lightweight", NULL};
	static const char *const statuses[] = {"pending", "done", "dead", NULL};
	static const char *const log_formats[] = {"text", "json", NULL};
	const char *const *list = NULL;
	size_t i;

	if (strcmp(o->name, "type") == 0)
		list = types;
	else if (strcmp(o->name, "output") == 0)
		list = formats;
	else if (strcmp(o->name, "event") == 0)
		list = events;
	else if (strcmp(o->name, "data-format") == 0)
		list = dformats;
	else if (strcmp(o->name, "status") == 0)
		list = statuses;
	else if (strcmp(o->name, "log-format") == 0)
		list = log_formats;
	if (strcmp(o->name, "profile") == 0) {
		cli_profiles ps = CLI_PROFILES_INIT;
		char err[256];
		if (cli_profiles_load(&ps, err, sizeof err) == 0)
			for (i = 0; i < ps.count; i++)
				say(ps.items[i].name, cur);
		cli_profiles_release(&ps);
		return;
	}
	for (i = 0; list && list[i]; i++)
		say(list[i], cur);
}

/* The command whose options apply: a leaf, or a group that runs (sandbox); else NULL. */
static const cli_command *own_opts(const cli_command *cmd)
{
	return cmd->subs && !cmd->run ? NULL : cmd;
}

static int run_complete(cli_ctx *ctx, cli_args *args)
{
	long long cword;
	const cli_command *cmd = ctx->root, *const * s;
	const char *cur, *prev;
	int i, n = cli_argc(args);

	/* Arguments: the index of the word being completed, then the words (word 0 = "ontraport").
	 */
	if (n < 1 || util_parse_ll(cli_arg(args, 0), 1, 1000, &cword) < 0)
		return cli_usage_error(ctx, "usage: ontraport __complete CWORD WORDS...");
	cur = cword + 1 < n ? cli_arg(args, (int)cword + 1) : "";
	prev = cword >= 1 && cword < n ? cli_arg(args, (int)cword) : "";
	/* Walk the command tree over the words before the current one. */
	for (i = 2; i < cword + 1 && i < n; i++) {
		const char *w = cli_arg(args, i);
		const cli_opt *o;
		if (w[0] == '-') {
			o = find_opt(own_opts(cmd), w);
			if (o && o->kind != CLI_FLAG && !strchr(w, '='))
				i++; /* skip its value */
			continue;
		}
		if (!cmd->subs)
			continue;
		for (s = cmd->subs; *s; s++)
			if (strcmp((*s)->name, w) == 0)
				break;
		if (*s)
			cmd = *s;
	}
	if (prev[0] == '-') {
		const cli_opt *o = find_opt(own_opts(cmd), prev);
		if (o && o->kind != CLI_FLAG) {
			complete_value(o, cur);
			return EXIT_OK;
		}
	}
	if (cur[0] == '-') {
		const cli_opt *lists[2] = {own_opts(cmd) ? cmd->opts : NULL, cli_global_opts};
		char buf[128];
		for (int k = 0; k < 2; k++)
			for (const cli_opt *o = lists[k]; o && o->name; o++) {
				snprintf(buf, sizeof buf, "--%s", o->name);
				say(buf, cur);
			}
		return EXIT_OK;
	}
	if (cmd->subs)
		for (s = cmd->subs; *s; s++)
			if (!hidden(*s))
				say((*s)->name, cur);
	return EXIT_OK;
}

static const cli_opt man_opts_list[] = {
    {.name = "list", .kind = CLI_FLAG, .help = "list the page names"},
    {.name = "dir", .kind = CLI_VALUE, .arg = "DIR", .help = "write every page into DIR"},
    {.name = NULL}};

const cli_command cli_cmd_man = {
    .name = "__man",
    .summary = "print a manual page (roff) generated from the command table",
    .synopsis = "[PAGE]",
    .opts = man_opts_list,
    .run = run_man,
    .max_args = 1,
};

const cli_command cli_cmd_complete = {
    .name = "__complete",
    .summary = "print completion candidates",
    .synopsis = "CWORD WORDS...",
    .run = run_complete,
    .min_args = 1,
    .max_args = -1,
};
