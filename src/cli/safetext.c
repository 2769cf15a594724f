/*
 * Record data made safe to show. Values come from the account, and anyone
 * who can fill in a form can put bytes in them: an ESC or OSC sequence written
 * raw to a terminal can clear it, retitle it or set its clipboard (OSC 52),
 * and a CSV cell starting with '=' runs as a formula in a spreadsheet
 * (OWASP, "CSV Injection").
 *
 *  - Tables: control characters (C0, DEL, and the C1 controls U+0080..U+009F)
 *    are shown as visible escapes, \x1b and \u009b; tab, CR and LF become a
 *    space, so a row stays one line. A lone text value shown for people keeps
 *    its tabs and line feeds (CR is escaped: it could overwrite the line).
 *  - CSV: the same controls become the same escapes (tab, CR and LF are kept:
 *    they are data, and quoted). A cell starting with '=', '+', '-', '@', tab
 *    or CR gets a leading single quote, so a spreadsheet shows it as text; a
 *    cell that is a plain decimal number (-5, +1.5, -2e3) is left as it is,
 *    since a spreadsheet reads it as that number, not a formula. --raw-csv
 *    writes the bytes as they are.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "cli.h"
#include "banned.h"

/* Whether p starts a UTF-8 encoded C1 control (U+0080..U+009F: C2 80..C2 9F). */
static int c1_at(const unsigned char *p)
{
	return p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
}

/* What becomes of tab, LF and CR. */
enum ws_mode {
	WS_SPACE, /* a space: a table cell stays on its line */
	WS_KEEP,  /* kept: CSV, where they are quoted data */
	WS_LINES  /* tab and LF kept, CR escaped: text for a terminal */
};

/* Append s with its control characters escaped. */
static void escape_controls(util_buf *b, const char *s, enum ws_mode ws)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p == '\t' || *p == '\n' || *p == '\r') && ws == WS_SPACE)
			util_buf_putc(b, ' ');
		else if ((*p == '\t' || *p == '\n') || (*p == '\r' && ws == WS_KEEP))
			util_buf_putc(b, (char)*p);
		else if (*p < 0x20 || *p == 0x7F)
			util_buf_printf(b, "\\x%02x", *p);
		else if (c1_at(p))
			util_buf_printf(b, "\\u%04x", *++p);
		else
			util_buf_putc(b, (char)*p);
	}
}

static char *finish(util_buf *b)
{
	if (util_buf_ensure(b) < 0 || util_buf_failed(b)) {
		util_buf_release(b);
		return NULL;
	}
	return util_buf_detach(b);
}

char *cli_visible_text(const char *s)
{
	util_buf b = UTIL_BUF_INIT;

	escape_controls(&b, s ? s : "", WS_SPACE);
	return finish(&b);
}

char *cli_visible_lines(const char *s)
{
	util_buf b = UTIL_BUF_INIT;

	escape_controls(&b, s ? s : "", WS_LINES);
	return finish(&b);
}

static size_t digits(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* Whether s is a plain decimal number: [+-] digits [. digits] [e [+-] digits]. */
static int plain_number(const char *s)
{
	size_t whole, frac = 0;

	if (*s == '+' || *s == '-')
		s++;
	whole = digits(s);
	s += whole;
	if (*s == '.') {
		frac = digits(s + 1);
		s += 1 + frac;
	}
	if (whole + frac == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!digits(s))
			return 0;
		s += digits(s);
	}
	return *s == '\0';
}

int cli_csv_formula(const char *s)
{
	return s && *s && strchr("=+-@\t\r", *s) && !plain_number(s);
}

char *cli_csv_safe(const char *s)
{
	util_buf b = UTIL_BUF_INIT;

	if (!s)
		s = "";
	if (cli_csv_formula(s))
		util_buf_putc(&b, '\'');
	escape_controls(&b, s, WS_KEEP);
	return finish(&b);
}
