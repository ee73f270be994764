/* Steps for IBM Secure Execution (s390-se): ultravisor calls from the host
 * and from secure guests (host.uvc, NAME.uvc), an SE image built in the
 * role of genprotimg and staged in host memory (host.se_image), its
 * unpacking page by page as KVM does it (host.se_unpack), and the guest
 * owner's side of attestation (verifier.se_arcb, verifier.se_measure). Off
 * s390-se the calls answer uv.unsupported and change nothing. */
#include <glib.h>
#include <string.h>

#include "harness/run/runner.h"
#include "harness/run/steps.h"
#include "models/monitor/uv/se_image.h"
#include "models/monitor/uv/uv.h"
#include "models/platform/machine.h"

static void put_field(uint8_t *cb, const struct uv_field *f, uint64_t v)
{
	switch (f->width) {
	case 1: cb[f->off] = (uint8_t)v; break;
	case 2: uv_put16(cb + f->off, (uint16_t)v); break;
	case 4: uv_put32(cb + f->off, (uint32_t)v); break;
	default: uv_put64(cb + f->off, v); break;
	}
}

static uint64_t get_field(const uint8_t *cb, const struct uv_field *f)
{
	switch (f->width) {
	case 1: return cb[f->off];
	case 2: return uv_be16(cb + f->off);
	case 4: return uv_be32(cb + f->off);
	default: return uv_be64(cb + f->off);
	}
}

static struct cpu *vm_named(struct run_ctx *rc, const struct scn_step *st, const char *key)
{
	const struct scn_arg *a = step_arg(st, key);
	for (size_t i = 0; a && i < rc->sc->nvms; i++)
		if (strcmp(rc->sc->vms[i].name, a->v.name) == 0)
			return &rc->vms[i];
	return NULL;
}

/* One UVC with a control block of the command's size: its fields from the
 * step's arguments; status the RC, x1 the RRC, x2.. what it returns;
 * bytes: the control block after the call. */
static int uvc(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
	       const struct uv_cmd_info *ci, const struct uv_caller *who)
{
	uint8_t cb[UVCB_MAX_LEN] = { 0 };
	uint16_t len = (uint16_t)run_arg_num(st, "len", ci->len);
	uv_put16(cb, len);
	uv_put16(cb + 2, (uint16_t)run_arg_num(st, "code", ci->cmd));
	for (const struct uv_field *f = ci->in; f < ci->in + UV_FIELDS_MAX && f->name; f++)
		if (step_arg(st, f->name))
			put_field(cb, f, run_arg_num(st, f->name, 0));
	size_t n = 0;
	const uint8_t *user = run_arg_bytes(rc, st, "user", &n);
	if (user && ci->cmd == UVC_CMD_RETR_ATTEST) {
		n = MIN(n, 256u);
		memcpy(cb + ATT_USER_DATA, user, n);
		if (!step_arg(st, "user_data_len"))
			uv_put16(cb + ATT_USER_LEN, (uint16_t)n);
	}
	uv_call(rc->machine.uv, who, cb, sizeof(cb), &res->cycles);
	steps_res_status(res, STEPS_STATUS_UV, uvcb_rc(cb));
	steps_res_x(res, 1, uvcb_rrc(cb));
	for (unsigned k = 0; k < G_N_ELEMENTS(ci->out) && ci->out[k].name; k++)
		steps_res_x(res, k + 2, get_field(cb, &ci->out[k]));
	res->len = MAX(len, ci->len) <= sizeof(cb) ? MAX(len, ci->len) : sizeof(cb);
	res->bytes = g_memdup2(cb, res->len);
	return 0;
}

/* host.uvc CMD [FIELD=..] [len=] [code=] [vm=NAME]; NAME.uvc CMD [...]
 * [user=BYTES]: the vm's call as the secure CPU it is (after create_sec_cpu
 * vm=NAME), or as a guest that is not secure. */
int steps_uvc(struct run_ctx *rc, const struct scn_step *st, struct step_result *res, char *err,
	      size_t errlen)
{
	(void)err;
	(void)errlen;
	const struct uv_cmd_info *ci = uv_cmd_by_name(step_arg(st, "")->v.name);
	steps_res_status(res, STEPS_STATUS_UV, rc->machine.uv ? UVC_RC_EXECUTED : UV_RC_UNSUPPORTED);
	if (!rc->machine.uv)
		return 0;
	struct uv_caller who = { false, 0 };
	if (st->spec->actor == ACTOR_VM) {
		const struct cpu *c = run_actor_cpu(rc, st);
		who = (struct uv_caller){ true, c->guest ? c->asid : 0 };
	}
	uvc(rc, st, res, ci, &who);
	/* the vm becomes the secure CPU created (KVM's vCPU enters SIE with
	 * the format-4 state description: pv.c kvm_s390_pv_create_cpu), or
	 * stops being one */
	struct cpu *vm = vm_named(rc, st, "vm");
	if (vm && res->status == UVC_RC_EXECUTED && ci->cmd == UVC_CMD_CREATE_SEC_CPU) {
		vm->guest = 1;
		vm->asid = uv_cpu_conf(rc->machine.uv, res->x[1]);
	} else if (vm && res->status == UVC_RC_EXECUTED && ci->cmd == UVC_CMD_DESTROY_SEC_CPU) {
		vm->guest = 0;
		vm->asid = 0;
	}
	return 0;
}

/* The host's stores of `len` bytes at pa, page by page. */
static int host_put(struct run_ctx *rc, uint64_t pa, const uint8_t *p, size_t len,
		    struct step_result *res)
{
	for (size_t off = 0; off < len; off += 4096) {
		struct cc_fault f;
		uint64_t c = 0;
		int r = cpu_store(&rc->host, pa + off, p + off, (uint32_t)MIN(4096u, len - off), &f, &c);
		res->cycles += c;
		if (r) {
			if (r == 1)
				steps_res_fault(res, f.kind);
			return -1;
		}
	}
	return 0;
}

static int load_image_file(const struct scn_step *st, const uint8_t *name, size_t n,
			   uint8_t **img, size_t *len, char *err, size_t errlen)
{
	gchar *rel = g_strndup((const char *)name, n), *dir = g_path_get_dirname(st->file);
	gchar *path = g_path_is_absolute(rel) ? g_strdup(rel) : g_build_filename(dir, rel, NULL);
	GError *ge = NULL;
	int rc = g_file_get_contents(path, (gchar **)img, len, &ge) ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "%s:%d:%d: host.se_image: %s", st->file, st->line,
			 step_arg(st, "file")->col, ge->message);
	g_clear_error(&ge);
	g_free(rel);
	g_free(dir);
	g_free(path);
	return rc;
}

/* host.se_image (data=BYTES | file=PATH) hdr=ADDR [mso=ADDR] [addr=GADDR]
 * [host_seed=N] [also_seed=N] [seed=N] [pcf=N]: an SE image of the payload
 * for this machine's host key (or another's), in the role of genprotimg
 * (ccsim se-image), or an image file; the host stages its header at hdr
 * and its encrypted pages at mso + their guest addresses, as QEMU's IPL
 * finds them (hw/s390x/ipl.c). bytes: the image; x1 hdr, x2 its length,
 * x3 components, x4 / x5 / x6 the first one's guest address, size and
 * tweak prefix. */
int steps_se_image(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		   char *err, size_t errlen)
{
	size_t n = 0, len = 0;
	uint8_t *img = NULL;
	const uint8_t *file = run_arg_bytes(rc, st, "file", &n);
	if (file) {
		if (load_image_file(st, file, n, &img, &len, err, errlen))
			return -1;
	} else {
		const uint8_t *data = run_arg_bytes(rc, st, "data", &n);
		struct se_key keys[2];
		uint8_t coords[2 * SE_COORD_LEN];
		size_t nk = 1;
		se_host_key(run_arg_num(st, "host_seed", rc->sim.seed), 0, &keys[0]);
		if (step_arg(st, "also_seed"))
			se_host_key(run_arg_num(st, "also_seed", 0), 0, &keys[nk++]);
		for (size_t k = 0; k < nk; k++)
			memcpy(coords + k * SE_COORD_LEN, keys[k].coord, SE_COORD_LEN);
		struct se_comp_in c = { data ? data : (const uint8_t *)"", data ? n : 0,
					run_arg_num(st, "addr", 0x10000), SE_COMP_KERNEL };
		struct se_image_opts o = { .seed = run_arg_num(st, "seed", 1),
					   .pcf = run_arg_num(st, "pcf", 0) };
		char why[256];
		if (se_image_build(&c, 1, coords, nk, &o, &img, &len, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d:%d: host.se_image: %s", st->file, st->line, st->col,
				 why);
			return -1;
		}
	}
	struct se_image_view v;
	char why[256];
	if (se_image_parse(img, len, &v, why, sizeof(why))) {
		snprintf(err, errlen, "%s:%d:%d: host.se_image: %s", st->file, st->line, st->col, why);
		g_free(img);
		return -1;
	}
	uint64_t hdr = run_arg_num(st, "hdr", 0), mso = run_arg_num(st, "mso", 0);
	int r = host_put(rc, hdr, v.hdr, v.hdr_len, res);
	for (size_t i = 0; i < v.ncomp && !r; i++)
		r = host_put(rc, mso + v.comp[i].addr, v.comp[i].data, v.comp[i].size, res);
	steps_res_x(res, 1, hdr);
	steps_res_x(res, 2, v.hdr_len);
	steps_res_x(res, 3, v.ncomp);
	steps_res_x(res, 4, v.comp[0].addr);
	steps_res_x(res, 5, v.comp[0].size);
	steps_res_x(res, 6, v.comp[0].tweak);
	if (!res->faulted) {
		res->bytes = img;
		res->len = len;
	} else {
		g_free(img);
	}
	return 0;
}

/* host.se_unpack handle=H image=$img: UVC_CMD_UNPACK_IMG for every page of
 * every component, in image order (pv.c kvm_s390_pv_unpack for each
 * component QEMU's s390_ipl_pv_unpack names); stops at the first refusal.
 * Status its RC, x1 the RRC, x2 the pages unpacked. */
int steps_se_unpack(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		    char *err, size_t errlen)
{
	size_t n = 0;
	const uint8_t *img = run_arg_bytes(rc, st, "image", &n);
	struct se_image_view v;
	char why[256];
	steps_res_status(res, STEPS_STATUS_UV, rc->machine.uv ? UVC_RC_EXECUTED : UV_RC_UNSUPPORTED);
	if (!rc->machine.uv)
		return 0;
	if (!img || se_image_parse(img, n, &v, why, sizeof(why))) {
		snprintf(err, errlen, "%s:%d:%d: host.se_unpack: image= is not an SE image (%s)", st->file,
			 st->line, step_arg(st, "image")->col, img ? why : "empty");
		return -1;
	}
	struct uv_caller host = { false, 0 };
	uint64_t pages = 0, handle = run_arg_num(st, "handle", 0);
	uint16_t rcode = UVC_RC_EXECUTED, rrc = 0;
	for (size_t i = 0; i < v.ncomp && rcode == UVC_RC_EXECUTED; i++)
		for (uint64_t off = 0; off < v.comp[i].size && rcode == UVC_RC_EXECUTED; off += 4096) {
			uint8_t cb[UVCB_UNP_LEN] = { 0 };
			uint64_t c = 0;
			uv_put16(cb, UVCB_UNP_LEN);
			uv_put16(cb + 2, UVC_CMD_UNPACK_IMG);
			uv_put64(cb + CB_HANDLE, handle);
			uv_put64(cb + UNP_GADDR, v.comp[i].addr + off);
			uv_put64(cb + UNP_TWEAK0, v.comp[i].tweak);
			uv_put64(cb + UNP_TWEAK1, off);
			uv_call(rc->machine.uv, &host, cb, sizeof(cb), &c);
			res->cycles += c;
			rcode = uvcb_rc(cb);
			rrc = uvcb_rrc(cb);
			pages += rcode == UVC_RC_EXECUTED;
		}
	res->status = rcode;
	steps_res_x(res, 1, rrc);
	steps_res_x(res, 2, pages);
	return 0;
}

/* verifier.se_arcb mkey=BYTES [nonce=BYTES] [host_seed=N] [paf=N] [seed=N]:
 * the guest owner's attestation request (ARCB v1) sealing its measurement
 * key for this machine's host key (or another's). bytes: the ARCB; x1 its
 * length. */
int steps_se_arcb(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		  char *err, size_t errlen)
{
	size_t n = 0, nn = 0, len;
	const uint8_t *mk = run_arg_bytes(rc, st, "mkey", &n), *no = run_arg_bytes(rc, st, "nonce", &nn);
	uint8_t mkey[SE_ARCB_MKEY] = { 0 }, nonce[SE_ARCB_NONCE] = { 0 }, *a;
	memcpy(mkey, mk, MIN(n, sizeof(mkey)));
	if (no)
		memcpy(nonce, no, MIN(nn, sizeof(nonce)));
	struct se_key host;
	se_host_key(run_arg_num(st, "host_seed", rc->sim.seed), 0, &host);
	if (se_arcb_build(host.coord, 1, mkey, no ? nonce : NULL, run_arg_num(st, "paf", 0),
			  run_arg_num(st, "seed", 1), &a, &len)) {
		snprintf(err, errlen, "%s:%d:%d: verifier.se_arcb: cannot seal the request", st->file,
			 st->line, st->col);
		return -1;
	}
	res->bytes = a;
	res->len = len;
	steps_res_x(res, 1, len);
	return 0;
}

/* verifier.se_measure image=$img mkey=BYTES attest=$a [nonce=] [add=]: the
 * measurement the owner expects (s390-tools uvattest/attest.rs): over the
 * image header's PLD, ALD, TLD and tag, which it reads without any key,
 * and the configuration id and user data the guest's retr_attest returned.
 * bytes: the 64 bytes; x1 = 64, or 0 if image= is no SE image. */
int steps_se_measure(struct run_ctx *rc, const struct scn_step *st, struct step_result *res,
		     char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	size_t n = 0, mn = 0, an = 0, nn = 0, dn = 0;
	const uint8_t *img = run_arg_bytes(rc, st, "image", &n);
	const uint8_t *mk = run_arg_bytes(rc, st, "mkey", &mn);
	const uint8_t *att = run_arg_bytes(rc, st, "attest", &an);
	const uint8_t *no = run_arg_bytes(rc, st, "nonce", &nn);
	const uint8_t *add = run_arg_bytes(rc, st, "add", &dn);
	struct se_image_view v;
	struct se_hdr h;
	char why[256];
	uint8_t mkey[SE_ARCB_MKEY] = { 0 }, nonce[SE_ARCB_NONCE] = { 0 };
	steps_res_x(res, 1, 0);
	if (!img || se_image_parse(img, n, &v, why, sizeof(why)) || se_hdr_peek(v.hdr, v.hdr_len, &h) ||
	    !att || an < UVCB_ATTEST_LEN)
		return 0;
	memcpy(mkey, mk, MIN(mn, sizeof(mkey)));
	if (no)
		memcpy(nonce, no, MIN(nn, sizeof(nonce)));
	res->len = SE_SHA512_LEN;
	res->bytes = g_malloc(res->len);
	se_measurement(mkey, &h, att + ATT_CONFIG_UID, att + ATT_USER_DATA,
		       MIN(uv_be16(att + ATT_USER_LEN), 256u), no ? nonce : NULL, add, add ? dn : 0,
		       res->bytes);
	steps_res_x(res, 1, SE_SHA512_LEN);
	return 0;
}

/* --- a scenario's secure vm (vm NAME se=1) --- */

/* Where the host puts what it donates for the vms: above 4 GiB, out of
 * the scenarios' way: the UV's base storage (1 MB aligned above 2 GB,
 * arch/s390/kernel/uv.c setup_uv), then 32 MiB a vm. Each vm's storage
 * starts at host 0 (MSO 0, as KVM's: pv.c kvm_s390_pv_init_vm) and spans
 * 4 GiB, so its guest address is the host address a scenario names. */
#define SE_VM_REGION 0x100000000ull
#define SE_VM_SPAN 0x2000000ull
#define SE_VM_MSL 0x100000000ull
#define SE_VM_VAR 0x100000ull    /* in a vm's span: variable storage, */
#define SE_VM_SCA 0x1800000ull   /* the SCA, */
#define SE_VM_SD 0x1900000ull    /* the CPU's state description, */
#define SE_VM_CPU 0x1a00000ull   /* its donated storage, */
#define SE_VM_ASCE 0x1b00000ull  /* the table its ASCE names */

/* A host UVC of cmd with the fields already in cb; *cycles gets its time. */
static uint16_t host_uvc(struct run_ctx *rc, uint8_t *cb, uint16_t cmd, uint64_t *cycles)
{
	struct uv_caller host = { false, 0 };
	uint64_t c = 0;
	uv_put16(cb, uv_cmd_by_code(cmd)->len);
	uv_put16(cb + 2, cmd);
	uv_call(rc->machine.uv, &host, cb, UVCB_MAX_LEN, &c);
	*cycles += c;
	return uvcb_rc(cb);
}

int steps_uv_vm_setup(struct run_ctx *rc, size_t i, char *err, size_t errlen)
{
	const struct scn_vm *vm = &rc->sc->vms[i];
	const struct platform_config *cfg = &rc->cfg;
	struct cpu *c = &rc->vms[i];
	uint8_t cb[UVCB_MAX_LEN] = { 0 };
	if (vm->same_as >= 0) { /* another actor on the same secure CPU */
		rc->se_confs[i] = rc->se_confs[vm->same_as];
		c->guest = rc->vms[vm->same_as].guest;
		c->asid = rc->vms[vm->same_as].asid;
		return 0;
	}
	size_t own = 0;
	for (size_t k = 0; k < i; k++)
		own += rc->sc->vms[k].se && rc->sc->vms[k].same_as < 0;
	uint64_t base = SE_VM_REGION + SE_VM_SPAN * (own + 1);
	uint64_t vlen = cfg->uv_conf_virt_len + SE_VM_MSL / (1ull << 20) * cfg->uv_conf_var_len;
	uint16_t r = UVC_RC_EXECUTED;
	uint64_t cyc = 0; /* before the scenario's first step: not its time */
	if (cfg->uv_base_stor_len > SE_VM_SPAN || cfg->uv_conf_base_len > SE_VM_VAR ||
	    vlen > SE_VM_SCA - SE_VM_VAR || cfg->uv_cpu_stor_len > SE_VM_ASCE - SE_VM_CPU ||
	    base + SE_VM_SPAN > 1ull << cfg->pa_bits) {
		snprintf(err, errlen, "%s:%d: vm %s se=1: profile %s's donated storage (uv.*) does not "
			 "fit its place above 4 GiB", vm->file, vm->line, vm->name, cfg->name);
		return -1;
	}
	if (!uv_initialized(rc->machine.uv)) {
		uv_put64(cb + INIT_STOR_ORIGIN, SE_VM_REGION);
		uv_put64(cb + INIT_STOR_LEN, cfg->uv_base_stor_len);
		r = host_uvc(rc, cb, UVC_CMD_INIT_UV, &cyc);
	}
	if (r == UVC_RC_EXECUTED) {
		memset(cb, 0, sizeof(cb));
		uv_put64(cb + CGC_BASE_ORIGIN, base);
		uv_put64(cb + CGC_VIRT_ORIGIN, base + SE_VM_VAR);
		uv_put64(cb + CGC_STOR_LEN, SE_VM_MSL);
		uv_put64(cb + CGC_SCA, base + SE_VM_SCA);
		uv_put64(cb + CGC_ASCE, (base + SE_VM_ASCE) | UV_ASCE_P);
		r = host_uvc(rc, cb, UVC_CMD_CREATE_SEC_CONF, &cyc);
		rc->se_confs[i] = uv_be64(cb + CGC_GUEST_HANDLE);
	}
	if (r == UVC_RC_EXECUTED) {
		memset(cb, 0, sizeof(cb));
		uv_put64(cb + CSC_GUEST_HANDLE, rc->se_confs[i]);
		uv_put64(cb + CSC_STOR_ORIGIN, base + SE_VM_CPU);
		uv_put64(cb + CSC_STATE_ORIGIN, base + SE_VM_SD);
		uv_put16(cb + CSC_NUM, 0);
		r = host_uvc(rc, cb, UVC_CMD_CREATE_SEC_CPU, &cyc);
	}
	if (r != UVC_RC_EXECUTED) {
		snprintf(err, errlen, "%s:%d: vm %s se=1: the ultravisor refused its secure "
			 "configuration (%s)", vm->file, vm->line, vm->name, uv_rc_name(r));
		return -1;
	}
	/* the vm runs as that CPU (KVM's vCPU entering SIE with its handles) */
	c->guest = 1;
	c->asid = uv_conf_id(rc->machine.uv, rc->se_confs[i]);
	return 0;
}

/* The host's DAT tables as the scenario names them for one access: its
 * guest page at the host page it names (gpa= and addr=). */
struct one_page {
	uint64_t gpage, hpage;
};

static int one_page_gmap(void *ctx, uint64_t gaddr, uint64_t *hpa)
{
	const struct one_page *m = ctx;
	if ((gaddr & ~0xfffull) != m->gpage)
		return -1;
	*hpa = m->hpage | (gaddr & 0xfff);
	return 0;
}

int steps_uv_vm_access(struct run_ctx *rc, struct cpu *c, uint64_t addr, uint64_t gpa, bool write,
		       void *buf, uint32_t len, struct cc_fault *f, uint64_t *cycles)
{
	uint64_t base = sim_time(&rc->sim) - *cycles; /* each part starts when the last ended */
	for (unsigned tries = 0;; tries++) {
		uint64_t spent = 0;
		sim_set_time(&rc->sim, base + *cycles);
		int r = cpu_access(c, PAS_NS, write, addr, gpa, true, buf, len, f, &spent);
		*cycles += spent;
		if (r != 1 || f->kind != FAULT_PGM_NONSECURE_ACCESS || tries > 0)
			return r;
		/* PGM 0x3e: "a page belonging to a protected guest has not been
		 * imported yet. Try to import the page" (kvm-s390.c
		 * vcpu_post_run_handle_fault -> gmap_convert_to_secure), at the
		 * page the host's tables give for the guest's */
		struct one_page m = { gpa & ~0xfffull, addr & ~0xfffull };
		uint8_t cb[UVCB_MAX_LEN] = { 0 };
		uv_put64(cb + CB_HANDLE, rc->se_confs[c - rc->vms]);
		uv_put64(cb + CTS_GADDR, m.gpage);
		uv_set_gmap(rc->machine.uv, c->asid, one_page_gmap, &m);
		sim_set_time(&rc->sim, base + *cycles);
		uint16_t ok = host_uvc(rc, cb, UVC_CMD_CONV_TO_SEC_STOR, cycles);
		uv_set_gmap(rc->machine.uv, c->asid, NULL, NULL);
		if (ok != UVC_RC_EXECUTED)
			return r;
	}
}
