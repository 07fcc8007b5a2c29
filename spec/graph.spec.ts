import { expect } from 'chai';
import { Container, Event, publishes, staticGraph, subscribes, toDot, toMermaid, toText, type WiringGraph } from '../lib';
import { OrderService } from './fixtures/cycle/order-service';
import { Billing, Checkout } from './fixtures/remote-shop';
import { PaymentService } from './fixtures/cycle/payment-service';
import { Dashboard, Engine, Mechanic, Thermometer, TurboEngine } from './fixtures/engine-room';

describe('staticGraph', () => {
  const graph = staticGraph([Engine, TurboEngine, Dashboard, Mechanic, Thermometer]);

  it('should list the decorated classes with the events they publish, and leave undecorated ones out', () => {
    expect(graph.nodes).to.deep.equal([
      { name: 'Dashboard', publishes: [] },
      { name: 'Engine', publishes: ['started', 'overheated'] },
      { name: 'Mechanic', publishes: [] },
      { name: 'TurboEngine', publishes: ['started', 'overheated', 'boosted'] },
    ]);
  });

  it('should draw an edge from every class of the set that is or extends the source, labelled with the declared event name', () => {
    expect(graph.edges).to.deep.equal([
      { publisher: 'Engine', event: 'started', subscriber: 'Dashboard', method: 'showRpm' },
      { publisher: 'TurboEngine', event: 'boosted', subscriber: 'Dashboard', method: 'showBoost' },
      { publisher: 'TurboEngine', event: 'started', subscriber: 'Dashboard', method: 'showRpm' },
    ]);
  });

  it('should flag a subscription to an event its source does not publish, with what the source publishes', () => {
    expect(graph.unpublished).to.deep.equal([
      { subscriber: 'Mechanic', method: 'repair', source: 'Engine', event: 'stalled', published: ['started', 'overheated'] },
    ]);
  });

  it('should flag published events that nothing in the set subscribes to', () => {
    expect(graph.unsubscribed).to.deep.equal([
      { publisher: 'Engine', event: 'overheated' },
      { publisher: 'TurboEngine', event: 'overheated' },
    ]);
  });

  it('should add a source class that is outside the set when nothing in the set extends it', () => {
    const alone = staticGraph([Dashboard]);
    expect(alone.nodes.map((n) => n.name)).to.deep.equal(['Dashboard', 'Engine', 'TurboEngine']);
    expect(alone.edges.map((e) => `${e.publisher}.${e.event} -> ${e.method}`)).to.deep.equal(
      ['Engine.started -> showRpm', 'TurboEngine.boosted -> showBoost', 'TurboEngine.started -> showRpm']);
  });

  it('should construct nothing', () => {
    let built = 0;
    class Counted {
      @publishes() ping!: Event;
      constructor() { built++; }
    }
    class Listener {
      constructor() { built++; }
      @subscribes(Counted, 'ping') onPing(): void {}
    }
    expect(staticGraph([Counted, Listener]).edges).to.have.length(1);
    expect(built).to.equal(0);
  });

  it('should tell apart distinct classes that share a name', () => {
    const make = () => {
      class Clock {
        @publishes() tick!: Event;
      }
      return Clock;
    };
    const [first, second] = [make(), make()];
    class Watch {
      @subscribes(second, 'tick') onTick(): void {}
    }
    const g = staticGraph([first, second, Watch]);
    expect(g.nodes.map((n) => n.name)).to.deep.equal(['Clock', 'Clock (2)', 'Watch']);
    expect(g.edges).to.deep.equal([{ publisher: 'Clock (2)', event: 'tick', subscriber: 'Watch', method: 'onTick' }]);
    expect(g.unsubscribed).to.deep.equal([{ publisher: 'Clock', event: 'tick' }]);
  });

  it('should resolve lazy sources (@subscribes(() => Source, key)) of classes whose files import each other', () => {
    expect(staticGraph([OrderService]).edges).to.deep.equal([
      { publisher: 'OrderService', event: 'orderPlaced', subscriber: 'PaymentService', method: 'charge' },
      { publisher: 'PaymentService', event: 'paymentFailed', subscriber: 'OrderService', method: 'onPaymentFailed' },
    ]);
    expect(staticGraph([OrderService, PaymentService]).edges).to.have.length(2);
  });

  it('should mark the edges and unheard events of events declared { remote: true }, and draw them dashed', () => {
    const graph = staticGraph([Checkout, Billing]);
    expect(graph.edges).to.deep.equal([
      { publisher: 'Checkout', event: 'cartViewed', subscriber: 'Billing', method: 'track' },
      { publisher: 'Checkout', event: 'orderPlaced', subscriber: 'Billing', method: 'charge', kind: 'remote' },
    ]);
    expect(graph.unsubscribed).to.deep.equal([{ publisher: 'Checkout', event: 'refunded', kind: 'remote' }]);
    expect(toText(graph)).to.equal(
      'Checkout.cartViewed\n  -> Billing.track\nCheckout.orderPlaced\n  -> Billing.charge (remote)\nCheckout.refunded\n  -> (no subscriber) (remote)\n');
    expect(toMermaid(graph)).to.contain('  Checkout -->|"cartViewed → track"| Billing\n')
      .and.to.contain('  Checkout -.->|"orderPlaced → charge (remote)"| Billing\n')
      .and.to.contain('  Checkout -.->|"refunded (remote)"| no_subscriber\n');
    expect(toDot(graph)).to.contain('  "Checkout" -> "Billing" [label="orderPlaced → charge (remote)", style=dashed];\n')
      .and.to.contain('  "Checkout" -> "(no subscriber)" [label="refunded (remote)", style=dashed, color=gray40];\n');
  });

  it('should ignore values that are not classes and classes given twice', () => {
    const g = staticGraph([Engine, Engine, 42 as unknown as Function]);
    expect(g.nodes.map((n) => n.name)).to.deep.equal(['Engine']);
  });
});

describe('the diagram renderers', () => {
  const graph = staticGraph([Engine, TurboEngine, Dashboard, Mechanic]);
  const live: WiringGraph = {
    nodes: [{ name: 'Panel', instances: 2 }, { name: 'Pump', instances: 1 }, { name: 'Spare', instances: 1 }],
    edges: [{ publisher: 'Pump', event: 'flow', subscriber: 'Panel', method: 'show', connections: 2 }],
  };

  describe(toMermaid.name, () => {
    it('should draw classes as nodes and label each arrow with the event and the method', () => {
      expect(toMermaid(graph)).to.equal([
        'flowchart LR',
        '  Dashboard["Dashboard"]',
        '  Engine["Engine"]',
        '  Mechanic["Mechanic"]',
        '  TurboEngine["TurboEngine"]',
        '  Engine -->|"started → showRpm"| Dashboard',
        '  TurboEngine -->|"boosted → showBoost"| Dashboard',
        '  TurboEngine -->|"started → showRpm"| Dashboard',
        '  Engine -.->|"stalled (not published) → repair"| Mechanic',
        '  no_subscriber(("no subscriber"))',
        '  Engine -.->|"overheated"| no_subscriber',
        '  TurboEngine -.->|"overheated"| no_subscriber',
        '',
      ].join('\n'));
    });

    it('should show live counts above one', () => {
      expect(toMermaid(live)).to.equal([
        'flowchart LR',
        '  Panel["Panel ×2"]',
        '  Pump["Pump"]',
        '  Spare["Spare"]',
        '  Pump -->|"flow → show ×2"| Panel',
        '',
      ].join('\n'));
    });

    it('should make safe, unique ids and escape labels', () => {
      const odd: WiringGraph = {
        nodes: [{ name: 'end', instances: 1 }, { name: '1st', instances: 1 }, { name: 'a-b', instances: 1 }, { name: 'a_b', instances: 1 }],
        edges: [{ publisher: 'end', event: 'say "hi" <now>', subscriber: '1st', method: 'm', connections: 1 }],
      };
      expect(toMermaid(odd)).to.equal([
        'flowchart LR',
        '  n_end["end"]',
        '  n_1st["1st"]',
        '  a_b["a-b"]',
        '  a_b_2["a_b"]',
        '  n_end -->|"say #quot;hi#quot; #lt;now#gt; → m"| n_1st',
        '',
      ].join('\n'));
    });
  });

  describe(toDot.name, () => {
    it('should write a Graphviz digraph with labelled edges and dashed problems', () => {
      expect(toDot(graph)).to.equal([
        'digraph eventwire {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  "Dashboard";',
        '  "Engine";',
        '  "Mechanic";',
        '  "TurboEngine";',
        '  "Engine" -> "Dashboard" [label="started → showRpm"];',
        '  "TurboEngine" -> "Dashboard" [label="boosted → showBoost"];',
        '  "TurboEngine" -> "Dashboard" [label="started → showRpm"];',
        '  "Engine" -> "Mechanic" [label="stalled (not published) → repair", style=dashed, color=red, fontcolor=red];',
        '  "(no subscriber)" [shape=plaintext, fontcolor=gray40];',
        '  "Engine" -> "(no subscriber)" [label="overheated", style=dashed, color=gray40];',
        '  "TurboEngine" -> "(no subscriber)" [label="overheated", style=dashed, color=gray40];',
        '}',
        '',
      ].join('\n'));
    });

    it('should show live counts and escape quotes and backslashes', () => {
      const odd: WiringGraph = {
        nodes: [{ name: 'A', instances: 3 }, { name: 'B', instances: 1 }],
        edges: [{ publisher: 'A', event: 'say "\\o/"', subscriber: 'B', method: 'm', connections: 3 }],
      };
      expect(toDot(odd)).to.contain('  "A" [label="A ×3"];\n  "B";\n');
      expect(toDot(odd)).to.contain('  "A" -> "B" [label="say \\"\\\\o/\\" → m ×3"];\n');
    });
  });

  describe(toText.name, () => {
    it('should group subscribers under each Publisher.event, then list the problems', () => {
      expect(toText(graph)).to.equal([
        'Engine.overheated',
        '  -> (no subscriber)',
        'Engine.started',
        '  -> Dashboard.showRpm',
        'TurboEngine.boosted',
        '  -> Dashboard.showBoost',
        'TurboEngine.overheated',
        '  -> (no subscriber)',
        'TurboEngine.started',
        '  -> Dashboard.showRpm',
        '! Mechanic.repair subscribes to Engine.stalled, which Engine does not publish (it publishes started, overheated)',
        '',
      ].join('\n'));
    });

    it('should show live counts and classes with no connection', () => {
      expect(toText(live)).to.equal(['Pump.flow', '  -> Panel.show x2', 'Spare (no connection)', ''].join('\n'));
    });

    it('should say so when there is nothing to draw', () => {
      expect(toText({ nodes: [], edges: [] })).to.equal('(no wired class)\n');
    });
  });

  it('should draw the live graph of a container', () => {
    class Pump {
      @publishes() flow!: Event<[litres: number]>;
    }
    class Panel {
      @subscribes(Pump, 'flow') show(litres: number): void { void litres; }
    }
    using app = new Container();
    app.wire(new Panel());
    app.wire(new Panel());
    app.get(Pump);
    expect(toText(app.graph())).to.equal('Pump.flow\n  -> Panel.show x2\n');
    expect(toMermaid(app.graph())).to.contain('Pump -->|"flow → show ×2"| Panel');
  });
});
