import { execFile } from 'node:child_process';
import { mkdir, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PdscFile {
  category: string;
  name: string;
  component: string;
}

/** The <file> entries of every component of a .pdsc (a regex reader: our pdsc is flat and generated). */
export function pdscFiles(pdsc: string): PdscFile[] {
  const out: PdscFile[] = [];
  for (const comp of pdsc.matchAll(/<component ([^>]*)>([\s\S]*?)<\/component>/g)) {
    const id = /Csub="([^"]*)"/.exec(comp[1]!)?.[1] ?? '';
    for (const f of comp[2]!.matchAll(/<file ([^>]*)\/>/g)) {
      const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(f[1]!)?.[1] ?? '';
      out.push({ category: attr('category'), name: attr('name'), component: id });
    }
  }
  return out;
}

/**
 * A CMake cross build for Cortex-M4F that sees only what the .pdsc lists: the listed files are
 * copied from the unpacked pack into a fresh tree, include paths come from category="include",
 * sources from sourceC/sourceCpp. Links an ELF (startup + linker script + a main calling
 * run_classifier) so unresolved symbols fail too.
 */
export async function cmakeBuildFromPdsc(packDir: string, pdsc: string, work: string, device: { startup: string; linkScript: string }): Promise<{ elf: string; sources: number }> {
  const files = pdscFiles(pdsc);
  const tree = path.join(work, 'pack');
  for (const f of files.filter((x) => x.category !== 'include')) {
    await mkdir(path.dirname(path.join(tree, f.name)), { recursive: true });
    await copyFile(path.join(packDir, f.name), path.join(tree, f.name));
  }
  const includes = files.filter((f) => f.category === 'include').map((f) => path.join(tree, f.name));
  const sources = files.filter((f) => f.category === 'sourceC' || f.category === 'sourceCpp').map((f) => path.join(tree, f.name));
  const project = path.join(work, 'project');
  await mkdir(project, { recursive: true });
  await writeFile(path.join(project, 'main.cpp'), `#include "tinyforge-sdk/classifier/tf_run_classifier.h"
static float window[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
volatile float sink;
int main(void) {
  signal_t signal;
  signal_from_buffer(window, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  if (run_classifier(&signal, &result, false) != EI_IMPULSE_OK) return 1;
  sink = result.classification[0].value;
  return 0;
}
`);
  await writeFile(path.join(project, 'arm-cortex-m4.cmake'), `set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles --specs=nano.specs --specs=rdimon.specs -Wl,--gc-sections")
`);
  const q = (p: string) => `"${p.replace(/\\/g, '/')}"`;
  await writeFile(path.join(project, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.13)
project(pack_build C CXX)
set(CMAKE_C_STANDARD 99)
set(CMAKE_CXX_STANDARD 11)
set(CMAKE_BUILD_TYPE MinSizeRel)
add_library(pack_components STATIC
${sources.map((s) => `  ${q(s)}`).join('\n')})
target_include_directories(pack_components PUBLIC ${includes.map(q).join(' ')})
add_executable(app.elf main.cpp ${q(device.startup)})
target_link_libraries(app.elf PRIVATE pack_components m)
target_link_options(app.elf PRIVATE -T ${q(device.linkScript)})
`);
  const build = path.join(work, 'build');
  await run('cmake', ['-S', project, '-B', build, `-DCMAKE_TOOLCHAIN_FILE=${path.join(project, 'arm-cortex-m4.cmake')}`], { maxBuffer: 1 << 24 });
  await run('cmake', ['--build', build, '-j', '2'], { maxBuffer: 1 << 24 });
  return { elf: path.join(build, 'app.elf'), sources: sources.length };
}
