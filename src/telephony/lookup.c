#include "telephony/lookup.h"
#include "org/settings.h"

#include <string.h>

static bool hidden(const char *const *keys, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

enum vk_rc telephony_lookup(struct store *s, const struct principal *p, const char *phone, bool deals,
                            struct arena *a, struct caller_id *out, struct vk_err *err)
{
	struct conn *c = store_reader(s);
	memset(out, 0, sizeof *out);
	if (phone_normalize(phone, settings_get(c, "default_country", a), out->e164) != VK_OK)
		return vk_fail(err, VK_EINVAL, "phone", "phone must be a phone number");
	/* the list's scopes: a record only a linked deal opens is not the caller's to name */
	struct scope sc[3];
	auth_scope(c, p, "contact", "read", &sc[0]);
	auth_scope(c, p, "company", "read", &sc[1]);
	auth_scope(c, p, "deal", "read", &sc[2]);
	if (!auth_all(p)) {
		const char **keys;
		int n;
		store_hidden_fields(c, p->role_id, "contact", a, &keys, &n);
		out->hide_owner[0] = hidden(keys, n, "owner_id");
		out->hide_company = hidden(keys, n, "company_id");
		store_hidden_fields(c, p->role_id, "company", a, &keys, &n);
		out->hide_owner[1] = hidden(keys, n, "owner_id");
		store_hidden_fields(c, p->role_id, "deal", a, &keys, &n);
		out->hide_stage = hidden(keys, n, "stage_id");
	}
	return store_phone_lookup(c, out->e164, sc, deals, a, out->items, LOOKUP_MAX, &out->n);
}
