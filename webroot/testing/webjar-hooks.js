// Module resolution hooks (run by Node's loader, see webjars.js): bare specifiers such as 'marked' resolve to the
// files the import map of index.html names, extracted from their WebJars.

let imports = {};

export function initialize(data) {
  imports = data.imports;
}

export function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(imports, specifier)) {
    return { url: imports[specifier], shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
