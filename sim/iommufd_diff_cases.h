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
		"MD_CHECK_IOTLB looks the HWPT up before it checks the index: ioasim 22, upstream 2 (seed 1, call 486, 487 calls shrunk to 1)",
		"check_iotlb hwpt=hwpt#3 id=4 iotlb=badbeef : rc=2\n"
	},
	{
		"GET_DIRTY_BITMAP asks the driver for dirty ops before it judges page_size: ioasim 22, upstream 95 (seed 1, call 1292, 293 calls shrunk to 5)",
		"ioas_alloc : rc=0 ioas#1\n"
		"mock_domain pt=ioas#1 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"mock_domain pt=ioas#2 flags=0 : rc=0 stdev#1 hwpt#1 idev#1\n"
		"get_dirty hwpt=hwpt#1 flags=0 iova=1025000 len=4000 page_size=bb8 : rc=95\n"
	},
	{
		"GET_DIRTY_BITMAP over a range not mapped end to end is EINVAL: ioasim 0, upstream 22 (seed 1, call 4838, 839 calls shrunk to 24)",
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#1 hwpt#0 idev#1\n"
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"mock_domain pt=ioas#4 flags=0 : rc=0 stdev#2 hwpt#1 idev#2\n"
		"mock_domain pt=hwpt#1 flags=0 : rc=0 stdev#3 hwpt#1 idev#3\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#4 hwpt#0 idev#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"mock_domain pt=ioas#3 flags=0 : rc=0 stdev#5 hwpt#2 idev#5\n"
		"hwpt_alloc flags=3 dev=idev#3 pt=ioas#0 type=0 fault=fault#2 : rc=0 hwpt#3\n"
		"mock_domain pt=ioas#0 flags=1 : rc=0 stdev#6 hwpt#0 idev#6\n"
		"mock_domain pt=ioas#4 flags=0 : rc=0 stdev#7 hwpt#1 idev#7\n"
		"mock_domain pt=hwpt#2 flags=0 : rc=0 stdev#8 hwpt#2 idev#8\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"mock_domain pt=ioas#3 flags=0 : rc=0 stdev#9 hwpt#2 idev#9\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"ioas_alloc : rc=0 ioas#8\n"
		"mock_domain pt=ioas#3 flags=1 : rc=0 stdev#10 hwpt#2 idev#10\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#11 hwpt#0 idev#11\n"
		"hwpt_alloc flags=3 dev=idev#11 pt=ioas#8 type=0 fault=fault#1 : rc=0 hwpt#4\n"
		"set_dirty hwpt=hwpt#4 flags=1 : rc=0\n"
		"get_dirty hwpt=hwpt#4 flags=0 iova=1036000 len=1000 page_size=1000 : rc=22\n"
	},
	{
		"type1 v1 UNMAP_DMA cuts at the edges before it checks the size: ioasim 75, upstream 22 (seed 1, call 11281, 282 calls shrunk to 8)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"vfio_ioas op=1 ioas=ioas#4 : rc=0\n"
		"map flags=2 ioas=ioas#4 uva=1001b000 len=2000 iova=b000 : rc=0 iova=1000\n"
		"t1_set type=1 : rc=0\n"
		"t1_unmap flags=0 iova=2000 len=ffffffffffffffff : rc=22 size=ffffffffffffffff\n"
	},
	{
		"the selftest mock devices do not enforce cache coherency: ioasim 0, upstream 0 (seed 1, call 17498, 499 calls shrunk to 5)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"mock_domain pt=ioas#2 flags=1 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"vfio_ioas op=1 ioas=ioas#2 : rc=0\n"
		"t1_ext ext=4 : rc=0 =0\n"
	},
	{
		"an access pin fails at its first piece before a later gap shows: ioasim 2, upstream 14 (seed 1, call 18114, 115 calls shrunk to 5)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"create_access ioas=ioas#2 flags=1 : rc=0 afd#0\n"
		"map flags=3 ioas=ioas#2 uva=0 len=2000 iova=2000 : rc=0 iova=2000\n"
		"access_pages afd=afd#0 flags=1 iova=3000 len=2000 : rc=14\n"
	},
	{
		"COPY judges its length before the source's permissions: ioasim 1, upstream 22 (seed 2, call 785, 786 calls shrunk to 20)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"mock_domain pt=ioas#1 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"ioas_alloc : rc=0 ioas#8\n"
		"ioas_alloc : rc=0 ioas#9\n"
		"ioas_alloc : rc=0 ioas#10\n"
		"ioas_alloc : rc=0 ioas#11\n"
		"ioas_alloc : rc=0 ioas#12\n"
		"ioas_alloc : rc=0 ioas#13\n"
		"ioas_alloc : rc=0 ioas#14\n"
		"replace stdev=stdev#0 pt=ioas#12 : rc=0 hwpt#1\n"
		"ioas_alloc : rc=0 ioas#15\n"
		"map flags=4 ioas=ioas#14 uva=10016000 len=5000 iova=fffffffffffff000 : rc=0 iova=1000\n"
		"mock_domain pt=hwpt#0 flags=0 : rc=0 stdev#1 hwpt#2 idev#1\n"
		"copy flags=7 dst=ioas#15 src=ioas#14 len=5000 dst_iova=5000 src_iova=1000 : rc=22\n"
	},
	{
		"COPY judges the destination before the source's permissions: ioasim 1, upstream 17 (seed 2, call 19077, 78 calls shrunk to 4)",
		"ioas_alloc : rc=0 ioas#1\n"
		"map flags=7 ioas=ioas#0 uva=10014000 len=5000 iova=101f000 : rc=0 iova=101f000\n"
		"map flags=5 ioas=ioas#1 uva=1001a000 len=3000 iova=101f000 : rc=0 iova=101f000\n"
		"copy flags=3 dst=ioas#0 src=ioas#1 len=1000 dst_iova=1021000 src_iova=1020000 : rc=17\n"
	},
	{
		"an automatic IOVA follows upstream's alignment rule: ioasim 0, upstream 0 (seed 2, call 7910, 911 calls shrunk to 30)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"ioas_alloc : rc=0 ioas#8\n"
		"ioas_alloc : rc=0 ioas#9\n"
		"ioas_alloc : rc=0 ioas#10\n"
		"ioas_alloc : rc=0 ioas#11\n"
		"ioas_alloc : rc=0 ioas#12\n"
		"ioas_alloc : rc=0 ioas#13\n"
		"ioas_alloc : rc=0 ioas#14\n"
		"ioas_alloc : rc=0 ioas#15\n"
		"ioas_alloc : rc=0 ioas#16\n"
		"ioas_alloc : rc=0 ioas#17\n"
		"ioas_alloc : rc=0 ioas#18\n"
		"ioas_alloc : rc=0 ioas#19\n"
		"ioas_alloc : rc=0 ioas#20\n"
		"ioas_alloc : rc=0 ioas#21\n"
		"ioas_alloc : rc=0 ioas#22\n"
		"ioas_alloc : rc=0 ioas#23\n"
		"ioas_alloc : rc=0 ioas#24\n"
		"ioas_alloc : rc=0 ioas#25\n"
		"ioas_alloc : rc=0 ioas#26\n"
		"ioas_alloc : rc=0 ioas#27\n"
		"ioas_alloc : rc=0 ioas#28\n"
		"map flags=4 ioas=ioas#28 uva=10010180 len=6000 iova=1008000 : rc=0 iova=1180\n"
		"map flags=4 ioas=ioas#28 uva=10010000 len=594 iova=1002000 : rc=0 iova=7800\n"
	},
	{
		"an access read of the memory's own process needs no pin: ioasim 14, upstream 0 (seed 2, call 16603, 604 calls shrunk to 21)",
		"create_access ioas=ioas#0 flags=0 : rc=0 afd#0\n"
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"create_access ioas=ioas#2 flags=0 : rc=0 afd#1\n"
		"create_access ioas=ioas#2 flags=0 : rc=0 afd#2\n"
		"create_access ioas=ioas#1 flags=1 : rc=0 afd#3\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"create_access ioas=ioas#5 flags=0 : rc=0 afd#4\n"
		"create_access ioas=ioas#3 flags=0 : rc=0 afd#5\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"create_access ioas=ioas#3 flags=0 : rc=0 afd#6\n"
		"create_access ioas=ioas#7 flags=1 : rc=0 afd#7\n"
		"create_access ioas=ioas#3 flags=1 : rc=0 afd#8\n"
		"create_access ioas=ioas#7 flags=0 : rc=0 afd#9\n"
		"create_access ioas=ioas#5 flags=0 : rc=0 afd#10\n"
		"vfio_ioas op=1 ioas=ioas#5 : rc=0\n"
		"t1_map flags=3 uva=10100000 iova=1021000 len=2000 : rc=0\n"
		"access_rw afd=afd#10 flags=0 iova=1022000 len=21 : rc=0 sum=0\n"
	},
	{
		"IOMMU_TEST_OP_DIRTY names the IO page numbered iova / page_size, as upstream's mock: ioasim 0, upstream 0 (seed 11, call 113649, 650 calls shrunk to 8)",
		"ioas_alloc : rc=0 ioas#1\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"mock_domain pt=ioas#3 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"hwpt_alloc flags=2 dev=idev#0 pt=ioas#0 type=0 fault=0 : rc=0 hwpt#1\n"
		"map flags=3 ioas=ioas#0 uva=10007000 len=6000 iova=1039000 : rc=0 iova=1039000\n"
		"set_dirty hwpt=hwpt#1 flags=1 : rc=0\n"
		"mark_dirty hwpt=hwpt#1 iova=103a000 len=7000 page_size=200 : rc=0 dirtied=0\n"
	},
	{
		"a device that cannot track dirty pages attaches to a nested HWPT whose parent tracks: ioasim 22, upstream 0 (seed 11, call 400456, 457 calls shrunk to 26)",
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#1 hwpt#0 idev#1\n"
		"mock_domain pt=ioas#0 flags=1 : rc=0 stdev#2 hwpt#0 idev#2\n"
		"mock_domain pt=hwpt#0 flags=1 : rc=0 stdev#3 hwpt#0 idev#3\n"
		"fault_alloc flags=0 : rc=0 fault#0\n"
		"hwpt_alloc flags=1 dev=idev#0 pt=ioas#0 type=0 fault=fault#3 : rc=0 hwpt#1\n"
		"hwpt_alloc flags=3 dev=idev#1 pt=ioas#0 type=0 fault=fault#3 : rc=0 hwpt#2\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#4 hwpt#0 idev#4\n"
		"ioas_alloc : rc=0 ioas#1\n"
		"mock_domain pt=ioas#0 flags=1 : rc=0 stdev#5 hwpt#0 idev#5\n"
		"mock_domain pt=ioas#1 flags=0 : rc=0 stdev#6 hwpt#3 idev#6\n"
		"mock_domain pt=ioas#0 flags=1 : rc=0 stdev#7 hwpt#0 idev#7\n"
		"hwpt_alloc flags=1 dev=idev#7 pt=ioas#0 type=0 fault=fault#3 : rc=0 hwpt#4\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"mock_domain pt=ioas#7 flags=0 : rc=0 stdev#8 hwpt#5 idev#8\n"
		"mock_domain pt=hwpt#5 flags=0 : rc=0 stdev#9 hwpt#5 idev#9\n"
		"mock_domain pt=ioas#3 flags=1 : rc=0 stdev#10 hwpt#6 idev#10\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#11 hwpt#0 idev#11\n"
		"mock_domain pt=ioas#2 flags=0 : rc=0 stdev#12 hwpt#7 idev#12\n"
		"hwpt_alloc flags=4 dev=idev#12 pt=hwpt#2 type=1 fault=fault#0 : rc=0 hwpt#8\n"
		"mock_domain pt=hwpt#8 flags=1 : rc=0 stdev#13 hwpt#8 idev#13\n"
	},
	{
		"HWPT_INVALIDATE: an entry's iotlb_id must name an entry even when it asks for all: ioasim 0, upstream 22 (seed 3766408446, call 7502, 503 calls shrunk to 20)",
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"ioas_alloc : rc=0 ioas#1\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#1 hwpt#0 idev#1\n"
		"mock_domain pt=ioas#0 flags=1 : rc=0 stdev#2 hwpt#0 idev#2\n"
		"fault_alloc flags=0 : rc=0 fault#0\n"
		"mock_domain pt=ioas#0 flags=0 : rc=0 stdev#3 hwpt#0 idev#3\n"
		"ioas_alloc : rc=0 ioas#2\n"
		"replace stdev=stdev#3 pt=ioas#2 : rc=0 hwpt#1\n"
		"hwpt_alloc flags=1 dev=idev#0 pt=ioas#2 type=0 fault=fault#1 : rc=0 hwpt#2\n"
		"mock_domain pt=hwpt#2 flags=0 : rc=0 stdev#4 hwpt#2 idev#4\n"
		"fault_alloc flags=0 : rc=0 fault#1\n"
		"mock_domain pt=hwpt#1 flags=0 : rc=0 stdev#5 hwpt#1 idev#5\n"
		"ioas_alloc : rc=0 ioas#3\n"
		"ioas_alloc : rc=0 ioas#4\n"
		"ioas_alloc : rc=0 ioas#5\n"
		"ioas_alloc : rc=0 ioas#6\n"
		"ioas_alloc : rc=0 ioas#7\n"
		"replace stdev=stdev#1 pt=ioas#7 : rc=0 hwpt#3\n"
		"hwpt_alloc flags=4 dev=idev#5 pt=hwpt#2 type=1 fault=fault#1 : rc=0 hwpt#4\n"
		"invalidate hwpt=hwpt#4 type=deadbeef entry_len=8 num=2 flags=1 iotlb_id=4 : rc=22 num=0\n"
	},
	{
		"HWPT_INVALIDATE: an array of another type is refused even when empty: ioasim 0, upstream 22 (seed 31, call 714344, 345 calls shrunk to 7)",
		"ioas_alloc : rc=0 ioas#1\n"
		"mock_domain pt=ioas#1 flags=1 : rc=0 stdev#0 hwpt#0 idev#0\n"
		"mock_domain pt=ioas#1 flags=1 : rc=0 stdev#1 hwpt#0 idev#1\n"
		"hwpt_alloc flags=1 dev=idev#1 pt=ioas#1 type=0 fault=fault#0 : rc=0 hwpt#1\n"
		"mock_domain pt=hwpt#1 flags=0 : rc=0 stdev#2 hwpt#1 idev#2\n"
		"hwpt_alloc flags=0 dev=idev#2 pt=hwpt#1 type=1 fault=fault#1 : rc=0 hwpt#2\n"
		"invalidate hwpt=hwpt#2 type=dadbeef entry_len=8 num=0 flags=0 iotlb_id=4 : rc=22 num=0\n"
	},
};

#endif /* __IOASIM_SIM_IOMMUFD_DIFF_CASES_H */
