/**
 * Runs deploy.sh against the recording gcloud stand-in (fake-gcloud.js) and
 * the curl stand-in (fake-curl.js), in a temporary folder per project.
 */
import {execFile} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const DEPLOY_SH = path.join(REPO, 'deploy.sh');

export interface World {
  account?: string;
  projects?: Record<string, {number: string; billing: boolean}>;
  secrets?: string[];
  /** Pub/Sub topics that exist before the deployment, as `topic/<project>/<id>`. */
  topics?: string[];
  dnsZones?: string[];
  denyPolicyRead?: boolean;
  adcToken?: string;
  admin?: boolean;
}

export interface Call {
  argv: string[];
  command: string | null;
  effect: 'read' | 'created' | 'updated' | 'refused';
  exit: number;
  files: Record<string, string>;
  refusal?: string;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  calls: Call[];
}

export const PROJECT = 'jit-demo';
export const PROJECT_NUMBER = '123456789012';
export const REGION = 'europe-west1';

export const DEFAULT_WORLD: World = {
  account: 'admin@example.com',
  projects: {[PROJECT]: {number: PROJECT_NUMBER, billing: true}},
  secrets: [`secret/${PROJECT}/smtp-password`],
  dnsZones: ['example-zone'],
};

/** Every gcloud call seen by any sandbox of this test run, for the real-gcloud check. */
export const ALL_CALLS: Call[] = [];

/** A fake project: a state folder and a PATH whose gcloud and curl are the stand-ins. */
export class Sandbox {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-deploy-'));
  readonly bin = path.join(this.dir, 'bin');
  readonly state = path.join(this.dir, 'state');

  constructor(world: World = DEFAULT_WORLD, opts: {withGcloud?: boolean} = {}) {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.state);
    fs.writeFileSync(
      path.join(this.state, 'world.json'),
      JSON.stringify(world),
    );
    if (opts.withGcloud !== false) {
      fs.symlinkSync(
        path.join(__dirname, 'fake-gcloud.js'),
        path.join(this.bin, 'gcloud'),
      );
    }
    fs.symlinkSync(
      path.join(__dirname, 'fake-curl.js'),
      path.join(this.bin, 'curl'),
    );
    // Only the tools deploy.sh needs, so that no real gcloud or curl is found.
    for (const tool of [
      'bash',
      'env',
      'node',
      'mktemp',
      'rm',
      'sed',
      'grep',
      'cat',
      'tr',
      'dirname',
      'head',
    ]) {
      const found = which(tool);
      if (found) fs.symlinkSync(found, path.join(this.bin, tool));
    }
  }

  writeFile(name: string, content: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  calls(): Call[] {
    const file = path.join(this.state, 'calls.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line) as Call);
  }

  /** The stand-in's model: resources by key, IAM policies by resource. */
  model(): {
    resources: Record<string, Record<string, unknown>>;
    policies: Record<string, {bindings: {role: string; members: string[]}[]}>;
  } {
    return JSON.parse(
      fs.readFileSync(path.join(this.state, 'state.json'), 'utf8'),
    );
  }

  curlCalls(): {method: string; url: string}[] {
    const file = path.join(this.state, 'curl.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as {method: string; url: string});
  }

  /** Runs deploy.sh; returns its output and the gcloud calls of this run only. */
  async deploy(args: string[]): Promise<Run> {
    const before = this.calls().length;
    const result = await new Promise<{
      code: number;
      stdout: string;
      stderr: string;
    }>(resolve => {
      execFile(
        path.join(this.bin, 'bash'),
        [DEPLOY_SH, ...args],
        {
          cwd: this.dir,
          env: {
            PATH: this.bin,
            HOME: this.dir,
            FAKE_GCLOUD_STATE: this.state,
            TMPDIR: this.dir,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const code = error
            ? typeof error.code === 'number'
              ? error.code
              : 1
            : 0;
          resolve({code, stdout, stderr});
        },
      );
    });
    const calls = this.calls().slice(before);
    ALL_CALLS.push(...calls);
    return {...result, calls};
  }

  remove(): void {
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** gcloud's command words and the first positional: `compute backend-services create jit-access-web`. */
export function shape(argv: string[]): string {
  return argv.filter(a => !a.startsWith('--')).join(' ');
}

const CHANGES =
  /(^| )(create|add-iam-policy-binding|enable|deploy|update|add-backend|import)( |$)/;

/** The calls that change something (whether or not they ended up changing anything). */
export function changing(calls: Call[]): Call[] {
  return calls.filter(
    c =>
      c.command !== null &&
      CHANGES.test(c.command) &&
      !c.argv.includes('--help'),
  );
}

export function flagValue(argv: string[], name: string): string | undefined {
  const token = argv.find(a => a.startsWith(`--${name}=`));
  return token?.slice(name.length + 3);
}

/** Parses the KEY: 'value' YAML deploy.sh writes for --env-vars-file. */
export function parseEnvYaml(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*): '(.*)'$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined)
      env[m[1]] = m[2].replace(/''/g, "'");
  }
  return env;
}
