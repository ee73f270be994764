/* Status names: a result's status is the raw value the call returned (X0,
 * RAX, the firmware's status, the verifier's verdict) in the space of the
 * ABI that returned it, and its name comes from that pair: RMI (rmi.*),
 * RSI (rsi.*, a realm's call), PSCI (psci.*), any other SMC
 * (smc.unknown), the SNP firmware (snp.*), the SEV firmware for SEV /
 * SEV-ES guests (sev.*), the RMP instructions (rmp.*), the verifier
 * (verify.*), the TDX module's completion statuses (tdx.*), the s390
 * ultravisor's return codes (uv.*, models/monitor/uv/uv_abi.h) and the
 * host stack's swap steps where no monitor answers (swap.*). The parser
 * asks whether an expectation's status name is one of them; the trace
 * keeps a step's status as one code (steps_status_code). */
#include <glib.h>
#include <string.h>

#include "harness/lang/steps.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/monitor/tdx/tdx_abi.h"
#include "models/monitor/uv/uv_abi.h"

static const char *const space_names[STEPS_STATUS_SPACES] = {
	[STEPS_STATUS_RMI] = "rmi", [STEPS_STATUS_TDX] = "tdx", [STEPS_STATUS_RSI] = "rsi",
	[STEPS_STATUS_PSCI] = "psci", [STEPS_STATUS_SMC] = "smc", [STEPS_STATUS_SNP] = "snp",
	[STEPS_STATUS_SEV] = "sev", [STEPS_STATUS_RMP] = "rmp", [STEPS_STATUS_VERIFY] = "verify",
	[STEPS_STATUS_UV] = "uv", [STEPS_STATUS_SWAP] = "swap",
};

/* The trace code's tag of each space that has one (steps_status_code). */
static const uint64_t space_tags[STEPS_STATUS_SPACES] = {
	[STEPS_STATUS_RSI] = STEPS_RSI_STATUS, [STEPS_STATUS_SNP] = STEPS_SNP_STATUS,
	[STEPS_STATUS_SEV] = STEPS_SEV_STATUS, [STEPS_STATUS_RMP] = STEPS_RMP_STATUS,
	[STEPS_STATUS_VERIFY] = STEPS_VERIFY_STATUS, [STEPS_STATUS_SWAP] = STEPS_SWAP_STATUS,
};

const char *steps_status_space_name(enum steps_status_space sp)
{
	return sp < STEPS_STATUS_SPACES ? space_names[sp] : "?";
}

enum steps_status_space steps_smc_space(uint64_t fid)
{
	if (rmm_cmd_by_fid(fid))
		return STEPS_STATUS_RMI;
	if (fid >= RSI_FID_FIRST && fid <= RSI_FID_LAST)
		return STEPS_STATUS_RSI;
	/* SMCCC Standard Secure Service, functions 0x00-0x1F, SMC32 or SMC64
	 * (PSCI 1.1 DEN0022 5.1) */
	if ((fid & ~0x4000001Full) == 0x84000000ull)
		return STEPS_STATUS_PSCI;
	return STEPS_STATUS_SMC;
}

/* PSCI return codes (DEN0022 5.2.2): SUCCESS and the negative errors. A
 * call that returns something else in X0 (PSCI_VERSION, AFFINITY_INFO's
 * state) has no name for it. */
static const char *psci_status_name(uint64_t x0)
{
	static const char *const n[] = { "psci.success", "psci.not_supported",
					 "psci.invalid_parameters", "psci.denied",
					 "psci.already_on", "psci.on_pending",
					 "psci.internal_failure", "psci.not_present",
					 "psci.disabled", "psci.invalid_address" };
	uint64_t k = -x0; /* 0 for SUCCESS, 1 for -1, ... */
	return k < G_N_ELEMENTS(n) ? n[k] : "psci.?";
}

static const char *rmp_eax_name(uint64_t eax)
{
	static const char *const r[] = { "rmp.success", "rmp.fail_input", "rmp.fail_permission",
					 "rmp.fail_inuse", "rmp.fail_overlap", "rmp.?",
					 "rmp.fail_sizemismatch", "rmp.fail_badaddr" };
	return eax < G_N_ELEMENTS(r) ? r[eax] : "rmp.?";
}

static const char *verify_status_name(uint64_t v)
{
	static const char *const n[] = { "verify.ok", "verify.bad_token", "verify.rim_mismatch",
					 "verify.challenge_mismatch" };
	return v < G_N_ELEMENTS(n) ? n[v] : "verify.?";
}

const char *steps_status_name(enum steps_status_space sp, uint64_t raw)
{
	switch (sp) {
	case STEPS_STATUS_RMI:
		return rmi_status_name(raw);
	case STEPS_STATUS_TDX:
		return raw == STEPS_TDX_UNSUPPORTED ? "tdx.unsupported" : tdx_status_name(raw);
	case STEPS_STATUS_RSI:
		return rsi_status_name(raw);
	case STEPS_STATUS_PSCI:
		return psci_status_name(raw);
	case STEPS_STATUS_SMC:
		return raw == UINT64_MAX ? "smc.unknown" : "smc.?";
	case STEPS_STATUS_SNP:
		return raw == STEPS_UNSUPPORTED ? "snp.unsupported"
		     : raw < STEPS_UNSUPPORTED ? snp_status_name((enum snp_status)raw) : "snp.?";
	case STEPS_STATUS_SEV:
		return raw == STEPS_UNSUPPORTED ? "sev.unsupported"
		     : raw < STEPS_UNSUPPORTED ? sev_status_name((enum snp_status)raw) : "sev.?";
	case STEPS_STATUS_RMP:
		return raw == STEPS_UNSUPPORTED ? "rmp.unsupported" : rmp_eax_name(raw);
	case STEPS_STATUS_VERIFY:
		return verify_status_name(raw);
	case STEPS_STATUS_SWAP: /* the host did it itself (ok), or its architecture has no way */
		return raw == 0 ? "swap.ok" : raw == 1 ? "swap.unsupported" : "swap.?";
	case STEPS_STATUS_UV: {
		const char *n = raw <= 0xffff ? uv_rc_name((uint16_t)raw) : NULL;
		return n ? n : "uv.?";
	}
	case STEPS_STATUS_SPACES:
		break;
	}
	return "?";
}

bool steps_status_refused(enum steps_status_space sp, uint64_t raw)
{
	if (sp == STEPS_STATUS_TDX) /* bit 63: an error, not a warning */
		return raw != STEPS_TDX_UNSUPPORTED && tdx_status_is_error(raw);
	/* no RMP, no SNP or SEV firmware on the profile: nothing was tried */
	if ((sp == STEPS_STATUS_RMP || sp == STEPS_STATUS_SNP || sp == STEPS_STATUS_SEV) &&
	    raw == STEPS_UNSUPPORTED)
		return false;
	/* an ultravisor's RC: 1 is executed, any other a refusal */
	if (sp == STEPS_STATUS_UV)
		return raw != UVC_RC_EXECUTED && raw != UV_RC_UNSUPPORTED;
	return (raw & 0xff) != 0 && raw != UINT64_MAX;
}

uint64_t steps_status_code(enum steps_status_space sp, uint64_t raw)
{
	if (sp == STEPS_STATUS_UV)
		return STEPS_UV_STATUS | (raw & 0xffff);
	uint64_t tag = sp < STEPS_STATUS_SPACES ? space_tags[sp] : 0;
	/* an RSI X0 beyond its codes (SMC_UNKNOWN) goes as it is */
	if (!tag || raw > 0xff || (sp == STEPS_STATUS_RSI && raw > RSI_ERROR_UNKNOWN))
		return raw;
	return tag | raw;
}

void steps_status_decode(uint64_t code, bool tdx, enum steps_status_space *sp, uint64_t *raw)
{
	*sp = STEPS_STATUS_RMI;
	*raw = code;
	if (tdx || code == STEPS_TDX_UNSUPPORTED || (code > 0xffffffffull && code != UINT64_MAX)) {
		*sp = STEPS_STATUS_TDX;
		return;
	}
	if ((code & ~0xffffull) == STEPS_UV_STATUS) {
		*sp = STEPS_STATUS_UV;
		*raw = code & 0xffff;
		return;
	}
	for (unsigned s = 0; s < STEPS_STATUS_SPACES; s++)
		if (space_tags[s] && (code & ~0xffull) == space_tags[s]) {
			*sp = (enum steps_status_space)s;
			*raw = code & 0xff;
			return;
		}
}

bool steps_status_known(const char *name)
{
	if (g_str_has_suffix(name, ".?"))
		return false;
	if (strcmp(name, "tdx.unsupported") == 0 || tdx_status_known(name) || uv_rc_by_name(name) >= 0)
		return true;
	for (unsigned s = 0; s < STEPS_STATUS_SPACES; s++) {
		if (s == STEPS_STATUS_TDX || s == STEPS_STATUS_UV)
			continue;
		/* every code a space names: small values, and negative ones
		 * (SMC_UNKNOWN, the PSCI errors) */
		for (uint64_t v = 0; v <= 0xff; v++)
			if (strcmp(steps_status_name(s, v), name) == 0 ||
			    strcmp(steps_status_name(s, -v), name) == 0)
				return true;
	}
	return false;
}
