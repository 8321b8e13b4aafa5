/** Invariant checkers over recorded histories: pure functions, one per invariant (DESIGN.md section 6). */
export type { CheckResult } from './common.js';
export { checkUniqueName } from './unique-name.js';
export { checkNoLostInsert } from './no-lost-insert.js';
export { checkNoLostUpdate } from './no-lost-update.js';
export { checkSetSemantics } from './set-semantics.js';
export { checkRevocation } from './revocation.js';
export { checkTakesEffect } from './takes-effect.js';
export { checkCascade } from './cascade.js';
