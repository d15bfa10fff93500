/** Progress lines while a run goes on: which scenario, which round, and what the last round measured. */
export class Progress {
  readonly #started = Date.now();
  readonly #write: (line: string) => void;
  #prefix = '';

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.#write = write;
  }

  scenario(index: number, total: number, id: string): void {
    this.#prefix = `[${index}/${total}] ${id}`;
    this.log('starting');
  }

  log(message: string): void {
    const elapsed = Math.round((Date.now() - this.#started) / 1000);
    const stamp = `${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(elapsed % 60).padStart(2, '0')}`;
    this.#write(`${stamp} ${this.#prefix ? `${this.#prefix} · ` : ''}${message}`);
  }
}

export const silentProgress = () => new Progress(() => {});
