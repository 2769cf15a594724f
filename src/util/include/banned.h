/*
 * Functions this code base does not use, in git's style (git's banned.h):
 * each is replaced by a macro that fails to compile, naming the function.
 * Included last by every .c file under src/ (scripts/lint.sh checks), after
 * the system headers that declare them.
 *
 *   strcpy, strcat, strncpy, strncat: no bound, or a bound that leaves the
 *       result unterminated: use snprintf, or util_buf (util/buf.h).
 *   sprintf, vsprintf: no bound: use snprintf, vsnprintf or util_buf_printf.
 *   strtok: hidden state, not thread safe: use strtok_r, or split by hand.
 *   atoi, atol, atoll, atof: no error, no overflow check: use util_parse_ll
 *       or strtod with an end pointer.
 *   gets: no bound at all.
 *   gmtime, localtime, ctime, asctime: a shared static result: use the _r
 *       forms.
 */
#ifndef UTIL_BANNED_H
#define UTIL_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)

#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)

#undef strtok
#define strtok(x, y) BANNED(strtok)

#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef atof
#define atof(x) BANNED(atof)

#undef gets
#define gets(x) BANNED(gets)

#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)

#endif
