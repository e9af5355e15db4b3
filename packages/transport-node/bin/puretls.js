#!/usr/bin/env node
// The puretls command. The implementation is compiled to dist/ by `tsc -b`.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
