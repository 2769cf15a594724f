/* The checkpoint and the rejects report of `objects import` (import_state.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "import_state.h"
#include "util.h"
#include "banned.h"

#define MAGIC "ontraport-import-checkpoint 1"

unsigned long long cli_import_hash(unsigned long long h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* One "name value" line of a checkpoint into st; 0, or -1 when it is not one. */
static int state_line(cli_import_state *st, const char *name, const char *value)
{
	long long v;
	char *end;

	if (strcmp(name, "type") == 0 || strcmp(name, "key") == 0 || strcmp(name, "mode") == 0) {
		char *dst = name[0] == 't' ? st->type : name[0] == 'k' ? st->key : st->mode;
		size_t cap = name[0] == 't'   ? sizeof st->type
		             : name[0] == 'k' ? sizeof st->key
		                              : sizeof st->mode;
		if (strlen(value) >= cap)
			return -1;
		memcpy(dst, value, strlen(value) + 1);
		return 0;
	}
	if (strcmp(name, "hash") == 0) {
		errno = 0;
		st->hash = strtoull(value, &end, 16);
		return errno || end == value || *end ? -1 : 0;
	}
	if (util_parse_ll(value, 0, 1LL << 62, &v) < 0)
		return -1;
	if (strcmp(name, "records") == 0)
		st->records = v;
	else if (strcmp(name, "offset") == 0)
		st->offset = v;
	else if (strcmp(name, "rejects_size") == 0)
		st->rejects_size = v;
	else
		return -1;
	return 0;
}

int cli_import_state_load(const char *path, cli_import_state *st)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int ok, n = 0;

	memset(st, 0, sizeof *st);
	if (!f) {
		if (errno == ENOENT)
			return 0;
		cli_error(EXIT_ERROR, "cannot read checkpoint '%s': %s", path, strerror(errno));
		return -1;
	}
	ok = fgets(line, sizeof line, f) && strcmp(util_trim(line), MAGIC) == 0;
	while (ok && fgets(line, sizeof line, f)) {
		char *sp = strchr(util_trim(line), ' ');
		if (!sp) {
			ok = 0;
			break;
		}
		*sp = '\0';
		ok = state_line(st, line, sp + 1) == 0;
		n++;
	}
	fclose(f);
	if (!ok || n < 7) {
		cli_error(
		    EXIT_ERROR,
		    "'%s' is not an import checkpoint (or is damaged): delete it to start over",
		    path);
		return -1;
	}
	return 1;
}

/* fsync the directory holding path, so a rename in it is durable. */
static int sync_dir(const char *path)
{
	char *copy = util_strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int cli_import_state_save(const char *path, const cli_import_state *st)
{
	char tmp[4096], text[1024];
	int fd, n, ok;

	n = snprintf(text, sizeof text,
	             MAGIC "\nrecords %lld\noffset %lld\nhash %016llx\nrejects_size %lld\n"
	                   "type %s\nkey %s\nmode %s\n",
	             st->records, st->offset, st->hash, st->rejects_size, st->type, st->key,
	             st->mode);
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp || n >= (int)sizeof text)
		return cli_error(EXIT_ERROR, "checkpoint path too long"), -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_error(EXIT_ERROR, "cannot write checkpoint '%s': %s", tmp,
		                 strerror(errno)),
		       -1;
	ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0 || sync_dir(path) < 0) {
		cli_error(EXIT_ERROR, "cannot write checkpoint '%s': %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

FILE *cli_import_rejects_open(const char *path, long long keep)
{
	struct stat sb;
	FILE *f;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || fstat(fd, &sb) < 0 ||
	    ftruncate(fd, keep < 0 || keep > sb.st_size ? (keep < 0 ? 0 : sb.st_size) : keep) < 0 ||
	    lseek(fd, 0, SEEK_END) < 0 || !(f = fdopen(fd, "a"))) {
		cli_error(EXIT_ERROR, "cannot write rejects report '%s': %s", path,
		          strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (ftell(f) == 0 && (fputs("row,field,reason\r\n", f) < 0 || fflush(f) != 0)) {
		cli_error(EXIT_ERROR, "cannot write rejects report '%s': %s", path,
		          strerror(errno));
		fclose(f);
		return NULL;
	}
	return f;
}

/* One CSV cell: formula-safe, quoted when it holds a comma, quote or line break. */
static void put_cell(FILE *f, const char *s)
{
	char *safe = cli_csv_safe(s ? s : "");
	const char *p = safe ? safe : "";

	if (strpbrk(p, ",\"\r\n") || (safe && s && strcmp(safe, s) != 0)) {
		fputc('"', f);
		for (; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(p, f);
	}
	free(safe);
}

int cli_import_rejects_add(FILE *f, long long row, const char *field, const char *reason)
{
	fprintf(f, "%lld,", row);
	put_cell(f, field);
	fputc(',', f);
	put_cell(f, reason);
	fputs("\r\n", f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f))
		return cli_error(EXIT_ERROR, "cannot write the rejects report: %s",
		                 strerror(errno)),
		       -1;
	return 0;
}
