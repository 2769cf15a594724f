/* --help text, rendered from the declarative command description. */
#include <string.h>

#include "cli.h"
#include "banned.h"

/* Print text wrapped at `width`, each line indented by `indent`; keeps blank lines. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		int col = 0;

		if (end == p) { /* blank line: paragraph break */
			fputc('\n', f);
			p = eol ? eol + 1 : end;
			continue;
		}
		/* A line that starts with spaces is pre-formatted: print it as is. */
		if (*p == ' ') {
			fprintf(f, "%*s%.*s\n", indent, "", (int)(end - p), p);
			p = eol ? eol + 1 : end;
			continue;
		}
		while (p < end) {
			const char *w = p;
			while (w < end && *w != ' ')
				w++;
			int wl = (int)(w - p);
			if (col && col + 1 + wl > width - indent) {
				fputc('\n', f);
				col = 0;
			}
			if (!col)
				fprintf(f, "%*s", indent, "");
			else
				fputc(' ', f);
			fprintf(f, "%.*s", wl, p);
			col += wl + (col ? 1 : 0);
			p = w;
			while (p < end && *p == ' ')
				p++;
		}
		fputc('\n', f);
		p = eol ? eol + 1 : end;
	}
}

static void print_opts(FILE *f, const cli_opt *o)
{
	for (; o && o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
			         o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
			         o->arg ? o->arg : "");
		if (strlen(left) > 26)
			fprintf(f, "  %s\n%30s%s\n", left, "", o->help);
		else
			fprintf(f, "  %-26s  %s\n", left, o->help);
	}
}

void cli_help(FILE *f, const cli_command *cmd, const char *path)
{
	const cli_command *const *s;

	if (cmd->subs && cmd->run) { /* a group that also runs by itself (fields) */
		fprintf(f, "usage: ontraport %s%s%s\n       ontraport %s COMMAND [options]\n\n",
		        path, cmd->synopsis ? " " : "", cmd->synopsis ? cmd->synopsis : "", path);
	} else if (cmd->subs) {
		fprintf(f, "usage: ontraport %s%sCOMMAND [options]\n\n", path, *path ? " " : "");
	} else {
		fprintf(f, "usage: ontraport %s%s%s\n\n", path, cmd->synopsis ? " " : "",
		        cmd->synopsis ? cmd->synopsis : "");
	}
	if (cmd->description) {
		wrap(f, cmd->description, 0, 80);
		fputc('\n', f);
	} else if (cmd->summary) {
		fprintf(f, "%s.\n\n", cmd->summary);
	}
	if (cmd->subs) {
		fprintf(f, "Commands:\n");
		for (s = cmd->subs; *s; s++)
			if ((*s)->name[0] != '_')
				fprintf(f, "  %-18s  %s\n", (*s)->name, (*s)->summary);
		fputc('\n', f);
	}
	if (cmd->opts && cmd->opts->name) {
		fprintf(f, "Options:\n");
		print_opts(f, cmd->opts);
		fputc('\n', f);
	}
	fprintf(f, "Global options:\n");
	print_opts(f, cli_global_opts);
	if (cmd->examples) {
		fprintf(f, "\nExamples:\n");
		wrap(f, cmd->examples, 2, 100);
	}
	if (cmd->subs)
		fprintf(f, "\nRun 'ontraport %s%sCOMMAND --help' for a command's options.\n", path,
		        *path ? " " : "");
}
