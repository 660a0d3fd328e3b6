#!/bin/sh
# Debian's trinity as the unprivileged user nobody on the device: its only
# victims are 6 nodes of /dev/idxd_ref0 (so it opens 6 files of the device,
# blocking and not), its only fd provider is those files, and it runs
# read, write, poll and mmap (64-bit entries) on them, with 4 children.
# Trinity must run every call asked for; afterwards the device still works
# (kernel self-test, a user client), the device node is there, and the IMS
# slots and /proc/interrupts lines are back to what they were.
#
# Not ioctl: this trinity (1.9+git20230109) kills its child after each
# ioctl with a SIGSEGV of its own, on /dev/null and on a regular file as
# well, so no ioctl count could be reached; the ioctl interface is what
# idxd-30-fuzz covers, with errno checks trinity cannot make.
# timeout: 150
FUZZ_LIB=1 . "$(dirname "$0")/idxd-30-fuzz.sh"
soak_case

TRINITY_OPS=1000
command -v trinity >/dev/null || fail "trinity is not in the initramfs"
idxd_setup
fuzz_baseline

vict=/tmp/trinity-victims
wd=/tmp/trinity-wd
rm -rf "$vict" "$wd"
mkdir -p "$vict" "$wd" || fail "cannot make $vict, $wd"
chown "$FUZZ_UID:$FUZZ_UID" "$wd" || fail "cannot chown $wd"
# shellcheck disable=SC2046 # major and minor, in hex
set -- $(stat -c '%t %T' "$IDXD_DEV")
for i in 0 1 2 3 4 5; do
	mknod -m 666 "$vict/idxd_ref0-$i" c $((0x$1)) $((0x$2)) || fail "mknod failed"
done
seed=$(($(date +%s) % 1000000))
diag "trinity seed $seed, $TRINITY_OPS calls"
t0=$(date +%s)
out=$(cd "$wd" && su -s /bin/sh nobody -c "exec timeout 110 trinity -q -l off -s $seed \
	-N $TRINITY_OPS -C 4 -a 64 -V $vict --enable-fds=pseudo \
	-c read -c write -c poll -c mmap" 2>&1)
rc=$?
rm -rf "$vict" "$wd"
echo "$out" | grep -v -e 'start: 0x' -e 'futex: ' | tail -n 8 | sed 's/^/# trinity: /'
ran=$(echo "$out" | sed -n 's/.*Ran \([0-9]*\) syscalls\. Successes: \([0-9]*\) *Failures: \([0-9]*\).*/\1 \2 \3/p' | tail -n 1)
[ -n "$ran" ] || fail "trinity (exit $rc) did not report what it ran"
# shellcheck disable=SC2086 # three numbers
set -- $ran
diag "trinity exit $rc after $(($(date +%s) - t0)) s: ran $1 syscalls, $2 successes, $3 failures"
expect_ge "$1" "$TRINITY_OPS" "trinity syscalls"
fuzz_check_after
echo "PASS: trinity ran $1 read/write/poll/mmap calls on $IDXD_DEV as nobody; device works, nothing left over"
