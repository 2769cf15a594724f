/*
 * The link names of the receiver's functions. The receiver is compiled into
 * libontraport (shared and static: ontra_receiver_*, ontra_event_parse) as well
 * as the programs, and a static library's global names meet the user's own at
 * link time: so each rcv_* function links as ontra__rcv_*, the library's
 * internal prefix (as src/util/util_names.h does for util_*). receiver.h
 * includes this file; a new rcv_* function needs a line here
 * (tests/integration/test_install.sh checks).
 */
#ifndef RCV_NAMES_H
#define RCV_NAMES_H

#define rcv_backoff_ms ontra__rcv_backoff_ms
#define rcv_body_parse ontra__rcv_body_parse
#define rcv_deliver__exec ontra__rcv_deliver__exec
#define rcv_deliver__file ontra__rcv_deliver__file
#define rcv_deliver_document ontra__rcv_deliver_document
#define rcv_deliver_start ontra__rcv_deliver_start
#define rcv_deliver_stop ontra__rcv_deliver_stop
#define rcv_format_time ontra__rcv_format_time
#define rcv_forwarder_free ontra__rcv_forwarder_free
#define rcv_forwarder_new ontra__rcv_forwarder_new
#define rcv_forwarder_post ontra__rcv_forwarder_post
#define rcv_http_status ontra__rcv_http_status
#define rcv_item_free ontra__rcv_item_free
#define rcv_now_ms ontra__rcv_now_ms
#define rcv_pg__claim ontra__rcv_pg__claim
#define rcv_pg__close ontra__rcv_pg__close
#define rcv_pg__counts ontra__rcv_pg__counts
#define rcv_pg__dead ontra__rcv_pg__dead
#define rcv_pg__done ontra__rcv_pg__done
#define rcv_pg__get ontra__rcv_pg__get
#define rcv_pg__list ontra__rcv_pg__list
#define rcv_pg__open ontra__rcv_pg__open
#define rcv_pg__purge ontra__rcv_pg__purge
#define rcv_pg__release ontra__rcv_pg__release
#define rcv_pg__replay ontra__rcv_pg__replay
#define rcv_pg__retry ontra__rcv_pg__retry
#define rcv_pg__set_lease ontra__rcv_pg__set_lease
#define rcv_pg__set_spool ontra__rcv_pg__set_spool
#define rcv_pg__spool_counts ontra__rcv_pg__spool_counts
#define rcv_pg__takeovers ontra__rcv_pg__takeovers
#define rcv_pg__write_batch ontra__rcv_pg__write_batch
#define rcv_queue__changed ontra__rcv_queue__changed
#define rcv_queue__enqueue_ref ontra__rcv_queue__enqueue_ref
#define rcv_queue__exec ontra__rcv_queue__exec
#define rcv_queue__seterr ontra__rcv_queue__seterr
#define rcv_queue__sqlerr ontra__rcv_queue__sqlerr
#define rcv_queue__store_ref ontra__rcv_queue__store_ref
#define rcv_queue_claim ontra__rcv_queue_claim
#define rcv_queue_close ontra__rcv_queue_close
#define rcv_queue_commit_stats ontra__rcv_queue_commit_stats
#define rcv_queue_counts ontra__rcv_queue_counts
#define rcv_queue_dead ontra__rcv_queue_dead
#define rcv_queue_done ontra__rcv_queue_done
#define rcv_queue_enqueue ontra__rcv_queue_enqueue
#define rcv_queue_get ontra__rcv_queue_get
#define rcv_queue_is_url ontra__rcv_queue_is_url
#define rcv_queue_kick ontra__rcv_queue_kick
#define rcv_queue_last_error ontra__rcv_queue_last_error
#define rcv_queue_list ontra__rcv_queue_list
#define rcv_queue_open ontra__rcv_queue_open
#define rcv_queue_open_readonly ontra__rcv_queue_open_readonly
#define rcv_queue_purge ontra__rcv_queue_purge
#define rcv_queue_release ontra__rcv_queue_release
#define rcv_queue_replay ontra__rcv_queue_replay
#define rcv_queue_retry ontra__rcv_queue_retry
#define rcv_queue_seq ontra__rcv_queue_seq
#define rcv_queue_set_lease ontra__rcv_queue_set_lease
#define rcv_queue_set_spool ontra__rcv_queue_set_spool
#define rcv_queue_spooled ontra__rcv_queue_spooled
#define rcv_queue_submit ontra__rcv_queue_submit
#define rcv_queue_takeovers ontra__rcv_queue_takeovers
#define rcv_queue_wait ontra__rcv_queue_wait
#define rcv_server_add_hook ontra__rcv_server_add_hook
#define rcv_server_port ontra__rcv_server_port
#define rcv_server_remove_hook ontra__rcv_server_remove_hook
#define rcv_server_start ontra__rcv_server_start
#define rcv_server_stop ontra__rcv_server_stop
#define rcv_status_name ontra__rcv_status_name
#define rcv_status_parse ontra__rcv_status_parse
#define rcv_strerror ontra__rcv_strerror
#define rcv_token_new ontra__rcv_token_new
#define rcv_token_valid ontra__rcv_token_valid

#endif
