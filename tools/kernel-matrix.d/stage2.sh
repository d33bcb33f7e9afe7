# SPDX-License-Identifier: GPL-2.0-only
# Stage 2 of the kernel-matrix guest, PID 1 in the overlay root (host root read-only
# over 9p + tmpfs): mount the kernel filesystems, bring up lo, run the job the host
# wrote in /kmx-out/job.sh and leave its output and exit status in /kmx-out.
# /tmp stays the overlay's (writable, in RAM): a tmpfs there would hide a repo,
# binary or cache that lives under the host's /tmp.
bb=/kmx-bin/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
m() { $bb mkdir -p "$4" && $bb mount -t "$1" -o "$2" "$3" "$4" || echo "kernel-matrix: cannot mount $1 on $4"; }
m proc nosuid,nodev,noexec proc /proc
m sysfs nosuid,nodev,noexec sysfs /sys
m devtmpfs mode=0755 devtmpfs /dev
. /kmx-out/job.sh
# modules on demand (request_module) from the unpacked kernel, through busybox
# modprobe (reads the modules.dep and modules.alias tools/kernel-matrix wrote)
if [ -n "$KMX_MODDIR" ]; then
	m none bind "$KMX_MODDIR" "/lib/modules/$($bb uname -r)"
	echo /kmx-bin/modprobe > /proc/sys/kernel/modprobe
fi
m devpts gid=5,mode=620,ptmxmode=000 devpts /dev/pts
m tmpfs mode=1777 tmpfs /dev/shm
m tmpfs mode=0755 tmpfs /run
m tracefs mode=0755 tracefs /sys/kernel/tracing
m debugfs mode=0700 debugfs /sys/kernel/debug
m bpf mode=0700 bpf /sys/fs/bpf
m cgroup2 nsdelegate cgroup2 /sys/fs/cgroup
for c in cpu memory io pids; do
	echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
$bb ip link set lo up || echo "kernel-matrix: cannot bring up lo"
$bb hostname kmx-guest
$bb cat /proc/uptime > /kmx-out/boot-uptime
$bb uname -r > /kmx-out/uname
echo "kernel-matrix: guest ready ($($bb uname -r), up $($bb cut -d' ' -f1 /proc/uptime) s)"
if [ -x "$RUNTRACE" ]; then
	"$RUNTRACE" --version -v > /kmx-out/version 2>&1
	echo "exit $?" >> /kmx-out/version
else
	echo "no runtrace binary at $RUNTRACE" > /kmx-out/version
fi
cd "$KMX_CWD" || echo "kernel-matrix: cannot cd to $KMX_CWD"
# the host's /bin/sh: busybox sh would run its own applets before PATH's programs
$bb cut -d' ' -f1 /proc/uptime > /kmx-out/cmd-start
{ /bin/sh /kmx-out/cmd.sh < /dev/null; echo $? > /kmx-out/rc; } 2>&1 | $bb tee /kmx-out/output
$bb cut -d' ' -f1 /proc/uptime > /kmx-out/cmd-end
$bb dmesg > /kmx-out/dmesg 2>&1
$bb sync
$bb poweroff -f
