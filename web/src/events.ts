// Live events (GET /api/v1/events, server-sent events). One EventSource while signed in;
// screens subscribe to the event types they care about and reload through the API, since
// events carry only ids and states.

export interface ClientEvent {
  client_id: string;
  version?: number;
}

type Handler = (data: Record<string, unknown>) => void;

const eventTypes = [
  'client.updated',
  'client.archived',
  'client.restored',
  'client.break_glass',
  'assessment.scored',
  'crisis.alert',
  'crisis.updated',
  'crisis.delivery_failed',
  'crisis.follow_up_due',
  'message.new',
  'message.read',
] as const;

export type EventType = (typeof eventTypes)[number];
const handlers = new Map<string, Set<Handler>>();
let source: EventSource | null = null;

function dispatch(type: string, raw: string) {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return;
  }
  for (const h of handlers.get(type) ?? []) h(data);
}

/** Opens the stream (once). The browser reconnects by itself, sending Last-Event-ID. */
export function openEvents() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  for (const type of eventTypes) {
    source.addEventListener(type, (e) => dispatch(type, (e as MessageEvent<string>).data));
  }
}

export function closeEvents() {
  source?.close();
  source = null;
}

/** For tests: delivers an event as if the stream had sent it. */
export function emitForTest(type: EventType, data: Record<string, unknown>) {
  dispatch(type, JSON.stringify(data));
}

/** Calls `handler` for each event of `type`; returns the unsubscribe function. */
export function onEvent(type: EventType, handler: Handler): () => void {
  let set = handlers.get(type);
  if (!set) handlers.set(type, (set = new Set()));
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}
