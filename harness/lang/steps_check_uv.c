/* The parse-time check of the ultravisor call steps (host.uvc, NAME.uvc):
 * the command is one of uv.h's and takes the fields given, the host's
 * commands from the host and a guest's from a vm (a call from the wrong
 * side is a conformance case: it runs and returns uv.inv_cmd); and what
 * `ccsim steps` lists of them. */
#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "harness/lang/steps.h"
#include "models/monitor/uv/uv_abi.h"

/* Arguments every call takes: the header's length and command code as
 * sent (to test the UV's checks), and the vm a created secure CPU is. */
static bool common_arg(const char *k, const struct uv_cmd_info *c)
{
	return !k[0] || strcmp(k, "len") == 0 || strcmp(k, "code") == 0 ||
	       ((c->cmd == UVC_CMD_CREATE_SEC_CPU || c->cmd == UVC_CMD_DESTROY_SEC_CPU) &&
		strcmp(k, "vm") == 0) ||
	       (c->cmd == UVC_CMD_RETR_ATTEST && strcmp(k, "user") == 0);
}

char *steps_uvc_check(const struct scn_step *st, int *col)
{
	const struct scn_arg *cmd = step_arg(st, "");
	const struct uv_cmd_info *c = uv_cmd_by_name(cmd->v.name);
	if (!c) {
		const struct uv_cmd_info *all;
		size_t n = uv_cmds(&all);
		*col = cmd->col;
		return steps_unknown_command("ultravisor call", cmd->v.name, all, n, sizeof(*all),
					     offsetof(struct uv_cmd_info, name));
	}
	for (size_t i = 0; i < st->nargs; i++) {
		const struct scn_arg *a = &st->args[i];
		bool ok = common_arg(a->key, c);
		for (const struct uv_field *f = c->in; f < c->in + UV_FIELDS_MAX && f->name; f++)
			ok |= strcmp(f->name, a->key) == 0;
		if (!ok) {
			*col = a->col;
			gchar *up = g_ascii_strup(c->name, -1);
			char *msg = g_strdup_printf("UVC_CMD_%s takes no argument \"%s\"", up, a->key);
			g_free(up);
			return msg;
		}
	}
	return NULL;
}

void steps_uvc_print(FILE *f)
{
	const struct uv_cmd_info *all;
	size_t n = uv_cmds(&all);
	fputs("      calls (uv.h UVC_CMD_* in lower case; [guest]: a secure guest's call) and\n"
	      "      their control block fields, -> what x2.. return:\n", f);
	for (size_t k = 0; k < n; k++) {
		int w = fprintf(f, "        %-20s%s", all[k].name, all[k].guest == UV_BY_GUEST ? " [guest]" : "");
		for (const struct uv_field *q = all[k].in; q < all[k].in + UV_FIELDS_MAX && q->name; q++)
			w += fprintf(f, " %s=", q->name);
		if (all[k].out[0].name) {
			fprintf(f, "%*s->", w < 60 ? 60 - w : 1, "");
			for (unsigned x = 0; x < G_N_ELEMENTS(all[k].out) && all[k].out[x].name; x++)
				fprintf(f, " %s", all[k].out[x].name);
		}
		fputc('\n', f);
	}
}
