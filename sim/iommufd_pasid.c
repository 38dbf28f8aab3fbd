// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/: a device's PASIDs from userspace, as Linux 6.15 offers
 * them: HWPTs allocated with IOMMU_HWPT_ALLOC_PASID; VFIO's PASID flags on
 * the mock VFIO nodes, with 6.15's structures and argsz rules; the
 * control plane's PASID operations on a PASID-capable selftest device;
 * GET_HW_INFO's PASID width and input type. The kernel is booted with
 * ioasim_test.vfio_devices=4: ioasim-vfio0 and 1 are PASID-capable, 2
 * (in 1's group) and 3 are not. Every test ends with all files closed
 * and nothing left in ioasim.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"
#include "../core/uapi_later.h"

#include "kselftest_harness.h"
#include "devnode.h"

#define PAGE 4096UL
#define BUF_BYTES (16 * PAGE)
#define PASID_WIDTH MOCK_PASID_WIDTH

FIXTURE(pasid)
{
	int fd;
	__u32 ioas;
	char *buf;
};

FIXTURE_SETUP(pasid)
{
	SIM_SETUP_IOAS(BUF_BYTES, 0x5a);
}

FIXTURE_TEARDOWN(pasid)
{
	SIM_TEARDOWN_IOAS(BUF_BYTES);
}

static int hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id, __u32 flags,
		      __u32 *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev_id,
		.pt_id = pt_id,
	};
	int rc = sim_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	*hwpt = cmd.out_hwpt_id;
	return rc;
}

/* VFIO_DEVICE_ATTACH_IOMMUFD_PT for @pasid, argsz @argsz. */
static int node_pasid_attach(int dev, __u32 pasid, __u32 *pt_id,
			     __u32 argsz)
{
	struct ioasim_vfio_attach_pt attach = {
		.argsz = argsz, .flags = VFIO_DEVICE_ATTACH_PASID,
		.pt_id = *pt_id, .pasid = pasid,
	};
	int rc = sim_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

	*pt_id = attach.pt_id;
	return rc;
}

static int node_pasid_detach(int dev, __u32 pasid, __u32 argsz)
{
	struct ioasim_vfio_detach_pt detach = {
		.argsz = argsz, .flags = VFIO_DEVICE_DETACH_PASID,
		.pasid = pasid,
	};

	return sim_ioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

/* The control plane's PASID operations (ioasim_mock_uapi.h). */
static int test_pasid(int fd, __u32 op, __u32 stdev, __u32 pasid,
		      __u32 *pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = op, .id = stdev,
	};
	struct ioasim_test_pasid *args = (void *)&cmd.add_reserved;
	int rc;

	args->pasid = pasid;
	args->pt_id = pt_id ? *pt_id : 0;
	rc = sim_test_cmd(fd, &cmd);
	if (pt_id)
		*pt_id = args->pt_id;
	return rc;
}

static int check_hwpt(int fd, __u32 stdev, __u32 pasid, __u32 hwpt)
{
	return test_pasid(fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev, pasid,
			  &hwpt);
}

static int hw_info(int fd, __u32 dev_id, __u32 flags, __u32 type,
		   struct iommu_hw_info *out)
{
	struct iommu_test_hw_info data;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->flags = flags;
	out->dev_id = dev_id;
	out->data_len = sizeof(data);
	out->data_uptr = (uintptr_t)&data;
	/* Later headers' in_data_type, at this offset. */
	out->out_data_type = type;
	return sim_ioctl(fd, IOMMU_GET_HW_INFO, out);
}

/* VFIO's PASID flags on a mock node: rules, attach, replace, detach. */
TEST_F(pasid, vfio_node)
{
	const size_t attach_v1 = offsetof(struct ioasim_vfio_attach_pt, pasid);
	const size_t detach_v1 = offsetof(struct ioasim_vfio_detach_pt, pasid);
	struct ioasim_vfio_attach_pt bad = {
		.argsz = 16, .flags = VFIO_DEVICE_ATTACH_PASID << 1, .pasid = 1,
	};
	__u32 dev_id, plain, compat, pt;
	int dev;

	dev = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev);
	pt = self->ioas;
	/* Not bound: the node answers nothing. */
	ASSERT_EQ(-EINVAL, node_pasid_attach(dev, 1, &pt, 16));
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev_id, self->ioas, 0, &plain));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev_id, self->ioas,
				IOMMU_HWPT_ALLOC_PASID, &compat));

	/* 6.15's argsz and flags rules. */
	pt = compat;
	ASSERT_EQ(-EINVAL, node_pasid_attach(dev, 1, &pt, attach_v1));
	bad.pt_id = compat;
	ASSERT_EQ(-EINVAL, sim_ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &bad));
	ASSERT_EQ(-EINVAL, node_pasid_detach(dev, 1, detach_v1));

	/* Only a PASID-compatible HWPT, within the width. */
	pt = plain;
	ASSERT_EQ(-EINVAL, node_pasid_attach(dev, 1, &pt, 16));
	pt = compat;
	ASSERT_EQ(-EINVAL, node_pasid_attach(dev, 1U << PASID_WIDTH, &pt, 16));
	ASSERT_EQ(0, node_pasid_attach(dev, 1, &pt, 16));
	ASSERT_EQ(compat, pt);
	/* A larger argsz is fine; the PASID's HWPT is held. */
	pt = compat;
	ASSERT_EQ(0, node_pasid_attach(dev, (1U << PASID_WIDTH) - 1, &pt, 64));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, compat));

	/* The no-PASID attachment must be compatible while PASIDs are. */
	pt = plain;
	ASSERT_EQ(-EINVAL, sim_dev_attach(dev, &pt));
	pt = self->ioas;
	ASSERT_EQ(0, sim_dev_attach(dev, &pt));
	ASSERT_NE(plain, pt);
	ASSERT_NE(compat, pt);

	/* Attaching an attached PASID replaces: here by an automatic HWPT. */
	pt = self->ioas;
	ASSERT_EQ(0, node_pasid_attach(dev, 1, &pt, 16));
	ASSERT_NE(compat, pt);
	ASSERT_EQ(0, node_pasid_detach(dev, (1U << PASID_WIDTH) - 1, 12));
	ASSERT_EQ(0, sim_destroy(self->fd, compat));

	/* Detach one PASID, twice: the second does nothing. */
	ASSERT_EQ(0, node_pasid_detach(dev, 1, 12));
	ASSERT_EQ(0, node_pasid_detach(dev, 1, 12));
	ASSERT_EQ(0, sim_dev_detach(dev));
	ASSERT_EQ(0, sim_destroy(self->fd, plain));
	ASSERT_EQ(0, close(dev));
}

/* Closing a node with PASIDs attached releases them all. */
TEST_F(pasid, vfio_node_close)
{
	__u32 dev_id, compat, pt, pasid;
	int dev;

	dev = sim_dev_open("vfio", 1);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev_id, self->ioas,
				IOMMU_HWPT_ALLOC_PASID, &compat));
	ASSERT_EQ(0, sim_map_fixed(self->fd, self->ioas, self->buf, BUF_BYTES,
				   MOCK_APERTURE_START, SIM_RW));
	for (pasid = 1; pasid <= 4; pasid++) {
		pt = pasid & 1 ? compat : self->ioas;
		ASSERT_EQ(0, node_pasid_attach(dev, pasid, &pt, 16));
	}
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, compat));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, self->ioas));
	ASSERT_EQ(0, close(dev));
	ASSERT_EQ(0, sim_destroy(self->fd, compat));
	ASSERT_EQ(0, sim_unmap(self->fd, self->ioas, MOCK_APERTURE_START,
			       BUF_BYTES));
}

/* A device without PASIDs: none to attach, a width of 0. */
TEST_F(pasid, no_pasid_device)
{
	struct iommu_hw_info info;
	__u32 dev_id, pt;
	int dev;

	dev = sim_dev_open("vfio", 3);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	pt = self->ioas;
	ASSERT_EQ(-EINVAL, node_pasid_attach(dev, 1, &pt, 16));
	ASSERT_EQ(0, hw_info(self->fd, dev_id, 0, 0, &info));
	ASSERT_EQ(0, info.out_max_pasid_log2);
	ASSERT_EQ(0, close(dev));

	dev = sim_dev_open("vfio", 0);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, sim_dev_bind(dev, self->fd, &dev_id));
	ASSERT_EQ(0, hw_info(self->fd, dev_id, 0, 0, &info));
	ASSERT_EQ(PASID_WIDTH, info.out_max_pasid_log2);
	ASSERT_EQ(0, close(dev));
}

/* GET_HW_INFO's input type: the device's own, by name or by default. */
TEST_F(pasid, hw_info_input_type)
{
	struct iommu_test_cmd md;
	struct iommu_hw_info info;
	__u32 dev_id;

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas,
				     MOCK_FLAGS_DEVICE_PASID, &md));
	dev_id = md.mock_domain.out_idev_id;
	ASSERT_EQ(0, hw_info(self->fd, dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			     IOMMU_HW_INFO_TYPE_DEFAULT, &info));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);
	ASSERT_EQ(PASID_WIDTH, info.out_max_pasid_log2);
	ASSERT_EQ(0, hw_info(self->fd, dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			     IOMMU_HW_INFO_TYPE_SELFTEST, &info));
	ASSERT_EQ(-EOPNOTSUPP, hw_info(self->fd, dev_id,
				       IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				       IOMMU_HW_INFO_TYPE_SELFTEST + 1, &info));
	ASSERT_EQ(-EOPNOTSUPP, hw_info(self->fd, dev_id,
				       IOMMU_HW_INFO_FLAG_INPUT_TYPE << 1, 0,
				       &info));
	/* The device is looked up before the type is judged. */
	ASSERT_EQ(-ENOENT, hw_info(self->fd, 9999,
				   IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				   IOMMU_HW_INFO_TYPE_SELFTEST + 1, &info));
	/* Without the flag the field is not read. */
	ASSERT_EQ(0, hw_info(self->fd, dev_id, 0, 0x77, &info));
}

/*
 * The control plane's PASID operations, checked against ioasim's record
 * and the mock's PASID table by PASID_CHECK_HWPT.
 */
TEST_F(pasid, control_ops)
{
	const __u32 refuse = IOMMU_TEST_PASID_RESERVED;
	__u32 stdev, dev_id, hwpt, auto_hwpt, c1, c2, pt;
	struct iommu_test_cmd md;

	ASSERT_EQ(0, sim_mock_domain(self->fd, self->ioas,
				     MOCK_FLAGS_DEVICE_PASID, &md));
	stdev = md.mock_domain.out_stdev_id;
	dev_id = md.mock_domain.out_idev_id;
	hwpt = md.mock_domain.out_hwpt_id;
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev_id, self->ioas,
				IOMMU_HWPT_ALLOC_PASID, &c1));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev_id, self->ioas,
				IOMMU_HWPT_ALLOC_PASID, &c2));

	/* The device's automatic HWPT was made before any PASID. */
	pt = c1;
	ASSERT_EQ(-EINVAL, test_pasid(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				      stdev, 1, &pt));
	md.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	md.id = stdev;
	md.mock_domain_replace.pt_id = c1;
	ASSERT_EQ(0, sim_test_cmd(self->fd, &md));
	/* Automatic: gone with its last device. */
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, hwpt));

	ASSERT_EQ(0, check_hwpt(self->fd, stdev, 1, 0));
	pt = self->ioas;
	ASSERT_EQ(0, test_pasid(self->fd, IOMMU_TEST_OP_PASID_ATTACH, stdev, 1,
				&pt));
	auto_hwpt = pt;
	ASSERT_EQ(0, check_hwpt(self->fd, stdev, 1, auto_hwpt));
	ASSERT_EQ(-EINVAL, check_hwpt(self->fd, stdev, 1, c1));
	ASSERT_EQ(-EINVAL, check_hwpt(self->fd, stdev, 1, 0));
	ASSERT_EQ(-ENOENT, check_hwpt(self->fd, stdev, 1, 9999));
	ASSERT_EQ(-EINVAL, test_pasid(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				      stdev, 1, &pt));

	/* Replace by an explicit HWPT; the automatic one goes. */
	pt = c2;
	ASSERT_EQ(0, test_pasid(self->fd, IOMMU_TEST_OP_PASID_REPLACE, stdev, 1,
				&pt));
	ASSERT_EQ(0, check_hwpt(self->fd, stdev, 1, c2));
	ASSERT_EQ(-ENOENT, sim_destroy(self->fd, auto_hwpt));
	pt = c1;
	ASSERT_EQ(-EINVAL, test_pasid(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
				      stdev, 2, &pt));

	/* Where the mock refuses the new domain, the old one stays. */
	pt = c1;
	ASSERT_EQ(0, test_pasid(self->fd, IOMMU_TEST_OP_PASID_ATTACH, stdev,
				refuse, &pt));
	pt = c2;
	ASSERT_EQ(-ENOMEM, test_pasid(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
				      stdev, refuse, &pt));
	ASSERT_EQ(0, check_hwpt(self->fd, stdev, refuse, c1));

	/* Detach is per PASID, and of nothing is nothing. */
	ASSERT_EQ(0, test_pasid(self->fd, IOMMU_TEST_OP_PASID_DETACH, stdev, 1,
				NULL));
	ASSERT_EQ(0, check_hwpt(self->fd, stdev, 1, 0));
	ASSERT_EQ(0, check_hwpt(self->fd, stdev, refuse, c1));
	ASSERT_EQ(0, test_pasid(self->fd, IOMMU_TEST_OP_PASID_DETACH, stdev, 1,
				NULL));
	ASSERT_EQ(-EBUSY, sim_destroy(self->fd, c1));
	/* Destroying the device detaches the rest. */
	ASSERT_EQ(0, sim_destroy(self->fd, stdev));
	ASSERT_EQ(0, sim_destroy(self->fd, c1));
	ASSERT_EQ(0, sim_destroy(self->fd, c2));
	ASSERT_EQ(-ENOENT, test_pasid(self->fd, IOMMU_TEST_OP_PASID_DETACH,
				      stdev, 1, NULL));
}

TEST_HARNESS_MAIN
