import { readFile } from 'node:fs/promises';
import { CliError, CliErrorCode, usageError } from '../errors/cli-error';

/** A value read from a file or stdin loses one final line break, as `echo` and editors add one. */
export function trimFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export type FileReader = (path: string) => Promise<Buffer | string>;

/** Reads a flag's value from a file, e.g. a PEM or a password, so it never lands in shell history. */
export async function readValueFile(path: string, flag: string, read: FileReader = readFile): Promise<string> {
  if (path.trim() === '') throw usageError(`${flag}: the file path is empty`);
  let content: Buffer | string;
  try {
    content = await read(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read failed';
    throw new CliError(CliErrorCode.UnreadableFile, `${flag}: cannot read ${path} (${reason})`);
  }
  return trimFinalNewline(content.toString());
}

/** Reads all of stdin (e.g. `--password-stdin`); empty input is a usage error naming the flag. */
export async function readStdinValue(stdin: NodeJS.ReadableStream, flag: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const value = trimFinalNewline(Buffer.concat(chunks).toString('utf8'));
  if (value === '') throw usageError(`${flag}: nothing was read from stdin`);
  return value;
}
