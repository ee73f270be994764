/* The SEV firmware's legacy API; see sev_fw.h. */
#include "models/monitor/sev/sev_fw.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "models/memenc/memenc.h"

#define PAGE 4096ull

static struct sev_guest *guest_get(struct sev_psp *p, uint32_t handle)
{
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++)
		if (handle && p->guests[i].in_use && p->guests[i].handle == handle)
			return &p->guests[i];
	return NULL;
}

const struct sev_guest *sev_guest_find(const struct sev_psp *p, uint32_t handle)
{
	return guest_get((struct sev_psp *)p, handle);
}

bool sev_asid_active(const struct sev_psp *p, uint32_t asid)
{
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++)
		if (asid && p->guests[i].in_use && p->guests[i].asid == asid)
			return true;
	return false;
}

static bool platform_up(const struct sev_psp *p)
{
	return p->state == SEV_PLATFORM_INIT || p->state == SEV_PLATFORM_WORKING;
}

/* The checks every guest command starts with: the platform is up and the
 * handle names a guest (*g). */
static enum snp_status guest_cmd(struct sev_psp *p, uint32_t handle, struct sev_guest **g)
{
	if (!platform_up(p))
		return SNP_INVALID_PLATFORM_STATE;
	*g = guest_get(p, handle);
	return *g ? SNP_SUCCESS : SNP_INVALID_GUEST;
}

static bool flush_pending(const struct sev_psp *p, uint32_t asid)
{
	return (p->asid_flush_pending[asid / 8] >> (asid % 8)) & 1;
}

bool sev_asid_flush_pending(const struct sev_psp *p, uint32_t asid)
{
	return asid < (1u << 16) && flush_pending(p, asid);
}

/* 16 bytes of the firmware's seed derivation (snp_seed_derive). */
static void derive16(uint8_t out[16], const char *label, uint64_t seed, uint64_t id)
{
	uint8_t h[64];
	snp_seed_derive(label, seed, id, h);
	memcpy(out, h, 16);
}

/* WBINVDs over every core so far (the machine's count). */
static uint64_t wbinvds(const struct sev_psp *p)
{
	uint64_t n = 0;
	(void)p->svc->param(p->host, "machine.wbinvd", &n);
	return n;
}

/* The AMD-SP's access to DRAM at the memory controller under key slot
 * `key`, past the caches. */
static int dram(struct sev_psp *p, unsigned key, uint64_t pa, void *buf, uint64_t len, bool write,
		uint64_t *cycles)
{
	struct ccsim_mem_req q = { .pa = pa, .len = len, .write = write, .key = (int32_t)key,
				   .flags = CCSIM_MEM_DRAM };
	struct ccsim_fault f;
	return p->svc->mem(p->host, &q, buf, &f, cycles);
}

enum snp_status sev_init(struct sev_psp *p)
{
	if (p->state != SEV_PLATFORM_UNINIT)
		return SNP_INVALID_PLATFORM_STATE;
	p->state = SEV_PLATFORM_INIT;
	return SNP_SUCCESS;
}

enum snp_status sev_launch_start(struct sev_psp *p, uint32_t policy, const uint8_t *tik,
				 uint32_t *handle)
{
	*handle = 0;
	if (!platform_up(p))
		return SNP_INVALID_PLATFORM_STATE;
	/* §3.2: unknown policy bits, a firmware older than the policy's
	 * minimum, or SEV-ES on a platform INIT did not enable it for. */
	if ((policy & ~SEV_POLICY_KNOWN_MASK) ||
	    SEV_POLICY_API_MAJOR(policy) > p->api_major ||
	    (SEV_POLICY_API_MAJOR(policy) == p->api_major && SEV_POLICY_API_MINOR(policy) > p->api_minor) ||
	    ((policy & SEV_POLICY_ES) && !p->es_enabled))
		return SNP_POLICY_FAILURE;
	struct sev_guest *g = NULL;
	unsigned slot = 0;
	for (unsigned i = 0; i < SEV_MAX_GUESTS && !g; i++)
		if (!p->guests[i].in_use)
			g = &p->guests[slot = i];
	if (!g)
		return SNP_RESOURCE_LIMIT;
	memset(g, 0, sizeof(*g));
	g->in_use = true;
	g->handle = (uint32_t)++p->next_handle;
	g->state = SEV_GSTATE_LUPDATE;
	g->policy = policy;
	if (tik)
		memcpy(g->tik, tik, SEV_TIK_LEN);
	else
		derive16(g->tik, SEV_TIK_LABEL, p->seed, g->handle);
	g_byte_array_set_size(p->launch_data[slot], 0);
	p->state = SEV_PLATFORM_WORKING;
	*handle = g->handle;
	return SNP_SUCCESS;
}

enum snp_status sev_activate(struct sev_psp *p, uint32_t handle, uint32_t asid)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->asid)
		return SNP_INVALID_GUEST_STATE;
	/* §6.3: an SEV-ES guest takes an ES ASID (1 .. min_sev_asid - 1), a
	 * plain SEV guest one from min_sev_asid on. */
	bool es = (g->policy & SEV_POLICY_ES) != 0;
	if (asid == 0 || asid >= p->asid_limit || (es ? asid >= p->min_sev_asid : asid < p->min_sev_asid))
		return SNP_INVALID_ASID;
	if (sev_asid_active(p, asid))
		return SNP_ASID_OWNED;
	if (!p->no_asid_gate && flush_pending(p, asid))
		return SNP_DFFLUSH_REQUIRED;
	/* The guest's VEK goes into the memory controller's slot for the
	 * ASID: if the slot's previous owner still has lines cached, the engine
	 * reports the reuse hazard (what the DEACTIVATE / WBINVD / DF_FLUSH
	 * gate prevents). */
	if (p->svc->key_program(p->host, asid, SEV_VEK_OWNER(g->handle),
				p->encrypts ? MEMENC_KEY_ENCRYPT | MEMENC_KEY_OWNED : 0))
		return SNP_HWERROR_PLATFORM;
	g->asid = asid;
	return SNP_SUCCESS;
}

enum snp_status sev_deactivate(struct sev_psp *p, uint32_t handle)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (!g->asid)
		return SNP_INACTIVE;
	p->asid_flush_pending[g->asid / 8] |= (uint8_t)(1u << (g->asid % 8));
	p->df_flush_required = 1;
	p->wbinvd_at_deactivate = wbinvds(p);
	g->asid = 0;
	return SNP_SUCCESS;
}

/* Read [pa, pa + len) in plaintext (host key), append it to the guest's
 * measured data, write it back under the guest's key. */
static enum snp_status measure_encrypt(struct sev_psp *p, struct sev_guest *g, uint64_t pa,
				       uint64_t len)
{
	GByteArray *ld = p->launch_data[g - p->guests];
	if (ld->len + len > SEV_LAUNCH_MAX_BYTES)
		return SNP_RESOURCE_LIMIT;
	uint8_t *buf = g_malloc(len ? len : 1);
	uint64_t cyc = 0;
	int rc = dram(p, 0, pa, buf, len, false, &cyc);
	if (!rc)
		rc = dram(p, g->asid, pa, buf, len, true, &cyc);
	if (!rc)
		g_byte_array_append(ld, buf, (guint)len);
	g_free(buf);
	p->mem_cycles += cyc;
	return rc ? SNP_HWERROR_PLATFORM : SNP_SUCCESS;
}

static bool in_memory(const struct sev_psp *p, uint64_t pa, uint64_t len)
{
	uint64_t top = 1ull << p->pa_bits;
	return pa < top && len <= top - pa;
}

enum snp_status sev_launch_update_data(struct sev_psp *p, uint32_t handle, uint64_t pa, uint64_t len)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->state != SEV_GSTATE_LUPDATE)
		return SNP_INVALID_GUEST_STATE;
	if (!g->asid)
		return SNP_INACTIVE;
	/* §6.5: the region is 16-byte aligned and a multiple of 16 bytes. */
	if (len == 0 || len % 16)
		return SNP_INVALID_LENGTH;
	if (pa % 16 || !in_memory(p, pa, len))
		return SNP_INVALID_ADDRESS;
	return measure_encrypt(p, g, pa, len);
}

enum snp_status sev_launch_update_vmsa(struct sev_psp *p, uint32_t handle, uint64_t pa, uint64_t len)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->state != SEV_GSTATE_LUPDATE)
		return SNP_INVALID_GUEST_STATE;
	/* §6.6: only an SEV-ES guest has a VMSA the firmware encrypts. */
	if (!(g->policy & SEV_POLICY_ES))
		return SNP_POLICY_FAILURE;
	if (!g->asid)
		return SNP_INACTIVE;
	if (len != SEV_VMSA_LEN)
		return SNP_INVALID_LENGTH;
	if (pa % PAGE || !in_memory(p, pa, len))
		return SNP_INVALID_ADDRESS;
	if (g->nvmsa >= SEV_MAX_VMSAS)
		return SNP_RESOURCE_LIMIT;
	enum snp_status s = measure_encrypt(p, g, pa, len);
	if (s == SNP_SUCCESS)
		g->vmsa[g->nvmsa++] = pa;
	return s;
}

void sev_measure_compute(uint8_t out[SEV_MEASURE_LEN], const uint8_t tik[SEV_TIK_LEN],
			 uint8_t api_major, uint8_t api_minor, uint8_t build, uint32_t policy,
			 const uint8_t ld[SEV_LD_LEN], const uint8_t mnonce[SEV_MNONCE_LEN])
{
	uint8_t blob[1 + 3 + 4 + SEV_LD_LEN + SEV_MNONCE_LEN];
	unsigned n = 0;
	blob[0] = SEV_MEASURE_CONTEXT;
	blob[1] = api_major;
	blob[2] = api_minor;
	blob[3] = build;
	for (unsigned i = 0; i < 4; i++)
		blob[4 + i] = (uint8_t)(policy >> (8 * i));
	memcpy(blob + 8, ld, SEV_LD_LEN);
	memcpy(blob + 8 + SEV_LD_LEN, mnonce, SEV_MNONCE_LEN);
	HMAC(EVP_sha256(), tik, SEV_TIK_LEN, blob, sizeof(blob), out, &n);
}

enum snp_status sev_launch_measure(struct sev_psp *p, uint32_t handle, struct sev_measurement *out)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->state != SEV_GSTATE_LUPDATE)
		return SNP_INVALID_GUEST_STATE;
	GByteArray *data = p->launch_data[g - p->guests];
	uint8_t ld[SEV_LD_LEN];
	unsigned n = 0;
	EVP_Digest(data->data, data->len, ld, &n, EVP_sha256(), NULL);
	derive16(out->mnonce, SEV_MNONCE_LABEL, p->seed, (uint64_t)g->handle << 32 | g->measures++);
	sev_measure_compute(out->measure, g->tik, p->api_major, p->api_minor, p->build, g->policy, ld,
			    out->mnonce);
	g->state = SEV_GSTATE_LSECRET;
	return SNP_SUCCESS;
}

enum snp_status sev_launch_finish(struct sev_psp *p, uint32_t handle)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->state != SEV_GSTATE_LSECRET)
		return SNP_INVALID_GUEST_STATE;
	g->state = SEV_GSTATE_RUNNING;
	g_byte_array_set_size(p->launch_data[g - p->guests], 0);
	return SNP_SUCCESS;
}

enum snp_status sev_decommission(struct sev_psp *p, uint32_t handle)
{
	struct sev_guest *g;
	enum snp_status st = guest_cmd(p, handle, &g);
	if (st != SNP_SUCCESS)
		return st;
	if (g->asid)
		return SNP_ACTIVE; /* DEACTIVATE first */
	g_byte_array_set_size(p->launch_data[g - p->guests], 0);
	memset(g, 0, sizeof(*g));
	bool any = false;
	for (unsigned i = 0; i < SEV_MAX_GUESTS; i++)
		any |= p->guests[i].in_use;
	if (!any)
		p->state = SEV_PLATFORM_INIT;
	return SNP_SUCCESS;
}

enum snp_status sev_df_flush(struct sev_psp *p)
{
	if (!platform_up(p))
		return SNP_INVALID_PLATFORM_STATE;
	/* Lines of the deactivated guests may still sit in the caches under
	 * their ASIDs: the data fabric flush is worth something only after
	 * WBINVD on every core. */
	if (!p->no_asid_gate && p->df_flush_required && wbinvds(p) == p->wbinvd_at_deactivate)
		return SNP_WBINVD_REQUIRED;
	memset(p->asid_flush_pending, 0, sizeof(p->asid_flush_pending));
	p->df_flush_required = 0;
	p->stat_df_flushes++;
	return SNP_SUCCESS;
}

