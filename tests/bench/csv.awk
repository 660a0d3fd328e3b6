# BENCH lines of the guest (tests/bench/guest.sh) to CSV, one figure a row:
#	BENCH <kline> <phase> <contender> <n> <rep> :: ok key=value ...
# becomes kernel,phase,contender,n,rep,key,value for every key=value.
BEGIN { print "kernel,phase,contender,n,rep,key,value" }
$1 == "BENCH" && $7 == "::" && $8 == "ok" {
	for (i = 9; i <= NF; i++) {
		eq = index($i, "=")
		if (eq)
			printf "%s,%s,%s,%s,%s,%s,%s\n", $2, $3, $4, $5, $6,
			    substr($i, 1, eq - 1), substr($i, eq + 1)
	}
}
