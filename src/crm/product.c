#include "crm/product.h"
#include "core/clock.h"
#include "core/json.h"
#include "org/settings.h"
#include "store/event.h"

#include <math.h>
#include <string.h>

struct product_tx {
	const struct principal *p;
	struct product prod;
	bool create;
	int64_t now;
	struct arena *a;
	struct vk_err *err;
};

static enum vk_rc product_write(struct conn *c, void *ctx)
{
	struct product_tx *t = ctx;
	enum vk_rc rc = t->create ? store_product_insert(c, &t->prod, t->now, &t->prod.id)
	                          : store_product_update(c, &t->prod, t->now);
	if (rc == VK_ECONFLICT)
		return vk_fail(t->err, rc, "code", "a product with code \"%s\" exists", t->prod.code);
	if (rc == VK_ENOTFOUND)
		return vk_fail(t->err, rc, NULL, "no such product");
	struct event ev = { .entity = "product", .entity_id = t->prod.id, .actor_id = t->p->user_id,
	                    .kind = t->create ? "create" : "update", .new_value = json_text_str(t->a, t->prod.name),
	                    .at = t->now };
	return rc == VK_OK ? event_add(c, &ev) : rc;
}

static enum vk_rc read_product(json_t *in, bool create, struct product *p, struct vk_err *err)
{
	static const char *const keys[] = { "code", "name", "unit", "price", "currency", "active", NULL };
	bool present, active = p->active;
	enum vk_rc rc = json_only_keys(in, keys, err);
	if (rc == VK_OK)
		rc = json_get_str(in, "code", create, 1, 64, &p->code, err);
	for (const char *q = p->code; rc == VK_OK && q && *q; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || strchr("._-/", *q)))
			rc = vk_fail(err, VK_EINVAL, "code", "code may contain latin letters, digits and . _ - /");
	if (rc == VK_OK)
		rc = json_get_str(in, "name", create, 1, 300, &p->name, err);
	if (rc == VK_OK)
		rc = json_get_str(in, "unit", false, 1, 20, &p->unit, err);
	if (rc == VK_OK)
		rc = json_get_int(in, "price", create, 0, 1000000000000000LL, &p->price, &present, err);
	if (rc == VK_OK)
		rc = json_get_str(in, "currency", false, 3, 3, &p->currency, err);
	if (rc == VK_OK && json_object_get(in, "currency"))
		for (int i = 0; i < 3; i++)
			if (p->currency[i] < 'A' || p->currency[i] > 'Z')
				rc = vk_fail(err, VK_EINVAL, "currency", "currency must be an ISO 4217 code such as RUB");
	if (rc == VK_OK)
		rc = json_get_bool(in, "active", false, &active, &present, err);
	p->active = active;
	return rc;
}

enum vk_rc product_create(struct store *s, const struct principal *p, json_t *in, struct arena *a,
                          struct product *out, struct vk_err *err)
{
	struct product_tx t = { .p = p, .create = true, .now = clock_now_ms(), .a = a, .err = err };
	t.prod = (struct product){ .unit = "шт", .active = true };
	enum vk_rc rc = read_product(in, true, &t.prod, err);
	if (rc == VK_OK && !t.prod.currency)
		t.prod.currency = settings_get(store_reader(s), "currency", a);
	if (rc == VK_OK)
		rc = store_write(s, product_write, &t);
	return rc == VK_OK ? store_product_get(store_reader(s), t.prod.id, a, out) : rc;
}

enum vk_rc product_update(struct store *s, const struct principal *p, int64_t id, json_t *in, struct arena *a,
                          struct product *out, struct vk_err *err)
{
	struct product_tx t = { .p = p, .now = clock_now_ms(), .a = a, .err = err };
	if (store_product_get(store_reader(s), id, a, &t.prod) != VK_OK)
		return vk_fail(err, VK_ENOTFOUND, NULL, "no such product");
	enum vk_rc rc = read_product(in, false, &t.prod, err);
	if (rc == VK_OK)
		rc = store_write(s, product_write, &t);
	return rc == VK_OK ? store_product_get(store_reader(s), id, a, out) : rc;
}
