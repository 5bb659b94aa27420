// The editor and CI files, read by the code of the tools that read them:
//
//   .vscode/tasks.json          VS Code's own tasks schema (version 2.0.0, from
//                               VS Code's sources as published on npm), checked by
//                               VS Code's own JSON validator
//   .vscode/extensions.json     VS Code's extensions.json schema, same validator
//   .vscode/settings.json       the same validator, for syntax (a settings schema
//                               is assembled from every installed extension)
//   .devcontainer/devcontainer.json
//                               the Dev Containers CLI's `read-configuration`, and
//                               the specification's properties that this tree uses
//   .github/classroom/racelings.yml
//                               GitHub's workflow parser (@actions/workflow-parser)
//
//   node check_editor_files.mjs ROOT
//
// Prints one line per file and "N passed, N failed"; exits 1 on any problem.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';

// GitHub's parser imports its schema as a bare JSON module (written for
// bundlers); Node wants the JSON type said.
register('./json_modules.mjs', import.meta.url);

const jsonService = (await import('vscode-json-languageservice')).default;
const tasksSchema = (await import(
  '@codingame/monaco-vscode-task-service-override/vscode/vs/workbench/contrib/tasks/common/jsonSchema_v2')).default;
const { ExtensionsConfigurationSchema } = await import(
  '@codingame/monaco-vscode-api/vscode/vs/workbench/contrib/extensions/common/extensionsFileTemplate');
const workflows = await import('@actions/workflow-parser');

const root = path.resolve(process.argv[2] ?? '.');
const here = path.dirname(new URL(import.meta.url).pathname);

// VS Code's validator as VS Code configures it for these files: comments
// allowed, trailing commas an error.
async function vscodeProblems(file, schema) {
  const service = jsonService.getLanguageService({});
  service.configure({
    validate: true,
    allowComments: true,
    schemas: schema ? [{ uri: 'vscode://schemas/racelings-check', fileMatch: ['*'], schema }] : [],
  });
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const document = jsonService.TextDocument.create(`file://${path.join(root, file)}`, 'jsonc', 1, text);
  const diagnostics = await service.doValidation(document, service.parseJSONDocument(document),
    { comments: 'ignore', trailingCommas: 'error' });
  return diagnostics.map((d) => `${file}:${d.range.start.line + 1}: ${d.message}`);
}

// The Dev Containers specification's properties for a Dockerfile-based
// container (containers.dev, devContainer.base.schema.json), as far as this
// tree uses them; any other top-level key is a typo. The CLI below reads the
// file as Codespaces and VS Code do, but does not validate it.
const devcontainerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['build'],
  properties: {
    name: { type: 'string' },
    build: {
      type: 'object',
      additionalProperties: false,
      required: ['dockerfile'],
      properties: { dockerfile: { type: 'string' }, context: { type: 'string' },
        args: { type: 'object', additionalProperties: { type: 'string' } }, target: { type: 'string' } },
    },
    remoteUser: { type: 'string' },
    containerUser: { type: 'string' },
    containerEnv: { type: 'object', additionalProperties: { type: 'string' } },
    remoteEnv: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    runArgs: { type: 'array', items: { type: 'string' } },
    onCreateCommand: { type: ['string', 'array', 'object'] },
    postCreateCommand: { type: ['string', 'array', 'object'] },
    postStartCommand: { type: ['string', 'array', 'object'] },
    customizations: {
      type: 'object',
      properties: {
        vscode: {
          type: 'object',
          additionalProperties: false,
          properties: { extensions: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+\\.[a-z0-9-]+$' } },
            settings: { type: 'object' } },
        },
      },
    },
    hostRequirements: {
      type: 'object',
      additionalProperties: false,
      properties: { cpus: { type: 'integer', minimum: 1 }, memory: { type: 'string', pattern: '^\\d+([tgmk]b)?$' },
        storage: { type: 'string', pattern: '^\\d+([tgmk]b)?$' } },
    },
  },
};

// Codespaces and VS Code read the file through this CLI's code. It looks for
// a running container first: a stand-in `docker` that knows of none.
function devcontainerProblems(file) {
  const cli = path.join(here, 'node_modules', '@devcontainers', 'cli', 'devcontainer.js');
  const noDocker = path.join(fs.mkdtempSync('/tmp/racelings-nodocker-'), 'docker');
  fs.writeFileSync(noDocker, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  try {
    const out = execFileSync(process.execPath, [cli, 'read-configuration', '--workspace-folder', root,
      '--config', path.join(root, file), '--docker-path', noDocker], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const config = JSON.parse(out).configuration;
    const dockerfile = path.join(root, path.dirname(file), config.build.dockerfile);
    return fs.existsSync(dockerfile) ? [] : [`${file}: build.dockerfile names no file (${dockerfile})`];
  } catch (e) {
    return [`${file}: the Dev Containers CLI could not read it: ${(e.stderr || e.message).trim().split('\n').pop()}`];
  } finally {
    fs.rmSync(path.dirname(noDocker), { recursive: true, force: true });
  }
}

async function workflowProblems(file) {
  const content = fs.readFileSync(path.join(root, file), 'utf8');
  const parsed = workflows.parseWorkflow({ name: file, content }, new workflows.NoOperationTraceWriter());
  const template = await workflows.convertWorkflowTemplate(parsed.context, parsed.value);
  const messages = parsed.context.errors.getErrors().map((e) => e.message);
  for (const e of template.errors ?? []) messages.push(e.Message);
  return [...new Set(messages)];
}

const checks = [
  ['.vscode/tasks.json', () => vscodeProblems('.vscode/tasks.json', tasksSchema)],
  ['.vscode/extensions.json', () => vscodeProblems('.vscode/extensions.json', ExtensionsConfigurationSchema)],
  ['.vscode/settings.json', () => vscodeProblems('.vscode/settings.json', null)],
  ['.devcontainer/devcontainer.json', async () => [
    ...await vscodeProblems('.devcontainer/devcontainer.json', devcontainerSchema),
    ...devcontainerProblems('.devcontainer/devcontainer.json')]],
  ['.github/classroom/racelings.yml', () => workflowProblems('.github/classroom/racelings.yml')],
];

let failed = 0;
for (const [file, check] of checks) {
  const problems = await check();
  failed += problems.length > 0 ? 1 : 0;
  console.log(`${problems.length ? 'FAIL' : 'ok  '}  ${file}`);
  for (const p of problems) console.log(`      ${p}`);
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
