/**
 * The eventfs implementations the model can mount: the code as fixed at the end of the thread
 * and the historical states the thread walks through, oldest first.
 */
import type { EventfsBase } from '../base';
import { EventfsFixed } from '../fixed';
import {
  EventfsRfcKref,
  EventfsRfcLookup,
  EventfsRfcLookupDAdd,
  EventfsRfcLookupNolock,
} from './rfc';
import { Eventfs852e46e239 } from './v852e46e239';

/** Name of a modelled eventfs implementation. */
export type VariantName =
  '852e46e239' | 'rfc-lookup' | 'rfc-lookup-nolock' | 'rfc-lookup-d_add' | 'rfc-kref' | 'fixed';

const FACTORIES: Readonly<Record<VariantName, () => EventfsBase>> = {
  '852e46e239': () => new Eventfs852e46e239(),
  'rfc-lookup': () => new EventfsRfcLookup(),
  'rfc-lookup-nolock': () => new EventfsRfcLookupNolock(),
  'rfc-lookup-d_add': () => new EventfsRfcLookupDAdd(),
  'rfc-kref': () => new EventfsRfcKref(),
  fixed: () => new EventfsFixed(),
};

/** What each variant is, in one line (for listings and reports). */
export const VARIANT_DESCRIPTIONS: Readonly<Record<VariantName, string>> = {
  '852e46e239':
    'v6.7 as reported by the robot: simple_lookup() negatives, mutex dropped around create_dir(), ti->private set after d_instantiate()',
  'rfc-lookup':
    "Linus's 0004 as posted: lookup under eventfs_mutex, which eventfs_find_events() takes again",
  'rfc-lookup-nolock': '0004 without the recursive lock: ->lookup still calls d_instantiate()',
  'rfc-lookup-d_add': '0004 with d_add(): failed lookups still cache negative dentries',
  'rfc-kref': '0005 + ERR_PTR(-ENOENT): kref on eventfs_inode, no negatives, no d_revalidate',
  fixed: 'v6.8: 0005 plus d_revalidate and d_release (the code the thread ended with)',
};

/** Every variant name, oldest first; 'fixed' last. */
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
