#!/usr/bin/env node
// Regenerates the "data" section (sample records) of presets/NAME/preset.json.
//
//   node presets/tools/gensamples.mjs            # all presets
//   node presets/tools/gensamples.mjs dealers    # one
//
// Everything else in preset.json (settings, roles, users, pipelines) is edited by hand and kept
// as it is; this script only replaces "data" and prints the file in one stable layout (short
// objects on one line, one sample record per line). The output is deterministic: running it
// twice gives the same file. See docs/presets.md for the format.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dealers } from './dealers.mjs';
import { eshop, logistics, cleaning, b2c } from './small.mjs';

const GENERATORS = { dealers, eshop, logistics, cleaning, b2c };
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Short values on one line, longer ones spread over lines with two-space indentation.
function layout(v, indent, used = 0, width = 110) {
  const flat = JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
  if (v === null || typeof v !== 'object' || indent.length + used + flat.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(v) && v.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'string'))) {
    // lists of pairs (transitions): as many per line as fit
    const lines = [];
    for (const x of v.map((y) => JSON.stringify(y).replace(/,/g, ', '))) {
      if (lines.length && inner.length + lines[lines.length - 1].length + x.length + 2 <= width) lines[lines.length - 1] += `, ${x}`;
      else lines.push(x);
    }
    return `[\n${lines.map((l) => inner + l).join(',\n')}\n${indent}]`;
  }
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + layout(x, inner)).join(',\n')}\n${indent}]`;
  return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${layout(x, inner, k.length + 4)}`).join(',\n')}\n${indent}}`;
}

function render(doc) {
  const { data, ...rest } = doc;
  let out = layout(rest, '');
  if (data) {
    const sections = Object.entries(data).map(([k, items]) =>
      `    ${JSON.stringify(k)}: [${items.length ? '\n' + items.map((x) => '      ' + JSON.stringify(x)).join(',\n') + '\n    ' : ''}]`);
    out = out.replace(/\n\}$/, `,\n  "data": {\n${sections.join(',\n')}\n  }\n}`);
  }
  return out + '\n';
}

const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(GENERATORS);
for (const name of names) {
  const gen = GENERATORS[name];
  if (!gen) {
    console.error(`no generator for preset "${name}"`);
    process.exit(2);
  }
  const path = join(root, name, 'preset.json');
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  doc.data = gen();
  writeFileSync(path, render(doc));
  const n = Object.entries(doc.data).map(([k, v]) => `${v.length} ${k}`).join(', ');
  console.log(`${name}: ${n}`);
}
