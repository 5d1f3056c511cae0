// Waiting times per program, from every episode of care's dates: how many wait now and for
// how long, how long it took to reach intake and treatment, and to the first and second
// attended appointments (the "hidden wait" between them). Counts and days only.
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { problemToFormErrors } from '../problem';
import type { Items, ProgramWaits } from '../types';
import { useGet } from '../useApi';

/** "12 days", "1 day", "4.5 days", or "–" when there is nothing to measure. */
export function daysWords(d: number | null): string {
  if (d === null) return '–';
  return `${d} ${d === 1 ? 'day' : 'days'}`;
}

export function WaitsPage() {
  const waits = useGet<Items<ProgramWaits>>('/api/v1/episodes/waits');
  return (
    <>
      <PageHeading title="Waiting times" />
      <p class="muted">From the dates recorded on each episode of care — referral, intake (the first assessment) and the start of treatment — and from the appointments attended. The wait between the first and the second appointment is the one people often do not see.</p>
      {waits.loading && !waits.data ? <Loading what="Loading waiting times" /> : null}
      {waits.error ? <ErrorMessage message={problemToFormErrors(waits.error.problem).summary} /> : null}
      {waits.data && waits.data.items.length === 0 ? <p>No referrals recorded yet.</p> : null}
      {waits.data && waits.data.items.length > 0 ? (
        <div class="table-wrap" role="region" aria-label="Waiting times (table)" tabIndex={0}>
          <table class="table waits">
            <caption class="visually-hidden">Waiting times by program</caption>
            <thead>
              <tr>
                <th scope="col">Program</th>
                <th scope="col">Waiting now</th>
                <th scope="col">Waited so far (median, longest)</th>
                <th scope="col">Referral to intake (median, 90th centile)</th>
                <th scope="col">Intake to treatment (median)</th>
                <th scope="col">Referral to treatment (median)</th>
                <th scope="col">Referral to first appointment (median, 90th centile)</th>
                <th scope="col">First to second appointment (median, 90th centile)</th>
              </tr>
            </thead>
            <tbody>
              {waits.data.items.map((w) => (
                <tr key={w.program}>
                  <th scope="row">{w.program}</th>
                  <td>{w.waiting_now}</td>
                  <td>
                    {daysWords(w.waiting_now_median_days)}, {daysWords(w.waiting_now_longest_days)}
                  </td>
                  <td>
                    {daysWords(w.referral_to_intake_median_days)}, {daysWords(w.referral_to_intake_p90_days)} <span class="muted">({w.reached_intake} seen)</span>
                  </td>
                  <td>{daysWords(w.intake_to_treatment_median_days)}</td>
                  <td>
                    {daysWords(w.referral_to_treatment_median_days)} <span class="muted">({w.reached_treatment} started)</span>
                  </td>
                  <td>
                    {daysWords(w.referral_to_first_median_days)}, {daysWords(w.referral_to_first_p90_days)} <span class="muted">({w.seen_once} seen)</span>
                  </td>
                  <td>
                    {daysWords(w.first_to_second_median_days)}, {daysWords(w.first_to_second_p90_days)} <span class="muted">({w.seen_twice} seen twice)</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
