// Runs before each test file: stops whatever the file's helpers started once the file is done.
import { afterAll } from 'vitest';
import { runCleanups } from '../helpers/cleanup.js';

afterAll(runCleanups, 120_000);
