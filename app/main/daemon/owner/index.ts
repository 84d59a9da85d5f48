export {
  HostOwnedError,
  acquireOwnership,
  readLiveOwner,
  type Ownership,
  type OwnershipOptions,
} from './ownership.ts';
export {
  isProcessAlive,
  processStartTime,
  processStartTimeFor,
  type ProcessInfoDeps,
  type ProcessStartTime,
} from './process-info.ts';
