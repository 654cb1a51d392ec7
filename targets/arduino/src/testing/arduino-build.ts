import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * arduino-cli cannot be installed here, so tests build the library the way the Arduino builder
 * does for a Nano 33 BLE (nRF52840, Cortex-M4F, mbed core flags): every .c/.cpp under src/
 * recursively, only src/ on the include path, each example's .ino wrapped in a .cpp that
 * includes Arduino.h first, then a link against a minimal core (stubs below).
 */
export const ARDUINO_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=softfp', '-mfpu=fpv4-sp-d16', '-Os', '-ffunction-sections', '-fdata-sections', '-DARDUINO=10819', '-DARDUINO_ARCH_MBED', '-DARDUINO_ARDUINO_NANO33BLE'];
const CXX = ['-std=gnu++14', '-fno-exceptions', '-fno-rtti', '-Wall', '-Werror', '-Wno-unused-function'];

const ARDUINO_H = `#pragma once
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <math.h>
#define DEC 10
typedef bool boolean;
typedef uint8_t byte;
unsigned long millis(void);
unsigned long micros(void);
void delay(unsigned long ms);
int analogRead(uint8_t pin);
class Print {
 public:
  size_t print(const char *s);
  size_t print(char c);
  size_t print(int n, int base = DEC);
  size_t print(unsigned int n, int base = DEC);
  size_t print(long n, int base = DEC);
  size_t print(unsigned long n, int base = DEC);
  size_t print(double n, int digits = 2);
  size_t println(void);
  template <typename T> size_t println(T v) { size_t n = print(v); return n + println(); }
  template <typename T> size_t println(T v, int f) { size_t n = print(v, f); return n + println(); }
};
class SerialStub : public Print {
 public:
  void begin(unsigned long baud);
  operator bool() const { return true; }
  int available(void);
  int read(void);
};
extern SerialStub Serial;
void setup(void);
void loop(void);
`;
const PDM_H = `#pragma once
#include <stddef.h>
class PDMClass {
 public:
  void onReceive(void (*fn)(void));
  int begin(int channels, int sampleRate);
  void end(void);
  int available(void);
  int read(void *buffer, size_t size);
  void setGain(int gain);
  void setBufferSize(int size);
};
extern PDMClass PDM;
`;
const LSM9DS1_H = `#pragma once
class LSM9DS1Class {
 public:
  int begin(void);
  int accelerationAvailable(void);
  int readAcceleration(float &x, float &y, float &z);
};
extern LSM9DS1Class IMU;
`;
/** The core: one setup() + loop() and output into a buffer (no board to print on). */
const CORE_CPP = `#include "Arduino.h"
#include "PDM.h"
#include "Arduino_LSM9DS1.h"
#include <stdio.h>
static char out[4096];
static size_t used = 0;
static size_t put(const char *s) { size_t n = strlen(s); if (used + n < sizeof out) { memcpy(out + used, s, n); used += n; } return n; }
static unsigned long now_us = 0;
unsigned long millis(void) { return now_us / 1000; }
unsigned long micros(void) { return now_us += 10; }
void delay(unsigned long ms) { now_us += ms * 1000; }
int analogRead(uint8_t) { return 512; }
size_t Print::print(const char *s) { return put(s); }
size_t Print::print(char c) { char b[2] = {c, 0}; return put(b); }
size_t Print::print(int n, int) { char b[16]; snprintf(b, sizeof b, "%d", n); return put(b); }
size_t Print::print(unsigned int n, int) { char b[16]; snprintf(b, sizeof b, "%u", n); return put(b); }
size_t Print::print(long n, int) { char b[24]; snprintf(b, sizeof b, "%ld", n); return put(b); }
size_t Print::print(unsigned long n, int) { char b[24]; snprintf(b, sizeof b, "%lu", n); return put(b); }
size_t Print::print(double n, int) { char b[32]; snprintf(b, sizeof b, "%ld", (long)(n * 100000)); return put(b); }
size_t Print::println(void) { return put("\\n"); }
void SerialStub::begin(unsigned long) {}
int SerialStub::available(void) { return 0; }
int SerialStub::read(void) { return -1; }
SerialStub Serial;
static void (*pdm_cb)(void) = 0;
void PDMClass::onReceive(void (*fn)(void)) { pdm_cb = fn; }
int PDMClass::begin(int, int) { return 1; }
void PDMClass::end(void) {}
int PDMClass::available(void) { return 512; }
int PDMClass::read(void *buffer, size_t size) { memset(buffer, 0, size); return (int)size; }
void PDMClass::setGain(int) {}
void PDMClass::setBufferSize(int) {}
PDMClass PDM;
int LSM9DS1Class::begin(void) { return 1; }
int LSM9DS1Class::accelerationAvailable(void) { return 1; }
int LSM9DS1Class::readAcceleration(float &x, float &y, float &z) { x = 0; y = 0; z = 1; return 1; }
LSM9DS1Class IMU;
int main(void) { setup(); loop(); return 0; }
`;

async function listSources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && /\.(c|cpp)$/.test(e.name)) out.push(path.join(e.parentPath, e.name));
  return out.sort();
}

/** Compiles the library's src/ once and links every example against it; returns the ELF per example. */
export async function buildArduinoExamples(libraryDir: string, workDir: string): Promise<Map<string, { elf: string; text: number }>> {
  const core = path.join(workDir, 'core');
  await mkdir(core, { recursive: true });
  await writeFile(path.join(core, 'Arduino.h'), ARDUINO_H);
  await writeFile(path.join(core, 'PDM.h'), PDM_H);
  await writeFile(path.join(core, 'Arduino_LSM9DS1.h'), LSM9DS1_H);
  await writeFile(path.join(core, 'core.cpp'), CORE_CPP);
  const src = path.join(libraryDir, 'src');
  const includes = [`-I${core}`, `-I${src}`];
  const compile = async (file: string, obj: string) => {
    const c = file.endsWith('.c');
    await run(c ? 'arm-none-eabi-gcc' : 'arm-none-eabi-g++', [...ARDUINO_FLAGS, ...(c ? ['-std=gnu11'] : CXX), ...includes, '-c', file, '-o', obj], { maxBuffer: 1 << 24 });
    return obj;
  };
  const objDir = path.join(workDir, 'obj');
  await mkdir(objDir, { recursive: true });
  const sources = [...(await listSources(src)), path.join(core, 'core.cpp')];
  const objects: string[] = [];
  for (const f of sources) objects.push(await compile(f, path.join(objDir, `${path.relative(libraryDir, f).replace(/[/.]/g, '_')}.o`)));
  const results = new Map<string, { elf: string; text: number }>();
  for (const e of await readdir(path.join(libraryDir, 'examples'), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const ino = path.join(libraryDir, 'examples', e.name, `${e.name}.ino`);
    const wrapper = path.join(workDir, `${e.name}.ino.cpp`);
    await writeFile(wrapper, `#include <Arduino.h>\n#line 1 "${ino}"\n#include "${ino}"\n`);
    const obj = await compile(wrapper, path.join(objDir, `${e.name}.o`));
    const elf = path.join(workDir, `${e.name}.elf`);
    await run('arm-none-eabi-g++', [...ARDUINO_FLAGS, '--specs=nano.specs', '--specs=nosys.specs', '-Wl,--gc-sections', obj, ...objects, '-lm', '-o', elf], { maxBuffer: 1 << 24 });
    const size = (await run('arm-none-eabi-size', ['-B', '-d', elf])).stdout.trim().split('\n')[1]!.trim().split(/\s+/);
    results.set(e.name, { elf, text: Number(size[0]) });
  }
  return results;
}
