// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioasim sim/ init: PID 1 of the UML kernel that runs the userspace
 * programs, or the runner the VM's init script calls.
 *
 * It runs every program named in /sim/list in turn, one per line: the
 * path, then any arguments, separated by single spaces (make
 * bench-profile runs one case of a harness program with "-t NAME"). It
 * passes their output through to the console. As PID 1 (UML) it
 * first mounts proc, sysfs and devtmpfs, and at the end powers off: UML
 * exits with the status written to /proc/exitcode, 0 when every program
 * exited 0, 1 otherwise. PID 1 never just returns: a UML whose init exits
 * dumps core. Started by another init (the VM's), it exits with that
 * status instead, and the script that started it goes on.
 *
 * In a kernel with kmemleak (the check configuration), what boot left is
 * forgotten before the first program, and once the last has exited a
 * scan must find nothing new: a leak fails the run.
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
	FILE *f;

	if (getpid() != 1) {
		fflush(stdout);
		exit(status);
	}
	f = fopen("/proc/exitcode", "w");

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

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static int kmemleak_cmd(const char *cmd)
{
	int fd = open(KMEMLEAK, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, cmd, strlen(cmd));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Forget what boot left, so that only the programs' leaks count. */
static int kmemleak_start(void)
{
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) ||
	    access(KMEMLEAK, F_OK))
		return 0;
	if (kmemleak_cmd("scan") || kmemleak_cmd("clear")) {
		perror("sim-init: " KMEMLEAK);
		return -1;
	}
	return 1;
}

/* Print what kmemleak finds now; how many leaks, or -1. */
static int kmemleak_report(void)
{
	char line[512];
	int leaks = 0;
	FILE *f;

	/* Objects younger than a few seconds are never reported. */
	sleep(6);
	if (kmemleak_cmd("scan") || kmemleak_cmd("scan"))
		return -1;
	f = fopen(KMEMLEAK, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		leaks += !strncmp(line, "unreferenced object", 19);
		printf("# kmemleak: %s", line);
	}
	fclose(f);
	return leaks;
}

#define MAX_ARGS 8

/* Run one line of the list; cuts @line at its spaces. */
static int run(char *line)
{
	char *argv[MAX_ARGS + 1], *save;
	int status, argc = 0;
	pid_t pid;

	for (argv[0] = strtok_r(line, " ", &save); argv[argc] && argc < MAX_ARGS;
	     argv[argc] = strtok_r(NULL, " ", &save))
		argc++;
	argv[argc] = NULL;
	if (!argc)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execv(argv[0], argv);
		fprintf(stderr, "sim-init: exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char line[256];
	int failed = 0, total = 0, leakcheck, rc;
	FILE *list;

	if (getpid() == 1 &&
	    (mount("proc", "/proc", "proc", 0, NULL) ||
	     mount("sysfs", "/sys", "sysfs", 0, NULL) ||
	     mount("devtmpfs", "/dev", "devtmpfs", 0, NULL))) {
		perror("sim-init: mount");
		power_off(1);
	}
	rc = kmemleak_start();
	if (rc < 0)
		power_off(1);
	leakcheck = rc;
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
		/* Cut at the first space: the program's path. */
		printf("# sim: %s exited with %d\n", line, rc);
		total++;
		failed += rc != 0;
	}
	fclose(list);
	if (leakcheck) {
		rc = kmemleak_report();
		printf("# sim: kmemleak: %d unreferenced objects\n", rc);
		failed += rc != 0;
	}
	printf("# sim: %d programs, %d failed\n", total, failed);
	power_off(failed || !total);
	return 0;
}
