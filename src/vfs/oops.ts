/**
 * Dereferencing NULL in the modelled kernel: an oops ("BUG: kernel NULL pointer dereference"),
 * reported as a structured `bug` violation instead of a JavaScript TypeError.
 */
import { violation } from './errors';
import { callerSite } from './poison';

/** Use a pointer the kernel code dereferences without checking. */
export function deref<T>(p: T | null | undefined, what: string): T {
  if (p === null || p === undefined) {
    const site = callerSite();
    violation('bug', site, `BUG: kernel NULL pointer dereference in ${site}: ${what} is NULL`);
  }
  return p;
}
