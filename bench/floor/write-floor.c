/* The floor for a first sync's writes (bench/sync-scale.sh): for each of N homes, what keyagentd's
 * durable writer does at the least — ~/.ssh made, authorized_keys written to a temp file, fsynced,
 * renamed, ~/.ssh fsynced; the helper cache the same in keys/ — with THREADS homes at once, and
 * nothing else (no parsing, no checks, no audit). Prints the wall seconds.
 * Usage: write-floor ROOT N BYTES THREADS   (ROOT/home/u00000.. exist; ROOT/keys is made) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *root;
static int n, bytes, next;
static int keys;
static char *content;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what, const char *path) { perror(what); fprintf(stderr, "%s\n", path); exit(1); }

static void replace(int dir, const char *name, const char *tmp, const char *path)
{
    int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) die("openat", path);
    if (fchmod(fd, 0600) != 0) die("fchmod", path);
    if (write(fd, content, bytes) != bytes) die("write", path);
    if (fsync(fd) != 0) die("fsync", path);
    close(fd);
    if (renameat(dir, tmp, dir, name) != 0) die("renameat", path);
    if (fsync(dir) != 0) die("fsync dir", path);
}

static void *work(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        int i = next++;
        pthread_mutex_unlock(&lock);
        if (i >= n) return NULL;
        char path[4096], name[32];
        snprintf(name, sizeof name, "u%05d", i);
        snprintf(path, sizeof path, "%s/home/%s", root, name);
        int home = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (home < 0) die("open", path);
        if (mkdirat(home, ".ssh", 0700) != 0) die("mkdirat", path);
        int ssh = openat(home, ".ssh", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ssh < 0) die("openat", path);
        replace(ssh, "authorized_keys", "authorized_keys.tmp", path);
        close(ssh);
        close(home);
        char tmp[64];
        snprintf(tmp, sizeof tmp, ".%s.tmp", name);
        replace(keys, name, tmp, path);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) { fprintf(stderr, "usage: write-floor ROOT N BYTES THREADS\n"); return 2; }
    root = argv[1]; n = atoi(argv[2]); bytes = atoi(argv[3]);
    int threads = atoi(argv[4]);
    content = malloc(bytes);
    memset(content, 'k', bytes);
    char path[4096];
    snprintf(path, sizeof path, "%s/keys", root);
    mkdir(path, 0755);
    keys = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (keys < 0) die("open", path);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t *t = calloc(threads, sizeof *t);
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
