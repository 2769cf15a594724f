#!/usr/bin/env bash
# The dependency check (scripts/depcheck.py, floors in scripts/floors.txt):
# the real tree has no cycle but the known ones and no edge going up a floor;
# and the check does catch both, with the offending edge named, on a made-up
# tree whose objects are compiled here.
. "$(dirname "$0")/lib.sh"
DEPCHECK="$ONTRA_SOURCE_DIR/scripts/depcheck.py"

run python3 "$DEPCHECK" --build "$ONTRA_BUILD_DIR"
assert_rc 0 "the tree keeps its floors"
assert_contains "$OUT" "no new cycle, every edge goes down"
run python3 "$DEPCHECK" --build "$ONTRA_BUILD_DIR" --report
assert_rc 0 "--report"
assert_contains "$OUT" "src/sandbox/store "
assert_contains "$OUT" "cycles: 0"

# A made-up tree: low/a.c calls high/b.c (up a floor), which calls a.c back
# (a cycle); low/a.h includes high/b.h (up a floor, by #include).
T="$TMP/tree"
mkdir -p "$T/src/low" "$T/src/high" "$T/include" "$T/build/CMakeFiles/t.dir/src/low" \
	"$T/build/CMakeFiles/t.dir/src/high"
printf '#include "b.h"\nint a(void);\n' >"$T/src/low/a.h"
printf '#include "a.h"\nint a(void) { return b() - 1; }\n' >"$T/src/low/a.c"
printf 'int b(void);\n' >"$T/src/high/b.h"
printf '#include "b.h"\nint a(void);\nint b(void) { return a() + 1; }\n' >"$T/src/high/b.c"
printf 'src/low:\nsrc/high: src/low\n' >"$T/floors.txt"
for f in low/a high/b; do
	"${CC:-cc}" -c -I"$T/src/low" -I"$T/src/high" "$T/src/$f.c" -o "$T/build/CMakeFiles/t.dir/src/$f.c.o" ||
		fail "cannot compile the made-up tree"
done
run python3 "$DEPCHECK" --source "$T" --build "$T/build" --floors "$T/floors.txt"
assert_rc 1 "an upward edge and a cycle fail the check"
assert_contains "$ERR" "src/low/a.c uses a symbol of src/high/b.c: src/low may not depend on src/high"
assert_contains "$ERR" "src/low/a.h #include src/high/b.h: src/low may not depend on src/high"
assert_contains "$ERR" "cycle between 2 files: src/high/b.c src/low/a.c"
assert_contains "$ERR" "src/low/a.h #include src/high/b.h: another library's internal header"

# Another library is reached by its face only: high/f.c may include low/include/face.h (down a
# floor, a face), not low/a.h (down a floor, but internal).
F="$TMP/faces"
mkdir -p "$F/src/low/include" "$F/src/high" "$F/include" "$F/build/CMakeFiles/t.dir/src/low" \
	"$F/build/CMakeFiles/t.dir/src/high"
printf 'int a(void);\n' >"$F/src/low/a.h"
printf '#include "../a.h"\n' >"$F/src/low/include/face.h"
printf '#include "a.h"\nint a(void) { return 1; }\n' >"$F/src/low/a.c"
printf '#include "face.h"\nint f(void) { return a(); }\n' >"$F/src/high/f.c"
printf 'src/low:\nsrc/high: src/low\n' >"$F/floors.txt"
for f in low/a high/f; do
	"${CC:-cc}" -c -I"$F/src/low" -I"$F/src/low/include" "$F/src/$f.c" \
		-o "$F/build/CMakeFiles/t.dir/src/$f.c.o" || fail "cannot compile the faces tree"
done
run python3 "$DEPCHECK" --source "$F" --build "$F/build" --floors "$F/floors.txt"
assert_rc 0 "a face included from the floor above"
printf '#include "a.h"\nint f(void) { return a(); }\n' >"$F/src/high/f.c"
run python3 "$DEPCHECK" --source "$F" --build "$F/build" --floors "$F/floors.txt"
assert_rc 1 "an internal header of another library"
assert_contains "$ERR" "src/high/f.c #include src/low/a.h: another library's internal header; include its face (src/low/include/)"

# Every global of a library carries its prefix: a src/lib file defining helper() fails.
mkdir -p "$F/src/lib" "$F/build/CMakeFiles/t.dir/src/lib"
printf 'int helper(void) { return 2; }\nint ontra_fine(void) { return 3; }\n' >"$F/src/lib/x.c"
"${CC:-cc}" -c "$F/src/lib/x.c" -o "$F/build/CMakeFiles/t.dir/src/lib/x.c.o" || fail "cannot compile x.c"
printf 'src/lib:\nsrc/low:\nsrc/high: src/low\n' >"$F/floors.txt"
run python3 "$DEPCHECK" --source "$F" --build "$F/build" --floors "$F/floors.txt"
assert_rc 1 "a global without its library's prefix"
assert_contains "$ERR" "src/lib/x.c defines 'helper': a global of src/lib must start with ontra_"
assert_not_contains "$ERR" "ontra_fine"

# Declared as known, the cycle passes (the internal include gone); once gone, its line must go too.
printf 'int a(void);\n' >"$T/src/low/a.h"
printf 'src/low: src/high\nsrc/high: src/low\nknown cycle: src/low/a.c src/high/b.c\n' >"$T/floors.txt"
run python3 "$DEPCHECK" --source "$T" --build "$T/build" --floors "$T/floors.txt"
assert_rc 0 "a known cycle passes"
assert_contains "$ERR" "known cycle, to be broken: src/high/b.c src/low/a.c"
printf 'src/low: src/high\nsrc/high: src/low\nknown cycle: src/low/a.c src/low/x.c\n' >"$T/floors.txt"
run python3 "$DEPCHECK" --source "$T" --build "$T/build" --floors "$T/floors.txt"
assert_rc 1 "a stale known cycle fails"
assert_contains "$ERR" "is gone: delete that line"

# A file in no room, and a source without its object, are refusals.
printf 'src/low:\n' >"$T/floors.txt"
run python3 "$DEPCHECK" --source "$T" --build "$T/build" --floors "$T/floors.txt"
assert_rc 1 "a file in no room"
assert_contains "$ERR" "in no room of"
printf 'src/low:\nsrc/high: src/low\n' >"$T/floors.txt"
rm "$T/build/CMakeFiles/t.dir/src/high/b.c.o"
run python3 "$DEPCHECK" --source "$T" --build "$T/build" --floors "$T/floors.txt"
assert_rc 2 "no object for a source"
assert_contains "$ERR" "no object file under $T/build/CMakeFiles for src/high/b.c: build first"
finish
