// Loads the private generated binding (@semroute/native, CommonJS) from this ESM package.

import { createRequire } from 'node:module';
import type * as Native from '@semroute/native';
import { EmbedError } from './errors.js';

export type { NativeEmbedder, EmbedOutput, LoadOptions as NativeLoadOptions, ModelInfo } from '@semroute/native';

let binding: typeof Native | undefined;

/** The native binding, loaded on first use so that importing this package never throws. */
export function native(): typeof Native {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('@semroute/native') as typeof Native;
    return binding;
  } catch (err) {
    throw new EmbedError(
      'NATIVE_UNAVAILABLE',
      'the semroute native addon could not be loaded (build it with `pnpm --filter @semroute/native build`)',
      { cause: err },
    );
  }
}
