import { createInterface } from 'node:readline';

/**
 * The password for `user add`: the whole of stdin when it is piped (first line), else typed twice at a prompt with
 * echo off. Never an argument, so it stays out of shell history and `ps`.
 */
export async function readPassword(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  if (!input.isTTY) {
    let data = '';
    for await (const chunk of input) data += chunk;
    return data.split(/\r?\n/)[0] ?? '';
  }
  const first = await promptHidden('Password: ', input, output);
  const second = await promptHidden('Repeat password: ', input, output);
  if (first !== second) throw new Error('The passwords do not match.');
  return first;
}

function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    const writable = rl as unknown as { _writeToOutput: (s: string) => void };
    output.write(question);
    writable._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      output.write('\n');
      resolve(answer);
    });
  });
}
