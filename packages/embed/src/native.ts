// Loads the private generated binding (@semroute/native, CommonJS) from this ESM package.

import { createRequire } from 'node:module';
import type * as Native from '@semroute/native';
import { EmbedError } from './errors.js';

export type { NativeEmbedder, EmbedOutput, LoadOptions as NativeLoadOptions, ModelInfo } from '@semroute/native';

let binding: typeof Native | undefined;

/** Platforms with a published binary package (npm/<suffix>, napi-rs naming). */
const PUBLISHED = ['linux-x64-gnu', 'darwin-arm64'];

/** The npm package that carries this platform's binary, e.g. `@semroute/native-linux-x64-gnu`. */
export function platformPackage(platform: string = process.platform, arch: string = process.arch, musl = false): string {
  const abi = platform === 'linux' ? (musl ? '-musl' : '-gnu') : platform === 'win32' ? '-msvc' : '';
  return `@semroute/native-${platform}-${arch}${abi}`;
}

/** The native binding, loaded on first use so that importing this package never throws. */
export function native(): typeof Native {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('@semroute/native') as typeof Native;
    return binding;
  } catch (err) {
    const pkg = platformPackage(process.platform, process.arch, isMusl());
    const published = PUBLISHED.some((p) => pkg.endsWith(`-${p}`));
    const hint = published
      ? `install ${pkg} (an optional dependency of @semroute/native: npm skips it with --omit=optional, ` +
        'with a lockfile made on another platform, or after npm/cli#4828; reinstall without them), ' +
        'or in a checkout build it with `pnpm --filter @semroute/native build`'
      : `no prebuilt binary is published for ${process.platform}-${process.arch} (${pkg}); published: ` +
        `${PUBLISHED.map((p) => `@semroute/native-${p}`).join(', ')}. Build from source with \`pnpm --filter @semroute/native build\``;
    throw new EmbedError('NATIVE_UNAVAILABLE', `the semroute native addon could not be loaded: ${hint}`, { cause: err });
  }
}

/**
 * Returns free native heap memory to the operating system (glibc's `malloc_trim`): after a burst of
 * large buffers, freed memory otherwise stays resident. True when memory was released; false when
 * none was, or where the C library has no such call (macOS, musl).
 */
export function trimNativeHeap(): boolean {
  return native().trimNativeHeap();
}

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}
