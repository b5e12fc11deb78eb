#!/usr/bin/env node
// Entry point of the `semroute` CLI: one registerX(program) line per command in commands/*.ts.
import { createProgram } from './program.js';
import { processIo, reportError } from './io.js';
import { registerRoute } from './commands/route.js';
import { registerValidate } from './commands/validate.js';
import { registerBench } from './commands/bench.js';
import { registerTrain } from './commands/train.js';
import { registerServe } from './commands/serve.js';
import { registerProxy } from './commands/proxy.js';
import { registerEval } from './commands/eval.js';

const program = createProgram();
registerRoute(program);
registerValidate(program);
registerBench(program);
registerTrain(program);
registerServe(program);
registerProxy(program);
registerEval(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, processIo, Boolean(process.env.SEMROUTE_DEBUG));
}
