import { expect } from 'chai';
import { Container, Event, injectable, publishes, subscribes } from '../lib';
import { subscriberClassList } from '../lib/wiring/metadata';
import { collectUntil } from './helpers';

@injectable() class Clock { @publishes() tick!: Event<[number]>; }
@injectable({ scope: 'transient' }) class Widget {
  static calls = 0;
  @subscribes(Clock, 'tick') onTick(): void { Widget.calls++; }
}
@injectable({ scope: 'transient' }) class Sensor { @publishes() reading!: Event<[number]>; }
@injectable() class Recorder {
  readings = 0;
  @subscribes(Sensor, 'reading') onReading(): void { this.readings++; }
}

describe('Container memory', () => {
  it('should let a dropped transient subscriber be collected, and stop calling it', async () => {
    const app = new Container();
    const clock = app.get(Clock);
    let widget: Widget | undefined = app.get(Widget);
    const ref = new WeakRef(widget);
    clock.tick.fire(1);
    expect(Widget.calls).to.equal(1);
    widget = undefined;
    expect(await collectUntil(() => ref.deref() === undefined)).to.equal(true, 'the widget was not collected');
    expect(await collectUntil(() => clock.tick.size === 0)).to.equal(true);
    clock.tick.fire(2);
    expect(Widget.calls).to.equal(1);
  });

  it('should bring event.size back to 0 after 10,000 transient subscribers are dropped', async () => {
    const app = new Container();
    const clock = app.get(Clock);
    for (let i = 0; i < 10_000; i++) app.get(Widget);
    expect(clock.tick.size).to.be.greaterThan(0);
    expect(await collectUntil(() => clock.tick.size === 0)).to.equal(true, `size stayed at ${clock.tick.size}`);
    expect(app.graph().edges).to.deep.equal([]);
  });

  it('should let a dropped transient source be collected while its singleton subscriber lives', async () => {
    const app = new Container();
    const recorder = app.get(Recorder);
    let sensor: Sensor | undefined = app.get(Sensor);
    sensor.reading.fire(1);
    const ref = new WeakRef(sensor);
    sensor = undefined;
    expect(await collectUntil(() => ref.deref() === undefined)).to.equal(true, 'the source was kept alive');
    expect(recorder.readings).to.equal(1);
  });

  it('should hold singletons until the container is disposed', async () => {
    let app: Container | undefined = new Container();
    const ref = new WeakRef(app.get(Clock));
    await collectUntil(() => false, 3);
    expect(ref.deref()).to.be.instanceOf(Clock);
    app.dispose();
    app = undefined;
    expect(await collectUntil(() => ref.deref() === undefined)).to.equal(true);
  });

  it('should drop collected classes from its list of subscriber classes, not only skip them', async () => {
    // The list holds each class that declares @subscribes through a WeakRef; once most of them are
    // collected, it must let go of those WeakRefs too, or defining classes in a loop (a test
    // suite, a plugin loader) would grow it forever. Every WeakRef made while the loop below runs
    // is watched through a WeakRef of its own.
    const live = subscriberClassList().length;
    const Native = WeakRef;
    const listed: WeakRef<object>[] = [];
    const dropped: WeakRef<Function>[] = [];
    class Watched<T extends WeakKey> extends Native<T> {
      constructor(target: T) {
        super(target);
        listed.push(new Native(this));
      }
    }
    globalThis.WeakRef = Watched as WeakRefConstructor;
    try {
      for (let i = 0; i <= 2 * live + 100; i++) {
        class Dropped { @subscribes(Clock, 'tick') onTick(): void {} }
        dropped.push(new Native(Dropped));
      }
    } finally {
      globalThis.WeakRef = Native;
    }
    expect(listed).to.have.length(dropped.length);
    // Numbers, not the list: an assertion that holds the list would keep the classes alive.
    expect(subscriberClassList().length).to.equal(live + dropped.length);
    // V8 may keep the loop's last class alive a while (through the loop's own feedback): allow one.
    const alive = (): number => dropped.filter((ref) => ref.deref() !== undefined).length;
    expect(await collectUntil(() => alive() <= 1)).to.equal(true, `${alive()} of ${dropped.length} dropped classes were not collected`);
    // Reading the list prunes it: it lists the live classes only, through new WeakRefs, and the
    // WeakRefs of the dropped ones can be collected.
    expect(subscriberClassList().length).to.equal(live + alive());
    const kept = (): number => listed.filter((ref) => ref.deref() !== undefined).length;
    expect(await collectUntil(() => kept() === 0)).to.equal(true, `the list still holds ${kept()} of the ${listed.length} WeakRefs made for the dropped classes`);
  });
});
