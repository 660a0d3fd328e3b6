// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test: the storm. The device fires a queue slot continuously while a
 * driver thread pushes PASID changes (ims_set_pasid()) and moves the
 * interrupt between CPUs (irq_set_affinity()), both of which the README
 * allows at any time. The handler holds its CPU for a while, so edges
 * arrive on the other CPU while it runs: handle_edge_irq() then marks the
 * interrupt pending, masks it for a moment and replays it from the running
 * handler's loop. What the device is told must stay what the core thinks:
 * after every push, and when the storm is over, the queue context is
 * unmasked (the interrupt is never disabled here), and every interrupt the
 * device sends afterwards is delivered exactly once.
 *
 * The device is a device with a pending bit: a message it holds back while
 * its context is masked goes out once it finds the context unmasked. The
 * storm fires as the queue's owner: the context's PASID is the request's.
 */

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "ims_test.h"

#define IT_STORM_MAX_MS		30000
#define IT_STORM_MAX_HOLD_US	20000
#define IT_STORM_HOLD_US	10000
#define IT_STORM_FINAL		10
#define IT_STORM_PASID_A	0x11
#define IT_STORM_PASID_B	0x22

/**
 * struct it_storm - one storm on one queue slot
 * @s:		the slot, allocated, not requested
 * @itd:	the device
 * @hold_us:	how long the handler keeps its CPU
 * @running:	handlers running now
 * @handler_cpu: CPU of the last handler
 * @wrong:	handler calls for another irq number
 * @fires:	messages the device sent
 * @held:	fire attempts the device held back (context masked)
 * @pending:	the device holds a message back
 * @overlaps:	messages sent towards one CPU while the handler ran on another
 * @fire_err:	first error of a send
 * @pushes:	ims_set_pasid() calls that returned 0
 * @push_err:	first error of ims_set_pasid()
 * @stale:	pushes after which the device held a masked context while the
 *		interrupt was not disabled
 * @pasid_bad:	pushes after which the device held another PASID
 * @moves:	irq_set_affinity() calls that returned 0 (done at once, or
 *		left pending for the next interrupt while the vector of the
 *		last move is not cleaned up yet)
 * @move_err:	first error of irq_set_affinity()
 */
struct it_storm {
	struct it_slot	*s;
	struct it_dev	*itd;
	unsigned int	hold_us;
	atomic_t	running;
	int		handler_cpu;
	atomic_t	wrong;
	unsigned long	fires;
	unsigned long	held;
	bool		pending;
	unsigned long	overlaps;
	int		fire_err;
	unsigned long	pushes;
	int		push_err;
	unsigned long	stale;
	unsigned long	pasid_bad;
	unsigned long	moves;
	int		move_err;
};

static irqreturn_t it_storm_handler(int irq, void *data)
{
	struct it_storm *st = data;
	u64 end = ktime_get_ns() + (u64)st->hold_us * NSEC_PER_USEC;

	if (irq != st->s->virq)
		atomic_inc(&st->wrong);
	WRITE_ONCE(st->handler_cpu, raw_smp_processor_id());
	atomic_inc(&st->running);
	/* hard irq context: spin, the CPU stays in the handler */
	while (ktime_get_ns() < end)
		cpu_relax();
	atomic_dec(&st->running);
	return it_ims_handler(irq, st->s);
}

static unsigned int it_storm_target(struct it_storm *st)
{
	struct irq_data *d = irq_get_irq_data(st->s->virq);

	return cpumask_first(irq_data_get_effective_affinity_mask(d));
}

/* The device sends one message if its context lets it. */
static void it_storm_fire_once(struct it_storm *st)
{
	struct it_slot *s = st->s;
	struct it_msg m;
	int ret;

	it_read_storage(s->dom, s->index, &m);
	if (m.masked) {
		st->held++;
		st->pending = true;
		return;
	}
	if (st->fire_err)
		return;
	if (atomic_read(&st->running) &&
	    READ_ONCE(st->handler_cpu) != it_storm_target(st))
		st->overlaps++;
	ret = it_msi_send(st->itd, m.addr, m.data);
	if (ret)
		st->fire_err = ret;
	else
		st->fires++;
	st->pending = false;
}

/*
 * The device: two messages a quarter of a hold apart, so that the second
 * arrives while the first one's handler runs, wherever the driver thread
 * has moved the interrupt by then; then a pause of four holds, so that
 * neither CPU spends more than about half its time in the handler and the
 * driver thread keeps running.
 */
static int it_storm_fire_fn(void *data)
{
	struct it_storm *st = data;
	unsigned int q = max(st->hold_us / 4, 100U);

	while (!kthread_should_stop()) {
		it_storm_fire_once(st);
		usleep_range(q, 2 * q);
		it_storm_fire_once(st);
		usleep_range(16 * q, 20 * q);
	}
	return 0;
}

/* The driver: PASID pushes and moves to the other CPU, over and over. */
static int it_storm_push_fn(void *data)
{
	struct it_storm *st = data;
	struct it_slot *s = st->s;
	u32 pasid = IT_STORM_PASID_A;
	unsigned int cpu;
	struct it_msg m;
	int ret;

	while (!kthread_should_stop()) {
		cpu = cpumask_next(it_storm_target(st), cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		ret = irq_set_affinity(s->virq, cpumask_of(cpu));
		if (!ret)
			st->moves++;
		else if (!st->move_err)
			st->move_err = ret;

		pasid = pasid == IT_STORM_PASID_A ? IT_STORM_PASID_B :
						    IT_STORM_PASID_A;
		ret = ims_set_pasid(s->dom->ims, s->virq, pasid);
		if (ret) {
			if (!st->push_err)
				st->push_err = ret;
		} else {
			st->pushes++;
			it_read_storage(s->dom, s->index, &m);
			if (m.masked &&
			    !irqd_irq_disabled(irq_get_irq_data(s->virq)))
				st->stale++;
			if (!m.pasid_en || m.pasid != pasid)
				st->pasid_bad++;
		}
		usleep_range(20, 50);
	}
	return 0;
}

/*
 * After the storm: a message held back goes out first (the device finds
 * its context unmasked), then every fire must be delivered exactly once.
 */
static int it_storm_final(struct it_storm *st, unsigned int *sent,
			  unsigned int *delivered, unsigned int *held)
{
	struct it_dev *itd = st->itd;
	struct it_slot *s = st->s;
	int base, before;
	struct it_msg m;
	unsigned int i;

	it_read_storage(s->dom, s->index, &m);
	if (st->pending && !m.masked && !it_msi_send(itd, m.addr, m.data))
		st->fires++;
	/* let late edges land before counting */
	msleep(100);
	synchronize_irq(s->virq);
	base = atomic_read(&s->total);

	for (i = 0; i < IT_STORM_FINAL; i++) {
		it_read_storage(s->dom, s->index, &m);
		if (m.masked) {
			(*held)++;
			continue;
		}
		before = atomic_read(&s->total);
		if (it_msi_send(itd, m.addr, m.data))
			continue;
		(*sent)++;
		if (wait_event_timeout(itd->wq, atomic_read(&s->total) != before,
				       msecs_to_jiffies(IT_IRQ_WAIT_MS)))
			(*delivered)++;
	}
	/* exactly once: nothing more arrives */
	msleep(100);
	synchronize_irq(s->virq);
	return atomic_read(&s->total) - base;
}

static int it_parse_storm(struct it_args *a)
{
	if (it_uint(a->argv[2], &a->idx) || it_uint(a->argv[3], &a->n) ||
	    !a->n || a->n > IT_STORM_MAX_MS)
		return -EINVAL;
	a->val = IT_STORM_HOLD_US;
	if (a->argc > 4 && (it_uint(a->argv[4], &a->val) ||
			    a->val > IT_STORM_MAX_HOLD_US))
		return -EINVAL;
	return 0;
}

static int it_cmd_storm(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	unsigned int final_sent = 0, final_delivered = 0, final_held = 0;
	struct task_struct *firer, *pusher;
	struct it_storm *st;
	unsigned int cpu;
	int total0, syncs0, total1, final_total;
	bool disabled;
	struct it_msg m;
	int ret;

	if (dom->type != IMS_TEMPLATE_QUEUE) {
		it_result(itd, "err %d not a queue domain", -EINVAL);
		return 0;
	}
	if (s->requested) {
		it_result(itd, "err %d slot requested", -EBUSY);
		return 0;
	}
	if (num_online_cpus() < 2) {
		it_result(itd, "err %d needs two CPUs", -EOPNOTSUPP);
		return 0;
	}
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		it_result(itd, "err %d", -ENOMEM);
		return 0;
	}
	st->s = s;
	st->itd = itd;
	st->hold_us = a->val;
	atomic_set(&st->running, 0);
	atomic_set(&st->wrong, 0);
	st->handler_cpu = -1;

	ret = request_irq(s->virq, it_storm_handler, 0, s->name, st);
	if (ret) {
		it_result(itd, "err %d request", ret);
		goto free;
	}
	/*
	 * Every push of the storm must change the PASID, or ims_core rightly
	 * skips the sync: start from none, whatever an earlier storm left.
	 */
	ret = ims_set_pasid(dom->ims, s->virq, IMS_PASID_NONE);
	if (ret)
		goto release;
	total0 = atomic_read(&s->total);
	syncs0 = atomic_read(&s->syncs);

	/*
	 * Both threads on one CPU: a storm edge taken by the other CPU holds
	 * it while the second edge of the pair, sent after the interrupt has
	 * moved, arrives here, where the driver thread keeps pushing.
	 */
	cpu = cpumask_last(cpu_online_mask);
	firer = kthread_create(it_storm_fire_fn, st, "ims_test-fire");
	if (IS_ERR(firer)) {
		ret = PTR_ERR(firer);
		goto release;
	}
	pusher = kthread_create(it_storm_push_fn, st, "ims_test-push");
	if (IS_ERR(pusher)) {
		ret = PTR_ERR(pusher);
		kthread_stop(firer);
		goto release;
	}
	kthread_bind(firer, cpu);
	kthread_bind(pusher, cpu);
	wake_up_process(firer);
	wake_up_process(pusher);
	msleep(a->n);
	kthread_stop(pusher);
	kthread_stop(firer);
	synchronize_irq(s->virq);

	/* the storm is over: the device's view against the core's */
	it_read_storage(dom, s->index, &m);
	disabled = irqd_irq_disabled(irq_get_irq_data(s->virq));
	total1 = atomic_read(&s->total);
	final_total = it_storm_final(st, &final_sent, &final_delivered,
				     &final_held);

	it_result(itd,
		  "ok fires=%lu delivered=%d held=%lu overlaps=%lu pushes=%lu syncs=%d stale=%lu pasid_bad=%lu moves=%lu wrong=%d masked=%d disabled=%d final_sent=%u final_delivered=%u final_held=%u final_total=%d lost=%u fire_err=%d push_err=%d move_err=%d",
		  st->fires, total1 - total0, st->held, st->overlaps,
		  st->pushes, atomic_read(&s->syncs) - syncs0, st->stale,
		  st->pasid_bad, st->moves,
		  atomic_read(&st->wrong), m.masked, disabled, final_sent,
		  final_delivered, final_held, final_total,
		  IT_STORM_FINAL - final_delivered,
		  st->fire_err, st->push_err, st->move_err);
	free_irq(s->virq, st);
	kfree(st);
	return 0;

release:
	free_irq(s->virq, st);
	it_result(itd, "err %d", ret);
free:
	kfree(st);
	return 0;
}

const struct it_cmd it_storm_cmds[] = {
	{ "storm",	4, 5, IT_SLOT, it_parse_storm, it_cmd_storm, true },
	{ }
};
