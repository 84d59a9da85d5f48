// The manifest (§4.2): which workers this host runs. Every change is one serialized
// read-modify-write, validated, so a concurrent CLI and daemon never lose each other's edits.
import { CommandError, describeZodError, firstField } from '../../../shared/errors.ts';
import { Manifest, ManifestEntry } from '../../../shared/state.ts';
import type { DesiredState } from '../../../shared/state.ts';
import { JsonFile } from './json-file.ts';

/** Fields `update` may change: everything but the id. */
export type ManifestPatch = Partial<Omit<ManifestEntry, 'id'>>;

export const emptyManifest = (): Manifest => ({ version: 1, workers: [] });

export class ManifestStore {
  readonly file: JsonFile<Manifest>;

  constructor(path: string) {
    this.file = new JsonFile(path, Manifest, { empty: emptyManifest });
  }

  async list(): Promise<ManifestEntry[]> {
    return (await this.file.read()).workers;
  }

  async get(id: string): Promise<ManifestEntry | null> {
    return (await this.list()).find((w) => w.id === id) ?? null;
  }

  /** Rejects a duplicate id or configPath (the same worker must never be supervised twice). */
  async add(entry: ManifestEntry): Promise<ManifestEntry> {
    const parsed = parseEntry(entry);
    await this.file.update((m) => {
      if (m.workers.some((w) => w.id === parsed.id)) {
        throw new CommandError('conflict', `worker ${parsed.id} is already in the manifest`, 'id');
      }
      assertConfigPathFree(m, parsed.configPath, null);
      return { ...m, workers: [...m.workers, parsed] };
    });
    return parsed;
  }

  /** Changes fields of one entry; the id stays (an `id` in the patch is an error). */
  async update(id: string, patch: ManifestPatch): Promise<ManifestEntry> {
    if (Object.hasOwn(patch, 'id') && Reflect.get(patch, 'id') !== id) {
      throw new CommandError('bad-request', `the id of worker ${id} cannot change`, 'id');
    }
    const manifest = await this.file.update((m) => {
      const current = m.workers.find((w) => w.id === id);
      if (!current) throw notFound(id);
      const next = parseEntry({ ...current, ...patch, id });
      assertConfigPathFree(m, next.configPath, id);
      return { ...m, workers: m.workers.map((w) => (w.id === id ? next : w)) };
    });
    const updated = manifest.workers.find((w) => w.id === id);
    // Stryker disable next-line ConditionalExpression: the update threw not-found already; the entry is in what it wrote
    if (!updated) throw notFound(id);
    return updated;
  }

  /** Whether the entry existed. */
  async remove(id: string): Promise<boolean> {
    // Stryker disable next-line BooleanLiteral: the mutation always sets it before it is read (a failed update throws)
    let existed = false;
    await this.file.update((m) => {
      existed = m.workers.some((w) => w.id === id);
      return existed ? { ...m, workers: m.workers.filter((w) => w.id !== id) } : m;
    });
    return existed;
  }

  setDesiredState(id: string, desiredState: DesiredState): Promise<ManifestEntry> {
    return this.update(id, { desiredState });
  }
}

/** Unknown keys stripped; a bad field is a 400 naming it. */
function parseEntry(value: unknown): ManifestEntry {
  const parsed = ManifestEntry.safeParse(value);
  if (!parsed.success) {
    throw new CommandError(
      'bad-request',
      `invalid manifest entry: ${describeZodError(parsed.error)}`,
      firstField(parsed.error),
    );
  }
  return parsed.data;
}

function assertConfigPathFree(m: Manifest, configPath: string, exceptId: string | null): void {
  const other = m.workers.find((w) => w.configPath === configPath && w.id !== exceptId);
  if (other) {
    throw new CommandError(
      'conflict',
      `config ${configPath} is already used by worker ${other.id}`,
      'configPath',
    );
  }
}

function notFound(id: string): CommandError {
  return new CommandError('not-found', `no worker ${id} in the manifest`, 'id');
}
