/* Result codes shared by every fallible function in voronka. Only src/http maps them to
 * HTTP statuses. A failing function may also fill a struct vk_err for the user. */
#ifndef VK_RC_H
#define VK_RC_H

enum vk_rc {
	VK_OK = 0,
	VK_EINVAL,      /* bad input: a field has a wrong type or value */
	VK_EMISSING,    /* a required field is absent */
	VK_ENOTFOUND,   /* no such record, or one the caller may not see */
	VK_EFORBIDDEN,  /* caller lacks the capability */
	VK_ECONFLICT,   /* unique value taken, stale version */
	VK_EUNPROC,     /* well-formed but refused by a business rule */
	VK_EAUTH,       /* not authenticated */
	VK_ETHROTTLED,  /* too many attempts */
	VK_EUPSTREAM,   /* a peer (PBX, SMS gateway, SMTP) failed */
	VK_EIO,         /* storage or OS failure */
};

/* A validation error as the user should see it. Strings are static or arena-owned. */
struct vk_err {
	const char *code;    /* machine code, e.g. "invalid"; NULL = derive from rc */
	const char *field;   /* input field at fault, or NULL */
	char message[256];
};

const char *vk_rc_name(enum vk_rc rc);

/* Fill err (if non-NULL) and return rc; message is printf-style. */
enum vk_rc vk_fail(struct vk_err *err, enum vk_rc rc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Put prefix (e.g. "config.conf:3: ") before err's message, truncating the end if needed. */
void vk_err_prefix(struct vk_err *err, const char *prefix);

#endif
