// What a client sees after sending a questionnaire: plain words, no scores language. When an
// answer needs someone to follow up (a critical flag, such as PHQ-9 item 9), it says so kindly
// and says where to get help now; it never stops at "thank you".
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  /** The band's words for the client, when the service shows them. */
  clientText?: string | null;
  needsFollowUp: boolean;
  /** Who will follow up: "your care team" (portal) or "the service" (a link). */
  who: string;
  children?: ComponentChildren;
}

export function ClientThanks({ clientText, needsFollowUp, who, children }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="thanks" aria-labelledby="thanks-heading">
      {needsFollowUp ? (
        <>
          <h2 id="thanks-heading" tabIndex={-1} ref={heading}>
            Thank you. Someone will be in touch.
          </h2>
          <div class="card card--urgent follow-up">
            <p>
              Thank you for answering honestly. Some of your answers tell us you may be going through a very hard time, so someone from {who} will contact
              you soon to see how you are.
            </p>
            <p>
              <strong>If you are in danger now</strong>, or you might act on thoughts of hurting yourself, call your local emergency number. In the US you
              can call or text <a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline) at any time.
            </p>
          </div>
        </>
      ) : (
        <>
          <h2 id="thanks-heading" tabIndex={-1} ref={heading}>
            Thank you. Your answers have been sent.
          </h2>
          <p>{who === 'your care team' ? 'Your care team' : 'The service'} will look at them and can talk them through with you.</p>
        </>
      )}
      {clientText ? <p class="client-text">{clientText}</p> : null}
      {children}
    </section>
  );
}
