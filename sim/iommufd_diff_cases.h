/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioasim sim/: sequences make fuzz-diff found ioasim answering otherwise
 * than upstream iommufd 6.12, shrunk to the calls the difference needs,
 * with upstream's answers. iommufd_diff replays each in a fresh context
 * and requires the same answers, in ioasim and, under make fuzz-diff, in
 * the comparison kernel too. Each line is a record and its answer, as
 * make fuzz-diff prints them.
 */
#ifndef __IOASIM_SIM_IOMMUFD_DIFF_CASES_H
#define __IOASIM_SIM_IOMMUFD_DIFF_CASES_H

struct diff_case {
	const char *why;
	const char *calls;
};

static const struct diff_case diff_cases[] = {
	{
		"placeholder",
		"ioas_alloc : rc=0 ioas#1\n",
	},
};

#endif /* __IOASIM_SIM_IOMMUFD_DIFF_CASES_H */
