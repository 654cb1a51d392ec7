/* Minimal Cortex-M startup for QEMU runs (no crt0): vectors, FPU on (when present), .data/.bss,
 * stack painting, semihosting stdio, C++ constructors, main, stack high-water mark, exit code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
extern uint32_t __StackTop, __StackLimit, __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);
extern int main(void);
void _init(void) {}
void _fini(void) {}
void *__dso_handle = 0;
void Reset_Handler(void);
extern void _exit(int);
void Default_Handler(void) { _exit(99); }
__attribute__((section(".isr_vector"), used)) void (*const vectors[16])(void) = {
  (void (*)(void))&__StackTop, Reset_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler};
#define PAINT 0xA5A5A5A5u
__attribute__((noreturn, noinline, used)) void c_start(void) {
  uint32_t *s = &__data_load__, *d = &__data_start__;
  while (d < &__data_end__) *d++ = *s++;
  for (d = &__bss_start__; d < &__bss_end__;) *d++ = 0;
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (d = &__StackLimit; d < (uint32_t *)(sp - 64);) *d++ = PAINT;
  initialise_monitor_handles();
  __libc_init_array();
  int rc = main();
  for (d = &__StackLimit; d < &__StackTop && *d == PAINT;) d++;
  printf("stack_high_water_bytes=%lu\n", (unsigned long)((uint32_t)&__StackTop - (uint32_t)d));
  exit(rc);
}
__attribute__((naked, noreturn)) void Reset_Handler(void) {
#if defined(__ARM_FP)
  __asm volatile("ldr r0, =0xE000ED88\n ldr r1, [r0]\n orr r1, r1, #(0xF << 20)\n str r1, [r0]\n dsb\n isb\n");
#endif
  __asm volatile("ldr r0, =__StackTop\n mov sp, r0\n b c_start\n");
}
