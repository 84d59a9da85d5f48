// How big one `logs` frame may get: the daemon cuts its batches here, clients may rely on it.
export const LOGS_FRAME_MAX_LINES = 1000;
/** Line text per frame (UTF-16 code units, as JSON will carry them), about 256 KiB. */
export const LOGS_FRAME_MAX_BYTES = 256 * 1024;
