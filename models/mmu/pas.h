/* Worlds (security states) and physical address spaces, shared by every
 * access-control check. Encodings follow the Arm ARM (DDI 0487 K.a, D9.1):
 * the low two bits of the Secure / NS / Root / Realm GPI values name the PAS,
 * which is why enum cc_pas uses those numbers. */
#ifndef CCSIM_MMU_PAS_H
#define CCSIM_MMU_PAS_H

#include <stdbool.h>

enum cc_pas { PAS_SECURE = 0, PAS_NS = 1, PAS_ROOT = 2, PAS_REALM = 3 };
enum cc_world { WORLD_SECURE = 0, WORLD_NS = 1, WORLD_ROOT = 2, WORLD_REALM = 3 };

/* Which PAS a world may emit (Arm ARM D9.1, "Physical address spaces"):
 * Root reaches every PAS, Realm and Secure their own and NS, NS only NS. */
static inline bool cc_world_may_use_pas(enum cc_world w, enum cc_pas p)
{
	switch (w) {
	case WORLD_ROOT: return true;
	case WORLD_REALM: return p == PAS_REALM || p == PAS_NS;
	case WORLD_SECURE: return p == PAS_SECURE || p == PAS_NS;
	case WORLD_NS: return p == PAS_NS;
	}
	return false;
}

/* The PAS a world uses by default (its own). */
static inline enum cc_pas cc_world_pas(enum cc_world w) { return (enum cc_pas)w; }

static inline const char *cc_pas_name(enum cc_pas p)
{
	static const char *const n[] = { "secure", "ns", "root", "realm" };
	return n[p & 3];
}
static inline const char *cc_world_name(enum cc_world w)
{
	static const char *const n[] = { "secure", "ns", "root", "realm" };
	return n[w & 3];
}

#endif
