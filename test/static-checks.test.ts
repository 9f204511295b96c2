// Runs the linters and the type checker as tests, so `pnpm test` fails on a lint or type error
// and the CI summary counts them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command: string, args: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output };
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    return {
      status: failure.status ?? 1,
      output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    };
  }
}

describe('static checks', () => {
  it('eslint reports no problem', () => {
    const result = run('pnpm', ['exec', 'eslint', '.']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);

  it('prettier finds every file formatted', () => {
    const result = run('pnpm', ['exec', 'prettier', '--check', '.', '--log-level', 'warn']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  it('tsc finds no type error', () => {
    const result = run('pnpm', ['exec', 'tsc', '-p', 'tsconfig.json', '--noEmit']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);
});
