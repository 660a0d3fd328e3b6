# bench.csv to the summary table (stdout) and the plot's data files in
# directory `out` (gawk -v out=DIR). Medians and [min-max] are over the
# repetitions of one boot; times are printed in microseconds (per op) or
# milliseconds (growth). The goals of issue 7 are checked at the end.
BEGIN { FS = "," }
NR == 1 { next }
{
	k = $1; ph = $2; c = $3; n = $4; r = $5
	v[k, ph, c, n, r, $6] = $7
	reps[k, ph, c, n, r] = 1
	kern[k] = 1
}

# Median, min and max of the array a[1..cnt].
function stats(a, cnt,    s, i) {
	asort(a, s, "@val_num_asc")
	MED = s[int((cnt + 1) / 2)]
	if (cnt % 2 == 0)
		MED = (s[cnt / 2] + s[cnt / 2 + 1]) / 2
	MIN = s[1]
	MAX = s[cnt]
}

# Collect a derived per-repetition figure of (k, ph, c, n) into a[]; the
# expression is chosen by what: "up", "down", "total" (sums of the median
# time of each call, ns), or a key of the result line.
function collect(k, ph, c, n, what, a,    r, cnt, x) {
	delete a
	cnt = 0
	for (r = 1; r <= 20; r++) {
		if (!((k, ph, c, n, r) in reps))
			continue
		if (what == "up")
			x = v[k, ph, c, n, r, "alloc_med"] + v[k, ph, c, n, r, "req_med"]
		else if (what == "down")
			x = v[k, ph, c, n, r, "rel_med"] + v[k, ph, c, n, r, "free_med"]
		else if (what == "total")
			x = v[k, ph, c, n, r, "alloc_med"] + v[k, ph, c, n, r, "req_med"] + \
			    v[k, ph, c, n, r, "rel_med"] + v[k, ph, c, n, r, "free_med"]
		else
			x = v[k, ph, c, n, r, what]
		a[++cnt] = x
	}
	return cnt
}

function fmt_us(x) { return sprintf("%.1f", x / 1000) }
function range_us() { return sprintf("%s [%s-%s]", fmt_us(MED), fmt_us(MIN), fmt_us(MAX)) }

function goal(ok, text) {
	printf "  [%s] %s\n", ok ? "met" : "NOT met", text
}

# The scale stretches of contender c (array: one by one, array-bB: in
# batches) up to the held counts listed in sc: the first and last 64
# allocations of the stretch to 16384 and the median of each eighth; the
# eighths also go to the plot's data file fn. Returns last64 / first64.
function scale_stretches(k, c, sc, fn,    SC, nsc, si, n, from, held, line, b, x, first, last) {
	first = v[k, "scale", c, 16384, 1, "first64"]
	last = v[k, "scale", c, 16384, 1, "last64"]
	printf "  first 64 allocations: %s; 64 allocations before 16384 held: %s (%.2fx)\n",
	    fmt_us(first), fmt_us(last), first ? last / first : 0
	print "# held_at_end_of_eighth us_per_alloc" >fn
	nsc = split(sc, SC, " ")
	for (si = 1; si <= nsc; si++) {
		n = SC[si]
		from = v[k, "scale", c, n, 1, "from"]
		held = v[k, "scale", c, n, 1, "reached"]
		line = sprintf("  by eighth of %d..%d:", from, held)
		for (b = 1; b <= 8; b++) {
			x = v[k, "scale", c, n, 1, "e" b]
			line = line " " fmt_us(x)
			printf "%d %s\n", from + b * (held - from) / 8, fmt_us(x) >fn
		}
		print line
	}
	close(fn)
	return first ? last / first : 99
}

# "[met]" goal of IMS per-op against dynamic MSI-X for the contenders a, q.
function perop_goal(k, n, a, q, how) {
	if ((k, n, a) in perop_ratio)
		goal(perop_ratio[k, n, a] <= 0.75 && perop_ratio[k, n, q] <= 0.75,
		    sprintf("%s N=%s: IMS per-op %s at most 0.75x dynamic MSI-X (%s %.2fx, %s %.2fx)",
		    k, n, how, a, perop_ratio[k, n, a], q, perop_ratio[k, n, q]))
}

END {
	nk = asorti(kern, ks)
	nns = split("64 256 1024 2000", NS, " ")
	split("64 256 1024", GS, " ")
	for (ki = 1; ki <= nk; ki++) {
		k = ks[ki]
		# the batch size of ims_bench (IB_BATCH), from its caps line
		B = v[k, "caps", "-", "-", 0, "batch"]
		AB[k] = "array-b" B
		QB[k] = "queue-b" B
		nc = split("array queue " AB[k] " " QB[k] " msix", CS, " ")
		printf "== kernel %s ==\n\n", k
		printf "-bN: IMS allocated in batches of N = %s with ims_alloc_irqs(); times per interrupt\n\n", B
		printf "1. per-op cost, us: median per call; median [min-max] over %d repetitions\n", \
		    collect(k, "perop", "array", 64, "total", t)
		printf "%-6s %-9s %5s %22s %22s %22s %7s\n", "N", "who", "req'd",
		    "alloc+request", "free_irq+free", "all four", "vs msix"
		for (ni = 1; ni <= 4; ni++) {
			n = NS[ni]
			base = 0
			if (collect(k, "perop", "msix", n, "total", t)) {
				stats(t, length(t))
				base = MED
			}
			for (ci = 1; ci <= nc; ci++) {
				c = CS[ci]
				if (!collect(k, "perop", c, n, "up", t))
					continue
				stats(t, length(t)); up = range_us()
				collect(k, "perop", c, n, "down", t)
				stats(t, length(t)); down = range_us()
				collect(k, "perop", c, n, "total", t)
				stats(t, length(t)); tot = range_us()
				ratio = base ? sprintf("%.2fx", MED / base) : "-"
				pt[k, n, c] = MED
				if (base && c != "msix")
					perop_ratio[k, n, c] = MED / base
				printf "%-6s %-9s %5s %22s %22s %22s %7s\n", n, c,
				    v[k, "perop", c, n, 1, "nreq"], up, down, tot, ratio
			}
		}
		fn = out "/perop-" k ".dat"
		print "# N array queue msix array-bB queue-bB (median us per alloc+request+free_irq+free)" >fn
		for (ni = 1; ni <= 4; ni++)
			printf "%s %s %s %s %s %s\n", NS[ni], fmt_us(pt[k, NS[ni], "array"]),
			    fmt_us(pt[k, NS[ni], "queue"]),
			    ((k, NS[ni], "msix") in pt) ? fmt_us(pt[k, NS[ni], "msix"]) : "NaN",
			    fmt_us(pt[k, NS[ni], AB[k]]), fmt_us(pt[k, NS[ni], QB[k]]) >fn
		close(fn)

		if ((k, "profile", "array", 64, 0, "__irq_domain_alloc_irqs") in v) {
			printf "\n   profile (function_graph, one traced run of N=64): median us per call\n"
			printf "   (-b%s: ims_alloc_irqs() and the calls it makes once per batch are per batch)\n", B
			line = sprintf("   %-28s", "function")
			for (ci = 1; ci <= nc; ci++)
				line = line sprintf(" %9s", CS[ci])
			print line
			np = split("ims_alloc_irq ims_alloc_irq_range ims_alloc_irqs pci_msix_alloc_irq_at __irq_domain_alloc_irqs " \
			    "ims_domain_alloc msi_domain_alloc __irq_alloc_descs intel_irq_remapping_alloc " \
			    "x86_vector_alloc_irqs request_threaded_irq irq_domain_activate_irq " \
			    "ims_domain_activate intel_irq_remapping_activate x86_vector_activate " \
			    "__pci_write_msi_msg register_irq_proc free_irq irq_domain_deactivate_irq " \
			    "unregister_irq_proc ims_free_irq pci_msix_free_irq irq_domain_free_irqs " \
			    "ims_domain_free msi_domain_free intel_irq_remapping_free irq_free_descs", PF, " ")
			for (pi = 1; pi <= np; pi++) {
				f = PF[pi]
				line = sprintf("   %-28s", f)
				any = 0
				for (ci = 1; ci <= nc; ci++) {
					if ((k, "profile", CS[ci], 64, 0, f) in v) {
						line = line sprintf(" %9s", fmt_us(v[k, "profile", CS[ci], 64, 0, f]))
						any = 1
					} else {
						line = line sprintf(" %9s", "-")
					}
				}
				if (any)
					print line
			}
		}

		printf "\n2. growth 1 -> N, ms: median [min-max]; the dance is capped\n"
		printf "%-6s %26s %34s %10s\n", "N", "IMS one by one", "re-enable dance (reached)", "dance/IMS"
		fn = out "/grow-" k ".dat"
		print "# N ims_ms dance_ms dance_capped" >fn
		for (gi = 1; gi <= 3; gi++) {
			n = GS[gi]
			if (!collect(k, "grow", "array", n, "ns", t))
				continue
			stats(t, length(t)); ims = MED
			imsr = sprintf("%.2f [%.2f-%.2f]", MED / 1e6, MIN / 1e6, MAX / 1e6)
			collect(k, "grow", "dance", n, "ns", t)
			stats(t, length(t)); dance = MED
			dancer = sprintf("%.0f [%.0f-%.0f]", MED / 1e6, MIN / 1e6, MAX / 1e6)
			collect(k, "grow", "dance", n, "reached", t)
			stats(t, length(t)); reached = MIN
			capped = reached < n
			ratio = dance / ims
			grow_ratio[k, n] = ratio
			grow_capped[k, n] = capped
			printf "%-6s %26s %26s (%5d) %9s%.0fx\n", n, imsr, dancer, reached,
			    capped ? ">" : "", ratio
			printf "%s %.3f %.1f %d\n", n, ims / 1e6, dance / 1e6, capped >fn
		}
		close(fn)

		printf "\n3. scale: one array domain of %s slots, per-op alloc, us (median of each window)\n",
		    v[k, "scale", "array", 65536, 1, "nslots"]
		printf "  one by one:\n"
		scale_ratio[k] = scale_stretches(k, "array", "16384 32768 65536", out "/scale-" k ".dat")
		held = v[k, "scale", "array", 65536, 1, "reached"]
		split("16384 32768", SC, " ")
		printf "  allocated on one device: %d of %s (stopped with %s)\n", held,
		    v[k, "scale", "array", 65536, 1, "nslots"], v[k, "scale", "array", 65536, 1, "err"]
		printf "  profile, median us per alloc at each occupancy:\n"
		printf "  %8s %14s %18s %22s\n", "held", "fresh domain", "irq_alloc_descs()", "intel_irq_remapping_alloc()"
		for (oi = 1; oi <= 3; oi++) {
			o = oi == 1 ? 0 : SC[oi - 1]
			printf "  %8d %14s %18s %22s\n", o, fmt_us(v[k, "probe", "array", o, 1, "fresh_domain"]),
			    fmt_us(v[k, "probe", "array", o, 1, "desc"]),
			    ((k, "irprof", "array", o, 1, "intel_irq_remapping_alloc") in v) ?
			    fmt_us(v[k, "irprof", "array", o, 1, "intel_irq_remapping_alloc"]) : "-"
		}
		printf "  request_irq() of the %d held: %d succeeded, then %s (-28 = -ENOSPC)\n",
		    held, v[k, "request", "array", held, 1, "requested"], v[k, "request", "array", held, 1, "err"]
		printf "  free: %s us per irq\n", fmt_us(v[k, "free", "array", held, 1, "free"])
		c = AB[k]
		printf "  in batches of %s, a fresh domain of the same size:\n", B
		scale_bratio[k] = scale_stretches(k, c, "16384 32768", out "/scale-b-" k ".dat")
		printf "  profile at each occupancy, fresh domain in batches of %s:\n", B
		printf "  %8s %14s %22s %16s\n", "held", "fresh domain", "intel_irq_remapping_alloc()", "calls per batch"
		for (oi = 1; oi <= 2; oi++) {
			o = oi == 1 ? 0 : SC[oi - 1]
			ir = (k, "irprof", c, o, 1, "intel_irq_remapping_alloc") in v
			printf "  %8d %14s %22s %16s\n", o, fmt_us(v[k, "probe", c, o, 1, "fresh_domain"]),
			    ir ? fmt_us(v[k, "irprof", c, o, 1, "intel_irq_remapping_alloc"]) " us/call" : "-",
			    ir ? sprintf("%.1f", v[k, "irprof", c, o, 1, "intel_irq_remapping_alloc_n"] * B / \
			    v[k, "probe", c, o, 1, "allocs"]) : "-"
		}
		printf "  free: %s us per irq\n", fmt_us(v[k, "free", c, 32768, 1, "free"])

		printf "\n4. growth 1 -> 256 while edu fires on the existing vectors\n"
		printf "%-8s %6s %6s %6s %6s %12s %6s\n", "who", "sent", "recv", "lost", "extra", "vec_mismatch", "held"
		for (ci = 1; ci <= 2; ci++) {
			c = ci == 1 ? "array" : "dance"
			printf "%-8s %6s %6s %6s %6s %12s %6s\n", c == "array" ? "IMS" : c,
			    v[k, "lossless", c, 256, 1, "sent"], v[k, "lossless", c, 256, 1, "recv"],
			    v[k, "lossless", c, 256, 1, "lost"], v[k, "lossless", c, 256, 1, "extra"],
			    v[k, "lossless", c, 256, 1, "vec_mismatch"], v[k, "lossless", c, 256, 1, "held"]
		}
		lossless_ok[k] = ((k, "lossless", "array", 256, 1, "sent") in v) &&
		    v[k, "lossless", "array", 256, 1, "sent"] > 0 &&
		    v[k, "lossless", "array", 256, 1, "lost"] == 0 &&
		    v[k, "lossless", "array", 256, 1, "vec_mismatch"] == 0

		printf "\n5. memory per IMS irq\n"
		printf "  ims_core per slot (slab object): array %s bytes, queue %s bytes\n",
		    v[k, "scale", "array", 16384, 1, "slot_bytes"], v[k, "perop", "queue", 64, 1, "slot_bytes"]
		printf "  whole irq (Slab + Percpu growth over 16384 allocations): %s bytes\n\n",
		    v[k, "mem", "array", 16384, 1, "bytes_per_irq"]
	}

	print "Goals"
	for (ki = 1; ki <= nk; ki++) {
		k = ks[ki]
		for (ni = 1; ni <= nns; ni++) {
			perop_goal(k, NS[ni], "array", "queue", "one by one")
			perop_goal(k, NS[ni], AB[k], QB[k], "in batches of " v[k, "caps", "-", "-", 0, "batch"])
		}
		if ((k, 1024) in grow_ratio)
			goal(grow_ratio[k, 1024] >= 100, sprintf("%s growth to 1024 at least 100x faster than the dance (%s%.0fx)",
			    k, grow_capped[k, 1024] ? ">" : "", grow_ratio[k, 1024]))
		goal(scale_ratio[k] <= 1.5, sprintf("%s per-op alloc one by one at 16384 held within 1.5x of the first 64 (%.2fx)",
		    k, scale_ratio[k]))
		goal(scale_bratio[k] <= 1.5, sprintf("%s per-op alloc in batches of %s at 16384 held within 1.5x of the first 64 (%.2fx)",
		    k, v[k, "caps", "-", "-", 0, "batch"], scale_bratio[k]))
		goal(lossless_ok[k], sprintf("%s 0 interrupts lost by IMS during growth (%s sent, %s lost)", k,
		    v[k, "lossless", "array", 256, 1, "sent"], v[k, "lossless", "array", 256, 1, "lost"]))
	}
}
