import { expect } from 'chai';
import { stderrDuring, warningsDuring } from './helpers';
import { QUIET_WARNING_CODES } from './setup';

describe('warnings printed during the specs (spec/setup.ts)', () => {
  it('should not print the two warnings of subscribers the specs leave unbuilt or unowned', async () => {
    expect([...QUIET_WARNING_CODES]).to.deep.equal(['EVENTWIRE_SUBSCRIBER_NOT_BUILT', 'EVENTWIRE_UNOWNED_SUBSCRIBER']);
    const printed = await stderrDuring(() => {
      process.emitWarning('quiet one', { type: 'SubscriberNotBuiltWarning', code: 'EVENTWIRE_SUBSCRIBER_NOT_BUILT' });
      process.emitWarning('quiet two', { type: 'UnownedSubscriberWarning', code: 'EVENTWIRE_UNOWNED_SUBSCRIBER' });
    });
    expect(printed).to.equal('');
  });

  it('should still print warnings of any other code', async () => {
    const printed = await stderrDuring(() => {
      process.emitWarning('still printed', { type: 'MaxHandlersExceededWarning', code: 'EVENTWIRE_MAX_HANDLERS' });
    });
    expect(printed).to.contain('MaxHandlersExceededWarning: still printed');
  });

  it('should still let the specs observe the quiet ones', async () => {
    const seen = await warningsDuring(() => {
      process.emitWarning('observed', { type: 'UnownedSubscriberWarning', code: 'EVENTWIRE_UNOWNED_SUBSCRIBER' });
    }, 'EVENTWIRE_UNOWNED_SUBSCRIBER');
    expect(seen.map((warning) => warning.message)).to.deep.equal(['observed']);
  });
});
