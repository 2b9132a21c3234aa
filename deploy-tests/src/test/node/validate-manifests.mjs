// Validates rendered Kubernetes manifests (multi-document YAML on stdin) against the OpenAPI schemas that
// npm's kubernetes-models, @kubernetes-models/keda and @kubernetes-models/prometheus-operator are generated
// from. Every object must have a known apiVersion/kind; prints one line per object, exits 1 on any error.
// Usage: NODE_PATH=<dir with node_modules> node validate-manifests.mjs < rendered.yaml
import { createRequire } from "node:module";
import path from "node:path";
import fs from "node:fs";

const modules = process.env.PROMPTLOOP_K8S_MODELS;
const require = createRequire(path.join(modules, "node_modules", "x.js"));
const YAML = require("yaml");

const packages = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function modelOf(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = packages[group] ?? "kubernetes-models";
  const file = path.join(modules, "node_modules", pkg, apiVersion, kind + ".js");
  if (!fs.existsSync(file)) {
    throw new Error(`no schema for ${apiVersion} ${kind} in ${pkg}`);
  }
  const module = await import(file);
  return module[kind];
}

const input = fs.readFileSync(0, "utf8");
let failures = 0;
let count = 0;
for (const doc of YAML.parseAllDocuments(input)) {
  const object = doc.toJS();
  if (!object) continue;
  count++;
  const name = `${object.apiVersion} ${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
  try {
    const Model = await modelOf(object.apiVersion, object.kind);
    new Model(object).validate();
    console.log(`ok      ${name}`);
  } catch (e) {
    failures++;
    console.log(`INVALID ${name}: ${e.message}`);
  }
}
console.log(`${count} objects, ${failures} invalid`);
process.exit(failures > 0 || count === 0 ? 1 : 0);
