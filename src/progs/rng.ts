/** The generator's RNG lives in src/util/rng.ts (shared with the generation runtime). */
export { Rng } from '../util/rng.js';
