/* sqlident: SQL identifier quoting, for the names the sandbox builds SQL from. */
#include "sbx_store.h"
#include "banned.h"

int sbx_sql_ident(util_buf *b, const char *name)
{
	const char *p;

	util_buf_putc(b, '"');
	for (p = name; p && *p; p++) {
		if (*p == '"')
			util_buf_putc(b, '"');
		util_buf_putc(b, *p);
	}
	util_buf_putc(b, '"');
	return util_buf_failed(b) ? -1 : 0;
}
