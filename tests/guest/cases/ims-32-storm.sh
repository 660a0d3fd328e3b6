#!/bin/sh
# draft
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"
need_ir
need_cpus 2
it_setup
mkdom queue 4 q
Q=$D
alloc "$Q" at 1
ok storm "$Q" 1 4000
ok storm "$Q" 1 3000 2000
exit 0
