/* `ccsim sweep`: its usage here, the rest in harness/sweep/ (sweep_cli.c). */
#include <stdio.h>

#include "harness/cli/cli.h"
#include "harness/sweep/sweep.h"

static const char usage_sweep[] =
	"usage: ccsim sweep FILE.scn [--profile P,...] [--set KEY=V1,V2,...]... [options]\n"
	"       ccsim sweep FILE.sweep [options]\n"
	"       ccsim sweep ... --slurm DIR [--tasks N]\n"
	"       ccsim sweep --merge DIR --csv OUT\n"
	"\n"
	"Run scenario FILE on every configuration of the cross product of the profiles,\n"
	"the machine keys (GROUP.KEY=V1,V2,...) and the scenario params (NAME=V1,V2,...),\n"
	"in parallel, and write one CSV row per configuration: the configuration, the\n"
	"resolved values of the machine keys, verdict (pass / fail / error), outcome,\n"
	"digest, cycles, error and every requested counter. Rows are in configuration\n"
	"order (profile, then each --set in the order given, the last varying fastest),\n"
	"so the CSV is the same for any -j. Every configuration is checked before any\n"
	"runs. A FILE.sweep holds the same study in a file (docs/sweeps.md).\n"
	"\n"
	"study (with FILE.scn; a FILE.sweep holds them itself):\n"
	"  --profile P,...     profiles (repeatable; default: those the scenario declares)\n"
	"  --set KEY=V1,V2,... sweep a machine key (GROUP.KEY) or a scenario param (NAME)\n"
	"                      over the values given (repeatable; each key once)\n"
	"  --counter PATTERN   a statistic to report, by name or glob (hv.g0.*, phase.*);\n"
	"                      repeatable; `ccsim profile NAME --stats` lists them\n"
	"  --seed N            PRNG seed of every run (default 1)\n"
	"options:\n"
	"  -j N                run N configurations at a time in worker processes (default 1)\n"
	"  --csv OUT           the CSV (default results/NAME.csv for FILE NAME.scn / NAME.sweep)\n"
	"  --resume            continue an interrupted sweep (OUT.journal); without it an\n"
	"                      interrupted sweep of the same study is also continued\n"
	"  --fresh             discard OUT.journal and run every configuration\n"
	"  --quiet             no progress bar, no summary\n"
	"Slurm:\n"
	"  --slurm DIR         write DIR/sweep.sbatch (a job array), DIR/manifest.tsv and\n"
	"                      DIR/sweep.sweep instead of running; submit with sbatch\n"
	"  --tasks N           array tasks (default 32, at most one per configuration)\n"
	"  --merge DIR         join the array's rows into the CSV --csv OUT, or name the\n"
	"                      tasks still missing\n"
	"  --slurm-task DIR    run one array task's slice (what sweep.sbatch runs); its\n"
	"                      number from --task K or $SLURM_ARRAY_TASK_ID\n"
	"\n"
	"exit status: 0 every configuration passed, 1 an expectation failed,\n"
	"2 bad input (nothing runs), a run with bad input, or tasks missing at --merge\n";

int cli_sweep(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_sweep, stdout);
		return 0;
	}
	return sweep_main(argc, argv);
}
