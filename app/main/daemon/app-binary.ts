// Set by the desktop app's launcher (build/bin): the app's own binary, which starts the GUI. A
// leaf of its own so the CLI's entry can test for it without loading anything else.
export const APP_BINARY_ENV = 'PIPEDAI_APP_BINARY';
