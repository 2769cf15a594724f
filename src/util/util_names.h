/*
 * The link names of the util helpers. They are compiled into libontraport
 * (shared and static) as well as the programs, and a static library's global
 * names meet the user's own at link time: so each util_* function links as
 * ontra__util_*, the library's internal prefix, and a program's own util_*
 * cannot clash with them. Every util header includes this file; a new util
 * function needs a line here (tests/integration/test_install.sh checks).
 */
#ifndef UTIL_NAMES_H
#define UTIL_NAMES_H

#define util_buf_append ontra__util_buf_append
#define util_buf_clear ontra__util_buf_clear
#define util_buf_detach ontra__util_buf_detach
#define util_buf_ensure ontra__util_buf_ensure
#define util_buf_failed ontra__util_buf_failed
#define util_buf_printf ontra__util_buf_printf
#define util_buf_putc ontra__util_buf_putc
#define util_buf_puts ontra__util_buf_puts
#define util_buf_release ontra__util_buf_release
#define util_buf_vprintf ontra__util_buf_vprintf
#define util_connguard_add ontra__util_connguard_add
#define util_connguard_arm ontra__util_connguard_arm
#define util_connguard_disarm ontra__util_connguard_disarm
#define util_connguard_free ontra__util_connguard_free
#define util_connguard_new ontra__util_connguard_new
#define util_connguard_remove ontra__util_connguard_remove
#define util_connguard_start ontra__util_connguard_start
#define util_csv_record ontra__util_csv_record
#define util_csv_row_release ontra__util_csv_row_release
#define util_edit_distance ontra__util_edit_distance
#define util_errf ontra__util_errf
#define util_form_decode ontra__util_form_decode
#define util_form_pair ontra__util_form_pair
#define util_form_unescape ontra__util_form_unescape
#define util_json_check ontra__util_json_check
#define util_json_compact ontra__util_json_compact
#define util_json_indent ontra__util_json_indent
#define util_json_loadb ontra__util_json_loadb
#define util_json_member_get ontra__util_json_member_get
#define util_json_quote_bigints ontra__util_json_quote_bigints
#define util_mask_secret ontra__util_mask_secret
#define util_memfind ontra__util_memfind
#define util_mkdirs ontra__util_mkdirs
#define util_mono_ms ontra__util_mono_ms
#define util_mono_s ontra__util_mono_s
#define util_nearest ontra__util_nearest
#define util_now_ms ontra__util_now_ms
#define util_parse_ll ontra__util_parse_ll
#define util_parse_utc_date ontra__util_parse_utc_date
#define util_raise_fd_limit ontra__util_raise_fd_limit
#define util_spawn ontra__util_spawn
#define util_spawn_describe ontra__util_spawn_describe
#define util_starts_with ontra__util_starts_with
#define util_strdup ontra__util_strdup
#define util_strieq ontra__util_strieq
#define util_strndup ontra__util_strndup
#define util_strnieq ontra__util_strnieq
#define util_trim ontra__util_trim
#define util_url_shown ontra__util_url_shown
#define util_utf8_valid ontra__util_utf8_valid

#endif
