// The problem matchers of .vscode/tasks.json on real checker output, matched
// as VS Code matches a two-line pattern (each line of the first regexp
// followed by a line of the second makes one problem), with JavaScript's
// regular expressions, which are VS Code's.
//
//   node problem_matcher_test.mjs ROOT TASK OUTPUT EXPECTED...
//
// TASK is a task's label; OUTPUT a file holding what the task's command
// printed; each EXPECTED is "file:line:code" (line "*" for any line in the
// file) and must be among the problems. For a background task (watch) the
// output must also contain its begin and end patterns, in that order.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';

const [root, label, outputFile, ...expected] = process.argv.slice(2);
const tasks = parse(fs.readFileSync(path.join(root, '.vscode/tasks.json'), 'utf8'));
const task = tasks.tasks.find((t) => t.label === label);
if (!task) throw new Error(`no task "${label}" in .vscode/tasks.json`);
const matcher = task.problemMatcher;
const [first, second] = matcher.pattern.map((p) => ({ ...p, re: new RegExp(p.regexp) }));
// A terminal's lines end in \r\n; VS Code splits them off before matching.
const lines = fs.readFileSync(outputFile, 'utf8').split(/\r?\n/);

const problems = [];
for (let i = 0; i + 1 < lines.length; ++i) {
  const head = first.re.exec(lines[i]);
  const where = head && second.re.exec(lines[i + 1]);
  if (!where) continue;
  problems.push({
    file: where[second.file], line: Number(where[second.line]),
    column: second.column && where[second.column] ? Number(where[second.column]) : 0,
    code: head[first.code], message: head[first.message],
  });
}

const failures = [];
for (const p of problems) {
  console.log(`  problem: ${p.file}:${p.line}:${p.column} [${p.code}] ${p.message}`);
  // fileLocation ["relative", "${workspaceFolder}"]: the path must name a file of the tree.
  const file = path.join(root, p.file);
  if (!fs.existsSync(file)) {
    failures.push(`${p.file} (from "${p.message}") is not a file of the tree`);
  } else if (p.line < 1 || p.line > fs.readFileSync(file, 'utf8').split('\n').length) {
    failures.push(`${p.file}:${p.line} is past the end of the file`);
  }
}
for (const want of expected) {
  const [file, line, code] = want.split(':');
  if (!problems.some((p) => p.file === file && (line === '*' || p.line === Number(line)) && p.code === code)) {
    failures.push(`no problem ${want}`);
  }
}
if (matcher.background) {
  const begin = lines.findIndex((l) => new RegExp(matcher.background.beginsPattern).test(l));
  const end = lines.findIndex((l, i) => i > begin && new RegExp(matcher.background.endsPattern).test(l));
  if (begin < 0 || end < 0) failures.push(`the output lacks the background begin (${begin}) or end (${end}) pattern`);
}
for (const f of failures) console.log(`FAIL  ${label}: ${f}`);
console.log(`${failures.length ? 'FAIL' : 'ok  '}  ${label}: ${problems.length} problems from ${path.basename(outputFile)}`);
process.exit(failures.length ? 1 : 0);
