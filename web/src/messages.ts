// Secure messages in the web app: the API's shapes, the checks made before sending, receipts
// and office hours in words, and the live updates (message.new, message.read events carry ids
// only; screens reload through the API).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { onEvent } from './events';
import { formatDateTime } from './format';
import { noErrors, problemToFormErrors, type FormErrors } from './problem';
import type { CrisisResources } from './types';

export interface MessageReceipt {
  user_id: string;
  name: string;
  role: 'client' | 'staff';
  read_at: string;
}

/** One message. The client's view has read_by_care_team_at (their own) or read_at (to them);
 *  the staff view has reads. An automatic reply has no sender and carries the crisis lines. */
export interface MessageItem {
  id: string;
  seq: number;
  kind: 'message' | 'auto_reply';
  body: string;
  created_at: string;
  sender: { id: string; name: string; role: 'client' | 'staff' } | null;
  opens_at?: string;
  crisis_resources?: CrisisResources;
  read_by_care_team_at?: string | null;
  read_at?: string | null;
  reads?: MessageReceipt[];
}

export interface MessageThread {
  id: string;
  client_id: string;
  kind: 'client' | 'staff';
  subject: string;
  created_by: { id: string; name: string };
  created_at: string;
  last_message_at: string;
  message_count: number;
  unread: number;
  client_name?: string;
  staff_only?: boolean;
  messages?: MessageItem[];
}

/** GET /api/v1/office-hours */
export interface OfficeHours {
  open: boolean;
  hours: string;
  time_zone: string;
  next_opening: string | null;
  next_opening_words: string;
}

export const myThreadsPath = '/api/v1/me/threads';
export const inboxPath = '/api/v1/inbox';
export const officeHoursPath = '/api/v1/office-hours';
export const unreadPath = '/api/v1/messages/unread';
export const subjectMax = 120;
export const bodyMax = 5000;

/** Characters as the server counts them (code points). */
export function characters(text: string): number {
  return Array.from(text).length;
}

/** The same checks the server makes, so a person hears at once what to change. */
export function checkMessage(v: { subject?: string; body: string }): FormErrors {
  const fields: Record<string, string> = {};
  if (v.subject !== undefined) {
    const s = v.subject.trim();
    if (!s) fields.subject = 'Write a subject.';
    else if (characters(s) > subjectMax) fields.subject = `Keep the subject to ${subjectMax} characters.`;
  }
  const b = v.body.trim();
  if (!b) fields.body = 'Write your message.';
  else if (characters(b) > bodyMax) fields.body = `Keep the message to ${bodyMax} characters (it has ${characters(b)}).`;
  const n = Object.keys(fields).length;
  return { summary: n ? 'Check the message: it cannot be sent yet.' : '', fields };
}

/** What the client reads under a message. */
export function clientReceiptWords(m: MessageItem): string {
  if (m.kind === 'auto_reply') return 'Automatic reply';
  if (m.sender?.role === 'client') {
    return m.read_by_care_team_at ? `Read by your care team at ${formatDateTime(m.read_by_care_team_at)}` : 'Sent · not read yet';
  }
  return `From ${m.sender?.name ?? 'your care team'}`;
}

/** What staff read under a message: who read it. */
export function staffReceiptWords(m: MessageItem): string {
  if (m.kind === 'auto_reply') return 'Automatic reply (sent outside office hours)';
  const reads = m.reads ?? [];
  if (!reads.length) return 'Not read yet';
  return `Read by ${reads.map((r) => `${r.role === 'client' ? 'the client' : r.name} at ${formatDateTime(r.read_at)}`).join(', ')}`;
}

/** The office-hours note shown before a client writes while the office is closed. */
export function closedWords(h: OfficeHours): string {
  const when = h.next_opening_words ? `, ${h.next_opening_words}` : '';
  return `The office is closed now. Your care team will read your message when it opens${when}. Messages are not watched outside office hours (${h.hours}).`;
}

/** Calls `reload` whenever a message arrives or is read (ids only come with the event). */
export function useMessageEvents(reload: () => void) {
  useEffect(() => {
    const offNew = onEvent('message.new', () => reload());
    const offRead = onEvent('message.read', () => reload());
    return () => {
      offNew();
      offRead();
    };
  }, [reload]);
}

/** Unread messages for the nav (GET /api/v1/messages/unread: a count, not audited). Live. */
export function useUnreadMessages(role: string | null, path: string): number {
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    if (!role) {
      setCount(0);
      return undefined;
    }
    const load = async () => {
      try {
        const r = await api.get<{ unread: number }>(unreadPath);
        if (live) setCount(r.unread);
      } catch {
        // the count is a convenience; the pages say what went wrong
      }
    };
    void load();
    return () => {
      live = false;
    };
  }, [role, path, tick]);
  useMessageEvents(useStableReload(setTick));
  return count;
}

function useStableReload(setTick: (f: (t: number) => number) => void): () => void {
  const [fn] = useState(() => () => setTick((t) => t + 1));
  return fn;
}

/** One conversation (`path`: /api/v1/me/threads/{id} or /api/v1/threads/{id}): opened as read,
 *  read again when a message arrives or is read, and its reply form. */
export function useConversation(path: string, onSent?: () => void) {
  const [thread, setThread] = useState<MessageThread | null>(null);
  const [loadError, setLoadError] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState('');

  const open = useCallback(() => {
    api
      .post<MessageThread>(`${path}/read`, {})
      .then((t) => {
        setThread(t);
        setLoadError('');
      })
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'Could not open the conversation.'));
  }, [path]);
  useEffect(open, [open]);
  useMessageEvents(open);

  const send = async (e: Event) => {
    e.preventDefault();
    setSaid('');
    const checked = checkMessage({ body });
    setErrors(checked);
    if (checked.summary) return;
    setBusy(true);
    try {
      setThread(await api.post<MessageThread>(`${path}/messages`, { body: body.trim() }));
      setBody('');
      setErrors(noErrors);
      setSaid('Sent.');
      onSent?.();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['body']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return { thread, loadError, body, setBody, errors, busy, said, send };
}
