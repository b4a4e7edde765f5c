/* /api/telephony: what a PBX or a softphone asks on every call. */
#include "http/http.h"
#include "core/buf.h"
#include "http/render.h"
#include "telephony/lookup.h"

#include <stdint.h>
#include <string.h>

#define PHONE_ARG_MAX 64 /* characters of a spelled-out number with an extension, and more */

struct lookup_args { const char *phone, *deal, *unknown; int n_phone, n_deal; };

static void lookup_arg(void *ctx, const char *key, const char *value)
{
	struct lookup_args *a = ctx;
	if (!strcmp(key, "phone")) {
		a->phone = value;
		a->n_phone++;
	} else if (!strcmp(key, "deal")) {
		a->deal = value;
		a->n_deal++;
	} else if (!a->unknown) {
		a->unknown = key;
	}
}

static void put_int(struct buf *b, int64_t v)
{
	char d[24];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		d[sizeof d - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[sizeof d - 1 - n++] = '-';
	buf_append(b, d + sizeof d - n, (size_t)n);
}

/* ,"key":{"id":1,"name":"…"} or ,"key":null */
static void id_name(struct buf *b, const char *key, int64_t id, const char *name)
{
	buf_puts(b, ",\"");
	buf_puts(b, key);
	if (!id) {
		buf_puts(b, "\":null");
		return;
	}
	buf_puts(b, "\":{\"id\":");
	put_int(b, id);
	buf_puts(b, ",\"name\":");
	render_text_str(b, name);
	buf_puts(b, "}");
}

/* The answer is written as text (no JSON tree, no printf): it is small and asked for at every
 * ring, so its CPU is what the PBX waits for. */
static void lookup(struct req *r)
{
	struct lookup_args args = { 0 };
	req_query_each(r, lookup_arg, &args);
	if (args.unknown)
		return reply_error_msg(r, 400, "invalid", args.unknown, "unknown argument; this endpoint takes phone and deal");
	if (!args.phone || !*args.phone)
		return reply_error_msg(r, 400, "missing", "phone", "phone is required");
	if (args.n_phone > 1)
		return reply_error_msg(r, 400, "invalid", "phone", "give one phone");
	if (strlen(args.phone) > PHONE_ARG_MAX)
		return reply_error_msg(r, 400, "invalid", "phone", "phone is too long to be a phone number");
	bool deal = false;
	if (args.deal) {
		if (args.n_deal > 1 || (strcmp(args.deal, "true") && strcmp(args.deal, "false")))
			return reply_error_msg(r, 400, "invalid", "deal", "deal must be true or false");
		deal = !strcmp(args.deal, "true");
	}
	struct caller_id *cid = arena_alloc(r->arena, sizeof *cid);
	struct vk_err err = { 0 };
	enum vk_rc rc = telephony_lookup(req_store(r), r->user, args.phone, deal, r->arena, cid, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	struct buf b;
	buf_init(&b, 256 * 1024);
	buf_reserve(&b, 512 * (size_t)(cid->n + 1)); /* a match is ~250 bytes, with a deal ~450 */
	buf_puts(&b, "{\"phone\":\"");
	buf_puts(&b, cid->e164); /* '+' and digits */
	buf_puts(&b, "\",\"items\":[");
	for (int i = 0; i < cid->n; i++) {
		const struct phone_match *m = &cid->items[i];
		bool contact = m->e == &entity_contact;
		buf_puts(&b, i ? ",{\"entity\":\"" : "{\"entity\":\"");
		buf_puts(&b, m->e->name);
		buf_puts(&b, "\",\"id\":");
		put_int(&b, m->id);
		buf_puts(&b, ",\"name\":");
		render_text_str(&b, m->name);
		if (contact && !cid->hide_company)
			id_name(&b, "company", m->company_id, m->company_name);
		if (!cid->hide_owner[contact ? 0 : 1])
			id_name(&b, "owner", m->owner_id, m->owner_name);
		if (deal && !m->deal_id) {
			buf_puts(&b, ",\"deal\":null");
		} else if (deal) {
			buf_puts(&b, ",\"deal\":{\"id\":");
			put_int(&b, m->deal_id);
			buf_puts(&b, ",\"title\":");
			render_text_str(&b, m->deal_title);
			buf_puts(&b, ",\"pipeline\":");
			render_text_str(&b, m->deal_pipeline);
			if (!cid->hide_stage) {
				buf_puts(&b, ",\"stage\":");
				render_text_str(&b, m->deal_stage);
				buf_puts(&b, ",\"stage_name\":");
				render_text_str(&b, m->deal_stage_name);
			}
			buf_puts(&b, "}");
		}
		buf_puts(&b, "}");
	}
	/* 10 matches of bounded fields stay far below the cap: a failed append is out of memory,
	 * which aborts in xrealloc */
	if (!buf_puts(&b, "]}")) {
		buf_release(&b);
		return reply_error(r, VK_EIO, NULL);
	}
	reply_json_text(r, 200, &b);
}

const struct route api_telephony_routes[] = {
	{ "GET", "/api/telephony/lookup", lookup, R_AUTH, NULL },
	{ NULL },
};
