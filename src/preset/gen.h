/* voronka bench-gen: realistic Russian-market contacts, companies and deals at benchmark scale,
 * deterministic from a seed, loaded through the bulk path (store/bulk.c). The database must
 * already hold a preset (pipelines, roles, users). */
#ifndef VK_GEN_H
#define VK_GEN_H
#include <stdint.h>

#include "core/rc.h"
#include "store/db.h"

struct gen_options {
	int64_t contacts, companies, deals;
	int managers; /* extra manager users to spread ownership over */
	uint64_t seed;
};

enum vk_rc gen_run(struct store *s, const struct gen_options *o, struct vk_err *err);
#endif
