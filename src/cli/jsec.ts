#!/usr/bin/env node
/**
 * The `jsec` executable (the package `bin`).
 *
 * @module
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
