import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { choiceItem, cssrsItems, phq9, PHQ9_INSTRUCTIONS, valuelessItem } from '../fixtures';
import type { Answer, Instrument } from '../types';
import { ClientIntro, instructionsOf, noQuestionnaireErrors, Questionnaire, type QuestionnaireErrors } from './Questionnaire';

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
const instructions = () => document.querySelector('.question-instructions')?.textContent ?? null;

/** A PHQ-9 as an imported form may come: the unscored "how difficult" question has no options. */
const withDifficulty = () => phq9([...phq9().items, valuelessItem()]);

describe('the instructions', () => {
  it('stand above the question on every screen, read with it, and not on the first or last screen', () => {
    setup(phq9(), { intro: true });
    expect(instructions()).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    for (let n = 1; n <= 3; n++) {
      expect(heading()).toBe(`Question ${n} of 3`);
      const block = document.querySelector('.question-instructions')!;
      expect(block.textContent).toBe(PHQ9_INSTRUCTIONS);
      // before the question, and named as its description
      expect(block.compareDocumentPosition(screen.getByRole('group')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
      expect(screen.getByRole('group').getAttribute('aria-describedby')).toBe(block.id);
      tap('Not at all');
    }
    expect(heading()).toBe('Ready to send');
    expect(instructions()).toBeNull();
  });

  it('stay beside an error, which is read with them', () => {
    setup(phq9());
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const described = screen.getByRole('group').getAttribute('aria-describedby')!.split(' ');
    expect(described).toEqual(['q-instructions', document.querySelector('.field-error')!.id]);
  });

  it('are shown once above the items when every item is on one page', () => {
    render(<Questionnaire instrument={phq9()} layout="all" submitLabel="Save and score" busy={false} errors={noQuestionnaireErrors} onSubmit={() => {}} />);
    const blocks = document.querySelectorAll('.question-instructions');
    expect(blocks).toHaveLength(1);
    expect(blocks[0].textContent).toBe(PHQ9_INSTRUCTIONS);
    expect(blocks[0].compareDocumentPosition(screen.getAllByRole('group')[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('are left out when the form has none (an imported form, an older server)', () => {
    const bare = { ...phq9(), instructions: [] };
    setup(bare);
    expect(heading()).toBe('Question 1 of 3');
    expect(instructions()).toBeNull();
    expect(screen.getByRole('group').getAttribute('aria-describedby')).toBeNull();
    expect(instructionsOf({})).toEqual([]);
    expect(instructionsOf({ instructions: ['  ', 'Read each one.'] })).toEqual(['Read each one.']);
  });
});

describe('items without a value to give', () => {
  it('are skipped one item per screen: not counted, not shown, not sent', () => {
    const { onSubmit } = setup(withDifficulty());
    expect(heading()).toBe('Question 1 of 3');
    tap('Several days');
    tap('Not at all');
    tap('Several days');
    expect(heading()).toBe('Ready to send');
    expect(document.body.textContent).not.toContain('How difficult');
    expect(screen.getByText('You answered 3 of 3 questions.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    expect(onSubmit).toHaveBeenCalledWith([
      { linkId: 'q1', value: 1 },
      { linkId: 'q2', value: 0 },
      { linkId: 'q9', value: 1 },
    ]);
  });

  it('are skipped even when the form starts with one', () => {
    setup(phq9([valuelessItem('first'), choiceItem('q1', 'Little interest or pleasure in doing things')]));
    expect(heading()).toBe('Question 1 of 1');
    expect(question()).toContain('Little interest');
  });

  it('are left off the one-page form and not sent from it', () => {
    const onSubmit = vi.fn();
    render(<Questionnaire instrument={withDifficulty()} layout="all" submitLabel="Save and score" busy={false} errors={noQuestionnaireErrors} onSubmit={onSubmit} />);
    const groups = screen.getAllByRole('group');
    expect(groups).toHaveLength(3);
    for (const g of groups) fireEvent.click(g.querySelector('input')!);
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    expect(onSubmit).toHaveBeenCalledWith([
      { linkId: 'q1', value: 0 },
      { linkId: 'q2', value: 0 },
      { linkId: 'q9', value: 0 },
    ]);
  });

  it('are not counted in the client’s first screen', () => {
    render(<ClientIntro instrument={withDifficulty()} />);
    expect(document.body.textContent).toContain('There are 3 questions, one at a time.');
  });
});

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
    expect(group.getAttribute('aria-describedby')!.split(' ')).toContain(document.querySelector('.field-error')!.id);
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
