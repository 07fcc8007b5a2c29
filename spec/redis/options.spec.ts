import { expect } from 'chai';
import { InvalidArgumentError } from '../../lib';
import { RedisTransport } from '../../lib/redis';
import { fromFields, toFields } from '../../lib/redis/fields';

// No broker needed: bad options are refused before any connection is opened.
describe(`${RedisTransport.name} options and wire format`, () => {
  it('should refuse bad options, naming the option and the expected value', () => {
    const bad: [object, RegExp][] = [
      [{ maxInFlight: 0 }, /maxInFlight must be a whole number from 1, got 0/],
      [{ maxAttempts: 1.5 }, /maxAttempts must be a whole number from 1/],
      [{ retryDelayMs: -1 }, /retryDelayMs must be a whole number from 0/],
      [{ claimIdleMs: '30s' }, /claimIdleMs must be a whole number from 1, got "30s"/],
      [{ maxStreamLength: 0 }, /maxStreamLength must be a whole number from 1/],
      [{ retentionMs: -1 }, /retentionMs must be a whole number from 0, got -1/],
      [{ maxPayloadBytes: 0 }, /maxPayloadBytes must be a whole number from 1, got 0/],
      [{ publishTimeoutMs: 0 }, /publishTimeoutMs must be a whole number from 1, got 0/],
      [{ prefix: '' }, /prefix must be a non-empty string/],
      [{ startFrom: 'end' }, /startFrom must be 'new' or 'beginning', got "end"/],
      [{ onError: 'log' }, /onError must be a function/],
      [{ connection: 6379 }, /connection must be a redis:\/\/ URL, ioredis options or an ioredis client, got 6379/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RedisTransport(options as never), JSON.stringify(options)).to.throw(InvalidArgumentError, message);
    }
    expect(() => new RedisTransport(null as never)).to.throw(InvalidArgumentError, /options must be an object/);
  });

  it('should read back what it writes, and say why other stream entries are not envelopes', () => {
    const envelope = {
      id: 'e-1', name: 'orderPlaced', namespace: 'shop', version: 3, occurredAt: '2026-01-01T00:00:00.000Z',
      headers: { 'content-type': 'application/json', trace: 't-1' }, payload: '[1]',
    };
    expect(fromFields(toFields(envelope))).to.deep.equal(envelope);
    const replace = (field: string, value: string): string[] => {
      const fields = toFields(envelope);
      fields[fields.indexOf(field) + 1] = value;
      return fields;
    };
    expect(fromFields(null)).to.equal('the entry was deleted from the stream');
    expect(fromFields(['id', 'x'])).to.match(/not an eventwire envelope \(missing field\(s\): name, namespace, version, occurredAt, headers, payload\)/);
    expect(fromFields(replace('version', 'two'))).to.equal('its version is not a whole number: "two"');
    expect(fromFields(replace('headers', '{oops'))).to.equal('its headers are not a JSON object of strings');
    expect(fromFields(replace('headers', '{"n":1}'))).to.equal('its headers are not a JSON object of strings');
  });
});
