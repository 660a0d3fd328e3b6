// SPDX-License-Identifier: GPL-2.0-only
/*
 * imsctl: show the IMS (Interrupt Message Store) domains of ims_core, their
 * interrupts, and the entries in device memory.
 *
 * Options may come before or after the command and its operands.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"

static const char usage_text[] =
"Usage: imsctl [-j] [list]\n"
"       imsctl [-j] show BDF [DOMAIN]\n"
"       imsctl [-j] watch [BDF] [--interval SEC] [--count N]\n"
"       imsctl [-j] dump BDF --bar N --offset OFF --count C [--layout L]\n"
"       imsctl [-j] check BDF [DOMAIN] [--mem BDF2] [--bar N --offset OFF]\n"
"                         [--layout L]\n"
"       imsctl --version | --help\n"
"\n"
"Commands:\n"
"  list    devices with IMS domains and their domains (the default)\n"
"  show    the interrupts of a device's domains: CPUs, counts, owner, and\n"
"          as root PASID, mask state and message (debugfs)\n"
"  watch   interrupt rate and total per slot, every SEC seconds\n"
"  dump    decode C array entries from device memory (root)\n"
"  check   compare device memory (array) or the device's push state\n"
"          (queue) with what ims_core wrote (root)\n"
"\n"
"Options:\n"
"  -j, --json          JSON output (watch: one object per line)\n"
"  --interval SEC      watch: seconds between samples (default 1)\n"
"  --count N           watch: stop after N samples; dump: entries to decode\n"
"  --bar N             BAR (0-5) of the device that holds the IMS array\n"
"  --offset OFF        byte offset of entry 0 in that BAR\n"
"  --mem BDF2          check: the device whose BAR holds the array\n"
"                      (default BDF)\n"
"  --layout L          entry layout: dsa, or key=value,... over dsa with keys\n"
"                      stride addr_lo addr_hi data ctrl mask_bit\n"
"                      mask_active_low pasid_en_bit pasid_shift pasid_width\n"
"                      (check: default from debugfs)\n"
"  -h, --help          this help\n"
"  --version           print the version\n"
"\n"
"BDF is [dddd:]bb:ss.f (domain 0000 when left out). DOMAIN is the full\n"
"domain name, the instance name after \"<BDF>-\", or the template (array,\n"
"queue) when one domain of the device has it. Numbers are decimal or 0x hex.\n"
"\n"
"Exit status: 0 ok, 1 check found a mismatch, 2 usage error, 3 no such PCI\n"
"device, 4 no IMS (ims_core not loaded, no such domain), 5 permission\n"
"denied (needs root), 6 other system error.\n";

enum {
	OPT_INTERVAL = 256, OPT_COUNT, OPT_BAR, OPT_OFFSET, OPT_MEM,
	OPT_LAYOUT, OPT_VERSION,
};

/* Which options each command takes, as bits of (option - OPT_INTERVAL). */
#define BIT_OPT(o)	(1U << ((o) - OPT_INTERVAL))

static const struct command {
	const char	*name;
	int		(*run)(const struct opts *o);
	int		min_args, max_args;
	unsigned int	options;
} commands[] = {
	{ "list",  cmd_list,  0, 0, 0 },
	{ "show",  cmd_show,  1, 2, 0 },
	{ "watch", cmd_watch, 0, 1, BIT_OPT(OPT_INTERVAL) | BIT_OPT(OPT_COUNT) },
	{ "dump",  cmd_dump,  1, 1, BIT_OPT(OPT_BAR) | BIT_OPT(OPT_OFFSET) |
				    BIT_OPT(OPT_COUNT) | BIT_OPT(OPT_LAYOUT) },
	{ "check", cmd_check, 1, 2, BIT_OPT(OPT_BAR) | BIT_OPT(OPT_OFFSET) |
				    BIT_OPT(OPT_MEM) | BIT_OPT(OPT_LAYOUT) },
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "bar",	required_argument,	NULL, OPT_BAR },
	{ "offset",	required_argument,	NULL, OPT_OFFSET },
	{ "mem",	required_argument,	NULL, OPT_MEM },
	{ "layout",	required_argument,	NULL, OPT_LAYOUT },
	{ NULL, 0, NULL, 0 },
};

static const char *opt_name(int opt)
{
	const struct option *lo;

	for (lo = long_opts; lo->name; lo++)
		if (lo->val == opt)
			return lo->name;
	return "?";
}

static long long number_arg(int opt, const char *arg, unsigned long long max)
{
	unsigned long long v;

	if (!parse_ull(arg, &v) || v > max)
		die(EXIT_USAGE, "bad number for --%s: '%s'", opt_name(opt), arg);
	return (long long)v;
}

static double interval_arg(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	/* Up to a day; below a millisecond the rates are only noise. */
	if (end == arg || *end || !(v >= 0.001 && v <= 86400))
		die(EXIT_USAGE, "bad interval '%s' (seconds, 0.001 to 86400)",
		    arg);
	return v;
}

/* Parses the options into @o; returns the bits of the options given. */
static unsigned int parse_options(int argc, char **argv, struct opts *o)
{
	unsigned int given = 0;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jh", long_opts, NULL)) != -1) {
		if (opt >= OPT_INTERVAL && opt < OPT_VERSION)
			given |= BIT_OPT(opt);
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			printf("imsctl %s\n", IMSCTL_VERSION);
			exit(EXIT_OK);
		case OPT_INTERVAL:
			o->interval = interval_arg(optarg);
			break;
		case OPT_COUNT:
			o->count = number_arg(opt, optarg, 1ULL << 31);
			break;
		case OPT_BAR:
			o->bar = number_arg(opt, optarg, 5);
			break;
		case OPT_OFFSET:
			o->offset = number_arg(opt, optarg, 1ULL << 62);
			break;
		case OPT_MEM:
			o->mem = optarg;
			break;
		case OPT_LAYOUT:
			o->layout = optarg;
			break;
		case ':':
			die(EXIT_USAGE, "option '%s' needs a value (see imsctl --help)",
			    argv[optind - 1]);
		default:
			die(EXIT_USAGE, "unknown option '%s' (see imsctl --help)",
			    argv[optind - 1]);
		}
	}
	return given;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	die(EXIT_USAGE, "unknown command '%s' (see imsctl --help)", name);
}

int main(int argc, char **argv)
{
	struct opts o = { .bar = -1, .offset = -1, .count = -1, .interval = 1 };
	const struct command *cmd;
	unsigned int given, opt;
	int nargs, ret;

	given = parse_options(argc, argv, &o);
	cmd = find_command(optind < argc ? argv[optind++] : "list");
	nargs = argc - optind;
	if (nargs < cmd->min_args)
		die(EXIT_USAGE, "%s needs a BDF (see imsctl --help)", cmd->name);
	if (nargs > cmd->max_args)
		die(EXIT_USAGE, "too many operands for %s (see imsctl --help)",
		    cmd->name);
	for (opt = OPT_INTERVAL; opt < OPT_VERSION; opt++)
		if (given & BIT_OPT(opt) & ~cmd->options)
			die(EXIT_USAGE, "%s takes no --%s", cmd->name,
			    opt_name(opt));
	o.bdf = nargs > 0 ? argv[optind] : NULL;
	o.domain = nargs > 1 ? argv[optind + 1] : NULL;
	pci_setup();
	ret = cmd->run(&o);
	pci_teardown();
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_SYSTEM, "write error on standard output");
	return ret;
}
