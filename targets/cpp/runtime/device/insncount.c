/* QEMU TCG plugin (API v1, QEMU 7.2): counts executed guest instructions, in total and inside
 * named regions delimited by the addresses of marker functions.
 *   -plugin libinsncount.so,region=nn:0x1234:0x1240,region=dsp:0x1300:0x1310
 * Build: gcc -O2 -shared -fPIC -fvisibility=hidden -o libinsncount.so insncount.c
 * It declares the few API functions itself, so no QEMU header is needed. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb_t)(qemu_plugin_id_t, void *);
typedef void (*vcpu_udata_cb_t)(unsigned int, void *);
extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb_t);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb_t, void *);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
extern void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *, enum qemu_plugin_op, void *, uint64_t);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *, vcpu_udata_cb_t, enum qemu_plugin_cb_flags, void *);
extern void qemu_plugin_outs(const char *);
__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MAX_REGIONS 8
typedef struct { char name[32]; uint64_t start, stop, opened_at, sum, entries; bool open; } region_t;
static region_t regions[MAX_REGIONS];
static int nregions;
static uint64_t total;
/* Optional per-address profile of the first 1 MB (profile=FILE): "addr count" lines. */
static uint64_t *profile;
static char profile_file[256];
#define PROFILE_SPAN (1u << 20)

static void on_start(unsigned int vcpu, void *u) {
  region_t *r = (region_t *)u;
  (void)vcpu;
  if (!r->open) { r->open = true; r->opened_at = total; r->entries++; }
}
static void on_stop(unsigned int vcpu, void *u) {
  region_t *r = (region_t *)u;
  (void)vcpu;
  if (r->open) { r->open = false; r->sum += total - r->opened_at; }
}
static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t pc = qemu_plugin_insn_vaddr(insn);
    for (int k = 0; k < nregions; k++) {
      if (pc == regions[k].start) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, &regions[k]);
      if (pc == regions[k].stop) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, &regions[k]);
    }
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
    if (profile && (pc & 0x0fffffffu) < PROFILE_SPAN) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &profile[(pc & 0x0fffffffu) >> 1], 1);
  }
}
static void at_exit(qemu_plugin_id_t id, void *u) {
  char buf[800];
  (void)id; (void)u;
  snprintf(buf, sizeof buf, "insns_total %" PRIu64 "\n", total);
  qemu_plugin_outs(buf);
  if (profile) {
    FILE *f = fopen(profile_file, "w");
    if (f) {
      for (uint32_t i = 0; i < PROFILE_SPAN / 2; i++) if (profile[i]) fprintf(f, "%x %" PRIu64 "\n", i << 1, profile[i]);
      fclose(f);
    }
  }
  for (int k = 0; k < nregions; k++) {
    snprintf(buf, sizeof buf, "insns_region %s %" PRIu64 " %" PRIu64 "\n", regions[k].name, regions[k].sum, regions[k].entries);
    qemu_plugin_outs(buf);
  }
}
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "region=", 7) && nregions < MAX_REGIONS) {
      region_t *r = &regions[nregions];
      char *s = argv[i] + 7, *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
      if (!c1 || !c2) { fprintf(stderr, "insncount: bad region %s\n", argv[i]); return -1; }
      size_t len = (size_t)(c1 - s) < sizeof r->name - 1 ? (size_t)(c1 - s) : sizeof r->name - 1;
      memcpy(r->name, s, len);
      r->start = strtoull(c1 + 1, NULL, 0) & ~1ull;
      r->stop = strtoull(c2 + 1, NULL, 0) & ~1ull;
      nregions++;
    } else if (!strncmp(argv[i], "profile=", 8)) {
      snprintf(profile_file, sizeof profile_file, "%s", argv[i] + 8);
      profile = calloc(PROFILE_SPAN / 2, sizeof *profile);
    } else { fprintf(stderr, "insncount: unknown arg %s\n", argv[i]); return -1; }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
