import { expect } from 'chai';
import { x } from '../lib';
describe('smoke', () => { it('works', () => { expect(x).to.equal(1); expect(typeof (globalThis as any).gc).to.equal('function'); }); });
