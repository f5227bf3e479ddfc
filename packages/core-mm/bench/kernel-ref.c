/*
 * The real kernel's side of core-mm's benchmarks: the same operations on real
 * memory, on this machine, printed as the model's benches print theirs —
 * one JSON object per line, names prefixed "kernel.".
 *
 *   kernel-ref [pages] [min-ms] [name]
 *
 * pages:  pages per batch (default 8192 = 32 MiB), the model's batch size;
 * min-ms: timed milliseconds per benchmark at least (default 200);
 * name:   run only this benchmark (e.g. fault.anon-write), one sample of an
 *         interleaved comparison; default all of them.
 *
 * Every region is MAP_PRIVATE|MAP_ANONYMOUS with MADV_NOHUGEPAGE, so faults are
 * 4 KiB faults as in the model (which has no THP). Only the measured operation is
 * inside the timed window; set-up and tear-down are not. Each line's value is by the
 * wall clock (CLOCK_MONOTONIC); "ns" is the wall time summed over the windows and
 * "cpuNs" the process's CPU time (user + system, CLOCK_PROCESS_CPUTIME_ID) over the
 * same windows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static size_t pages = 8192;
static double min_ns = 200e6;

static double clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* CPU time summed over the timed windows, beside their wall time. */
static double cpu_ns, cpu_t0;
static void cpu_start(void) { cpu_t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID); }
static void cpu_stop(void) { cpu_ns += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_t0; }

static void die(const char *what) {
  fprintf(stderr, "kernel-ref: %s: %s\n", what, strerror(errno));
  exit(1);
}

static char *map_region(void) {
  char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap");
#ifdef MADV_NOHUGEPAGE
  if (madvise(p, pages * PAGE, MADV_NOHUGEPAGE) != 0 && errno != EINVAL) die("madvise(MADV_NOHUGEPAGE)");
#endif
  return p;
}

static void unmap_region(char *p) {
  if (munmap(p, pages * PAGE) != 0) die("munmap");
}

static void populate(char *p) {
  for (size_t i = 0; i < pages; i++) p[i * PAGE] = (char)(i + 1);
}

static void print(const char *name, const char *unit, double ops, double ns, unsigned long batches) {
  printf("{\"name\":\"kernel.%s\",\"unit\":\"%s\",\"value\":%.0f,\"ops\":%.0f,\"ns\":%.0f,\"cpuNs\":%.0f,\"batches\":%lu,\"pages\":%zu}\n", name, unit, ops / (ns / 1e9), ops, ns, cpu_ns, batches, pages);
  fflush(stdout);
}

/* A sink the compiler cannot drop reads into. */
static volatile unsigned long sink;

static void fault_anon_write(void) {
  double ns = 0;
  unsigned long n = 0;
  while (ns < min_ns) {
    char *p = map_region();
    cpu_start();
    double t0 = now_ns();
    for (size_t i = 0; i < pages; i++) ((volatile char *)p)[i * PAGE] = 1;
    ns += now_ns() - t0;
    cpu_stop();
    unmap_region(p);
    n++;
  }
  print("fault.anon-write", "ops/s", (double)n * pages, ns, n);
}

/* Resident pages of this process (/proc/self/statm); the zero page is not counted. */
static long resident_pages(void) {
  long size = 0, resident = -1;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL) return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident;
}

/*
 * Read faults. Linux maps the shared zero page for them, unless the kernel was told
 * not to (some paravirtualized guests boot with pvm_no_zero_page=1): the line says
 * which happened here, from the rss growth of the first batch.
 */
static void fault_anon_read(void) {
  double ns = 0;
  unsigned long n = 0;
  long grew = -1;
  while (ns < min_ns) {
    char *p = map_region();
    unsigned long sum = 0;
    long before = n == 0 ? resident_pages() : 0;
    cpu_start();
    double t0 = now_ns();
    for (size_t i = 0; i < pages; i++) sum += ((volatile char *)p)[i * PAGE];
    ns += now_ns() - t0;
    cpu_stop();
    if (n == 0 && before >= 0) grew = resident_pages() - before;
    sink = sum;
    unmap_region(p);
    n++;
  }
  printf("{\"name\":\"kernel.fault.anon-read\",\"unit\":\"ops/s\",\"value\":%.0f,\"ops\":%.0f,\"ns\":%.0f,\"cpuNs\":%.0f,\"batches\":%lu,\"pages\":%zu,\"zeroPage\":%s,\"rssGrowth\":%ld}\n",
         (double)n * pages / (ns / 1e9), (double)n * pages, ns, cpu_ns, n, pages, grew < 0 ? "null" : grew < (long)pages / 2 ? "true" : "false", grew);
  fflush(stdout);
}

static void zap_munmap(void) {
  double ns = 0;
  unsigned long n = 0;
  while (ns < min_ns) {
    char *p = map_region();
    populate(p);
    cpu_start();
    double t0 = now_ns();
    unmap_region(p);
    ns += now_ns() - t0;
    cpu_stop();
    n++;
  }
  print("zap.munmap", "PTEs/s", (double)n * pages, ns, n);
}

static void zap_madv_dontneed(void) {
  double ns = 0;
  unsigned long n = 0;
  char *p = map_region();
  while (ns < min_ns) {
    populate(p);
    cpu_start();
    double t0 = now_ns();
    if (madvise(p, pages * PAGE, MADV_DONTNEED) != 0) die("madvise(MADV_DONTNEED)");
    ns += now_ns() - t0;
    cpu_stop();
    n++;
  }
  unmap_region(p);
  print("zap.madv-dontneed", "PTEs/s", (double)n * pages, ns, n);
}

/* PROT_READ then PROT_READ|PROT_WRITE over populated pages: 2 x pages PTEs per batch. */
static void mprotect_pte(void) {
  double ns = 0;
  unsigned long n = 0;
  char *p = map_region();
  populate(p);
  while (ns < min_ns) {
    cpu_start();
    double t0 = now_ns();
    if (mprotect(p, pages * PAGE, PROT_READ) != 0) die("mprotect(PROT_READ)");
    if (mprotect(p, pages * PAGE, PROT_READ | PROT_WRITE) != 0) die("mprotect(PROT_READ|PROT_WRITE)");
    ns += now_ns() - t0;
    cpu_stop();
    n++;
  }
  unmap_region(p);
  print("mprotect.pte", "PTEs/s", 2.0 * (double)n * pages, ns, n);
}

/*
 * fork() of a process with `pages` populated private anonymous pages; the child
 * _exit(0)s at once and the parent reaps it outside the timed window. The time is
 * the parent's fork() call (copy_mm: vmas, page tables, COW write-protect).
 */
static void fork_pages(void) {
  double ns = 0;
  unsigned long n = 0;
  char *p = map_region();
  populate(p);
  while (ns < min_ns) {
    cpu_start();
    double t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    double t1 = now_ns();
    cpu_stop();
    if (pid < 0) die("fork");
    ns += t1 - t0;
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    n++;
  }
  unmap_region(p);
  print("fork", "pages/s", (double)n * pages, ns, n);
}

static const struct {
  const char *name;
  void (*run)(void);
} benches[] = {
    {"fault.anon-write", fault_anon_write}, {"fault.anon-read", fault_anon_read}, {"zap.munmap", zap_munmap},
    {"zap.madv-dontneed", zap_madv_dontneed}, {"mprotect.pte", mprotect_pte},     {"fork", fork_pages},
};

int main(int argc, char **argv) {
  if (argc > 1) pages = strtoul(argv[1], NULL, 10);
  if (argc > 2) min_ns = strtod(argv[2], NULL) * 1e6;
  const char *only = argc > 3 ? argv[3] : NULL;
  if (pages == 0 || min_ns <= 0) {
    fprintf(stderr, "usage: kernel-ref [pages>0] [min-ms>0] [name]\n");
    return 2;
  }
  int ran = 0;
  for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
    if (only != NULL && strcmp(only, benches[i].name) != 0) continue;
    cpu_ns = 0;
    benches[i].run();
    ran++;
  }
  if (ran == 0) {
    fprintf(stderr, "kernel-ref: no benchmark named %s\n", only);
    return 2;
  }
  return 0;
}
