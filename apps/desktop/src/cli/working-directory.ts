// Resolves relative paths against the directory the user ran the command from. `pnpm sealpost`
// runs the script in the repository root and passes the user's directory in INIT_CWD, so the
// CLI changes into it before it reads any path argument.

/**
 * Changes into INIT_CWD when pnpm (or npm) started this process for the `sealpost` script.
 * Other pnpm scripts that spawn the CLI (such as the test runner) keep their own directory.
 */
export function useInvocationDirectory(env: NodeJS.ProcessEnv = process.env): void {
  const invocationDirectory = env.INIT_CWD;
  if (env.npm_lifecycle_event !== 'sealpost' || !invocationDirectory) return;
  try {
    process.chdir(invocationDirectory);
  } catch (error) {
    process.stderr.write(
      `sealpost: cannot change into ${invocationDirectory} (INIT_CWD), so relative paths resolve against ${process.cwd()}: ${(error as Error).message}\n`,
    );
  }
}
