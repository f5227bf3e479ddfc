/**
 * Class identity that survives two copies of a package in one process.
 *
 * Every package ships an ESM and a CommonJS build; a program that reaches one through
 * `import` and the other through `require` (a CommonJS driver judged by the ESM-only
 * vitest entry) has two `AnonVma` classes, and `instanceof` answers by prototype
 * chain, so an object of one copy is "not an AnonVma" to the other. A brand is a
 * `Symbol.for` key — one symbol per process, whichever copy asks — set on the class's
 * prototype; a brand check reads it, so both copies agree.
 *
 * Kernel counterpart: none (C has one definition of `struct anon_vma` per kernel).
 */

/** The process-wide symbol of brand `name` (`'@secondary-mmu/core-mm:AnonVma'`): the same in every copy. */
export function brandSymbol(name: string): symbol {
  return Symbol.for(name);
}

/** True when `value` is an object whose prototype chain (or itself) carries `brand`. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Brand `Class` and make `value instanceof Class` a brand check, so code outside the
 * model (a test's `instanceof`, vitest's `toThrow(Class)`) also agrees across copies.
 * A subclass that is not branded itself keeps the ordinary prototype check: the
 * inherited `Symbol.hasInstance` answers the brand only for `Class` itself. Instances
 * of subclasses carry `Class`'s brand (it is inherited through the prototype).
 * Returns the brand's symbol.
 */
export function brandClass(Class: abstract new (...args: never[]) => object, name: string): symbol {
  const brand = brandSymbol(name);
  Object.defineProperty(Class.prototype, brand, { value: true });
  const ordinary = Function.prototype[Symbol.hasInstance];
  Object.defineProperty(Class, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      return this === Class ? hasBrand(value, brand) : ordinary.call(this, value);
    },
  });
  return brand;
}
