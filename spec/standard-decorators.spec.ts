import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import { Container, Event, WiringError } from '../lib';
import { publishedEvents } from '../lib/wiring/metadata';
import { runStandard, warningsDuring } from './helpers';
import type * as Shop from './standard/shop';

/**
 * The same decorators under STANDARD (TC39) decorators, as a new TypeScript project compiles
 * them by default: spec/standard/shop.ts is compiled that way (runStandard), with no emitted
 * metadata, and wired by the same container.
 */
describe('standard decorators', () => {
  const file = join(__dirname, 'standard', 'shop.ts');
  const shop = runStandard(readFileSync(file, 'utf8'), file) as unknown as typeof Shop;
  const config = { currency: 'EUR' };

  function app(): Container {
    return new Container().register(shop.CONFIG, { useValue: config });
  }

  it('should compile the fixture without legacy metadata (no design:paramtypes)', () => {
    expect(Reflect.getOwnMetadata('design:paramtypes', shop.Checkout)).to.equal(undefined);
    expect(publishedEvents(shop.Checkout).map((e) => e.name)).to.deep.equal(['opened', 'paid', 'own']);
  });

  it('should give a @publishes field its Event during construction, so the constructor can fire it without a container', () => {
    const checkout = new shop.Checkout(new shop.Ledger(), config);
    expect(checkout.opened).to.be.instanceOf(Event);
    expect(checkout.opened.name).to.equal('opened');
    expect(checkout.opened.source).to.equal(checkout);
    const heard: string[] = [];
    checkout.opened.add((currency) => { heard.push(currency); }); // replay: 1 delivers the constructor's fire
    expect(heard).to.deep.equal(['EUR']);
  });

  it('should keep an Event the field initializer creates itself', () => {
    const checkout = new shop.Checkout(new shop.Ledger(), config);
    expect(checkout.own).to.be.instanceOf(Event);
    expect(checkout.own.name).to.equal('custom');
  });

  it('should build constructor dependencies from @injectable({ deps }), transient scope included', () => {
    const container = app();
    const checkout = container.get(shop.Checkout);
    expect(checkout.ledger).to.equal(container.get(shop.Ledger));
    expect(checkout.config).to.equal(config);
    // A transient subscriber is owned by a child scope (the root would warn that nothing owns it).
    const scope = container.createChild();
    const a = scope.get(shop.Receipt);
    expect(a).to.not.equal(scope.get(shop.Receipt));
    expect(a.ledger).to.equal(checkout.ledger);
  });

  it('should wire @subscribes handlers to the event the object has had since construction, with info and filter', () => {
    const container = app();
    const receipt = container.createChild().get(shop.Receipt);
    const checkout = container.get(shop.Checkout);
    checkout.paidEvent.fire(0); // filtered out
    checkout.paidEvent.fire(12);
    expect(receipt.ledger.lines).to.deep.equal(['opened in EUR', 'paid 12']);
  });

  it('should inherit published events and subscriptions from the parent class', () => {
    const container = app();
    const audited = container.get(shop.AuditedReceipt);
    const express = container.get(shop.ExpressCheckout);
    express.rushed.fire();
    express.paidEvent.fire(3);
    express.own.fire('gift');
    expect(audited.ledger.lines).to.deep.equal(['opened in EUR', 'rushed', 'paid 3', 'note gift']);
  });

  it('should warn, as under legacy decorators, that an @injectable subscriber was never built when its event fires', async () => {
    const { Standalone, Listener } = runStandard(
      "import { Event, injectable, publishes, subscribes } from '../lib';\n" +
      'export class Standalone { @publishes() readonly pinged!: Event; }\n' +
      '@injectable() export class Listener { @subscribes(Standalone, "pinged") onPinged(): void {} }\n') as {
      Standalone: new () => { pinged: Event }; Listener: Function;
    };
    const notBuilt = await warningsDuring(() => new Container().get(Standalone).pinged.fire(), 'EVENTWIRE_SUBSCRIBER_NOT_BUILT');
    expect(notBuilt.map((w) => w.message).join('\n')).to.contain(`no ${Listener.name} was ever built`);
  });

  it('should leave the events of an object whose adoption an extension hook failed as they were: no trace, no error policy of that container', () => {
    const traced: string[] = [];
    const refusing = new Container({ trace: (dispatch) => { traced.push(dispatch.name); }, extensions: [{ objectAdopted: () => { throw new Error('refused'); } }] });
    const checkout = new shop.Checkout(new shop.Ledger(), config);
    expect(() => refusing.wire(checkout)).to.throw(WiringError, /^Could not wire Checkout: objectAdopted\(\) of extension #0 threw: refused/);
    checkout.paidEvent.fire(5);
    checkout.own.fire('note');
    expect(traced, 'the events a standard field holds are the object\'s own, as under legacy decorators').to.deep.equal([]);
    expect([checkout.paidEvent.name, checkout.paidEvent.source, checkout.own.name]).to.deep.equal(['paid', checkout, 'custom']);
  });

  it('should set Symbol.metadata to the shared Symbol.for(\'Symbol.metadata\') when absent, and keep one another library set', () => {
    expect((Symbol as { metadata?: symbol }).metadata).to.equal(Symbol.for('Symbol.metadata'));
    const ours = Object.getOwnPropertyDescriptor(Symbol, 'metadata')!;
    const theirs = Symbol('a polyfill loaded first');
    const metadataModule = require.resolve('../lib/wiring/metadata');
    const cached = require.cache[metadataModule];
    try {
      Object.defineProperty(Symbol, 'metadata', { value: theirs, configurable: true, writable: true });
      delete require.cache[metadataModule];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(metadataModule);
      expect((Symbol as { metadata?: symbol }).metadata).to.equal(theirs);
    } finally {
      Object.defineProperty(Symbol, 'metadata', ours);
      require.cache[metadataModule] = cached;
    }
  });
});
