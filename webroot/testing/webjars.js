// Lets tests import the browser's third-party libraries by their bare names ('marked', 'dompurify', ...), resolved as
// the browser resolves them: index.html's import map names a WebJar file (/webjars/<name>/<version>/<path>); here
// that file is read from the WebJar in the local Maven repository (the Maven build resolves them before the tests
// run). `replace` names modules to use instead of a library (one that needs a DOM Node does not have).

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readJarEntry } from './jar.js';

const WEBROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The import map of index.html: specifier -> URL path. */
export function importMap() {
  const page = readFileSync(join(WEBROOT, 'index.html'), 'utf8');
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page);
  if (!map) {
    throw new Error('index.html has no import map');
  }
  return JSON.parse(map[1]).imports;
}

function mavenRepository() {
  return process.env.OCOMMS_MAVEN_REPOSITORY || join(homedir(), '.m2', 'repository');
}

/** A file of a WebJar (`/webjars/<name>/<version>/<path>`), extracted once to a temporary directory; its file URL. */
export function webJarFile(urlPath) {
  const match = /^\/webjars\/([^/]+)\/([^/]+)\/(.+)$/.exec(urlPath);
  if (!match) {
    throw new Error(`not a WebJar path: ${urlPath}`);
  }
  const [, name, version, path] = match;
  const target = join(tmpdir(), 'ocomms-webjars', name, version, path);
  if (!existsSync(target)) {
    const jar = join(mavenRepository(), 'org', 'webjars', 'npm', name, version, `${name}-${version}.jar`);
    const bytes = readJarEntry(jar, `META-INF/resources/webjars/${name}/${version}/${path}`);
    mkdirSync(dirname(target), { recursive: true });
    // Test files run in parallel processes: each writes its own copy and moves it in place whole.
    const partial = `${target}.${process.pid}`;
    writeFileSync(partial, bytes);
    renameSync(partial, target);
  }
  return pathToFileURL(target).href;
}

let registered = false;

/** Makes bare imports of the import map's libraries work in this process (call before importing the module). */
export function useWebJars({ replace = {} } = {}) {
  if (registered) {
    return;
  }
  registered = true;
  const imports = {};
  Object.entries(importMap()).forEach(([specifier, urlPath]) => {
    imports[specifier] = replace[specifier] || webJarFile(urlPath);
  });
  register(new URL('./webjar-hooks.js', import.meta.url), { data: { imports } });
}
