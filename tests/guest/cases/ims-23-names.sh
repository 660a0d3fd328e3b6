#!/bin/sh
# Domain names: the instance name tells domains of one template on one
# device apart and names the irq domain and the debugfs directory, so a
# name that is taken is refused with -EEXIST (and one dmesg line), a name
# that is not [A-Za-z0-9._-]{1,32} with -EINVAL; the same name under the
# other template is a different domain; a name is free again once its
# domain is destroyed. Every created domain has its own debugfs directory.
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup

ndirs() {
	_n=0
	for _d in "$IMSDBG"/IMS-*; do
		[ -d "$_d" ] && _n=$((_n + 1))
	done
	echo "$_n"
}
exists_lines() { dmesg | grep -c "exists already"; }

mkdom array 4
U=$D
l0=$(exists_lines)
err -17 create array 4
expect_eq "$(exists_lines)" $((l0 + 1)) "dmesg lines for a taken name"
mkdom array 4 n1
N1=$D
err -17 create array 4 n1
mkdom queue 4 n1
expect_eq "$(ndirs)" 3 "debugfs directories"

err -22 create array 4 x/y
err -22 create array 4 'x*'
n32=abcdefghijklmnopqrstuvwxyz.-_012
n33=${n32}3
mkdom array 4 "$n32"
expect_eq "$DN" "IMS-ARRAY-$EDU_BDF-$n32" "32 character name"
err -22 create array 4 "$n33"
expect_eq "$(ndirs)" 4 "debugfs directories"

# free again after destroy
ok destroy "$N1"
mkdom array 4 n1
ok destroy "$U"
mkdom array 4
expect_eq "$(ndirs)" 4 "debugfs directories"
exit 0
