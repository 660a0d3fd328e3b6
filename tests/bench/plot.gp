# bench.png from the data files summary.awk writes:
#	gnuplot -e "dir='DIR'; kernels='6.1 6.12'" plot.gp
# Three panels: per-op cost vs N, growth time vs N (log), and the scale
# test's per-op allocation cost by occupancy; IMS one by one and in
# batches (ims_alloc_irqs(), time per interrupt). Solid: the last kernel
# listed, dashed: the others.
set terminal pngcairo size 1500,500 font ",10"
set output dir."/bench.png"
set datafile missing "NaN"
set key top left box opaque
set grid
set multiplot layout 1,3

f(k, what) = dir."/".what."-".k.".dat"
last = word(kernels, words(kernels))
dash(k) = k eq last ? 1 : 2
width(k) = k eq last ? 2 : 1

set title "per op: alloc + request + free\\_irq + free"
set xlabel "N interrupts"
set ylabel "us per interrupt (median)"
set logscale x 2
set xtics (64, 256, 1024, 2000)
set yrange [0:*]
set key bottom right
plot for [k in kernels] f(k, "perop") u 1:4 w lp lw width(k) dt dash(k) pt 7 lc rgb "#c03030" t k." MSI-X dynamic", \
     for [k in kernels] f(k, "perop") u 1:2 w lp lw width(k) dt dash(k) pt 5 lc rgb "#2060c0" t k." IMS array", \
     for [k in kernels] f(k, "perop") u 1:3 w lp lw width(k) dt dash(k) pt 9 lc rgb "#20a060" t k." IMS queue", \
     for [k in kernels] f(k, "perop") u 1:5 w lp lw width(k) dt dash(k) pt 4 lc rgb "#80a0e0" t k." IMS array, batches", \
     for [k in kernels] f(k, "perop") u 1:6 w lp lw width(k) dt dash(k) pt 8 lc rgb "#90d0a0" t k." IMS queue, batches"

set title "growth 1 -> N requested vectors (open: dance capped)"
set key top left
set ylabel "ms (median, log)"
set logscale y 10
set yrange [*:*]
set xtics (64, 256, 1024)
plot for [k in kernels] f(k, "grow") u 1:3 w l lw width(k) dt dash(k) lc rgb "#c03030" t k." re-enable dance", \
     for [k in kernels] f(k, "grow") u 1:($4 > 0 ? 1/0 : $3) w p pt 7 lc rgb "#c03030" notitle, \
     for [k in kernels] f(k, "grow") u 1:($4 > 0 ? $3 : 1/0) w p pt 6 ps 2 lc rgb "#c03030" notitle, \
     for [k in kernels] f(k, "grow") u 1:2 w lp lw width(k) dt dash(k) pt 5 lc rgb "#2060c0" t k." IMS one by one"

set title "scale: IMS alloc cost by occupancy (one domain)"
set xlabel "interrupts held on the device"
set ylabel "us per alloc (median of each eighth)"
unset logscale
set xtics auto
set yrange [0:*]
plot for [k in kernels] f(k, "scale") u 1:2 w lp lw width(k) dt dash(k) pt 5 lc rgb "#2060c0" t k." IMS array, one by one", \
     for [k in kernels] f(k, "scale-b") u 1:2 w lp lw width(k) dt dash(k) pt 4 lc rgb "#80a0e0" t k." IMS array, batches"

unset multiplot
