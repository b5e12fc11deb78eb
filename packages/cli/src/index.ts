// @semroute/cli: the command tree, for embedding in other tools and for tests.
export { createProgram } from './program.js';
export { runRoute, parseLine, type RouteOptions } from './commands/route.js';
export { runValidate, type ValidateOptions } from './commands/validate.js';
export { UserError, reportError, type Io } from './io.js';
export { defaultConfigPath } from './paths.js';
