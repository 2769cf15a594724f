/*
 * The sandbox: a local emulator of the Ontraport REST API, stored in SQLite.
 *
 * This is the only header the rest of the project (the `ontraport sandbox`
 * command, tests, benchmarks) uses to run it. Internal names use sbx_.
 * The sandbox shares no request or response code with libontraport.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

#define SBX_DEFAULT_PORT 8517
#define SBX_DEFAULT_APP_ID "2_AppID_12345678"
#define SBX_DEFAULT_API_KEY "Key5678"
#define SBX_DEFAULT_ACCOUNT_ID 187157

typedef struct sbx_config {
	const char *bind;          /* address to listen on; NULL = 127.0.0.1 */
	int port;                  /* 0 = any free port */
	const char *db;            /* SQLite file, or ":memory:" (NULL = ":memory:") */
	const char *app_id;        /* accepted Api-Appid; NULL = SBX_DEFAULT_APP_ID */
	const char *api_key;       /* accepted Api-Key; NULL = SBX_DEFAULT_API_KEY */
	long account_id;           /* 0 = SBX_DEFAULT_ACCOUNT_ID */
	long rate_limit;           /* requests per window; 0 = 180 */
	long rate_window_ms;       /* window length; 0 = 60000 */
	const char *control_token; /* token for /_sandbox/; NULL = random */
	int threads;               /* HTTP worker threads; 0 = number of CPUs */
	int webhook_json;          /* deliver webhooks as JSON instead of form bodies */
	int quiet;                 /* no request log on stderr */
	/* Fields added after the first draft; keep new ones at the end. */
	size_t max_body; /* request body cap in bytes; 0 = 8 MiB */
	int request_log; /* requests kept for GET /_sandbox/requests; 0 = 1000 */
	const char *const
	    *faults; /* injected failures, "status=503,count=2" (src/sandbox/http/sbx_faults.h) */
	size_t nfaults;
	unsigned long long fault_seed; /* seed of the faults' random draws; 0 = the time */
	/* Open connections from one client address; 0 = SBX_DEFAULT_PER_IP, negative = no limit. */
	int per_ip_limit;
	/* Seconds a connection has to send a whole request (headers and body), from its
	 * opening, its previous answer or its request line; beyond: 408 and closed.
	 * 0 = SBX_DEFAULT_REQUEST_TIMEOUT. */
	unsigned request_timeout_s;
} sbx_config;

#define SBX_CONFIG_INIT                                                                            \
	{                                                                                          \
		NULL, 0, NULL, NULL, NULL, 0, 0, 0, NULL, 0, 0, 1, 0, 0, NULL, 0, 0, 0, 0          \
	}
#define SBX_DEFAULT_PER_IP 100
#define SBX_DEFAULT_REQUEST_TIMEOUT 30

typedef struct sbx_server sbx_server;

/*
 * Check cfg->faults without starting anything: 0 when every spec parses and
 * there are not too many; else -1 with one line in err ("at most 32 faults",
 * or what is wrong with a spec). sbx_server_start checks them too.
 */
int sbx_config_check_faults(const sbx_config *cfg, char *err, size_t errsz);

/*
 * Open the store and start serving. On success returns 0 and *out is the
 * running server; on failure returns -1, *out is NULL and err holds one
 * line naming what went wrong.
 */
int sbx_server_start(sbx_server **out, const sbx_config *cfg, char *err, size_t errsz);

/* The port actually bound (useful with port 0). */
int sbx_server_port(const sbx_server *s);

/* The control token in use (borrowed). */
const char *sbx_server_control_token(const sbx_server *s);

/* Stop serving, finish requests in flight, close the store, free. NULL is accepted. */
void sbx_server_stop(sbx_server *s);

#endif
