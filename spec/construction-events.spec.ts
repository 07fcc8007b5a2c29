import { expect } from 'chai';
import { Container, DecoratorError, Event, ResolutionError, WiringError, publishes, subscribes, type TraceRecord } from '../lib';

/**
 * Events usable from construction (issue 11, finding 6): an object made with `new` outside
 * the container, or firing in its own constructor, has a working event that a container
 * adopting it later takes over. This project compiles with target ES2022, so class fields use
 * define semantics (useDefineForClassFields), as most users' builds do.
 */
describe('events from construction', () => {
  class Audit {
    readonly lines: string[] = [];
    @subscribes(() => Boiler, 'started') onStarted(degrees: number): void { this.lines.push(`started ${degrees}`); }
    @subscribes(() => Kettle, 'boiled') onBoiled(litres: number): void { this.lines.push(`boiled ${litres}`); }
  }

  /** `declare`: the compiler emits no field, the prototype's accessor creates the event. */
  class Boiler {
    @publishes() declare readonly started: Event<[degrees: number]>;
    readonly early: number[] = [];
    constructor() {
      this.started.add((degrees) => { this.early.push(degrees); });
      this.started.fire(20);
    }

    heat(): void { this.started.fire(90); }
  }

  /** An event created by the class itself, which the container adopts. */
  class Kettle {
    @publishes() readonly boiled = new Event<[litres: number]>();
    constructor() { this.boiled.fire(0); }
  }

  it('should give an object made with new a working event (declare field), no container needed', () => {
    const boiler = new Boiler();
    boiler.heat();
    expect(boiler.early).to.deep.equal([20, 90]);
    expect(boiler.started.name).to.equal('started');
    expect(boiler.started.source).to.equal(boiler);
  });

  it('should let the container take over that same event: subscribers, error policy and trace', () => {
    const traced: TraceRecord[] = [];
    const app = new Container({ errors: 'collect', trace: (record) => { traced.push(record); } });
    const audit = app.get(Audit);
    const boiler = new Boiler();
    const event = boiler.started;
    app.wire(boiler);
    expect(boiler.started).to.equal(event);
    boiler.heat();
    expect(audit.lines).to.deep.equal(['started 90']);
    expect(boiler.early).to.deep.equal([20, 90]);
    expect(traced.map((r) => `${r.name} ${r.handlers}`)).to.deep.equal(['started 2']);
    boiler.started.add(() => { throw new Error('boom'); });
    expect(() => boiler.heat()).to.throw(AggregateError);
  });

  it('should let a constructor fire its events when the container builds the object', () => {
    const app = new Container();
    const audit = app.get(Audit);
    const boiler = app.get(Boiler);
    expect(boiler.early).to.deep.equal([20]);
    boiler.heat();
    expect(audit.lines).to.deep.equal(['started 90']);
  });

  it('should adopt an event the class creates, naming it and setting its source', () => {
    const app = new Container();
    const audit = app.get(Audit);
    const kettle = app.get(Kettle);
    kettle.boiled.fire(2);
    expect(audit.lines).to.deep.equal(['boiled 2']);
    expect(kettle.boiled.name).to.equal('boiled');
    expect(kettle.boiled.source).to.equal(kettle);
  });

  it('should keep what the class passed to its event over the container\'s options', () => {
    class Pump { @publishes() readonly primed = new Event<[]>('pump primed', { errors: 'throw' }); }
    const app = new Container({ errors: 'collect' });
    const pump = app.wire(new Pump());
    pump.primed.add(() => { throw new Error('dry'); });
    expect(pump.primed.name).to.equal('pump primed');
    expect(() => pump.primed.fire()).to.throw(Error, 'dry');
  });

  it('should create the event of a field left undefined (started!: Event) when wiring, as before', () => {
    class Valve { @publishes() opened!: Event<[]>; }
    const valve = new Valve();
    expect(Object.getOwnPropertyDescriptor(valve, 'opened')).to.deep.include({ value: undefined });
    new Container().wire(valve);
    expect(valve.opened).to.be.instanceOf(Event);
  });

  it('should explain how to write the field when a constructor fires an event declared started!: Event', () => {
    class Valve {
      @publishes() opened!: Event<[]>;
      constructor() { this.opened.fire(); }
    }
    expect(() => new Container().get(Valve)).to.throw(ResolutionError,
      "Could not build Valve: Valve threw: Cannot read properties of undefined (reading 'fire'). " +
      'If the constructor fires one of its events (opened): a field "@publishes() opened!: Event<...>" is undefined until the ' +
      'container wires the object (under useDefineForClassFields, the default from target ES2022). ' +
      'Write "@publishes() declare readonly opened: Event<...>" or "@publishes() readonly opened = new Event<...>()" instead.');
  });

  it('should give each object its own event, subclasses included, and none to a prototype', () => {
    class Turbo extends Boiler {}
    const [a, b] = [new Boiler(), new Turbo()];
    expect(a.started).to.not.equal(b.started);
    expect(b.started.source).to.equal(b);
    expect((Boiler.prototype as { started?: unknown }).started).to.equal(undefined);
  });

  it('should accept an event assigned by a field initializer under assignment semantics (useDefineForClassFields off)', () => {
    // What `class Fan { @publishes() spun = new Event() }` compiles to without define semantics.
    class Fan { declare spun: Event<[]>; constructor() { this.spun = new Event(); } }
    publishes()(Fan.prototype, 'spun');
    const fan = new Container().wire(new Fan());
    expect(fan.spun.name).to.equal('spun');
    expect(fan.spun.source).to.equal(fan);
  });

  it('should check every event property of an object before taking over or creating any', () => {
    class Valve {
      @publishes('opened') readonly opened = new Event<[]>();   // made before wiring: taken over (its source set) then
      @publishes('closed') closed!: Event<[]>;
    }
    const frozen = Object.freeze(new Valve());
    expect(() => new Container().wire(frozen)).to.throw(WiringError, 'Could not assign event "closed" to Valve.closed: the object is frozen or sealed.');
    expect(frozen.opened.source, 'the event made before wiring was not taken over').to.equal(undefined);
    const holding = new Valve();
    (holding as { closed: unknown }).closed = 'shut';
    expect(() => new Container().wire(holding)).to.throw(DecoratorError, 'Valve.closed is declared with @publishes but holds "shut"');
    expect(holding.opened.source).to.equal(undefined);
  });

  it('should say what to do when the event is first read on a frozen object', () => {
    class Frozen { @publishes() declare readonly rang: Event<[]>; }
    const frozen = Object.freeze(new Frozen());
    expect(() => frozen.rang).to.throw(WiringError,
      'Could not create event "rang" on Frozen.rang: the object is frozen or sealed. ' +
      'Read the event before freezing the object, or assign it in the class: "readonly rang = new Event()".');
  });
});
