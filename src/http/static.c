/* The browser UI: built-in files, or with --web DIR the live files of a checkout (falling back
 * to built-in ones, e.g. the vendored npm libraries the build copies). Unknown paths without
 * an extension get index.html so the UI's own routes (/users, /settings) survive a reload. */
#include "http/http.h"
#include "core/buf.h"
#include "core/builtin.h"
#include "core/mem.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LIVE_FILE (16u << 20)

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static bool safe_path(const char *path)
{
	if (path[0] != '/' || strstr(path, "..") || strstr(path, "//") || strchr(path, '\\'))
		return false;
	return strlen(path) < 256;
}

/* Read DIR/path into a malloc'd buffer; NULL if absent or not a regular file. */
static char *read_live(const char *dir, const char *path, size_t *len)
{
	char full[1024];
	snprintf(full, sizeof full, "%s%s", dir, path);
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *data = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= MAX_LIVE_FILE) {
		data = xmalloc((size_t)st.st_size + 1);
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		*len = got;
	}
	close(fd);
	return data;
}

static void send_file(struct req *r, const char *name, const unsigned char *data, size_t len,
                      const char *etag, bool copy)
{
	const char *inm = req_header(r, "If-None-Match");
	struct MHD_Response *resp;
	int status = 200;
	if (inm && strcmp(inm, etag) == 0) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		status = 304;
		if (copy)
			free((void *)data);
	} else {
		resp = MHD_create_response_from_buffer(len, (void *)data,
		                                       copy ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	}
	http_set_response(r, status, resp);
	MHD_add_response_header(resp, "Content-Type", content_type(name));
	MHD_add_response_header(resp, "ETag", etag);
	/* No bundler means no hashed file names: let browsers revalidate cheaply (304) instead. */
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (strstr(name, ".html")) {
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	}
}

static bool serve_name(struct req *r, const char *path)
{
	const char *dir = req_config(r)->web_dir;
	if (dir[0]) {
		size_t len;
		char *data = read_live(dir, path, &len);
		if (data) {
			uint64_t h = 1469598103934665603ull;
			for (size_t i = 0; i < len; i++)
				h = (h ^ (unsigned char)data[i]) * 1099511628211ull;
			char *etag = arena_printf(r->arena, "\"%016llx\"", (unsigned long long)h);
			send_file(r, path, (unsigned char *)data, len, etag, true);
			return true;
		}
	}
	char name[300];
	snprintf(name, sizeof name, "web%s", path);
	const struct builtin_file *f = builtin_find(name);
	if (!f)
		return false;
	send_file(r, name, f->data, f->len, f->etag, false);
	return true;
}

bool static_serve(struct req *r)
{
	const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
	if (safe_path(path) && serve_name(r, path))
		return true;
	const char *last = strrchr(r->path, '/');
	if (safe_path(r->path) && last && !strchr(last, '.') && serve_name(r, "/index.html"))
		return true;
	reply_error_msg(r, 404, "not_found", NULL, "no such file");
	return false;
}
