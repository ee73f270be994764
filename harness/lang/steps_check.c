/* The parse-time checks of the steps that name a command of a monitor ABI
 * (host.rmi, host.snp, host.sev, host.seamcall) or an exit reason
 * (host.guest_run): the command exists and takes the arguments given, from
 * the models' own command tables; and what `ccsim steps` lists of them. */
#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "harness/lang/steps.h"
#include "models/monitor/rmm/rmm_cmds.h"
#include "models/monitor/snp/snp_abi.h"
#include "models/monitor/tdx/tdx_abi.h"

/* --- the RMI (Arm CCA Realm Management Monitor, DEN0137) --- */

char *steps_rmi_check(const struct scn_step *st, int *col)
{
	const struct scn_arg *cmd = step_arg(st, "");
	const struct rmm_cmd *c = rmm_cmd_by_name(cmd->v.name);
	if (!c) {
		const struct rmm_cmd *all;
		size_t n = rmm_cmds(&all);
		*col = cmd->col;
		return steps_unknown_command("RMI command", cmd->v.name, all, n, sizeof(*all),
					     offsetof(struct rmm_cmd, name));
	}
	for (size_t i = 0; i < st->nargs; i++) {
		const char *k = st->args[i].key;
		bool ok = !k[0];
		for (unsigned a = 0; a < c->arity; a++)
			ok |= strcmp(c->args[a], k) == 0;
		if (!ok) {
			*col = st->args[i].col;
			gchar *up = g_ascii_strup(c->name, -1);
			char *msg = g_strdup_printf("RMI_%s takes no argument \"%s\"", up, k);
			g_free(up);
			return msg;
		}
	}
	return NULL;
}

void steps_rmi_print(FILE *f)
{
	const struct rmm_cmd *all;
	size_t n = rmm_cmds(&all);
	fputs("      commands and their arguments (DEN0137 names), and the registers they\n"
	      "      return after X0 (.x1.. of the capture):\n", f);
	for (size_t k = 0; k < n; k++) {
		int w = fprintf(f, "        %-22s", all[k].name);
		for (unsigned x = 0; x < all[k].arity; x++)
			w += fprintf(f, " %s=", all[k].args[x]);
		if (all[k].results == 2)
			fprintf(f, "%*s-> x1", w < 56 ? 56 - w : 1, "");
		else if (all[k].results > 2)
			fprintf(f, "%*s-> x1..x%u", w < 56 ? 56 - w : 1, "", all[k].results - 1);
		fputc('\n', f);
	}
}

/* --- the SNP firmware (SEV-SNP Firmware ABI, AMD 56860) --- */

struct snp_cmd_spec {
	const char *name;
	const char *args[8];
	const char *section;
};

static const struct snp_cmd_spec snp_cmds[] = {
	{ "init", { NULL }, "8.8 SNP_INIT" },
	{ "launch_start", { "gctx", "policy" }, "8.16 SNP_LAUNCH_START" },
	{ "activate", { "gctx", "asid" }, "8.10 SNP_ACTIVATE" },
	{ "launch_update", { "gctx", "addr", "gpa", "type" }, "8.17 SNP_LAUNCH_UPDATE" },
	{ "launch_finish", { "gctx", "host_data", "id_ld", "policy" }, "8.18 SNP_LAUNCH_FINISH" },
	{ "decommission", { "gctx" }, "8.11 SNP_DECOMMISSION" },
	{ "df_flush", { NULL }, "8.12 SNP_DF_FLUSH" },
	{ "report", { "gctx", "vmpl", "data" }, "7.3 MSG_REPORT_REQ" },
	/* page swap (command ids 0xC0, 0xC1, 0xC3, 0xC7; models/monitor/snp/snp_swap.h) */
	{ "page_swap_out", { "gctx", "src", "dst", "mdata", "page_type", "root", "software_data" },
	  "SNP_PAGE_SWAP_OUT" },
	{ "page_swap_in", { "gctx", "src", "dst", "mdata", "page_type", "root", "in_place" },
	  "SNP_PAGE_SWAP_IN" },
	{ "page_md_init", { "gctx", "addr" }, "SNP_PAGE_MD_INIT" },
	{ "page_reclaim", { "addr" }, "SNP_PAGE_RECLAIM" },
};

static const char *const swap_page_types[] = { "data", "metadata", "vmsa" };

static const char *const page_types[] = { "", "normal", "vmsa", "zero", "unmeasured", "secrets",
					  "cpuid" };

/* The command's name and its arguments against a command table. */
static char *fw_check(const struct scn_step *st, int *col, const char *fw,
		      const struct snp_cmd_spec *cmds, size_t n)
{
	const struct scn_arg *cmd = step_arg(st, "");
	const struct snp_cmd_spec *c = NULL;
	for (size_t i = 0; i < n && !c; i++)
		if (strcmp(cmds[i].name, cmd->v.name) == 0)
			c = &cmds[i];
	if (!c) {
		GString *s = g_string_new(NULL);
		for (size_t i = 0; i < n; i++)
			g_string_append_printf(s, "%s%s", i ? ", " : "", cmds[i].name);
		*col = cmd->col;
		char *msg = g_strdup_printf("unknown %s firmware command \"%s\" (%s)", fw, cmd->v.name,
					    s->str);
		g_string_free(s, TRUE);
		return msg;
	}
	for (size_t i = 0; i < st->nargs; i++) {
		const struct scn_arg *a = &st->args[i];
		bool ok = !a->key[0];
		for (unsigned k = 0; k < G_N_ELEMENTS(c->args) && c->args[k]; k++)
			ok |= strcmp(c->args[k], a->key) == 0;
		*col = a->col;
		if (!ok)
			return g_strdup_printf("%s %s takes no argument \"%s\"", fw, c->name, a->key);
		if (strcmp(a->key, "type") == 0) {
			/* a number is the ABI's PAGE_TYPE byte as given, so a
			 * reserved one reaches the firmware (snp.invalid_param) */
			bool known = a->v.kind == SV_NUM && a->v.num <= 0xff;
			for (size_t t = 1; t < G_N_ELEMENTS(page_types); t++)
				known |= a->v.kind == SV_NAME && strcmp(page_types[t], a->v.name) == 0;
			if (!known)
				return g_strdup_printf("type: expected normal, vmsa, zero, unmeasured, secrets, "
						       "cpuid or a PAGE_TYPE byte");
		}
		if (strcmp(a->key, "page_type") == 0) {
			bool known = a->v.kind == SV_NUM && a->v.num <= 3;
			for (size_t t = 0; t < G_N_ELEMENTS(swap_page_types); t++)
				known |= a->v.kind == SV_NAME && strcmp(swap_page_types[t], a->v.name) == 0;
			if (!known)
				return g_strdup_printf("page_type: expected data, metadata, vmsa or 0 to 3");
		}
	}
	return NULL;
}

char *steps_snp_check(const struct scn_step *st, int *col)
{
	return fw_check(st, col, "SNP", snp_cmds, G_N_ELEMENTS(snp_cmds));
}

unsigned steps_snp_page_type(const struct scn_step *st)
{
	const struct scn_arg *a = step_arg(st, "type");
	if (a && a->v.kind == SV_NUM)
		return (unsigned)a->v.num;
	for (size_t t = 1; a && t < G_N_ELEMENTS(page_types); t++)
		if (strcmp(page_types[t], a->v.name) == 0)
			return (unsigned)t;
	return SNP_PAGE_NORMAL;
}

unsigned steps_snp_swap_page_type(const struct scn_step *st)
{
	const struct scn_arg *a = step_arg(st, "page_type");
	if (a && a->v.kind == SV_NUM)
		return (unsigned)a->v.num;
	for (size_t t = 0; a && t < G_N_ELEMENTS(swap_page_types); t++)
		if (strcmp(swap_page_types[t], a->v.name) == 0)
			return (unsigned)t;
	return 0;
}

/* --- the SEV firmware for SEV / SEV-ES guests (SEV API, AMD 55766) --- */

static const struct snp_cmd_spec sev_cmds[] = {
	{ "init", { NULL }, "5.2 INIT" },
	{ "launch_start", { "policy", "tik" }, "6.2 LAUNCH_START" },
	{ "activate", { "handle", "asid" }, "6.3 ACTIVATE" },
	{ "deactivate", { "handle" }, "6.4 DEACTIVATE" },
	{ "launch_update_data", { "handle", "addr", "len" }, "6.5 LAUNCH_UPDATE_DATA" },
	{ "launch_update_vmsa", { "handle", "addr", "len" }, "6.6 LAUNCH_UPDATE_VMSA" },
	{ "launch_measure", { "handle" }, "6.7 LAUNCH_MEASURE" },
	{ "launch_finish", { "handle" }, "6.9 LAUNCH_FINISH" },
	{ "decommission", { "handle" }, "6.21 DECOMMISSION" },
	{ "df_flush", { NULL }, "5.6 DF_FLUSH" },
};

char *steps_sev_check(const struct scn_step *st, int *col)
{
	return fw_check(st, col, "SEV", sev_cmds, G_N_ELEMENTS(sev_cmds));
}

/* --- the TDX module's SEAMCALL leaves --- */

/* A leaf whose input names a GPA takes it as EPT mapping information
 * (ABI "Secure EPT Entry Info"): level in bits 2:0, GPA in 51:12;
 * level= sets those bits, so a scenario says what it means. */
static bool takes_level(const struct tdx_leaf *l)
{
	for (unsigned k = 0; k < l->arity; k++)
		if (strcmp(l->args[k], "gpa") == 0)
			return true;
	return false;
}

/* vm=NAME names a vm's TD: the leaf's tdr=, tdvpr= and hkid= not given
 * are its (the host knows the TDs it built), so a scenario need not spell
 * the addresses hv_tdx_bare.c chose. */
static const char *const vm_args[] = { "tdr", "tdvpr", "hkid" };

static bool takes_vm(const struct tdx_leaf *l)
{
	for (unsigned k = 0; k < l->arity; k++)
		for (size_t v = 0; v < G_N_ELEMENTS(vm_args); v++)
			if (strcmp(l->args[k], vm_args[v]) == 0)
				return true;
	return false;
}

/* TDH.VP.ENTER also takes what the host sets up on the LP around the call
 * (tdx_lp_arm): timer= its APIC timer, cycles into the TD; mhz= the core
 * clock it has set. */
static bool is_vp_enter(const struct tdx_leaf *l) { return l->leaf == TDH_VP_ENTER; }

char *steps_seamcall_check(const struct scn_step *st, int *col)
{
	const struct scn_arg *name = step_arg(st, "");
	const struct tdx_leaf *l = tdx_leaf_by_name(name->v.name);
	if (!l) {
		const struct tdx_leaf *all;
		size_t n = tdx_leaves(&all);
		*col = name->col;
		return steps_unknown_command("SEAMCALL leaf", name->v.name, all, n, sizeof(*all),
					     offsetof(struct tdx_leaf, name));
	}
	for (size_t i = 0; i < st->nargs; i++) {
		const struct scn_arg *a = &st->args[i];
		bool ok = !a->key[0] || strcmp(a->key, "lp") == 0 ||
			  (strcmp(a->key, "level") == 0 && takes_level(l)) ||
			  (strcmp(a->key, "vm") == 0 && a->v.kind == SV_NAME && takes_vm(l)) ||
			  ((strcmp(a->key, "timer") == 0 || strcmp(a->key, "mhz") == 0) && is_vp_enter(l));
		for (unsigned k = 0; k < l->arity; k++)
			ok |= strcmp(l->args[k], a->key) == 0;
		if (!ok) {
			*col = a->col;
			gchar *up = g_ascii_strup(l->name, -1);
			char *msg = g_strdup_printf("TDH.%s takes no argument \"%s\"", up, a->key);
			g_free(up);
			return msg;
		}
	}
	return NULL;
}

void steps_seamcall_print(FILE *f)
{
	const struct tdx_leaf *all;
	size_t n = tdx_leaves(&all);
	fputs("      leaves and their arguments (TDX module ABI names; RCX, RDX, R8, R9 in order):\n", f);
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "        %-22s", all[k].name);
		for (unsigned x = 0; x < all[k].arity; x++)
			fprintf(f, " %s=", all[k].args[x]);
		if (takes_level(&all[k]))
			fputs(" (level=: the EPT level in gpa's bits 2:0)", f);
		if (takes_vm(&all[k]))
			fputs(" [vm=NAME]", f);
		if (is_vp_enter(&all[k]))
			fputs(" [timer=CYCLES: the host's APIC timer fires that far into the TD] "
			      "[mhz=: the core clock the host set]", f);
		fputc('\n', f);
	}
}

/* --- host.guest_run --- */

char *steps_guest_run_check(const struct scn_step *st, int *col)
{
	for (size_t i = 0; i < st->nargs; i++) {
		const struct scn_arg *a = &st->args[i];
		if (strcmp(a->key, "until") == 0) {
			unsigned r = 0;
			while (r < RMI_EXIT_COUNT && strcmp(rmi_exit_reason_name(r), a->v.name))
				r++;
			if (r < RMI_EXIT_COUNT)
				continue;
			*col = a->col;
			return g_strdup_printf("until: expected an exit reason (sync, irq, fiq, psci, "
					       "ripas_change, host_call, serror), got \"%s\"", a->v.name);
		}
		static const char *const known[] = { "", "exits", "mmio", "mmio_nth", "mmio_reg" };
		bool ok = false;
		for (size_t k = 0; k < G_N_ELEMENTS(known); k++)
			ok |= strcmp(a->key, known[k]) == 0;
		if (!ok) {
			*col = a->col;
			return g_strdup_printf("host.guest_run takes no argument \"%s\" (exits, until, "
					       "mmio, mmio_nth, mmio_reg)", a->key);
		}
		if ((strcmp(a->key, "mmio_nth") == 0 || strcmp(a->key, "mmio_reg") == 0) &&
		    !step_arg(st, "mmio")) {
			*col = a->col;
			return g_strdup_printf("%s= goes with mmio=VALUE (the answer to forge)", a->key);
		}
		if (strcmp(a->key, "mmio_nth") == 0 && a->v.kind == SV_NUM && a->v.num == 0) {
			*col = a->col;
			return g_strdup("mmio_nth: the first read is 1");
		}
	}
	return NULL;
}
