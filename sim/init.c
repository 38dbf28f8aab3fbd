// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/ init: PID 1 of the UML kernel that runs the userspace
 * programs.
 *
 * It mounts proc, sysfs and devtmpfs, runs every program named in
 * /sim/list (one path per line) in turn, passes their output through to
 * the console, and powers off. UML exits with the status written to
 * /proc/exitcode: 0 when every program exited 0, 1 otherwise. PID 1 never
 * just returns: a UML whose init exits dumps core.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static void power_off(int status)
{
	FILE *f = fopen("/proc/exitcode", "w");

	if (f) {
		fprintf(f, "%d\n", status);
		fclose(f);
	}
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static int run(const char *path)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execl(path, path, (char *)NULL);
		fprintf(stderr, "sim-init: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char line[256];
	int failed = 0, total = 0, rc;
	FILE *list;

	if (mount("proc", "/proc", "proc", 0, NULL) ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) ||
	    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL)) {
		perror("sim-init: mount");
		power_off(1);
	}
	list = fopen("/sim/list", "r");
	if (!list) {
		perror("sim-init: /sim/list");
		power_off(1);
	}
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		printf("# sim: running %s\n", line);
		rc = run(line);
		printf("# sim: %s exited with %d\n", line, rc);
		total++;
		failed += rc != 0;
	}
	fclose(list);
	printf("# sim: %d programs, %d failed\n", total, failed);
	power_off(failed || !total);
	return 0;
}
