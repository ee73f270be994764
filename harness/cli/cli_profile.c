/* `ccsim profile NAME`: a profile's resolved configuration, its statistics
 * or every key a profile may set. */
#include <stdio.h>
#include <string.h>

#include "harness/cli/cli.h"
#include "models/cpu/cpu.h"
#include "models/platform/machine.h"
#include "models/platform/profile.h"
#include "sim/sim.h"

static const char usage_profile[] =
	"usage: ccsim profile NAME [--set GROUP.KEY=VALUE]... [--stats]\n"
	"       ccsim profile --keys\n\n"
	"Print the fully resolved configuration of a profile (defaults included) as JSON.\n\n"
	"  --stats   instead, list every statistic a run on this profile reports in\n"
	"            stats.json: name, kind (count, cycles, hist) and what it counts.\n"
	"            Each scenario VM adds <vm>.* counters like host.*.\n"
	"  --keys    list every key a profile may set: GROUP.KEY, its default and\n"
	"            what it means, tab-separated (docs/profiles.md explains them).\n";

/* Build the machine of `cfg` with a host CPU, as a run does: a profile a
 * run would refuse is refused here too. With `stats`, list its stats. */
static int build_machine(const struct platform_config *cfg, bool stats)
{
	char err[1024];
	struct sim s;
	struct machine m;
	struct cpu host;
	sim_init(&s, 1, cfg->freq_mhz * 1000000ull);
	int rc = machine_init(&m, &s, cfg, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	else if (stats) {
		cpu_init(&host, &s, "host", machine_bus(&m), WORLD_NS, 2);
		sim_stats_list(&s, stdout);
	}
	sim_fini(&s);
	return rc ? 2 : 0;
}

int cli_profile(int argc, char **argv)
{
	char err[1024], path[4096];
	struct platform_config cfg;
	const char *name = NULL;
	bool stats = false;
	if (cli_wants_help(argc, argv)) {
		fputs(usage_profile, stdout);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			i++;
		else if (strcmp(argv[i], "--stats") == 0)
			stats = true;
		else if (strcmp(argv[i], "--keys") == 0 && argc == 1) {
			profile_keys_list(stdout);
			return 0;
		} else if (argv[i][0] == '-')
			return cli_bad_usage("profile", "unknown option %s", argv[i]);
		else if (!name)
			name = argv[i];
		else
			return cli_bad_usage("profile", "unexpected argument %s", argv[i]);
	}
	if (!name)
		return cli_bad_usage("profile", "%s", "expected a profile NAME");
	if (cli_sets_unique("profile", argc, argv))
		return 2;
	if (profile_find(name, path, sizeof(path), err, sizeof(err)) ||
	    profile_load(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--set") == 0 && profile_set(&cfg, argv[++i], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	int built = build_machine(&cfg, stats);
	if (built || stats)
		return built;
	profile_dump_json(&cfg, stdout, 0);
	putchar('\n');
	return 0;
}
