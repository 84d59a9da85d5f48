// pipedai-api client and what sits directly on it: enrollment and worker event streams.
export { ApiClient, DEFAULT_TIMEOUTS } from './client.ts';
export type {
  ApiClientOptions,
  ApiTimeouts,
  CallOptions,
  WorkerList,
  WorkerTarget,
} from './client.ts';
export { ApiError, isApiError } from './errors.ts';
export type { ApiErrorKind } from './errors.ts';
export { USER_AGENT } from './request.ts';
export { SseParser, DEFAULT_SSE_LIMITS } from './sse.ts';
export type { SseEvent, SseLimits, SseStats } from './sse.ts';
export {
  EventStreams,
  openWorkerEventStream,
  lastEventOf,
  DEFAULT_STREAM_POLICY,
} from './event-streams.ts';
export type {
  EventStreamsOptions,
  StreamEnd,
  StreamPhase,
  StreamPolicy,
  StreamState,
  StreamTarget,
  WorkerStreamOptions,
} from './event-streams.ts';
export { PairingError, redeemEnrollmentCode, startDevicePairing } from './pairing.ts';
export type {
  DevicePairing,
  DevicePairingOptions,
  EnrollmentClient,
  HostInfo,
  PairingFailure,
} from './pairing.ts';
export { sleep } from './sleep.ts';
export type { Sleep } from './sleep.ts';
