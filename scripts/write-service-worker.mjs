// The second step of the Trunk post_build hook (scripts/post-build.mjs, after
// strip-wasm-names.mjs): writes dist/sw.js from pwa/sw.js with the list of every file of the
// build to precache and a version that is the hash of their contents, so any change to the
// build is a new service worker. The WebGPU module (webgpu/) counts for the version but is not
// precached: only browsers that use WebGPU fetch it, and the service worker keeps it then.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

async function files(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
const paths = (await files(staging))
  .map((path) => relative(staging, path).split(sep).join('/'))
  .filter((path) => path !== 'sw.js')
  .sort();
const hash = createHash('sha256');
for (const path of paths) {
  hash.update(path);
  hash.update(await readFile(join(staging, path)));
}
const version = hash.digest('hex').slice(0, 16);
// './' is the shell every navigation gets; the rest by their paths.
const lazy = 'webgpu/';
const precache = ['./', ...paths.filter((p) => p !== 'index.html' && !p.startsWith(lazy))];
const template = await readFile(join(source, 'pwa', 'sw.js'), 'utf8');
const worker = template.replace("'__VERSION__'", JSON.stringify(version)).replace('__PRECACHE__', JSON.stringify(precache, null, 2))
  .replace("'__LAZY__'", JSON.stringify(lazy));
await writeFile(join(staging, 'sw.js'), worker);
console.log(`sw.js: version ${version}, ${precache.length} files to precache`);
