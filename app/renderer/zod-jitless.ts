// Imported first by main.tsx, before any module that builds a schema. zod decides whether to
// compile a parser with `new Function` when an object schema is built, not when it parses, and
// probes for it with `new Function('')`: under the dashboard's CSP (no 'unsafe-eval') that probe
// logs a violation at every start. ES modules run their imports in order, so a `z.config` in
// main.tsx's own body came after the contract's schemas were built, too late.
import { z } from 'zod';

z.config({ jitless: true });
