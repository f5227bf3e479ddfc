import { describe, expect, it } from 'vitest';
import { brandClass, hasBrand } from '../../src/index.js';
import { brandSymbol } from '../../src/kernel/util/brand.js';

// Two "copies" of one package: the same source evaluated twice gives two classes, as
// an ESM and a CommonJS build loaded side by side do.
function copyOfPackage() {
  class Widget {
    constructor(readonly size: number) {}
  }
  brandClass(Widget, '@secondary-mmu/test:Widget');
  class Gadget extends Widget {}
  brandClass(Gadget, '@secondary-mmu/test:Gadget');
  class Plain extends Widget {}
  return { Widget, Gadget, Plain };
}
const a = copyOfPackage();
const b = copyOfPackage();

describe('brandClass and hasBrand: class identity across copies of a package', () => {
  it('without a brand, instanceof answers for one copy only (what brands fix)', () => {
    const twice = () => class Bare {};
    const [BareA, BareB] = [twice(), twice()];
    expect(new BareA()).not.toBeInstanceOf(BareB);
  });

  it('an instance of one copy is an instance of the other copy\'s branded class', () => {
    expect(a.Widget).not.toBe(b.Widget);
    expect(new a.Widget(1)).toBeInstanceOf(b.Widget);
    expect(new b.Widget(1) instanceof a.Widget).toBe(true);
    expect(new a.Gadget(2)).toBeInstanceOf(b.Gadget);
  });

  it('a subclass instance carries its base brand; a base instance is not a subclass', () => {
    expect(new a.Gadget(2)).toBeInstanceOf(b.Widget);
    expect(new a.Widget(1)).not.toBeInstanceOf(b.Gadget);
    expect(new a.Widget(1)).not.toBeInstanceOf(a.Gadget);
  });

  it('an unbranded subclass keeps the ordinary prototype check', () => {
    expect(new a.Plain(3)).toBeInstanceOf(a.Plain);
    expect(new a.Plain(3)).not.toBeInstanceOf(b.Plain);
    expect(new a.Widget(1)).not.toBeInstanceOf(a.Plain);
    expect(new a.Plain(3)).toBeInstanceOf(b.Widget);
  });

  it('nothing else passes: plain objects, primitives, null, a brand that is not exactly true', () => {
    const brand = brandSymbol('@secondary-mmu/test:Widget');
    expect(brand).toBe(Symbol.for('@secondary-mmu/test:Widget'));
    expect(hasBrand(new b.Widget(1), brand)).toBe(true);
    expect(hasBrand({ size: 1 }, brand)).toBe(false);
    expect(hasBrand({ [brand]: 'yes' }, brand)).toBe(false);
    for (const v of [null, undefined, 1, 'Widget', brand]) expect(hasBrand(v, brand)).toBe(false);
    expect({ size: 1 }).not.toBeInstanceOf(a.Widget);
    expect(a.Widget[Symbol.hasInstance](null)).toBe(false);
  });

  it('returns the symbol it set on the prototype, not on each instance', () => {
    class Solo {}
    const brand = brandClass(Solo, '@secondary-mmu/test:Solo');
    expect(Object.getOwnPropertySymbols(new Solo())).toEqual([]);
    expect(hasBrand(Object.create(Solo.prototype), brand)).toBe(true);
  });
});
