import type { Implementation } from '../implementation';
import { eventwire, eventwireWeak } from './eventwire';
import { emittery, eventemitter3, mittPeer, nanoevents, nodeEvents, tseep } from './peers';
import { direct, plainLoop } from './references';

/** Every implementation, in report order. */
export const implementations: readonly Implementation[] = [
  eventwire, eventwireWeak, tseep, nanoevents, eventemitter3, nodeEvents, mittPeer, emittery, plainLoop, direct,
];
