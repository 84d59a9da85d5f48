// The daemon's state store: the manifest and credentials files of one PIPEDAI_HOME.
import type { Paths } from '../paths.ts';
import { CredentialsStore } from './credentials.ts';
import { ManifestStore } from './manifest.ts';

export interface Store {
  readonly manifest: ManifestStore;
  readonly credentials: CredentialsStore;
  readonly paths: Paths;
}

export function openStore(paths: Paths): Store {
  return {
    manifest: new ManifestStore(paths.manifest),
    credentials: new CredentialsStore(paths.credentials),
    paths,
  };
}

export { CredentialsStore, newLocalToken } from './credentials.ts';
export { ManifestStore, emptyManifest, type ManifestPatch } from './manifest.ts';
export { ConnectWorkerConfig, readWorkerConfig, writeWorkerConfig } from './worker-config.ts';
export {
  JsonFile,
  LockTimeoutError,
  StateFileError,
  ensureDir,
  writeFileAtomic,
  type JsonFileOptions,
} from './json-file.ts';
