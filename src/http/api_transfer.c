/* /api/{contacts,companies,deals}/export, /api/{contacts,companies}/import and …/import/preview,
 * /api/{contacts,companies}/merge */
#include "http/http.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "crm/export.h"
#include "crm/merge.h"
#include "crm/transfer.h"
#include "http/render.h"

#include <ctype.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CSV_CHUNK (256 * 1024)      /* what the export hands libmicrohttpd at a time */
#define CSV_PAGE_MAX (64 * 1024 * 1024) /* one page of rows as CSV; 200 records cannot get near it */


/* ',' ';' tab '|' by character or by name; 0 with *ok when absent. */
static bool parse_delimiter(const char *s, char *out)
{
	static const struct { const char *name; char c; } names[] = {
		{ ",", ',' }, { "comma", ',' }, { ";", ';' }, { "semicolon", ';' }, { "\t", '\t' }, { "tab", '\t' },
		{ "|", '|' }, { "pipe", '|' },
	};
	*out = 0;
	if (!s || !*s)
		return true;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].c;
			return true;
		}
	return false;
}

static const char *file_name(struct req *r, const struct entity *e, const char *ext)
{
	time_t t = (time_t)(clock_now_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	return arena_printf(r->arena, "attachment; filename=\"%s-%04d-%02d-%02d.%s\"", e->plural, tm.tm_year + 1900,
	                    tm.tm_mon + 1, tm.tm_mday, ext);
}

/* ---- export ---- */

/* A CSV export streamed page by page; owned by the libmicrohttpd response. */
struct csv_stream {
	struct export *x;
	struct buf buf;
	size_t off;
	char delimiter;
	bool complete;
};

static ssize_t csv_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct csv_stream *cs = cls;
	while (cs->off == cs->buf.len) {
		bool done;
		buf_reset(&cs->buf);
		cs->off = 0;
		if (export_csv_next(cs->x, &cs->buf, cs->delimiter, &done) != VK_OK)
			return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a cut-off download */
		if (done) {
			cs->complete = true;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
	}
	size_t n = cs->buf.len - cs->off < max ? cs->buf.len - cs->off : max;
	memcpy(out, cs->buf.data + cs->off, n);
	cs->off += n;
	return (ssize_t)n;
}

static void csv_stream_free(void *cls)
{
	struct csv_stream *cs = cls;
	export_finish(cs->x, "csv", cs->complete);
	buf_release(&cs->buf);
	free(cs);
}

static void export_xlsx_reply(struct req *r, const struct entity *e, struct export *x)
{
	struct vk_err err = { 0 };
	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/voronka-export-XXXXXX.xlsx", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		log_error("msg=\"export: no temporary file\" path=%s", path);
		export_finish(x, "xlsx", false);
		return reply_error(r, VK_EIO, NULL);
	}
	close(fd);
	enum vk_rc rc = export_xlsx(x, path, &err);
	fd = rc == VK_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	unlink(path); /* the open descriptor keeps the file until the response is sent */
	struct stat st;
	if (rc == VK_OK && (fd < 0 || fstat(fd, &st) != 0)) {
		log_error("msg=\"export: cannot reopen the workbook\"");
		rc = VK_EIO;
	}
	export_finish(x, "xlsx", rc == VK_OK);
	if (rc != VK_OK) {
		if (fd >= 0)
			close(fd);
		return reply_error(r, rc, &err);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	http_set_response(r, 200, resp);
	reply_header(r, "Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	reply_header(r, "Content-Disposition", file_name(r, e, "xlsx"));
	reply_header(r, "Cache-Control", "no-store");
}

static void export_handler(struct req *r)
{
	const struct entity *e = entity_of(r);
	const char *format = req_query(r, "format");
	char delimiter;
	if (format && strcmp(format, "csv") && strcmp(format, "xlsx"))
		return reply_error_msg(r, 400, "invalid", "format", "format must be csv or xlsx");
	if (!parse_delimiter(req_query(r, "delimiter"), &delimiter) || delimiter == '|')
		return reply_error_msg(r, 400, "invalid", "delimiter", "delimiter must be comma, semicolon or tab");
	struct query_arg *args;
	int n_args = query_args(r, 48, &args);
	if (n_args < 0)
		return reply_error_msg(r, 400, "invalid", NULL, "too many query arguments");
	struct vk_err err = { 0 };
	struct export *x;
	enum vk_rc rc = export_begin(req_store(r), r->user, e, args, n_args, r->arena, &x, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	if (format && !strcmp(format, "xlsx"))
		return export_xlsx_reply(r, e, x);
	struct csv_stream *cs = xcalloc(1, sizeof *cs);
	cs->x = x;
	cs->delimiter = delimiter ? delimiter : ',';
	buf_init(&cs->buf, CSV_PAGE_MAX);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CSV_CHUNK, csv_stream_read, cs,
	                                                              csv_stream_free);
	http_set_response(r, 200, resp);
	reply_header(r, "Content-Type", "text/csv; charset=utf-8");
	reply_header(r, "Content-Disposition", file_name(r, e, "csv"));
	reply_header(r, "Cache-Control", "no-store");
}

/* ---- import ---- */

static bool media_is(const char *ct, const char *type)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen(type);
	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool is_csv_type(const char *ct)
{
	static const char *const types[] = { "text/csv", "text/plain", "application/csv", "text/comma-separated-values",
	                                     "application/vnd.ms-excel", "application/octet-stream", NULL };
	for (const char *const *t = types; *t; t++)
		if (media_is(ct, *t))
			return true;
	return false;
}

static bool parse_bool_arg(const char *s, bool *out)
{
	if (!s)
		return true;
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		return *out = true, true;
	if (!strcmp(s, "false") || !strcmp(s, "0") || !*s)
		return *out = false, true;
	return false;
}

static bool dry_run_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n < 8 || n > IMPORT_DRY_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
			return false;
	return true;
}

/* Options from the URL, then from a JSON body (which wins). The CSV itself is the body, or
 * the body's "csv" string, which *doc holds. Whatever the outcome, release_import frees. */
static bool read_import(struct req *r, struct import_opts *o, const char **csv, size_t *len, json_t **doc)
{
	struct vk_err err = { 0 };
	const char *ct = req_header(r, "Content-Type");
	const char *v;
	json_error_t jerr;
	*doc = NULL;
	memset(o, 0, sizeof *o);
	if (!parse_bool_arg(req_query(r, "dry_run"), &o->dry_run)) {
		reply_error_msg(r, 400, "invalid", "dry_run", "dry_run must be true or false");
		return false;
	}
	if (!parse_bool_arg(req_query(r, "allow_duplicates"), &o->allow_duplicates)) {
		reply_error_msg(r, 400, "invalid", "allow_duplicates", "allow_duplicates must be true or false");
		return false;
	}
	if (!parse_delimiter(req_query(r, "delimiter"), &o->delimiter)) {
		reply_error_msg(r, 400, "invalid", "delimiter", "delimiter must be comma, semicolon, tab or pipe");
		return false;
	}
	o->encoding = req_query(r, "encoding");
	o->dry_run_id = req_query(r, "dry_run_id");
	if ((v = req_query(r, "row_offset"))) {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || n < 0 || n > 100000000) {
			reply_error_msg(r, 400, "invalid", "row_offset", "row_offset must be a number of rows");
			return false;
		}
		o->row_offset = n;
	}
	json_t *qmap = NULL, *qdef = NULL;
	if ((v = req_query(r, "mapping")) && !(qmap = json_loads(v, 0, &jerr))) {
		reply_error_msg(r, 400, "invalid", "mapping", "mapping must be JSON: {\"header\": \"field\"} or [\"field\", …]");
		return false;
	}
	if ((v = req_query(r, "defaults")) && !(qdef = json_loads(v, 0, &jerr))) {
		json_decref(qmap);
		reply_error_msg(r, 400, "invalid", "defaults", "defaults must be JSON: {\"field\": \"text\"}");
		return false;
	}
	size_t body_len;
	const char *body = req_body(r, &body_len);
	if (media_is(ct, "application/json")) {
		static const char *const keys[] = { "csv", "mapping", "defaults", "dry_run", "dry_run_id", "delimiter",
		                                     "encoding", "row_offset", "allow_duplicates", NULL };
		const char *text = NULL, *delim = NULL;
		bool present, dry = o->dry_run, dups = o->allow_duplicates;
		int64_t offset = o->row_offset;
		enum vk_rc rc = json_parse_object(body, body_len, doc, &err);
		if (rc == VK_OK)
			rc = json_only_keys(*doc, keys, &err);
		if (rc == VK_OK)
			rc = json_get_str(*doc, "csv", true, 0, SIZE_MAX, &text, &err);
		if (rc == VK_OK)
			rc = json_get_bool(*doc, "dry_run", false, &dry, &present, &err);
		if (rc == VK_OK)
			rc = json_get_bool(*doc, "allow_duplicates", false, &dups, &present, &err);
		if (rc == VK_OK)
			rc = json_get_str(*doc, "delimiter", false, 1, 10, &delim, &err);
		if (rc == VK_OK && delim && !parse_delimiter(delim, &o->delimiter))
			rc = vk_fail(&err, VK_EINVAL, "delimiter", "delimiter must be comma, semicolon, tab or pipe");
		if (rc == VK_OK)
			rc = json_get_str(*doc, "encoding", false, 1, 20, &o->encoding, &err);
		if (rc == VK_OK)
			rc = json_get_int(*doc, "row_offset", false, 0, 100000000, &offset, &present, &err);
		if (rc == VK_OK)
			rc = json_get_str(*doc, "dry_run_id", false, 0, SIZE_MAX, &o->dry_run_id, &err);
		if (rc != VK_OK) {
			json_decref(qmap);
			json_decref(qdef);
			reply_error(r, rc, &err);
			return false;
		}
		o->dry_run = dry;
		o->allow_duplicates = dups;
		o->row_offset = offset;
		if (json_object_get(*doc, "mapping") && !json_is_null(json_object_get(*doc, "mapping"))) {
			json_decref(qmap);
			qmap = json_incref(json_object_get(*doc, "mapping"));
		}
		if (json_object_get(*doc, "defaults") && !json_is_null(json_object_get(*doc, "defaults"))) {
			json_decref(qdef);
			qdef = json_incref(json_object_get(*doc, "defaults"));
		}
		*csv = text;
		*len = json_string_length(json_object_get(*doc, "csv"));
	} else if (is_csv_type(ct)) {
		*csv = body;
		*len = body_len;
	} else {
		json_decref(qmap);
		json_decref(qdef);
		reply_error_msg(r, 415, "unsupported_media_type", NULL,
		                "send the file as text/csv, or as JSON {\"csv\": \"…\", \"mapping\": …}");
		return false;
	}
	o->mapping = qmap; /* references the caller releases (release_import) */
	o->defaults = qdef;
	if (o->dry_run_id && !dry_run_id_ok(o->dry_run_id)) {
		reply_error_msg(r, 400, "invalid", "dry_run_id", "dry_run_id must be 8 to 64 letters, digits, '-' or '_'");
		return false;
	}
	if (o->dry_run_id && !o->dry_run) {
		reply_error_msg(r, 400, "invalid", "dry_run_id", "dry_run_id names a dry run: send it with dry_run=true");
		return false;
	}
	if (*len == 0) {
		reply_error_msg(r, 400, "missing", "csv", "the body is empty: send the CSV file");
		return false;
	}
	return true;
}

static void release_import(struct import_opts *o, json_t *doc)
{
	json_decref(o->mapping);
	json_decref(o->defaults);
	json_decref(doc);
}

static json_t *columns_json(const struct import_column *cols, int n, json_t **mapping)
{
	json_t *arr = json_array();
	*mapping = json_array();
	for (int i = 0; i < n; i++) {
		json_array_append_new(arr, json_string(cols[i].header));
		json_array_append_new(*mapping, cols[i].target ? json_string(cols[i].target) : json_null());
	}
	return arr;
}

static json_t *delimiter_json(char d)
{
	char s[2] = { d, '\0' };
	return json_string(s);
}

static void import_handler(struct req *r)
{
	struct import_opts o;
	const char *csv;
	size_t len;
	json_t *doc;
	if (!read_import(r, &o, &csv, &len, &doc)) {
		release_import(&o, doc);
		return;
	}
	struct vk_err err = { 0 };
	struct import_result res;
	enum vk_rc rc = transfer_import(req_store(r), r->user, entity_of(r), csv, len, &o, r->arena, &res, &err);
	release_import(&o, doc);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *mapping, *headers = columns_json(res.columns, res.n_columns, &mapping);
	json_t *ids = json_array(), *errors = json_array();
	for (int i = 0; i < res.n_ids; i++)
		json_array_append_new(ids, json_integer(res.ids[i]));
	for (int i = 0; i < res.n_errors; i++) {
		const struct import_error *e = &res.errors[i];
		json_array_append_new(errors, json_pack("{s:I, s:s, s:o, s:s, s:o}", "row", (json_int_t)e->row, "code", e->code,
		                                        "field", e->field ? json_string(e->field) : json_null(), "message",
		                                        e->message, "value", e->value ? json_string(e->value) : json_null()));
	}
	json_t *body = json_pack("{s:b, s:i, s:i, s:i, s:i, s:I, s:o, s:s, s:o, s:o, s:o, s:o, s:b}", "dry_run", o.dry_run,
	                         "rows", res.rows, "created", res.created, "failed", res.failed, "skipped", res.skipped,
	                         "next_offset", (json_int_t)res.next_offset, "delimiter", delimiter_json(res.delimiter),
	                         "encoding", res.encoding, "headers", headers, "mapping", mapping, "ids", ids, "errors",
	                         errors, "errors_truncated", res.n_errors < res.failed && res.n_errors == IMPORT_MAX_ERRORS);
	reply_json(r, 200, body);
}

static void preview_handler(struct req *r)
{
	struct import_opts o;
	const char *csv;
	size_t len;
	json_t *doc;
	if (!read_import(r, &o, &csv, &len, &doc)) {
		release_import(&o, doc);
		return;
	}
	struct vk_err err = { 0 };
	struct import_preview pv;
	enum vk_rc rc = transfer_preview(req_store(r), r->user, entity_of(r), csv, len, o.delimiter, o.encoding, r->arena,
	                                 &pv, &err);
	release_import(&o, doc);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *mapping, *headers = columns_json(pv.columns, pv.n_columns, &mapping);
	json_t *rows = json_array(), *targets = json_array();
	for (int i = 0; i < pv.n_rows; i++) {
		json_t *row = json_array();
		for (int k = 0; k < pv.n_columns; k++)
			json_array_append_new(row, json_string(pv.rows[i][k]));
		json_array_append_new(rows, row);
	}
	for (int i = 0; i < pv.n_targets; i++)
		json_array_append_new(targets, json_string(pv.targets[i]));
	reply_json(r, 200, json_pack("{s:o, s:s, s:o, s:o, s:o, s:I, s:o}", "delimiter", delimiter_json(pv.delimiter),
	                             "encoding", pv.encoding, "headers", headers, "mapping", mapping, "rows", rows,
	                             "total_rows", (json_int_t)pv.total_rows, "fields", targets));
}

/* ---- merge ---- */

static void merge_handler(struct req *r)
{
	const struct entity *e = entity_of(r);
	struct vk_err err = { 0 };
	struct merge_result m;
	enum vk_rc rc = merge_records(req_store(r), r->user, e, r->json, r->arena, &m, &err);
	if (rc != VK_OK)
		return reply_error(r, rc, &err);
	json_t *record;
	if (m.kept.v) {
		const char **hidden = NULL;
		int n_hidden = 0;
		if (!auth_all(r->user))
			store_hidden_fields(store_reader(req_store(r)), r->user->role_id, e->name, r->arena, &hidden, &n_hidden);
		record = render_record(&m.kept, hidden, n_hidden);
	} else {
		record = json_pack("{s:I}", "id", (json_int_t)m.kept.id); /* out of the merger's sight now */
	}
	reply_json(r, 200, json_pack("{s:o, s:{s:i, s:i, s:i, s:i, s:i}}", "record", record, "moved", "deals", m.deals,
	                             "contacts", m.contacts, "notes", m.notes, "tasks", m.tasks, "events", m.events));
}

/* Before api_records_routes in the server's table: "/api/contacts/export" would otherwise be
 * taken for the contact with id "export". */
const struct route api_transfer_routes[] = {
	{ "GET", "/api/contacts/export", export_handler, R_AUTH, NULL },
	{ "GET", "/api/companies/export", export_handler, R_AUTH, NULL },
	{ "GET", "/api/deals/export", export_handler, R_AUTH, NULL },
	{ "POST", "/api/contacts/import", import_handler, R_AUTH, NULL },
	{ "POST", "/api/companies/import", import_handler, R_AUTH, NULL },
	{ "POST", "/api/contacts/import/preview", preview_handler, R_AUTH, NULL },
	{ "POST", "/api/companies/import/preview", preview_handler, R_AUTH, NULL },
	{ "POST", "/api/contacts/merge", merge_handler, R_AUTH | R_JSON, "records.merge" },
	{ "POST", "/api/companies/merge", merge_handler, R_AUTH | R_JSON, "records.merge" },
	{ NULL, NULL, NULL, 0, NULL },
};
