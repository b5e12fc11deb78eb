// The bare `semroute` program; bin.ts registers each command (commands/<name>.ts) on it.
import { Command } from 'commander';

/** Creates the top-level program without commands. */
export function createProgram(): Command {
  return new Command('semroute')
    .description('semantic router for LLM traffic: route prompts to models by meaning')
    .version('0.1.0')
    .showHelpAfterError();
}
