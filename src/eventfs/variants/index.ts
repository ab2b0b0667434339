/**
 * The eventfs implementations the model can mount: the code as fixed at the end of the thread
 * and, as they are added, the historical states the thread walks through.
 */
import type { EventfsBase } from '../base';
import { EventfsFixed } from '../fixed';

/** Name of a modelled eventfs implementation. */
export type VariantName = 'fixed';

const FACTORIES: Readonly<Record<VariantName, () => EventfsBase>> = {
  fixed: () => new EventfsFixed(),
};

/** Every variant name, the fixed one first. */
export const variants: readonly VariantName[] = Object.freeze(
  Object.keys(FACTORIES) as VariantName[],
);

/** True for a known variant name. */
export function isVariantName(v: unknown): v is VariantName {
  return typeof v === 'string' && Object.hasOwn(FACTORIES, v);
}

/** A fresh eventfs implementation of that variant. */
export function createEventfs(variant: VariantName): EventfsBase {
  return FACTORIES[variant]();
}
