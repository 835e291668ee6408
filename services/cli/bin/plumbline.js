#!/usr/bin/env node
// `plumbline`: see services/cli/src/main.ts (built to dist/ by `pnpm build`).
require('../dist/main.js');
