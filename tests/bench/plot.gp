# bench.png from the data files summary.awk writes:
#	gnuplot -e "dir='DIR'; kernels='6.1 6.12'" plot.gp
# Six panels, one colour per kernel. Top: per-op cost vs N, growth time vs
# N (log), memory per interrupt at 16384 held. Bottom, side by side: the
# scale test's allocation cost by occupancy one by one (without and with
# IMS_DOMAIN_SPARES) and in batches (ims_alloc_irqs(), time per
# interrupt), and the churn cost per cycle against the interrupts held.
set terminal pngcairo size 1800,1000 font ",10"
set output dir."/bench.png"
set termoption noenhanced
set datafile missing "NaN"
set grid
# room above the curves for the key
set offsets 0, 0, graph 0.6, 0
set multiplot layout 2,3

f(k, what) = dir."/".what."-".k.".dat"
nk = words(kernels)
kern(i) = word(kernels, i)
col(i) = word("#2060c0 #c03030 #20a060 #9050c0 #e08020 #606060", (i - 1) % 6 + 1)

set title "per op: alloc + request + free_irq + free"
set xlabel "N interrupts"
set ylabel "us per interrupt (median)"
set logscale x 2
set xtics (64, 256, 1024, 2000)
set yrange [0:*]
set key top left box opaque font ",8" maxrows 5
plot for [i=1:nk] f(kern(i), "perop") u 1:4 w lp lw 2 dt 1 pt 7 lc rgb col(i) t kern(i)." MSI-X", \
     for [i=1:nk] f(kern(i), "perop") u 1:2 w lp lw 1 dt 2 pt 5 lc rgb col(i) t kern(i)." IMS", \
     for [i=1:nk] f(kern(i), "perop") u 1:5 w lp lw 1 dt 3 pt 4 lc rgb col(i) t kern(i)." IMS b32"

set title "growth 1 -> N requested vectors (open: dance capped)"
set key top left maxrows 5
set ylabel "ms (median, log)"
set logscale y 10
set yrange [*:*]
set xtics (64, 256, 1024)
plot for [i=1:nk] f(kern(i), "grow") u 1:3 w l lw 2 dt 1 lc rgb col(i) t kern(i)." re-enable dance", \
     for [i=1:nk] f(kern(i), "grow") u 1:($4 > 0 ? 1/0 : $3) w p pt 7 lc rgb col(i) notitle, \
     for [i=1:nk] f(kern(i), "grow") u 1:($4 > 0 ? $3 : 1/0) w p pt 6 ps 2 lc rgb col(i) notitle, \
     for [i=1:nk] f(kern(i), "grow") u 1:2 w lp lw 1 dt 2 pt 5 lc rgb col(i) t kern(i)." IMS one by one"

set title "memory per interrupt in use at 16384 held (kernel@N: AMD-Vi, N held)"
set offsets 0, 0, graph 0.3, 0
unset logscale
set xlabel ""
set ylabel "bytes (Slab + Percpu growth / interrupts in use)"
set yrange [0:*]
set xtics auto
set key top right
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot dir."/mem.dat" u 2:xtic(1) lc rgb "#2060c0" t "array", \
     '' u 3 lc rgb "#20a060" t "array-s (spares included)", \
     '' u 4 lc rgb "#80a0e0" t "batches", \
     4096 w l lw 2 dt 2 lc rgb "black" t "G3 limit (4 KiB)"
set style data linespoints

set title "one by one: alloc cost by occupancy (mean of each eighth, log)"
set xlabel "interrupts held on the device"
set ylabel "us per alloc (mean, blocks included)"
set logscale y 10
set yrange [*:*]
set offsets 0, 0, graph 0.3, 0
set key top left maxrows 5
plot for [i=1:nk] f(kern(i), "scale") u 1:3 w lp lw 1 dt 2 pt 5 lc rgb col(i) t kern(i)." array (no flags)", \
     for [i=1:nk] f(kern(i), "scale-s") u 1:3 w lp lw 2 dt 1 pt 7 lc rgb col(i) t kern(i)." array-s (spares)"

set title "batches of 32: alloc cost by occupancy (mean of each eighth)"
unset logscale
set yrange [0:*]
set key top left
plot for [i=1:nk] f(kern(i), "scale-b") u 1:3 w lp lw 2 dt 1 pt 4 lc rgb col(i) t kern(i)." array, batches"

set title "churn: alloc + request + free_irq + free of one irq, K held"
set xlabel "K interrupts held"
set ylabel "us per cycle (median, bars: q1-q3; open: mean incl. release)"
set xtics ("0" 0, "1024" 1, "16384" 2)
set xrange [-0.3:2.3]
set key top left maxrows 5
plot for [i=1:nk] f(kern(i), "churn") u 1:3:4:5 w yerrorlines lw 2 dt 1 pt 7 lc rgb col(i) t kern(i)." IMS array-s", \
     for [i=1:nk] f(kern(i), "churn") u 1:6:7:8 w yerrorlines lw 1 dt 2 pt 5 lc rgb col(i) t kern(i)." dynamic MSI-X", \
     for [i=1:nk] f(kern(i), "churn") u 1:9 w p pt 6 ps 1.5 lc rgb col(i) notitle, \
     for [i=1:nk] f(kern(i), "churn") u 1:10 w p pt 4 ps 1.5 lc rgb col(i) notitle

unset multiplot
