/* Loading a monitor plug-in: a shared library exporting CCSIM_MONITOR_ENTRY
 * (include/ccsim/monitor.h), refused with a message naming the library
 * unless it speaks this ccsim's ABI version, implements the kind of
 * monitor its slot holds and fills in the ops a slot calls. */
#include <dlfcn.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "models/platform/machine_mon.h"

static const char *kind_name(uint32_t kind)
{
	static const char *const n[] = { "?", "an RMM", "an SNP firmware", "a SEV firmware",
					 "a TDX module" };
	return kind < sizeof(n) / sizeof(n[0]) ? n[kind] : n[0];
}

/* The ops every slot calls; the others may be NULL. */
static const char *missing_op(const struct ccsim_monitor_ops *o)
{
	return !o->name ? "name" : !o->create ? "create" : !o->destroy ? "destroy"
	     : !o->owns_call ? "owns_call" : !o->call ? "call" : !o->save ? "save"
	     : !o->restore ? "restore" : NULL;
}

int mon_plugin_load(const char *path, uint32_t kind, const struct ccsim_monitor_ops **ops,
		    void **handle, char *err, size_t errlen)
{
	*handle = NULL;
	/* a file name, as a command line means it: not a library to look
	 * for in the system's folders. RTLD_LOCAL: two plug-ins built from
	 * the same sources (--diff-monitor) keep their symbols apart. */
	char *file = strchr(path, '/') ? g_strdup(path) : g_strconcat("./", path, NULL);
	void *dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	g_free(file);
	if (!dl) {
		const char *why = dlerror();
		snprintf(err, errlen, "%s: cannot load the monitor plug-in: %s", path,
			 why ? why : "unknown error");
		return -1;
	}
	ccsim_monitor_entry_fn *entry;
	void *sym = dlsym(dl, CCSIM_MONITOR_ENTRY);
	memcpy(&entry, &sym, sizeof(entry)); /* ISO C: no cast from object to function pointer */
	const struct ccsim_monitor_ops *o = sym ? entry(CCSIM_MONITOR_ABI_VERSION) : NULL;
	const char *miss = o ? missing_op(o) : NULL;
	if (!sym)
		snprintf(err, errlen, "%s: not a monitor plug-in: it exports no %s function "
			 "(include/ccsim/monitor.h)", path, CCSIM_MONITOR_ENTRY);
	else if (!o)
		snprintf(err, errlen, "%s: %s returned no monitor", path, CCSIM_MONITOR_ENTRY);
	else if (o->abi_version != CCSIM_MONITOR_ABI_VERSION)
		snprintf(err, errlen, "%s: monitor ABI version %u, this ccsim speaks version %u: "
			 "rebuild the plug-in against this ccsim's include/ccsim/monitor.h", path,
			 o->abi_version, CCSIM_MONITOR_ABI_VERSION);
	else if (o->kind != kind)
		snprintf(err, errlen, "%s: the plug-in is %s, the slot holds %s", path,
			 kind_name(o->kind), kind_name(kind));
	else if (miss)
		snprintf(err, errlen, "%s: the plug-in's ops table has no %s", path, miss);
	if (!o || o->abi_version != CCSIM_MONITOR_ABI_VERSION || o->kind != kind || miss) {
		dlclose(dl);
		return -1;
	}
	*ops = o;
	*handle = dl;
	return 0;
}

void mon_plugin_unload(void *handle)
{
	if (handle)
		dlclose(handle);
}
