#!/usr/bin/env node
// The `autopilot` command. Node 24 runs the TypeScript sources directly (type stripping), so this
// launcher only loads them; main.ts reads process.argv and sets the exit code.
import '../src/main.ts';
