#!/usr/bin/env node
import { COMMANDS, type Command, defaultIo } from './commands.js';

function usage(): string {
  return ['Usage:', ...COMMANDS.map((c) => `  ${c.usage}`)].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  for (const command of [...COMMANDS].sort((a, b) => b.path.length - a.path.length)) {
    if (command.path.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(command.path.length) };
  }
  return null;
}

const argv = process.argv.slice(2);
const found = findCommand(argv);
if (!found || argv.includes('--help')) {
  process.stdout.write(`${usage()}\n`);
  process.exitCode = found || argv.includes('--help') || argv.length === 0 ? 0 : 2;
} else {
  try {
    await found.command.run(found.rest, defaultIo);
  } catch (error) {
    process.stderr.write(`heimdall: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
