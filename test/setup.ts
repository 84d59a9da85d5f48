import { vi } from 'vitest';

// A stray `import 'electron'` under Node would try to download a binary: fail loudly instead.
vi.mock('electron', () => {
  throw new Error('electron must not be imported outside app/main/shell tests that mock it');
});
