#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { describeError } from '../app/describe-error.js';
import { COMMANDS, type Command, defaultIo } from './commands.js';

/** The installed package's version (dist/cli/ and src/cli/ both sit two levels below package.json). */
function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function usage(): string {
  return [
    'Usage:',
    ...COMMANDS.map((c) => `  ${c.usage}`),
    '  heimdall --version                  print the version',
    '  heimdall help                       print this help',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  for (const command of [...COMMANDS].sort((a, b) => b.path.length - a.path.length)) {
    if (command.path.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(command.path.length) };
  }
  return null;
}

const argv = process.argv.slice(2);
const found = findCommand(argv);
if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
  process.stdout.write(`${readVersion()}\n`);
} else if (!found || argv.includes('--help') || argv.includes('-h')) {
  const asked = argv.length === 0 || ['help', '--help', '-h'].includes(argv[0]!) || found !== null;
  // Asked-for help is an answer (exit 0); an unknown command is a mistake (exit 2, usage on stderr).
  if (!asked) process.stderr.write(`heimdall: unknown command "${argv.join(' ')}"\n`);
  (asked ? process.stdout : process.stderr).write(`${usage()}\n`);
  process.exitCode = asked ? 0 : 2;
} else {
  try {
    await found.command.run(found.rest, defaultIo);
  } catch (error) {
    process.stderr.write(`heimdall: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
