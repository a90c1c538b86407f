// Preloaded into a spawned server (node --import) by tests: SIGUSR2 makes the process emit a Node
// warning, to check that warnings reach the log as JSON lines rather than free text on stderr.
process.on('SIGUSR2', () => process.emitWarning('test warning from SIGUSR2', { type: 'TestWarning', code: 'TEST_WARNING' }));
