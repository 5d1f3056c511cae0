import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cssrsItems, phq9 } from '../fixtures';
import type { Answer, Instrument } from '../types';
import { noQuestionnaireErrors, Questionnaire, type QuestionnaireErrors } from './Questionnaire';

afterEach(cleanup);

/** A tap: the pointer goes down on the answer, then the click. */
function tap(label: string | RegExp) {
  const radio = screen.getByRole('radio', { name: label });
  fireEvent.pointerDown(radio);
  fireEvent.click(radio);
}

function setup(instrument: Instrument, props: { intro?: boolean; errors?: QuestionnaireErrors } = {}) {
  const onSubmit = vi.fn<(answers: Answer[]) => void>();
  const view = render(
    <Questionnaire
      instrument={instrument}
      layout="one"
      intro={props.intro ? <p>About this questionnaire</p> : undefined}
      submitLabel="Send my answers"
      busy={false}
      errors={props.errors ?? noQuestionnaireErrors}
      onSubmit={onSubmit}
    />,
  );
  return { onSubmit, view };
}

const heading = () => screen.getByRole('heading', { level: 2 }).textContent;
const question = () => document.querySelector('legend')?.textContent ?? '';

describe('one item per screen', () => {
  it('shows progress, moves on when an answer is tapped, and sends what was chosen', async () => {
    const { onSubmit } = setup(phq9(), { intro: true });
    expect(heading()).toBe('Before you start');
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));

    expect(heading()).toBe('Question 1 of 3');
    expect(question()).toContain('Little interest or pleasure');
    expect(screen.getAllByRole('radio')).toHaveLength(4);
    // the new screen's heading has focus, for screen readers
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Question 1 of 3'));

    tap('Several days');
    expect(heading()).toBe('Question 2 of 3');
    expect(question()).toContain('Feeling down');
    tap('Not at all');
    expect(heading()).toBe('Question 3 of 3');
    tap('More than half the days');

    expect(heading()).toBe('Ready to send');
    expect(screen.getByText('You answered 3 of 3 questions.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    expect(onSubmit).toHaveBeenCalledWith([
      { linkId: 'q1', value: 1 },
      { linkId: 'q2', value: 0 },
      { linkId: 'q9', value: 2 },
    ]);
  });

  it('does not move on when the choice is made with the keyboard; Next does', () => {
    setup(phq9());
    const radio = screen.getByRole('radio', { name: 'Several days' });
    fireEvent.keyDown(radio, { key: 'ArrowDown' });
    fireEvent.click(radio); // arrow keys and Space change a radio group without a pointer
    expect(heading()).toBe('Question 1 of 3');
    expect((radio as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(heading()).toBe('Question 2 of 3');
  });

  it('asks for an answer before Next, beside the question', async () => {
    setup(phq9());
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(heading()).toBe('Question 1 of 3');
    const group = screen.getByRole('group');
    expect(group.textContent).toContain('Choose an answer.');
    const radios = screen.getAllByRole('radio');
    expect(radios[0].getAttribute('aria-invalid')).toBe('true');
    expect(group.getAttribute('aria-describedby')).toBe(document.querySelector('.field-error')!.id);
    await waitFor(() => expect(document.activeElement).toBe(radios[0]));
    // answering clears the message
    tap('Nearly every day');
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('group').textContent).not.toContain('Choose an answer.');
  });

  it('Back returns to the previous item with its answer kept; tapping it again moves on', () => {
    setup(phq9());
    expect(screen.queryByRole('button', { name: 'Back' })).toBeNull();
    tap('Several days');
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(heading()).toBe('Question 1 of 3');
    expect((screen.getByRole('radio', { name: 'Several days' }) as HTMLInputElement).checked).toBe(true);
    tap('Several days');
    expect(heading()).toBe('Question 2 of 3');
  });

  it('follows enableWhen: the count changes and hidden items are skipped and not sent', () => {
    const instrument = { ...phq9(), id: 'cssrs-screener', name: 'C-SSRS', items: cssrsItems() };
    const { onSubmit } = setup(instrument);
    expect(heading()).toBe('Question 1 of 3');
    tap('Yes');
    expect(heading()).toBe('Question 2 of 3');
    tap('Yes');
    // "Yes" to item 2 opens items 3–5
    expect(heading()).toBe('Question 3 of 6');
    expect(question()).toContain('Thought about how?');
    tap('No');
    tap('No');
    tap('No');
    expect(heading()).toBe('Question 6 of 6');
    // back to item 2 and change it to "No": 3–5 close again
    for (let i = 0; i < 4; i++) fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(question()).toContain('Thoughts of killing yourself?');
    tap('No');
    expect(heading()).toBe('Question 3 of 3');
    expect(question()).toContain('Done anything');
    tap('No');
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    expect(onSubmit).toHaveBeenCalledWith([
      { linkId: 'q1', value: 1 },
      { linkId: 'q2', value: 0 },
      { linkId: 'q6', value: 0 },
    ]);
  });

  it('goes to the item the server refused and shows its message there', async () => {
    const onSubmit = vi.fn();
    const props = { instrument: phq9(), layout: 'one' as const, submitLabel: 'Send', busy: false, onSubmit };
    const view = render(<Questionnaire {...props} errors={noQuestionnaireErrors} />);
    tap('Several days');
    tap('Several days');
    tap('Several days');
    expect(heading()).toBe('Ready to send');
    view.rerender(<Questionnaire {...props} errors={{ summary: 'Please correct the marked field.', items: { q2: 'Is not a valid answer' } }} />);
    await waitFor(() => expect(heading()).toBe('Question 2 of 3'));
    expect(screen.getByRole('group').textContent).toContain('Is not a valid answer');
  });

  it('integer items take a number within their bounds', () => {
    const instrument = { ...phq9(), items: [{ ...phq9().items[0], linkId: 'days', text: 'On how many days?', type: 'integer' as const, options: [], min: 0, max: 30 }] };
    const { onSubmit } = setup(instrument);
    const box = screen.getByLabelText(/On how many days/);
    fireEvent.input(box, { target: { value: '45' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('Enter a number from 0 to 30.')).toBeTruthy();
    fireEvent.input(box, { target: { value: '12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    expect(onSubmit).toHaveBeenCalledWith([{ linkId: 'days', value: 12 }]);
  });
});

describe('all items on one page', () => {
  it('shows every item and marks each unanswered one on submit', async () => {
    const onSubmit = vi.fn();
    render(<Questionnaire instrument={phq9()} layout="all" submitLabel="Save and score" busy={false} errors={noQuestionnaireErrors} onSubmit={onSubmit} />);
    expect(screen.getAllByRole('group')).toHaveLength(3);
    fireEvent.click(screen.getAllByRole('radio', { name: 'Several days' })[0]);
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('Please answer the 2 marked questions.');
    const groups = screen.getAllByRole('group');
    expect(groups[0].textContent).not.toContain('Choose an answer.');
    expect(groups[1].textContent).toContain('Choose an answer.');
    expect(groups[2].textContent).toContain('Choose an answer.');
    await waitFor(() => expect(document.activeElement).toBe(groups[1].querySelector('input')));
  });

  it('shows the server’s message beside the item it names', () => {
    render(
      <Questionnaire
        instrument={phq9()}
        layout="all"
        submitLabel="Save and score"
        busy={false}
        errors={{ summary: 'Please correct the marked field.', items: { q9: 'Is required' } }}
        onSubmit={() => {}}
      />,
    );
    const groups = screen.getAllByRole('group');
    expect(groups[2].textContent).toContain('Is required');
    expect(groups[2].querySelector('input')!.getAttribute('aria-invalid')).toBe('true');
    expect(groups[0].querySelector('input')!.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('Please correct the marked field.');
  });
});
