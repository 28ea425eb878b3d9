/**
 * `npm start`: the local sandbox on PORT (default 8080). Prints what to open;
 * Ctrl-C (SIGINT) or SIGTERM stops every child process.
 *
 * Product settings in the environment (JUSTIFICATION_PATTERN, ACTIVATION_TIMEOUT,
 * …; see PASSED_SETTINGS) are handed to the functions; nothing else is.
 */
import {PASSED_SETTINGS, startSandbox, Sandbox} from './sandbox';

function settingsFromEnvironment(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of PASSED_SETTINGS) {
    const value = process.env[name];
    if (value !== undefined) settings[name] = value;
  }
  return settings;
}

function banner(sandbox: Sandbox): string {
  const users = sandbox.users
    .map(u => `      ${u.email}${u.displayName ? `  (${u.displayName})` : ''}`)
    .join('\n');
  return `
JIT Access sandbox is running.

  Open       ${sandbox.url}/            (you are sent to the sign-in page first)
  Sign in    ${sandbox.url}/sandbox/login
  Mail       ${sandbox.url}/sandbox/mail
  Firestore  ${sandbox.firestore.kind === 'google' ? "Google's emulator" : 'npm fallback (@firestore-emulator/server)'} on ${sandbox.firestore.host}

  Users (seeded from sandbox/seed.json):
${users}

  Try: sign in as alice@example.com, open shop-dev and activate roles/compute.viewer;
  then request roles/compute.admin on shop-prod from bob or carol, and sign in as
  bob to approve it from the link in /sandbox/mail.

Press Ctrl-C to stop.
`;
}

async function main(): Promise<void> {
  const portText = process.env.PORT ?? '8080';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65535) {
    console.error(`PORT=${portText}: expected a port number`);
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port,
      settings: settingsFromEnvironment(),
      log: line => console.log(line),
      functionsLog: line => console.log(`[functions] ${line}`),
    });
  } catch (e) {
    console.error(`The sandbox could not start: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }
  console.log(banner(sandbox));
  console.log(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the sandbox…');
    await sandbox.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void sandbox.functionsExited.then(code => {
    // Ctrl-C in a terminal signals the whole process group: the child may
    // exit a moment before our own SIGINT handler runs.
    setTimeout(() => {
      if (stopping) return;
      console.error(`The functions exited (code ${code}); stopping.`);
      void stop(1);
    }, 500);
  });
}

void main();
