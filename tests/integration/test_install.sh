#!/usr/bin/env bash
# The library as users get it: `cmake --install` puts the header, the shared
# and static libraries, ontraport.pc, the binary and the man pages in place; a program built
# with `pkg-config --cflags --libs ontraport` links and talks to a sandbox; the
# shared library exports only ontra_* names.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_BUILD_DIR:?}"

PREFIX="$TMP/prefix"
run cmake --install "$ONTRA_BUILD_DIR" --prefix "$PREFIX"
assert_rc 0 "cmake --install"
LIBDIR=$(dirname "$(find "$PREFIX" -name 'libontraport.so' | head -1)")
for f in "$PREFIX/include/ontraport.h" "$LIBDIR/libontraport.so" "$LIBDIR/libontraport.a" \
	"$LIBDIR/pkgconfig/ontraport.pc" "$PREFIX/bin/ontraport"; do
	CHECKS=$((CHECKS + 1))
	[ -e "$f" ] || fail "not installed: $f"
done

# The man pages: one per command and one per command of a group, found by
# man(1) under the names a reader types (man ontraport-objects-search).
MANDIR="$PREFIX/share/man"
for page in $("$OP" __man --list); do
	CHECKS=$((CHECKS + 1))
	[ -s "$MANDIR/man1/$page.1" ] || fail "man page not installed: $page.1"
done
for page in ontraport ontraport-objects ontraport-objects-search ontraport-connection-add; do
	run env MANPATH="$MANDIR" man -w "$page"
	assert_rc 0 "man -w $page"
	assert_eq "$OUT" "$MANDIR/man1/$page.1" "the page man finds for $page"
done
run env MANPATH="$MANDIR" MANWIDTH=100 man ontraport-objects-search
assert_rc 0 "man ontraport-objects-search"
assert_contains "$OUT" "ontraport objects search [--type TYPE]" "its synopsis"
CHECKS=$((CHECKS + 1))
[ -s "$MANDIR/man3/libontraport.3" ] || fail "libontraport.3 not installed"

# The systemd units: installed, naming the installed binary, and accepted by
# systemd-analyze (an instance of each, the binary's path rewritten to this
# prefix's; any complaint on stderr fails, as the tool itself only warns).
for unit in ontraport-watch@.service ontraport-run@.service; do
	f=$(find "$PREFIX" -name "$unit" | head -1)
	CHECKS=$((CHECKS + 1))
	[ -s "$f" ] || fail "unit not installed: $unit"
	assert_contains "$(cat "$f")" "ExecStart=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$ONTRA_BUILD_DIR/CMakeCache.txt")/bin/ontraport " "$unit runs the installed binary"
	mkdir -p "$TMP/units"
	sed "s#^ExecStart=[^ ]*/ontraport #ExecStart=$PREFIX/bin/ontraport #" "$f" >"$TMP/units/${unit/@/@t}"
	run systemd-analyze verify --man=no "$TMP/units/${unit/@/@t}"
	assert_rc 0 "systemd-analyze verify $unit"
	assert_eq "$ERR" "" "what systemd-analyze says of $unit"
done

# Exported symbols: every one carries the prefix.
bad=$(nm -D --defined-only "$LIBDIR/libontraport.so" | awk '{print $3}' | grep -v '^ontra_' || true)
assert_eq "$bad" "" "symbols exported without the ontra_ prefix"
CHECKS=$((CHECKS + 1))
[ "$(nm -D --defined-only "$LIBDIR/libontraport.so" | grep -c ' T ontra_')" -ge 20 ] || fail "too few exported functions"

# A program built against the installed copy through pkg-config.
cat >"$TMP/hello.c" <<'C'
#include <ontraport.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_client *c;
	json_t *data;
	o.base_url = getenv("ONTRAPORT_BASE_URL");
	o.app_id = getenv("ONTRAPORT_APP_ID");
	o.api_key = getenv("ONTRAPORT_API_KEY");
	if (ontra_client_new(&c, &o) < 0)
		return 2;
	req.path = "/Contacts";
	if (ontra_call_data(&data, c, &req) < 0) {
		fprintf(stderr, "%s\n", ontra_error_last()->message);
		return 1;
	}
	printf("%s %zu\n", ontra_version(), json_array_size(data));
	json_decref(data);
	ontra_client_free(c);
	return 0;
}
C
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$ONTRA_BUILD_DIR/CMakeCache.txt")
san=""
grep -q '^ONTRA_SANITIZE:BOOL=ON' "$ONTRA_BUILD_DIR/CMakeCache.txt" && san="-fsanitize=address,undefined"
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
run pkg-config --cflags --libs ontraport
assert_rc 0 "pkg-config knows ontraport"
assert_contains "$OUT" "-lontraport"
# shellcheck disable=SC2046
run "${cc:-cc}" $san -std=c17 -Wall -Wextra -Werror -o "$TMP/hello" "$TMP/hello.c" $(pkg-config --cflags --libs ontraport) -Wl,-rpath,"$LIBDIR"
assert_rc 0 "compile against the installed library"

# The static library: every global name it defines carries the prefix, and it
# needs nothing of the build tree (no util_* left undefined).
bad=$(nm -g --defined-only "$LIBDIR/libontraport.a" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -v '^ontra_' || true)
assert_eq "$bad" "" "global names defined in libontraport.a without the ontra_ prefix"
bad=$(nm -u "$LIBDIR/libontraport.a" 2>/dev/null | awk '{print $2}' | grep -E '^(util_|sbx_|rcv_|cli_)' | sort -u || true)
assert_eq "$bad" "" "names libontraport.a needs but does not define"

# A static link, by a program with helpers of its own named as the
# library's internal ones were (util_*): they must not be picked up.
cat "$TMP/hello.c" >"$TMP/hello_static.c"
cat >>"$TMP/hello_static.c" <<'C'
char *util_strdup(const char *s);
char *util_strdup(const char *s) { (void)s; return NULL; }
int util_buf_printf(void);
int util_buf_printf(void) { return -1; }
C
# shellcheck disable=SC2046
run "${cc:-cc}" $san -std=c17 -Wall -Wextra -Werror -o "$TMP/hello_static" "$TMP/hello_static.c" \
	$(pkg-config --cflags --libs-only-L ontraport) -Wl,-Bstatic -lontraport -Wl,-Bdynamic \
	$(pkg-config --libs libcurl jansson libmicrohttpd sqlite3) -pthread
assert_rc 0 "link libontraport.a statically"
CHECKS=$((CHECKS + 1))
if readelf -d "$TMP/hello_static" | grep -q 'libontraport'; then
	fail "the static build still needs libontraport.so"
fi

start_sandbox
run "$TMP/hello"
assert_rc 0 "run against the sandbox"
assert_contains "$OUT" "0.1.0 0"
run "$TMP/hello_static"
assert_rc 0 "run the statically linked program against the sandbox"
assert_contains "$OUT" "0.1.0 0"
run "$PREFIX/bin/ontraport" api GET /Contacts
assert_rc 0 "the installed binary"

finish
