// A tiny typed fan-out for event frames. A throwing listener is dropped from that emit only.
import type { EventFrame } from '../../shared/index.ts';

export type FrameListener = (frame: EventFrame) => void;

export interface FrameBus {
  emit(frame: EventFrame): void;
  subscribe(listener: FrameListener): () => void;
  listenerCount(): number;
}

export function createFrameBus(onListenerError?: (e: unknown) => void): FrameBus {
  const listeners = new Set<FrameListener>();
  return {
    emit(frame) {
      for (const l of listeners) {
        try {
          l(frame);
        } catch (e) {
          onListenerError?.(e);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listenerCount: () => listeners.size,
  };
}
