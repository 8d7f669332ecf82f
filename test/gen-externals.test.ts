// The attributes of externals that generation reads from the registry (src/engine/libc/index.ts) instead
// of keeping lists of libc names.
import { describe, expect, it } from 'vitest';
import '../src/engine/engine.js';
import {
  externalAttrs,
  lookupExternal,
  modelledExternals,
  registerExternalAttrs,
} from '../src/engine/externals.js';

describe('external attributes', () => {
  it('name environment inputs, OS calls, comparisons and stream writers', () => {
    expect(externalAttrs('time')).toEqual({ envInput: 64, storesResultAt: 0 });
    expect(externalAttrs('getpid')).toEqual({ envInput: 32 });
    expect(externalAttrs('stat')).toEqual({ osInput: true });
    expect(externalAttrs('system')).toEqual({ osInput: true });
    expect(externalAttrs('strcmp')).toEqual({ compares: 's' });
    expect(externalAttrs('strncmp')).toEqual({ compares: 'n' });
    expect(externalAttrs('memcmp')).toEqual({ compares: 'mem' });
    expect(externalAttrs('fputs')).toEqual({ writesStream: true });
    expect(externalAttrs('fgets')).toBeUndefined();
    expect(externalAttrs('strlen')).toBeUndefined();
  });

  it('are only registered for modelled externals (a misspelt name fails at import)', () => {
    expect(modelledExternals().filter((n) => externalAttrs(n) !== undefined).length).toBeGreaterThan(90);
    expect(lookupExternal('no_such_function')).toBeUndefined();
    expect(() => registerExternalAttrs({ no_such_function: { osInput: true } })).toThrow(/no model/);
    expect(externalAttrs('no_such_function')).toBeUndefined();
  });

  it('give each external at most one of the roles generation tells apart', () => {
    for (const n of modelledExternals()) {
      const a = externalAttrs(n);
      if (a === undefined) continue;
      const roles = [a.envInput, a.osInput, a.compares, a.writesStream].filter((x) => x !== undefined);
      expect(roles, n).toHaveLength(1);
    }
  });
});
