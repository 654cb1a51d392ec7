#!/usr/bin/env node
// The tinyforge CLI. Runs the compiled runner (npm run build / tsc -b makes dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
