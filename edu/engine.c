// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim - the edu device's DMA engine, and how a blocked transfer is known
 *
 * QEMU's edu moves up to its buffer's 4 KiB per command between the
 * buffer (device address 0x40000) and a bus address, and clears the
 * command's run bit from a timer, 100 ms of virtual time later. Pieces
 * here are 2 KiB: QEMU 7.2 stops with a hw_error on a transfer that ends
 * exactly at the buffer's end.
 *
 * The device does not report a transfer the IOMMU blocked; the IOMMU
 * driver does, in the kernel log and nowhere else in 6.12 (VT-d:
 * "Request device [bb:dd.f] fault addr 0x...", virtio-iommu: "fault from
 * EP <requester id> at 0x..."). So each piece takes the log's next
 * sequence number before it starts, and afterwards reads the records
 * from there: a fault of this device at an address of the piece means
 * the piece was blocked.
 *
 * Both drivers print faults ratelimited, 10 a call site per 5 s window
 * that opens with the first fault after the last window closed; a fault
 * the limit swallows would let a blocked piece pass for done. The engine
 * therefore serialises the pieces of every edu device (the log is one),
 * counts what the window has used (each fault line, and one more per
 * faulted piece for VT-d's handler, which asks the limit once more than
 * it prints), and waits for the window to close before a piece that the
 * rest of it could not report. The window is timed from the first fault
 * line seen, which is no earlier than the driver's own start.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/kmsg_dump.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "edu.h"

#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_RUN		BIT(0)
#define EDU_CMD_TO_MEMORY	BIT(1)
#define EDU_BUFFER		0x40000
#define EDU_PIECE		2048
/* A piece takes 100 ms of virtual time; TCG may stretch it. */
#define EDU_PIECE_TIMEOUT_US	(2 * USEC_PER_SEC)

/* The IOMMU drivers' ratelimit: DEFAULT_RATELIMIT_{INTERVAL,BURST}. */
#define EDU_LOG_WINDOW		(5 * HZ + HZ / 5)
#define EDU_LOG_BURST		10
/* The most one faulted piece can use that the engine does not see. */
#define EDU_LOG_PIECE_USE	3

static DEFINE_MUTEX(edu_log_lock);
static unsigned long edu_log_opened;	/* jiffies of the window's first fault */
static unsigned int edu_log_used;	/* 0: no window open */

/**
 * ioasim_edu_alive() - is the device there, and is it QEMU's edu?
 * @edu: the device
 *
 * Return: the identification register reads as an edu's.
 */
bool ioasim_edu_alive(struct ioasim_edu *edu)
{
	return (readl(edu->regs + EDU_REG_ID) & 0xff) == 0xed;
}

/* Wait, if need be, until the log can report a fault of the next piece. */
static int edu_log_pace(void)
{
	unsigned long closes = edu_log_opened + EDU_LOG_WINDOW;

	if (!edu_log_used)
		return 0;
	if (time_before(jiffies, closes) &&
	    edu_log_used + EDU_LOG_PIECE_USE > EDU_LOG_BURST) {
		if (msleep_interruptible(jiffies_to_msecs(closes - jiffies)))
			return -EINTR;
	}
	if (time_after_eq(jiffies, closes))
		edu_log_used = 0;
	return 0;
}

static u64 edu_log_mark(void)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	return iter.next_seq;
}

/*
 * One log record: is it an IOMMU fault report, and one of @edu's between
 * @first and @last (VT-d reports the page's address)?
 */
static bool edu_log_fault(struct ioasim_edu *edu, const char *line,
			  u64 first, u64 last, bool *mine)
{
	unsigned int bus, slot, fn, ep;
	const char *p;
	u64 addr;

	*mine = false;
	p = strstr(line, "Request device [");
	if (p && sscanf(p, "Request device [%x:%x.%x] fault addr %llx",
			&bus, &slot, &fn, &addr) == 4) {
		*mine = bus == edu->pdev->bus->number &&
			PCI_DEVFN(slot, fn) == edu->pdev->devfn &&
			addr >= ALIGN_DOWN(first, SZ_4K) && addr <= last;
		return true;
	}
	p = strstr(line, " fault from EP ");
	if (p && sscanf(p, " fault from EP %u at %llx", &ep, &addr) == 2) {
		*mine = ep == pci_dev_id(edu->pdev) && addr >= first &&
			addr <= last;
		return true;
	}
	return strstr(line, "DRHD: handling fault status");
}

/* Did @edu fault between @first and @last since the log was at @mark? */
static int edu_log_blocked(struct ioasim_edu *edu, u64 mark, u64 first,
			   u64 last, bool *blocked)
{
	struct kmsg_dump_iter iter = { .cur_seq = mark };
	unsigned int lines = 0;
	size_t len;
	char *line;
	bool mine;

	line = kmalloc(256, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	*blocked = false;
	while (kmsg_dump_get_line(&iter, false, line, 255, &len)) {
		line[len] = '\0';
		if (edu_log_fault(edu, line, first, last, &mine)) {
			lines++;
			*blocked |= mine;
		}
	}
	kfree(line);
	if (lines) {
		if (!edu_log_used)
			edu_log_opened = jiffies;
		edu_log_used += lines + 1;
	}
	return 0;
}

/* One piece: the device reads @len bytes at @iova, or writes them there. */
static int edu_piece(struct ioasim_edu *edu, u64 iova, u32 len, bool write)
{
	void __iomem *cmd_reg = edu->regs + EDU_REG_DMA_CMD;
	bool blocked;
	u64 mark;
	u32 cmd;
	int rc;

	mutex_lock(&edu_log_lock);
	rc = edu_log_pace();
	if (rc)
		goto out_unlock;
	mark = edu_log_mark();
	writeq(write ? EDU_BUFFER : iova, edu->regs + EDU_REG_DMA_SRC);
	writeq(write ? iova : EDU_BUFFER, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_COUNT);
	writel(EDU_CMD_RUN | (write ? EDU_CMD_TO_MEMORY : 0), cmd_reg);
	rc = readl_poll_timeout(cmd_reg, cmd, !(cmd & EDU_CMD_RUN),
				5 * USEC_PER_MSEC, EDU_PIECE_TIMEOUT_US);
	if (rc) {
		pci_err(edu->pdev, "DMA of %u bytes at %#llx did not complete\n",
			len, iova);
		goto out_unlock;
	}
	/* The IOMMU's fault interrupt came with the transfer; its record too. */
	rc = edu_log_blocked(edu, mark, iova, iova + len - 1, &blocked);
	if (!rc && blocked)
		rc = -EFAULT;
out_unlock:
	mutex_unlock(&edu_log_lock);
	return rc;
}

/**
 * ioasim_edu_copy() - the device copies memory to memory by IOVA
 * @edu: the device, its lock held
 * @dst: the IOVA written
 * @src: the IOVA read
 * @len: bytes
 *
 * In pieces, each read into the device's buffer and written out again;
 * the first blocked piece ends the copy, after the pieces before it.
 *
 * Return: 0; -EFAULT if the IOMMU blocked a piece; -ETIMEDOUT if the
 * device did not complete one; -EINTR on a fatal signal.
 */
int ioasim_edu_copy(struct ioasim_edu *edu, u64 dst, u64 src, u64 len)
{
	u64 done;
	u32 n;
	int rc;

	lockdep_assert_held(&edu->lock);
	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, EDU_PIECE);
		rc = edu_piece(edu, src + done, n, false);
		if (!rc)
			rc = edu_piece(edu, dst + done, n, true);
		if (rc)
			return rc;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}
