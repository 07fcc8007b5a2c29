import { expect } from 'chai';
import { Container, ResolutionError } from '../lib';
import { Reporter } from './fixtures/type-only/reporter';

describe('a constructor parameter whose class is imported with import type', () => {
  it('should name type-only imports as the likely cause', () => {
    expect(() => new Container().get(Reporter)).to.throw(ResolutionError,
      "parameter #0 of Reporter's constructor is typed as an interface, a union, a type alias or any (compiled to Object), " +
      'which cannot be resolved. If it is a class, check for a type-only import ("import type", or "import { type X }", ' +
      'often added by a lint autofix): import it with a plain import.');
  });
});
