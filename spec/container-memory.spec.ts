import { expect } from 'chai';
import { Container, Event, injectable, publishes, subscribes } from '../lib';
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
});
