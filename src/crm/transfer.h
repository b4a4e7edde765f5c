/* CSV import of contacts and companies: column mapping (suggested from Russian and English
 * header names), a preview, a dry run, and the real run in batches — each batch one write job
 * in which a bad row fails alone with its own error while the rest commit together. Rows pass the same rules as POST /api/contacts: field types and lengths,
 * phones to E.164, owners that exist and are active and that the role may give records to,
 * links the user may see, custom fields, hidden fields, stages with their matrix, required
 * fields and checklists, the automatic moves, and a "create" event per record.
 *
 * A row whose phone, e-mail or (companies) domain belongs to a record already is refused
 * like POST /api/contacts refuses it, unless allow_duplicates and the role may.
 *
 * A request is synchronous and its body is capped, so a big file travels in chunks: every
 * chunk repeats the header row and says how many data rows came before it (row_offset); the
 * answer gives next_offset and the counts, which is the progress. docs/import-export.md. */
#ifndef VK_CRM_TRANSFER_H
#define VK_CRM_TRANSFER_H
#include <jansson.h>

#include "crm/record.h"

#define IMPORT_MAX_ERRORS 1000 /* per request; the rest are counted */
#define IMPORT_MAX_IDS 1000    /* ids of created records returned per request */

struct import_opts {
	json_t *mapping;      /* {"header": "field key" | null} or ["field key" | null, …] by column;
	                         NULL: the suggested mapping. Borrowed. */
	json_t *defaults;     /* {"field key": "cell text"} for rows that leave it empty, or NULL */
	bool dry_run;         /* validate and write everything, then roll it back */
	char delimiter;       /* 0 = detect */
	const char *encoding; /* "utf-8", "windows-1251" or NULL = detect */
	int64_t row_offset;   /* data rows sent in earlier chunks of the same file */
	bool allow_duplicates; /* create rows whose phone, e-mail or domain exists (CAP_ALLOW_DUPLICATE) */
	const char *dry_run_id; /* a dry run sent in chunks: its name, so a chunk sees the rows of the
	                           chunks before it (8–64 of A-Z a-z 0-9 - _), or NULL */
};
#define IMPORT_DRY_ID_MAX 64

struct import_error {
	int64_t row;          /* as a spreadsheet numbers it: the header is row 1 */
	const char *code;     /* what is wrong, for the browser to word: "phone", "duplicate", … */
	const char *field;    /* the target field (or NULL), e.g. "phones", "custom.weight" */
	const char *message;  /* the same in English */
	const char *value;    /* the cell at fault, the record that has the number, or a limit; NULL */
};

struct import_column { const char *header, *target; /* target NULL: ignored */ };

struct import_result {
	int rows, created, failed, skipped; /* skipped: rows with every cell empty */
	int64_t next_offset;
	char delimiter;
	const char *encoding;
	struct import_column *columns;
	int n_columns;
	int64_t *ids;                 /* created (not in a dry run), at most IMPORT_MAX_IDS */
	int n_ids;
	struct import_error *errors;  /* at most IMPORT_MAX_ERRORS */
	int n_errors;
};

/* Import csv[0..len) into entity e (contacts or companies). Request-level problems (not CSV,
 * unknown mapping targets, no column for the name, no create scope, a hidden field) fail the
 * whole call before anything is written; row problems are reported per row. Results live in a. */
enum vk_rc transfer_import(struct store *s, const struct principal *p, const struct entity *e, const char *csv,
                           size_t len, const struct import_opts *o, struct arena *a, struct import_result *out,
                           struct vk_err *err);

#define PREVIEW_ROWS 20
struct import_preview {
	char delimiter;
	const char *encoding;
	struct import_column *columns; /* header and suggested target */
	int n_columns;
	const char ***rows;            /* the first PREVIEW_ROWS data rows, n_columns cells each */
	int n_rows;
	int64_t total_rows;            /* data rows in this body */
	const char **targets;          /* every field key a column may map to */
	int n_targets;
};
enum vk_rc transfer_preview(struct store *s, const struct principal *p, const struct entity *e, const char *csv,
                            size_t len, char delimiter, const char *encoding, struct arena *a,
                            struct import_preview *out, struct vk_err *err);

#endif
