/* Caller-ID: "who is calling from this number", as a PBX or a softphone asks it on every
 * incoming call. The lean sibling of GET /api/contacts?phone=: the same normalization and the
 * same read scopes, but only what identifies and routes a call. */
#ifndef VK_TELEPHONY_LOOKUP_H
#define VK_TELEPHONY_LOOKUP_H
#include <stdbool.h>

#include "auth/auth.h"
#include "core/phone.h"
#include "store/record.h"

#define LOOKUP_MAX 10 /* matches answered at most: a number shared by more is a switchboard */

struct caller_id {
	char e164[PHONE_MAX];
	struct phone_match items[LOOKUP_MAX];
	int n;
	/* fields the caller's role may not see, left out of the answer (not shown as empty) */
	bool hide_owner[2];  /* [0] contacts, [1] companies */
	bool hide_company;   /* a contact's company */
	bool hide_stage;     /* the open deal's stage */
};

/* Normalize phone (any spelling, the company's default country) and find who has it within
 * p's read scopes. VK_EINVAL (field "phone") when it is not a number; no match is VK_OK with
 * n = 0, the same answer as a match the caller may not see. */
enum vk_rc telephony_lookup(struct store *s, const struct principal *p, const char *phone, bool deals,
                            struct arena *a, struct caller_id *out, struct vk_err *err);
#endif
