// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the selftest control plane's accesses (see control.c)
 *
 * CREATE_ACCESS hands userspace an access as a file descriptor. The
 * other access operations name that descriptor: ACCESS_REPLACE_IOAS moves
 * the access, ACCESS_PAGES pins a range and records it under an id,
 * DESTROY_ACCESS_PAGES unpins a record, ACCESS_RW copies through the
 * access. An unmap of the IOAS takes back every record it overlaps;
 * closing the descriptor takes back all of them and destroys the access.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "access.h"
#include "control.h"
#include "iommufd_test.h"
#include "uapi.h"

/* ACCESS_PAGES and ACCESS_RW refuse to work on more than this at once. */
#define CONTROL_MAX_ACCESS_BYTES SZ_16M

/**
 * struct control_access - an access behind a file descriptor
 * @access: the access, attached before the file exists
 * @lock: serialises pinning and unpinning, including the unpinning that an
 *	unmap asks for, and protects @pins and @next_id
 * @pins: struct control_pin, one per ACCESS_PAGES not yet undone
 * @next_id: the id of the next pin
 */
struct control_access {
	struct ioasim_access *access;
	struct mutex lock; /* see the kernel-doc above */
	struct list_head pins;
	unsigned int next_id;
};

/**
 * struct control_pin - a range an access pinned
 * @item: in control_access::pins
 * @iova: its first IOVA
 * @length: its length
 * @id: what userspace calls it
 */
struct control_pin {
	struct list_head item;
	unsigned long iova;
	unsigned long length;
	unsigned int id;
};

/**
 * ioasim_control_syz_iova() - the IOVA an (area index, offset) pair names
 * @ioas: the IOAS whose areas are counted, or NULL
 * @value: the pair, as MOCK_FLAGS_ACCESS_SYZ commands carry it
 *
 * Context: the caller keeps @ioas alive.
 * Return: the IOVA, or 0 if there is no such area.
 */
unsigned long ioasim_control_syz_iova(struct ioasim_ioas *ioas, u64 value)
{
	u32 nth = lower_32_bits(value), offset = upper_32_bits(value);
	unsigned long iova;

	/* The pair is a struct { u32 nth_area; u32 offset; } in memory. */
	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		swap(nth, offset);
	if (!ioas || !ioasim_space_nth_area(&ioas->space, nth, &iova))
		return 0;
	return iova + offset;
}

static unsigned long syz_access_iova(struct ioasim_access *access,
				     u64 value)
{
	unsigned long iova;

	mutex_lock(&access->lock);
	iova = ioasim_control_syz_iova(access->ioas, value);
	mutex_unlock(&access->lock);
	return iova;
}

/* Undo a pin; the caller holds @ca->lock. */
static void control_unpin(struct control_access *ca, struct control_pin *pin)
{
	list_del(&pin->item);
	ioasim_access_unpin_pages(ca->access, pin->iova, pin->length);
	kfree(pin);
}

/* An unmap asks the access to let go of [iova, iova + length). */
static void control_access_unmap(void *data, unsigned long iova,
				 unsigned long length)
{
	unsigned long last = iova + length - 1;
	struct control_access *ca = data;
	struct control_pin *pin, *next;

	mutex_lock(&ca->lock);
	list_for_each_entry_safe(pin, next, &ca->pins, item) {
		if (pin->iova <= last && iova <= pin->iova + pin->length - 1)
			control_unpin(ca, pin);
	}
	mutex_unlock(&ca->lock);
}

static const struct ioasim_access_ops control_access_pin_ops = {
	.needs_pin_pages = true,
	.unmap = control_access_unmap,
};

static const struct ioasim_access_ops control_access_ops = {
	.unmap = control_access_unmap,
};

/* Let go of every pin, then of the access, then of @ca. */
static void control_access_free(struct control_access *ca)
{
	control_access_unmap(ca, 0, ULONG_MAX);
	ioasim_access_destroy(ca->access);
	mutex_destroy(&ca->lock);
	kfree(ca);
}

static int control_access_release(struct inode *inode, struct file *file)
{
	control_access_free(file->private_data);
	return 0;
}

static const struct file_operations control_access_fops = {
	.owner = THIS_MODULE,
	.release = control_access_release,
};

typedef int (*control_access_op)(struct control_access *ca,
				 struct ioasim_ucmd *ucmd,
				 struct iommu_test_cmd *cmd);

/*
 * Run @op on the access whose file descriptor the command names in its
 * id. The file stays referenced meanwhile, so that a close() in another
 * thread cannot free the access under @op.
 */
static int control_on_access(struct ioasim_ucmd *ucmd,
			     struct iommu_test_cmd *cmd, control_access_op op)
{
	struct file *file = fget(cmd->id);
	int rc = -EBADFD;

	if (!file)
		return rc;
	if (file->f_op == &control_access_fops)
		rc = op(file->private_data, ucmd, cmd);
	fput(file);
	return rc;
}

/*
 * The access exists, attached, before its file does: the file's release
 * is the one way an access handed to userspace goes.
 */
static int control_create_access(struct ioasim_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->create_access.flags;
	struct control_access *ca;
	struct file *file;
	int fd, rc;
	u32 id;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	ca = kzalloc(sizeof(*ca), GFP_KERNEL_ACCOUNT);
	if (!ca)
		return -ENOMEM;
	mutex_init(&ca->lock);
	INIT_LIST_HEAD(&ca->pins);
	ca->access = ioasim_access_create(ucmd->ctx,
					  flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES ?
					  &control_access_pin_ops :
					  &control_access_ops, ca, &id);
	if (IS_ERR(ca->access)) {
		rc = PTR_ERR(ca->access);
		mutex_destroy(&ca->lock);
		kfree(ca);
		return rc;
	}
	rc = ioasim_access_attach(ca->access, cmd->id);
	if (rc)
		goto out_free;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto out_free;
	}
	file = anon_inode_getfile("[ioasim_test_access]",
				  &control_access_fops, ca, O_RDWR);
	if (IS_ERR(file)) {
		rc = PTR_ERR(file);
		put_unused_fd(fd);
		goto out_free;
	}
	cmd->create_access.out_access_fd = fd;
	rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
	if (rc) {
		put_unused_fd(fd);
		/* The file owns @ca now: its release frees it. */
		fput(file);
		return rc;
	}
	fd_install(fd, file);
	return 0;

out_free:
	control_access_free(ca);
	return rc;
}

static int control_access_replace_ioas(struct control_access *ca,
				       struct ioasim_ucmd *ucmd,
				       struct iommu_test_cmd *cmd)
{
	return ioasim_access_replace(ca->access,
				     cmd->access_replace_ioas.ioas_id);
}

/* The pages pinned for [iova, iova + length) are those behind @uptr. */
static int control_check_pages(unsigned long uptr, struct page **pages,
			       size_t npages)
{
	struct page *page;
	long n;

	for (; npages; npages--, pages++, uptr += PAGE_SIZE) {
		n = get_user_pages_fast(uptr, 1, 0, &page);
		if (n < 0)
			return n;
		if (n != 1)
			return -EFAULT;
		put_page(page);
		if (page != *pages)
			return -EBADE;
	}
	return 0;
}

/*
 * ACCESS_PAGES and ACCESS_RW judge their own arguments before the file
 * descriptor is looked at, so a bad fd with a bad argument gets the
 * argument's errno. A byte count above the limit is -ENOMEM (it could not
 * be staged), then unknown flags are -EOPNOTSUPP.
 */
static int control_access_args(u64 length, u32 flags, u32 known)
{
	if (length > CONTROL_MAX_ACCESS_BYTES)
		return -ENOMEM;
	return flags & ~known ? -EOPNOTSUPP : 0;
}

/*
 * Pin [iova, iova + length) for the access and record it under a new id,
 * told to userspace before the record is kept. @pages has room for every
 * page of the range; the caller holds @ca->lock, so that an unmap asking
 * for the range back finds the record or no pin at all.
 */
static int control_pin_and_record(struct control_access *ca,
				  struct ioasim_ucmd *ucmd,
				  struct iommu_test_cmd *cmd,
				  struct control_pin *rec, struct page **pages)
{
	unsigned long uptr = cmd->access_pages.uptr;
	bool write = cmd->access_pages.flags & MOCK_FLAGS_ACCESS_WRITE;
	int rc;

	lockdep_assert_held(&ca->lock);
	rc = ioasim_access_pin_pages(ca->access, rec->iova, rec->length, pages,
				     write ? IOASIM_ACCESS_RW_WRITE : 0);
	if (rc)
		return rc;
	/* Pins start on a page boundary; no buffer (syzkaller's) skips this. */
	if (uptr)
		rc = control_check_pages(uptr, pages,
					 DIV_ROUND_UP(rec->length, PAGE_SIZE));
	if (!rc) {
		rec->id = ca->next_id;
		cmd->access_pages.out_access_pages_id = rec->id;
		rc = ioasim_ucmd_write(ucmd, cmd, sizeof(*cmd));
	}
	if (rc) {
		ioasim_access_unpin_pages(ca->access, rec->iova, rec->length);
		return rc;
	}
	ca->next_id++;
	list_add_tail(&rec->item, &ca->pins);
	return 0;
}

static int control_access_pages(struct control_access *ca,
				struct ioasim_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	struct control_pin *rec;
	struct page **pages;
	unsigned long last;
	int rc;

	if (ca->access->ops != &control_access_pin_ops)
		return -EOPNOTSUPP;
	rec = kzalloc(sizeof(*rec), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return -ENOMEM;
	rec->iova = cmd->access_pages.iova;
	if (cmd->access_pages.flags & MOCK_FLAGS_ACCESS_SYZ)
		rec->iova = syz_access_iova(ca->access, cmd->access_pages.iova);
	rec->length = cmd->access_pages.length;

	/* The array is sized from the range, which must then be sane. */
	rc = -EINVAL;
	if (!rec->length)
		goto out_rec;
	rc = -EOVERFLOW;
	if (check_add_overflow(rec->iova, rec->length - 1, &last))
		goto out_rec;
	pages = kvcalloc((last >> PAGE_SHIFT) - (rec->iova >> PAGE_SHIFT) + 1,
			 sizeof(*pages), GFP_KERNEL_ACCOUNT);
	rc = -ENOMEM;
	if (!pages)
		goto out_rec;

	mutex_lock(&ca->lock);
	rc = control_pin_and_record(ca, ucmd, cmd, rec, pages);
	mutex_unlock(&ca->lock);
	kvfree(pages);
	if (!rc)
		return 0;
out_rec:
	kfree(rec);
	return rc;
}

static int control_destroy_access_pages(struct control_access *ca,
					struct ioasim_ucmd *ucmd,
					struct iommu_test_cmd *cmd)
{
	struct control_pin *pin;
	int rc = -ENOENT;

	mutex_lock(&ca->lock);
	list_for_each_entry(pin, &ca->pins, item) {
		if (pin->id == cmd->destroy_access_pages.access_pages_id) {
			control_unpin(ca, pin);
			rc = 0;
			break;
		}
	}
	mutex_unlock(&ca->lock);
	return rc;
}

static int control_access_rw(struct control_access *ca,
			     struct ioasim_ucmd *ucmd,
			     struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->access_rw.flags;
	u64 length = cmd->access_rw.length;
	void __user *ubuf = u64_to_user_ptr(cmd->access_rw.uptr);
	unsigned long iova = cmd->access_rw.iova;
	bool write = flags & MOCK_ACCESS_RW_WRITE;
	void *buf;
	int rc;

	buf = kvzalloc(length, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if (write && copy_from_user(buf, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = syz_access_iova(ca->access, cmd->access_rw.iova);
	/* ioasim has one way to copy: SLOW_PATH changes nothing. */
	rc = ioasim_access_rw(ca->access, iova, buf, length,
			      write ? IOASIM_ACCESS_RW_WRITE : 0);
	if (!rc && !write && copy_to_user(ubuf, buf, length))
		rc = -EFAULT;
out_free:
	kvfree(buf);
	return rc;
}

/**
 * ioasim_control_access_cmd() - the IOMMU_TEST_CMD operations on accesses
 * @ucmd: the command in progress
 * @cmd: its argument, already read
 *
 * CREATE_ACCESS makes the access and its file; the other operations name
 * the file in @cmd->id.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno; -EOPNOTSUPP for any other operation.
 */
int ioasim_control_access_cmd(struct ioasim_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	switch (cmd->op) {
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return control_create_access(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return control_on_access(ucmd, cmd,
					 control_access_replace_ioas);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return control_access_args(cmd->access_pages.length,
					   cmd->access_pages.flags,
					   MOCK_FLAGS_ACCESS_WRITE |
					   MOCK_FLAGS_ACCESS_SYZ) ?:
		       control_on_access(ucmd, cmd, control_access_pages);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return control_on_access(ucmd, cmd,
					 control_destroy_access_pages);
	case IOMMU_TEST_OP_ACCESS_RW:
		return control_access_args(cmd->access_rw.length,
					   cmd->access_rw.flags,
					   MOCK_ACCESS_RW_WRITE |
					   MOCK_ACCESS_RW_SLOW_PATH |
					   MOCK_FLAGS_ACCESS_SYZ) ?:
		       control_on_access(ucmd, cmd, control_access_rw);
	default:
		return -EOPNOTSUPP;
	}
}
