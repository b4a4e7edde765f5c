#include "core/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *vk_rc_name(enum vk_rc rc)
{
	switch (rc) {
	case VK_OK: return "ok";
	case VK_EINVAL: return "invalid";
	case VK_EMISSING: return "missing";
	case VK_ENOTFOUND: return "not_found";
	case VK_EFORBIDDEN: return "forbidden";
	case VK_ECONFLICT: return "conflict";
	case VK_EUNPROC: return "invalid"; /* 422: valid JSON, refused by a rule about a field */
	case VK_EAUTH: return "unauthorized";
	case VK_ETHROTTLED: return "rate_limited";
	case VK_EUPSTREAM: return "upstream";
	case VK_EIO: return "io";
	}
	return "unknown";
}

enum vk_rc vk_fail(struct vk_err *err, enum vk_rc rc, const char *field, const char *fmt, ...)
{
	if (!err)
		return rc;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	err->field = field;
	err->code = NULL;
	return rc;
}

void vk_err_prefix(struct vk_err *err, const char *prefix)
{
	if (!err)
		return;
	char msg[sizeof err->message];
	size_t n = strlen(prefix);
	if (n >= sizeof msg)
		n = sizeof msg - 1;
	memcpy(msg, prefix, n);
	size_t rest = sizeof msg - n - 1, m = strlen(err->message);
	if (m > rest)
		m = rest;
	memcpy(msg + n, err->message, m);
	msg[n + m] = '\0';
	memcpy(err->message, msg, sizeof msg);
}
