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
	/* the list's scopes: a record only a linked deal opens is not the caller's to name; what
	 * a role may see is the same for the whole snapshot, so it is worked out once per
	 * snapshot and principal (~15k instructions a lookup for a PBX token's role) */
	struct perms { struct scope sc[3]; bool hide_owner[2], hide_company, hide_stage; } pm;
	char user[96], key[96];
	size_t len;
	store_memo_key(key, sizeof key, "caller_perms", p->role_id,
	               store_memo_key(user, sizeof user, "user", p->user_id, NULL, NULL), NULL);
	const char *memo = auth_all(p) ? NULL : store_memo_get(c, key, &len);
	if (memo && len == sizeof pm) {
		memcpy(&pm, memo, sizeof pm);
	} else {
		memset(&pm, 0, sizeof pm);
		auth_scope(c, p, "contact", "read", &pm.sc[0]);
		auth_scope(c, p, "company", "read", &pm.sc[1]);
		auth_scope(c, p, "deal", "read", &pm.sc[2]);
		if (!auth_all(p)) {
			const char **keys;
			int n;
			store_hidden_fields(c, p->role_id, "contact", a, &keys, &n);
			pm.hide_owner[0] = hidden(keys, n, "owner_id");
			pm.hide_company = hidden(keys, n, "company_id");
			store_hidden_fields(c, p->role_id, "company", a, &keys, &n);
			pm.hide_owner[1] = hidden(keys, n, "owner_id");
			store_hidden_fields(c, p->role_id, "deal", a, &keys, &n);
			pm.hide_stage = hidden(keys, n, "stage_id");
			store_memo_put(c, key, (const char *)&pm, sizeof pm);
		}
	}
	out->hide_owner[0] = pm.hide_owner[0];
	out->hide_owner[1] = pm.hide_owner[1];
	out->hide_company = pm.hide_company;
	out->hide_stage = pm.hide_stage;
	struct scope *sc = pm.sc;
	return store_phone_lookup(c, out->e164, sc, deals, a, out->items, LOOKUP_MAX, &out->n);
}
