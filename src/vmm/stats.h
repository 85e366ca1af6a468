/* The VMM's statistics: one set of numbers, printed by --stats and returned
 * by the control socket's query-stats. */
#ifndef TANDEM_STATS_H
#define TANDEM_STATS_H

#include <stdbool.h>
#include <stdio.h>

#include "vmm/vmm.h"

struct json_object;

/* Every VM's block and the machine's, on f. */
void stats_print_vmm(const Vmm *v, FILE *f);
/* query-stats: {"machine": {…}, "vms": [{…}, …]} */
struct json_object *stats_vmm_json(const Vmm *v);
/* query-vms: one VM's summary. */
struct json_object *stats_vm_summary_json(const Vm *vm);
/* query-ft: one VM's fault-tolerance figures. */
struct json_object *stats_ft_json(const Vm *vm);

/* Compressed swap (swap_stats.c). */
void stats_print_swap_vm(const Vm *vm, FILE *f, const char *prefix);
void stats_print_swap_machine(const Vmm *v, FILE *f);
struct json_object *stats_swap_vm_json(const Vm *vm);
/* query-stats' machine "swap" (detail: query-swap, with latencies, pool classes, per VM). */
struct json_object *stats_swap_machine_json(const Vmm *v, bool detail);

/* Page sharing (share_stats.c). */
void stats_print_share_vm(const Vm *vm, FILE *f, const char *prefix);
void stats_print_share_machine(const Vmm *v, FILE *f);
struct json_object *stats_share_vm_json(const Vm *vm);
struct json_object *stats_share_machine_json(const Vmm *v);

#endif
