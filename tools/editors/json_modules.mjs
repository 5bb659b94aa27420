// A Node.js module hook: `import x from "./file.json"` without an import
// attribute (as @actions/workflow-parser writes it) loads as JSON.
export async function load(url, context, nextLoad) {
  if (url.endsWith('.json')) return nextLoad(url, { ...context, importAttributes: { type: 'json' } });
  return nextLoad(url, context);
}
