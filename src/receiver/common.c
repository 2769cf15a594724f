/* Error codes, status names and clock helpers shared by the receiver's parts. */
#include "receiver.h"

#include <string.h>
#include <time.h>

#include "util.h"
#include "banned.h"

const char *rcv_strerror(int code)
{
	switch (code) {
	case RCV_OK:
		return "ok";
	case RCV_EEMPTY:
		return "empty body";
	case RCV_ETOOLARGE:
		return "body too large";
	case RCV_EMEDIA:
		return "unsupported content type";
	case RCV_EENCODING:
		return "body is not valid utf-8";
	case RCV_ESYNTAX:
		return "malformed body";
	case RCV_ELIMIT:
		return "body exceeds a structure limit";
	case RCV_ESHAPE:
		return "body is not a webhook event";
	case RCV_ENOTFOUND:
		return "not found";
	case RCV_ESTOPPED:
		return "receiver is shutting down";
	case RCV_EINVALID:
		return "invalid argument";
	case RCV_ENOTQUEUE:
		return "not an event queue";
	case RCV_EUNAVAIL:
		return "the queue's database cannot be reached";
	case RCV_ELEASE:
		return "the claim's lease was lost";
	default:
		return "internal error";
	}
}

int rcv_http_status(int code)
{
	switch (code) {
	case RCV_OK:
		return 200;
	case RCV_EEMPTY:
	case RCV_EENCODING:
	case RCV_ESYNTAX:
	case RCV_ELIMIT:
	case RCV_ESHAPE:
		return 400;
	case RCV_ETOOLARGE:
		return 413;
	case RCV_EMEDIA:
		return 415;
	case RCV_ESTOPPED:
	case RCV_EUNAVAIL:
		return 503;
	default:
		return 500;
	}
}

int64_t rcv_now_ms(void)
{
	return util_now_ms();
}

void rcv_format_time(int64_t ms, char *buf, size_t bufsz)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	int msec = (int)(ms % 1000);

	if (!buf || bufsz == 0)
		return;
	if (msec < 0) {
		msec += 1000;
		secs -= 1;
	}
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, bufsz, "%lld", (long long)ms);
		return;
	}
	snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec);
}

const char *rcv_status_name(int status)
{
	switch (status) {
	case RCV_PENDING:
		return "pending";
	case RCV_DONE:
		return "done";
	case RCV_DEAD:
		return "dead";
	default:
		return NULL;
	}
}

int rcv_status_parse(const char *name)
{
	if (!name)
		return 0;
	if (strcmp(name, "pending") == 0)
		return RCV_PENDING;
	if (strcmp(name, "done") == 0)
		return RCV_DONE;
	if (strcmp(name, "dead") == 0)
		return RCV_DEAD;
	return 0;
}
