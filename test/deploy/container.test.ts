// The Dockerfile and compose.yaml, checked without Docker (no image can be pulled on these machines): the
// Dockerfile passes dockerfile-utils' validator (VS Code's) with every rule an error, its stages, user, volume,
// ports and healthcheck are the ones deployment.md describes, every file it copies exists and is in the build
// context, every script it runs is in package.json, what the server imports at run time is a production
// dependency, and its HEALTHCHECK command, run for real, passes against a ready server and fails without one;
// compose.yaml parses as YAML, has the app, PostgreSQL 15 and Redis 7 with healthchecks the app waits for, and an
// environment the server's own loadConfig accepts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { loadConfig } from '../../src/config.js';
import { freePort, startServer, type ServerProcess } from '../support/server-process.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: { node: string } };

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments left out, split into stages at each FROM. */
function dockerfileStages(text: string): Instruction[][] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = pending + line;
    pending = '';
    const m = /^(\S+)\s*(.*)$/.exec(whole)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: startLine });
  });
  const stages: Instruction[][] = [[]];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]!.push(ins);
  }
  return stages; // stages[0]: what comes before the first FROM (global ARGs)
}

/** COPY's flags and paths: `COPY --from=build a b ./dest`. */
function copyOf(ins: Instruction): { from: string | null; sources: string[]; dest: string } {
  const words = ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length) ?? null;
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
}

/** Whether .dockerignore leaves `file` (or a folder above it) out of the build context, as Docker reads it: globs, `**`, `!` exceptions, the last match winning. */
function ignoredByDockerignore(file: string, patterns: readonly string[]): boolean {
  const toRegex = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('')}$`,
    );
  const prefixes = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const re = toRegex(negated ? raw.slice(1) : raw);
    if (prefixes.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$$`. */
function interpolate(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unset = op?.startsWith(':') ? !value : value === undefined;
    if (op?.endsWith('?') && unset) throw new Error(`${name}: ${arg}`);
    if (op?.endsWith('-') && unset) return arg!;
    return value ?? '';
  });
}

/** loadConfig over `env`, and the names it read: every variable the server knows of. */
function configReading(env: Readonly<Record<string, string>>) {
  const names = new Set<string>();
  const proxy = new Proxy({ ...env }, {
    get(target, name) {
      if (typeof name === 'string') names.add(name);
      return target[name as string];
    },
  });
  return { config: loadConfig(proxy), names };
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const [globals, build, final] = dockerfileStages(text) as [Instruction[], Instruction[], Instruction[]];
  const all = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);
  const one = (stage: Instruction[], keyword: string) => {
    const found = all(stage, keyword);
    expect(found, keyword).toHaveLength(1);
    return found[0]!;
  };
  const env = Object.fromEntries(all(final, 'ENV').flatMap((i) => [...i.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));

  it('passes the validator with every rule an error', () => {
    const rules = ['deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple', 'instructionEntrypointMultiple', 'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'];
    const diagnostics = validate(text, Object.fromEntries(rules.map((r) => [r, ValidationSeverity.ERROR])));
    expect(diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    // and it does find what it should: a bad flag and a relative WORKDIR
    expect(validate('FROM node:20\nWORKDIR app\nHEALTHCHECK --every=1s CMD ["node"]\n', { instructionWorkdirRelative: ValidationSeverity.ERROR }).length).toBe(2);
  });

  it('builds on node bookworm and runs on bookworm-slim of the same Node, the major version package.json asks for', () => {
    expect(dockerfileStages(text)).toHaveLength(3);
    const nodeVersion = /^NODE_VERSION=(\d+)$/.exec(one(globals, 'ARG').args)?.[1];
    expect(nodeVersion).toBe(/^>=(\d+)/.exec(packageJson.engines.node)?.[1]);
    expect(one(build, 'FROM').args).toBe('node:${NODE_VERSION}-bookworm AS build');
    expect(one(final, 'FROM').args).toBe('node:${NODE_VERSION}-bookworm-slim');
  });

  it('installs everything and builds the server and the web app in the build stage', () => {
    const runs = all(build, 'RUN').map((r) => r.args);
    expect(runs).toContain('npm ci');
    expect(runs.join(' && ')).toMatch(/npm run build\b(?!:)/);
    expect(runs.join(' && ')).toMatch(/npm run build:web\b/);
  });

  it('installs only the production dependencies in the final stage, with the SQLite addon from the build stage', () => {
    const runs = all(final, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /^npm ci --omit=dev\b/.test(r))).toBe(true);
    expect(runs.join(' ')).not.toMatch(/npm (ci|install)(?![^&]*--omit=dev)/);
    // --ignore-scripts is safe only while better-sqlite3 is the one production dependency that builds at install.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
    const building = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript && !p.dev).map(([name]) => name);
    expect(building).toEqual(['node_modules/better-sqlite3']);
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    expect(all(final, 'COPY').map(copyOf)).toContainEqual({ from: 'build', sources: [`/app/${addon}`], dest: `./${addon}` });
    expect(fs.existsSync(path.join(root, addon)), 'npm ci builds the addon there').toBe(true);
  });

  it('runs as a non-root user, keeps PUNCHCARD_DATA_DIR on a volume and exposes the configured ports', () => {
    const user = one(final, 'USER').args;
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(user).toBe('node'); // the node images' own unprivileged user
    const userAt = final.indexOf(one(final, 'USER'));
    // Nothing after USER needs root, and the data folder is the user's.
    expect(final.slice(userAt).filter((i) => i.keyword === 'RUN')).toEqual([]);
    expect(final.slice(0, userAt).map((i) => i.args)).toContain(`mkdir -p ${env.PUNCHCARD_DATA_DIR} && chown node:node ${env.PUNCHCARD_DATA_DIR}`);
    expect(one(final, 'VOLUME').args).toBe(env.PUNCHCARD_DATA_DIR);
    expect(one(final, 'EXPOSE').args.split(/\s+/)).toEqual([env.PORT, env.GRPC_PORT]);
    expect([env.PORT, env.GRPC_PORT]).toEqual(['8080', '8081']);
    // Every variable it sets is one the server reads (or Node's own NODE_ENV).
    const { names } = configReading({});
    expect(Object.keys(env).filter((name) => name !== 'NODE_ENV' && !names.has(name))).toEqual([]);
  });

  it('copies only files that exist and that .dockerignore leaves in the build context', () => {
    const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const sources = [...all(build, 'COPY'), ...all(final, 'COPY')].map(copyOf).filter((c) => c.from === null).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(fs.existsSync(path.join(root, source)), `${source} exists`).toBe(true);
      expect(ignoredByDockerignore(source, patterns), `${source} is in the build context`).toBe(false);
    }
    // What the web app's type check and build read from outside web/ is copied too.
    const webTsconfig = JSON.parse(read('web/tsconfig.json')) as { compilerOptions: { paths: Record<string, string[]> } };
    for (const target of Object.values(webTsconfig.compilerOptions.paths).flat()) {
      const file = path.posix.normalize(path.posix.join('web', target));
      expect(sources.some((s) => file === s || file.startsWith(`${s}/`)), `${file} is copied`).toBe(true);
    }
    const extended = (JSON.parse(read('tsconfig.build.json')) as { extends: string }).extends.replace(/^\.\//, '');
    expect(sources).toEqual(expect.arrayContaining(['tsconfig.build.json', extended, 'src', 'web', 'migrations', 'package.json', 'package-lock.json']));
    // and what must stay out does
    for (const out of ['.git', 'node_modules', 'web/node_modules', 'dist', 'web/dist', 'data', 'test']) expect(ignoredByDockerignore(out, patterns), out).toBe(true);
    expect(ignoredByDockerignore('web/test/client.test.ts', patterns), 'web/test (type-checked by build:web)').toBe(false);
  });

  it('copies from the build stage only what it makes, and runs what it copied', () => {
    const made = new Set(['/app/node_modules']); // npm ci
    made.add(path.posix.join('/app', (JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir)); // npm run build
    made.add(path.posix.join('/app/web', /outDir:\s*'([^']+)'/.exec(read('web/vite.config.ts'))![1]!)); // npm run build:web
    const fromBuild = all(final, 'COPY').map(copyOf).filter((c) => c.from !== null);
    expect(fromBuild.every((c) => c.from === 'build')).toBe(true);
    for (const source of fromBuild.flatMap((c) => c.sources)) expect([...made].some((m) => source === m || source.startsWith(`${m}/`)), source).toBe(true);
    const finalPaths = all(final, 'COPY').map(copyOf).map((c) => c.dest.replace(/^\.\//, ''));
    // The server finds migrations/ and web/dist beside package.json, walking up from dist/src.
    expect(finalPaths).toEqual(expect.arrayContaining(['dist/src', 'web/dist', 'migrations']));
    const cmd = JSON.parse(one(final, 'CMD').args) as string[];
    expect(cmd).toEqual(['node', 'dist/src/main.js']);
    expect(fs.existsSync(path.join(root, cmd[1]!)), 'npm run build makes it').toBe(true);
  });

  it('runs only scripts package.json has', () => {
    const scripts = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(Object.keys(packageJson.scripts), s).toContain(s);
  });

  it('needs at run time only production dependencies', () => {
    const imported = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.js')) {
          for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm)) {
            const specifier = m[1] ?? m[2] ?? m[3]!;
            if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
            imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
          }
        }
      }
    };
    walk(path.join(root, 'dist/src'));
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in packageJson.dependencies)).sort()).toEqual([]);
  });

  describe('its HEALTHCHECK, run as Docker runs it', () => {
    let server: ServerProcess;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punchcard-healthcheck-'));
      server = await startServer({ databaseUrl: null, dataDir });
    });
    afterAll(async () => {
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const healthcheck = () => {
      const m = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(one(final, 'HEALTHCHECK').args);
      expect(m, 'HEALTHCHECK [options] CMD [exec form]').not.toBeNull();
      const options = Object.fromEntries([...m![1]!.matchAll(/--([a-z-]+)=(\S+)/g)].map((o) => [o[1]!, o[2]!]));
      return { options, command: JSON.parse(m![2]!) as string[] };
    };
    const run = (port: number) => {
      const { command } = healthcheck();
      expect(command[0]).toBe('node'); // the slim image has no curl or wget
      return spawnSync(process.execPath, command.slice(1), { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 }).status;
    };

    it('asks /readyz, with a start period for the workers to come up', () => {
      const { options, command } = healthcheck();
      expect(command.join(' ')).toContain('/readyz');
      expect(Object.keys(options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    });

    it('passes against a ready server', () => {
      expect(run(Number(new URL(server.url).port))).toBe(0);
    });

    it('fails when nothing answers', async () => {
      expect(run(await freePort())).toBe(1);
    });
  });
});

describe('compose.yaml', () => {
  const document = parseDocument(read('compose.yaml'), { prettyErrors: true, uniqueKeys: true });
  const compose = document.toJS() as {
    services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] }; ports?: string[]; init?: boolean }>;
  };
  const app = compose.services.app!;
  const withKey = { PUNCHCARD_MASTER_KEY: 'compose-test-master-key-0123' };

  it('parses as YAML without errors or warnings', () => {
    expect(document.errors.map(String)).toEqual([]);
    expect(document.warnings.map(String)).toEqual([]);
  });

  it('runs the app built from the Dockerfile, PostgreSQL 15 and Redis 7', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres', 'redis']);
    expect(app.build).toBe('.');
    expect(compose.services.postgres!.image).toBe('postgres:15');
    expect(compose.services.redis!.image).toBe('redis:7');
    expect(app.init).toBe(true);
    expect(app.ports).toEqual(['8080:8080', '8081:8081']);
  });

  it('starts the app once PostgreSQL and Redis pass their healthchecks; the app has the image’s', () => {
    expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(compose.services.postgres!.healthcheck!.test).toEqual(['CMD-SHELL', 'pg_isready -U punchcard -d punchcard']);
    expect(compose.services.redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(app.healthcheck).toBeUndefined(); // the Dockerfile's HEALTHCHECK on /readyz applies
  });

  it('gives the app an environment the server accepts: PostgreSQL and Redis by service name, the master key from the caller', () => {
    const environment = Object.fromEntries(Object.entries(app.environment!).map(([k, v]) => [k, interpolate(String(v), withKey)]));
    const { config, names } = configReading(environment);
    expect(Object.keys(environment).filter((name) => !names.has(name))).toEqual([]);
    const postgres = compose.services.postgres!.environment!;
    expect(config.databaseUrl).toBe(
      `postgres://${postgres.POSTGRES_USER}:${interpolate(postgres.POSTGRES_PASSWORD!, withKey)}@postgres:5432/${postgres.POSTGRES_DB}`,
    );
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.masterKey).toBe(withKey.PUNCHCARD_MASTER_KEY);
    expect(config.workers).toBe(2);
    // A password set by the caller reaches both sides.
    const secret = { ...withKey, POSTGRES_PASSWORD: 's3cret' };
    expect(interpolate(app.environment!.DATABASE_URL!, secret)).toContain(':s3cret@postgres:');
    expect(interpolate(postgres.POSTGRES_PASSWORD!, secret)).toBe('s3cret');
  });

  it('refuses to start without PUNCHCARD_MASTER_KEY', () => {
    expect(() => interpolate(app.environment!.PUNCHCARD_MASTER_KEY!, {})).toThrow(/PUNCHCARD_MASTER_KEY/);
  });
});

describe('docs/deployment.md', () => {
  it('describes every variable the server reads, and no other', () => {
    const doc = read('docs/deployment.md');
    const table = doc.slice(doc.indexOf('## Every variable'));
    const documented = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!).sort();
    const { names } = configReading({});
    expect(documented).toEqual([...names].sort());
  });
});
